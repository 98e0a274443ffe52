"""What an owner notices about the scores, the working hours and the settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import numpy as np
import pytest

from bot.domain import Role
from bot.matching.cohort import Candidate, Cohort, pair_key, reference_week
from bot.matching.proposal import propose, revise, swapped
from bot.matching.scoring import build
from bot.matching.settings import MatchSettings
from bot.matching.solver import greedy, solve, total
from bot.scheduling.working_hours import WorkingHours

# A Monday in November: Paris is UTC+1, Singapore UTC+8, Los Angeles UTC-8, Sydney UTC+11.
WEEK = datetime(2026, 11, 16, tzinfo=UTC)


def person(
    name: str,
    role: Role = Role.MENTOR,
    *,
    teaches: dict[str, int] | None = None,
    wants: dict[str, int] | None = None,
    languages: tuple[str, ...] = ("en",),
    department: str = "",
    zone: str = "Europe/Paris",
    hours: WorkingHours | None = None,
    manager: str | None = None,
    number: int = 0,
) -> Candidate:
    return Candidate(
        enrollment_id=number,
        person_id=number,
        user_id=name,
        name=name,
        role=role,
        teaches=teaches or {},
        wants=wants or {},
        languages=languages,
        department=department,
        manager=manager,
        zone=zone,
        hours=hours or WorkingHours(),
    )


def mentee(name: str, number: int, **fields: object) -> Candidate:
    return person(name, Role.MENTEE, number=number, **fields)  # type: ignore[arg-type]


def cohort(mentors: list[Candidate], mentees: list[Candidate], **fields: object) -> Cohort:
    return Cohort(tuple(mentors), tuple(mentees), WEEK, **fields)  # type: ignore[arg-type]


def test_paris_and_singapore_share_exactly_two_hours_a_day() -> None:
    paris = person("paris", teaches={"SEO": 3})
    singapore = mentee("singapore", 1, wants={"SEO": 3}, zone="Asia/Singapore")
    pair = cohort([paris], [singapore])
    matrices = build(pair, MatchSettings())
    # 09:00–11:00 in Paris is 16:00–18:00 in Singapore, five days a week.
    assert matrices.shared_hours[0, 0] == pytest.approx(10.0)
    assert matrices.allowed[0, 0]
    stricter = MatchSettings.from_overrides({"min_overlap_hours": 2.5})
    assert not build(pair, stricter).allowed[0, 0]


def test_no_common_working_hours_is_never_allowed() -> None:
    paris = person("paris", teaches={"SEO": 5})
    los_angeles = mentee("la", 1, wants={"SEO": 5}, zone="America/Los_Angeles")
    weekend = mentee("weekend", 2, wants={"SEO": 5}, hours=WorkingHours(days=(5, 6)))
    matrices = build(cohort([paris], [los_angeles, weekend]), MatchSettings())
    assert matrices.shared_hours[0].tolist() == [0.0, 0.0]
    assert not matrices.allowed[0].any()
    assert not matrices.checks["hours"][0].any()


def test_the_week_wraps_around_for_sydney_and_tokyo() -> None:
    # Sydney's Monday morning is Sunday evening in UTC; Tokyo's is Monday 00:00 UTC.
    sydney = person("sydney", teaches={"AI": 4}, zone="Australia/Sydney")
    tokyo = mentee("tokyo", 1, wants={"AI": 4}, zone="Asia/Tokyo")
    matrices = build(cohort([sydney], [tokyo]), MatchSettings())
    assert matrices.shared_hours[0, 0] == pytest.approx(5 * 7.0)
    assert matrices.allowed[0, 0]


def test_the_reference_week_is_the_programs_first_week_or_this_one() -> None:
    now = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    assert reference_week(now, date(2026, 12, 3)) == datetime(2026, 11, 30, tzinfo=UTC)
    assert reference_week(now, date(2026, 1, 5)) == datetime(2026, 11, 16, tzinfo=UTC)


def test_a_mentee_who_wants_to_skill_up_gets_the_expert() -> None:
    expert = person("expert", teaches={"SEO": 5}, number=1)
    generalist = person("generalist", teaches={"SEO": 3, "AI": 3, "Data": 3, "Mobile": 3}, number=2)
    focused = mentee("focused", 10, wants={"SEO": 5})
    curious = mentee("curious", 11, wants={"SEO": 3, "AI": 3, "Data": 3, "Mobile": 3})
    proposal = propose(cohort([expert, generalist], [focused, curious]), MatchSettings())
    pairs = {(p.mentor.name, p.mentee.name) for p in proposal.pairs}
    assert pairs == {("expert", "focused"), ("generalist", "curious")}
    goals = {p.mentee.name: p.explanation["goal"] for p in proposal.pairs}
    assert goals == {"focused": "skill_up", "curious": "same_language"}


def test_the_program_can_fix_the_mentees_goal() -> None:
    focused = mentee("focused", 10, wants={"SEO": 5})
    matrices = build(
        cohort([person("x", teaches={"SEO": 3})], [focused]),
        MatchSettings.from_overrides({"mentee_goal": "same_language"}),
    )
    assert not matrices.skill_up[0]
    assert matrices.components["goal"][0, 0] == pytest.approx(1.0)


def test_soft_preferences_break_ties() -> None:
    french = person("french", teaches={"SEO": 4}, languages=("en", "fr"), number=1)
    english = person("english", teaches={"SEO": 4}, number=2)
    learner = mentee("learner", 10, wants={"SEO": 4}, languages=("en", "fr"))
    (pair,) = propose(cohort([english, french], [learner]), MatchSettings()).pairs
    assert pair.mentor.name == "french"
    assert pair.explanation["languages"] == ["en", "fr"]
    assert pair.explanation["components"]["language"] == 1.0


def test_same_department_is_refused_unless_the_program_allows_it() -> None:
    mentor = person("m", teaches={"SEO": 4}, department="IT")
    learner = mentee("e", 1, wants={"SEO": 4}, department=" it")
    assert not build(cohort([mentor], [learner]), MatchSettings()).allowed[0, 0]
    allowed = MatchSettings.from_overrides({"same_department": True})
    assert build(cohort([mentor], [learner]), allowed).allowed[0, 0]


@pytest.mark.parametrize(
    ("mentor_manager", "mentee_manager"),
    [("boss", "boss"), ("e", None), (None, "m")],
)
def test_the_same_reporting_line_is_refused(
    mentor_manager: str | None, mentee_manager: str | None
) -> None:
    mentor = person("m", teaches={"SEO": 4}, manager=mentor_manager)
    learner = mentee("e", 1, wants={"SEO": 4}, manager=mentee_manager)
    matrices = build(cohort([mentor], [learner]), MatchSettings())
    assert not matrices.allowed[0, 0]
    assert not matrices.checks["manager"][0, 0]


def test_private_avoidance_and_earlier_pairs_are_refused() -> None:
    mentor = person("m", teaches={"SEO": 4}, number=1)
    learner = mentee("e", 2, wants={"SEO": 4})
    for field in ("avoid", "history"):
        matrices = build(
            cohort([mentor], [learner], **{field: frozenset({pair_key(2, 1)})}), MatchSettings()
        )
        assert not matrices.allowed[0, 0] and not matrices.checks[field][0, 0]


def test_a_swap_that_breaks_a_rule_is_reported() -> None:
    french = person("french", teaches={"SEO": 4}, languages=("fr",), number=1)
    english = person("english", teaches={"SEO": 4}, number=2)
    pierre = mentee("pierre", 10, wants={"SEO": 4}, languages=("fr",))
    john = mentee("john", 11, wants={"SEO": 4})
    everyone = cohort([french, english], [pierre, john])
    proposal = propose(everyone, MatchSettings())
    assert {(p.mentor.name, p.mentee.name) for p in proposal.pairs} == {
        ("french", "pierre"),
        ("english", "john"),
    }
    changed = revise(everyone, MatchSettings(), swapped(proposal.assignment(), french, english))
    assert {b.constraints for b in changed.broken} == {("language",)}
    assert changed.pairs == ()


def test_the_optimum_beats_greedy_where_greedy_is_short_sighted() -> None:
    score = np.array([[0.9, 0.8], [0.8, 0.0]])
    allowed = np.ones((2, 2), dtype=bool)
    assert total(score, greedy(score, allowed)) == pytest.approx(0.9)
    assert total(score, solve(score, allowed)) == pytest.approx(1.6)


def test_capacity_expands_a_mentor_into_places() -> None:
    score = np.array([[0.9, 0.8, 0.7], [0.1, 0.1, 0.1]])
    allowed = np.array([[True, True, True], [False, False, True]])
    assert solve(score, allowed, capacity=1) == [(0, 0), (1, 2)]
    assert solve(score, allowed, capacity=3) == [(0, 0), (0, 1), (0, 2)]


def test_settings_keep_sensible_defaults_and_ignore_bad_values() -> None:
    default = MatchSettings()
    assert (default.capacity, default.min_overlap_hours, default.same_department) == (1, 2.0, False)
    assert sum(default.normalised_weights().values()) == pytest.approx(1.0)
    odd = MatchSettings.from_overrides(
        {"capacity": 0, "min_overlap_hours": "2", "mentee_goal": "x", "weights": {"topics": -1}}
    )
    assert odd == default
    changed = MatchSettings.from_overrides({"capacity": 3, "weights": {"topics": 90}})
    assert changed.overrides() == {"capacity": 3, "weights": {**default.weights, "topics": 90.0}}
    assert MatchSettings.from_overrides(changed.overrides()) == changed


def test_working_hours_overrides_are_honoured() -> None:
    early = WorkingHours(start=time(6, 0), end=time(9, 0))
    mentor = person("m", teaches={"SEO": 4}, hours=early)
    learner = mentee("e", 1, wants={"SEO": 4})
    matrices = build(cohort([mentor], [learner]), MatchSettings())
    # 06:00–09:00 and 09:00–18:00 only touch: no time in common.
    assert matrices.shared_hours[0, 0] == 0.0
