"""Every count a person reads agrees with its noun, in English (1 is singular) and in French
(0 and 1 are singular): no "1 pairs", "dont 1 actifs" or "session(s)"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from types import SimpleNamespace as Obj
from typing import Any

import pytest

from bot.i18n import PROMPTS_DIR, Renderer

COUNTS = (0, 1, 2)
# One renderer for the whole module: each new one compiles every template it renders again.
RENDERER = Renderer()
Variables = Callable[[int], dict[str, Any]]


def _figures(n: int) -> Obj:
    outcomes = Obj(
        skill_people=2,
        skill_progressed=n,
        skill_topics=[Obj(topic="SEO", baseline=2.0, latest=3.0, people=n)],
        evaluations=max(n, 1),
        satisfaction=4.0,
        nps=10,
        promoters=n,
        detractors=n,
        continue_yes=1,
        continue_by_role=[],
        changed=[],
        changed_withheld=False,
    )
    return Obj(
        enrolled=n,
        paired=n,
        pairs=n,
        active_pairs=n,
        sessions_week=n,
        minutes_week=60,
        cancelled_week=max(n, 1) if n else 0,
        sessions_total=n,
        minutes_total=60,
        sessions_target=n,
        minutes_target=60,
        cancelled_total=n,
        rebooked_week=n,
        moved_week=n,
        mood_week=3.5,
        mood_previous=3.0,
        checkins_week=n,
        ratings_total=max(n, 1),
        usefulness_total=4.0,
        ratings_week=n,
        usefulness_week=4.0,
        outcomes=outcomes,
        at_risk_count=n + 1,
        at_risk=[
            Obj(
                mentor="alice",
                mentee="bob",
                unreachable=False,
                failed_deliveries=0,
                lowest_mood=None,
                quiet_days=n,
                cancelled_in_a_row=0,
            )
        ],
        topics=[],
        quotes=[],
        quotes_withheld=False,
    )


def _program(n: int, topics: int = 0, **more: Any) -> Obj:
    return Obj(
        topics=list(range(topics)),
        **more,
        id=1,
        name="Pilot",
        sessions_planned=n,
        session_minutes=60,
        cadence_days=14,
        starts_on=date(2026, 11, 18),
        ends_on=None,
        quote_min_group=n,
        closed=False,
    )


def _digest(n: int, report: bool = False) -> dict[str, Any]:
    return {"f": _figures(n), "report": report, "period": Obj(quote_min_group=n)}


_LOG = Obj(minutes=45, held_on=date(2026, 11, 18), topics="SEO", next_steps=None)

# (message id, its variables for a count n, then for each locale the singular and the plural
# phrase that must be read, with {n} for the count).
CASES: list[tuple[str, Variables, dict[str, tuple[str, str]]]] = [
    (
        "digest.people",
        _digest,
        {"en": ("{n} pair,", "{n} pairs,"), "fr": ("dont {n} actif ", "dont {n} actifs ")},
    ),
    (
        "digest.people",
        _digest,
        {
            "en": ("in {n} pair,", "in {n} pairs,"),
            "fr": ("{n} inscrit,", "{n} inscrits,"),
        },
    ),
    (
        "digest.sessions",
        _digest,
        {
            "en": ("Since the start: {n} session (", "Since the start: {n} sessions ("),
            "fr": ("Depuis le début : {n} session (", "Depuis le début : {n} sessions ("),
        },
    ),
    (
        "digest.sessions",
        _digest,
        {
            "en": ("{n} planned session cancelled", "{n} planned sessions cancelled"),
            "fr": ("{n} session prévue annulée", "{n} sessions prévues annulées"),
        },
    ),
    (
        "digest.sessions",
        _digest,
        {
            "en": ("· {n} session moved", "· {n} sessions moved"),
            "fr": ("dont {n} replanifiée ·", "dont {n} replanifiées ·"),
        },
    ),
    (
        "digest.sessions",
        _digest,
        {
            "en": ("· {n} session moved", "· {n} sessions moved"),
            "fr": ("· {n} déplacée\n", "· {n} déplacées\n"),
        },
    ),
    (
        "digest.mood",
        _digest,
        {"en": ("({n} answer)", "({n} answers)"), "fr": ("({n} réponse)", "({n} réponses)")},
    ),
    (
        "digest.satisfaction",
        _digest,
        {
            "en": ("this week ({n} rating)", "this week ({n} ratings)"),
            "fr": ("cette semaine ({n} note)", "cette semaine ({n} notes)"),
        },
    ),
    (
        "digest.skills",
        _digest,
        {
            "en": ("({n} person)", "({n} people)"),
            "fr": ("{n} personne sur 2 se note ", "{n} personnes sur 2 se notent "),
        },
    ),
    (
        "digest.evaluation",
        _digest,
        {
            "en": ("({n} promoter, {n} detractor)", "({n} promoters, {n} detractors)"),
            "fr": ("({n} promoteur, {n} détracteur)", "({n} promoteurs, {n} détracteurs)"),
        },
    ),
    (
        "digest.at_risk",
        _digest,
        {
            "en": ("quiet for {n} day:", "quiet for {n} days:"),
            "fr": ("depuis {n} jour :", "depuis {n} jours :"),
        },
    ),
    (
        "matching.approved",
        lambda n: {"pairs": n, "program": "Pilot", "told": n, "excluded": []},
        {
            "en": ("Approved: {n} pair created", "Approved: {n} pairs created"),
            "fr": ("{n} binôme créé dans", "{n} binômes créés dans"),
        },
    ),
    (
        "matching.approved",
        lambda n: {"pairs": 2, "program": "Pilot", "told": max(n, 1) if n else 0, "excluded": []},
        {
            "en": ("{n} person without", "{n} people without"),
            "fr": (
                "{n} personne sans partenaire pour ce tour a reçu",
                "{n} personnes sans partenaire pour ce tour ont reçu",
            ),
        },
    ),
    (
        "matching.cli_title",
        lambda n: {"program": "Pilot", "count": n, "average": 80},
        {"en": ("— {n} pair,", "— {n} pairs,"), "fr": ("— {n} binôme,", "— {n} binômes,")},
    ),
    (
        "matching.cli_csv_written",
        lambda n: {"path": "p.csv", "rows": n},
        {"en": ("{n} row.", "{n} rows."), "fr": ("{n} ligne.", "{n} lignes.")},
    ),
    (
        "matching.reason",
        lambda n: {"reason": "capacity", "role": "mentee", "capacity": n},
        {
            "en": ("({n} mentee each)", "({n} mentees each)"),
            "fr": ("({n} mentoré chacun)", "({n} mentorés chacun)"),
        },
    ),
    (
        "owner.program_status",
        lambda n: {
            "program": _program(6),
            "phase": "running",
            "mentors": n,
            "mentees": n,
            "pairs": n,
        },
        {
            "en": (
                "{n} mentor, {n} mentee, {n} active pair.",
                "{n} mentors, {n} mentees, {n} active pairs.",
            ),
            "fr": (
                "{n} mentor, {n} mentoré, {n} binôme actif.",
                "{n} mentors, {n} mentorés, {n} binômes actifs.",
            ),
        },
    ),
    (
        "owner.program_created",
        lambda n: {"program": _program(n, topics=n)},
        {
            "en": ("• {n} session of 1 h", "• {n} sessions of 1 h"),
            "fr": ("• {n} session de 1 h", "• {n} sessions de 1 h"),
        },
    ),
    (
        "owner.program_created",
        lambda n: {"program": _program(2, topics=n)},
        {
            "en": ("• {n} digital topic in", "• {n} digital topics in"),
            "fr": ("• {n} sujet digital au", "• {n} sujets digitaux au"),
        },
    ),
    (
        "owner.program_details",
        lambda n: {
            "program": _program(n, digest_channel=None),
            "phase": "running",
            "owners": ["hr"],
            "mentors": n,
            "mentees": n,
            "pairs": n,
        },
        {
            "en": (
                "{n} mentor, {n} mentee · {n} active pair",
                "{n} mentors, {n} mentees · {n} active pairs",
            ),
            "fr": (
                "{n} mentor, {n} mentoré · {n} binôme actif",
                "{n} mentors, {n} mentorés · {n} binômes actifs",
            ),
        },
    ),
    (
        "kickoff.intro_mentor",
        lambda n: {"program": _program(n), "partner": "bob", "department": None, "topics": []},
        {
            "en": ("plans {n} meeting of", "plans {n} meetings of"),
            "fr": ("prévoit {n} rencontre de", "prévoit {n} rencontres de"),
        },
    ),
    (
        "participant.invitation",
        lambda n: {"program": _program(n), "owner": "hr"},
        {
            "en": ("({n} meeting of", "({n} meetings of"),
            "fr": ("({n} rencontre de", "({n} rencontres de"),
        },
    ),
    (
        "matching.proposal",
        lambda n: {
            "program": "Pilot",
            "event": "new",
            "pairs": ["alice → bob"],
            "count": 1,
            "hidden": n,
            "unmatched": [],
            "excluded": [],
            "arrived": [],
            "broken": [],
            "gone": [],
            "gone_unnamed": n,
            "total": 80,
            "average": 80,
            "capacity": 2,
        },
        {
            "en": ("{n} person erased", "{n} people erased"),
            "fr": ("{n} personne a effacé ses données", "{n} personnes ont effacé leurs données"),
        },
    ),
    (
        "errors.quote_group_too_small",
        lambda n: {"minimum": n},
        {
            "en": ("at least {n} person:", "at least {n} people:"),
            "fr": ("de {n} personne :", "de {n} personnes :"),
        },
    ),
    (
        "reminders.quiet_pair",
        lambda n: {"days": n, "partner": "bob"},
        {
            "en": ("It's been {n} day since", "It's been {n} days since"),
            "fr": ("Cela fait {n} jour depuis", "Cela fait {n} jours depuis"),
        },
    ),
    (
        "reminders.quiet_pair_owner",
        lambda n: {"days": n, "names": ["a", "b"], "program_name": "Pilot"},
        {"en": ("for {n} day.", "for {n} days."), "fr": ("depuis {n} jour.", "depuis {n} jours.")},
    ),
    (
        "sessions.logged",
        lambda n: {"log": _LOG, "count": n, "target": n, "undo_minutes": n},
        {
            "en": ("of {n} session.", "of {n} sessions."),
            "fr": ("à {n} session sur", "à {n} sessions sur"),
        },
    ),
    (
        "sessions.logged",
        lambda n: {"log": _LOG, "count": n, "target": 6, "undo_minutes": n},
        {
            "en": ("within {n} minute.", "within {n} minutes."),
            "fr": ("délai de {n} minute.", "délai de {n} minutes."),
        },
    ),
    (
        "privacy.forgotten",
        lambda n: {"kept_sessions": n, "audit_rows": n},
        {
            "en": ("{n} session of your pairs", "{n} sessions of your pairs"),
            "fr": ("{n} session de vos tandems", "{n} sessions de vos tandems"),
        },
    ),
    (
        "errors.undo_too_late",
        lambda n: {"minutes": n},
        {
            "en": ("than {n} minute old", "than {n} minutes old"),
            "fr": ("plus de {n} minute ", "plus de {n} minutes "),
        },
    ),
]

# Figures left out when there are none (no "0 ratings this week").
HIDDEN_AT_ZERO = {
    ("digest.sessions", "{n} planned session cancelled"),
    ("digest.sessions", "· {n} session moved"),
    ("digest.mood", "({n} answer)"),
    ("digest.satisfaction", "this week ({n} rating)"),
    ("digest.at_risk", "quiet for {n} day:"),
    ("matching.approved", "{n} person without"),
    ("matching.proposal", "{n} person erased"),
}


def _is_singular(locale: str, n: int) -> bool:
    return n == 1 if locale == "en" else n in (0, 1)


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("n", COUNTS)
@pytest.mark.parametrize(("message_id", "variables", "phrases"), CASES)
def test_a_count_agrees_with_its_noun(
    locale: str, n: int, message_id: str, variables: Variables, phrases: dict[str, tuple[str, str]]
) -> None:
    text = RENDERER.render(locale, message_id, zone="Europe/Paris", **variables(n))
    singular, plural = phrases[locale]
    right, wrong = (singular, plural) if _is_singular(locale, n) else (plural, singular)
    assert wrong.format(n=n) not in text
    if n or (message_id, phrases["en"][0]) not in HIDDEN_AT_ZERO:
        assert right.format(n=n) in text
    assert "(s)" not in text


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("n", COUNTS)
def test_the_feedback_request_counts_the_sessions_it_covers(locale: str, n: int) -> None:
    sessions = n or 1  # a request covers its own session at least
    text = RENDERER.render(locale, "reminders.feedback", sessions=sessions, role="mentee")
    if sessions == 1:
        assert ("your last session" if locale == "en" else "votre dernière session") in text
    else:
        assert ("your last 2 sessions" if locale == "en" else "vos 2 dernières sessions") in text


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_no_template_hand_makes_a_plural(locale: str) -> None:
    """Plurals come from the |count and |plural filters (babel's plural rules), never from a
    hand-made "s" or a "(s)"."""
    hand_made = re.compile(r"""["'][sx]["'] if |\w\(s\)""")
    # The self-assessment's own texts are checked with it.
    theirs = re.compile(r"{% block skill_levels_count %}.*?{% endblock %}")
    found = {
        path.name: hand_made.findall(theirs.sub("", path.read_text(encoding="utf-8")))
        for path in (PROMPTS_DIR / locale).glob("*.j2")
        if path.name not in {"assessment.j2", "help.j2"}
    }
    assert not {name: hits for name, hits in found.items() if hits}


def test_counts_are_written_the_locale_s_way() -> None:
    assert "2,000 characters" in RENDERER.render("en", "errors.answer_too_long", maximum=2000)
    assert "2\u202f000 caractères" in RENDERER.render("fr", "errors.answer_too_long", maximum=2000)


@pytest.mark.parametrize(
    ("locale", "daily", "weekly"),
    [("en", "every day", "every 7 days"), ("fr", "chaque jour", "tous les 7 jours")],
)
def test_a_cadence_reads_naturally(locale: str, daily: str, weekly: str) -> None:
    program = _program(6)
    program.cadence_days = 1
    assert daily in RENDERER.render(locale, "owner.program_created", program=program)
    program.cadence_days = 7
    assert weekly in RENDERER.render(locale, "owner.program_created", program=program)
