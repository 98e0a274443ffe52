"""Bare numbers and buttons that would do the wrong thing: each gets a clear answer in the
person's language, saying how to do it right, and changes nothing in the database.

The classes: a destructive confirmation (forget-me, leave, closing a program) answered after
the person did something else or after its lifetime; a number out of range for the most recent
question (a feedback request, an invitation, a confirmation), with the other questions still
waiting listed; a number when no question waits. Then, beside the table, what a person expects
of numbers and questions: the most recent question takes the number and the others stay
answerable, ``status`` lists them all, a question held for the working hours is shown before it
can be answered, an invitation's choices keep working after a wrong number.

The program is the one of ``two_pairs_en.txt``: alice (mentor) and bob are a pair with a
confirmed charter, dan (mentor) and erin have not answered their charter yet, hr owns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from adapters.console.session import ConsoleSession
from bot.prompts import CONFIRMATION_LIFETIME
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.tables import Dump, dump

from .conftest import ConsoleFactory, run_script, said

# What people read, and that nothing changes, are the engine's: SQLite is enough here, the
# storage under it being tested on both databases (tests/storage, the lifecycle tests).
pytestmark = pytest.mark.sqlite_only


@dataclass(frozen=True)
class Case:
    # Lines run first to set the scene (they may change the database).
    before: tuple[str, ...]
    line: str
    # Words the answer must hold, in English and in French (all must appear).
    en: tuple[str, ...]
    fr: tuple[str, ...]

    def expected(self, locale: str) -> tuple[str, ...]:
        return self.en if locale == "en" else self.fr


def case(before: tuple[str, ...], line: str, en: tuple[str, ...], fr: tuple[str, ...]) -> Case:
    return Case(before, line, en, fr)


EXPIRED = ("That confirmation has expired, so nothing was done", "answer right away")
EXPIRE = ("Cette confirmation a expiré, rien n'a donc été fait", "répondez tout de suite")
CONFIRMATIONS = (
    ("bob", "/tandem forget-me", "/tandem forget-me"),
    ("alice", "/tandem leave", "/tandem leave"),
    ("hr", "/tandem program close", "/tandem program close"),
)
# What a person may do between the question and a late answer.
MEANWHILE = ("/tandem status", "/tandem help", "hello there", "/tandem my-data", ":advance 6m")

LATE_CONFIRMATIONS = [
    case(
        (f"@{who} {command}", meanwhile if meanwhile.startswith(":") else f"@{who} {meanwhile}"),
        f"@{who} {1 if index % 2 == 0 else 2}",
        (*EXPIRED, again),
        (*EXPIRE, again),
    )
    for who, command, again in CONFIRMATIONS
    for index, meanwhile in enumerate(MEANWHILE)
]

FEEDBACK_EN = ("is not one of the choices of the last question", "your feedback on the last")
FEEDBACK_FR = ("ne fait pas partie des choix de la dernière question", "votre avis sur la dernière")
LOG_AND_WAIT = ('@alice /session log 45m "SEO basics"', ":advance 1h")
OUT_OF_RANGE_FEEDBACK = [
    case(
        LOG_AND_WAIT if number == "6" else (),
        f"@bob {number}",
        (f'"{number}" is not one', *FEEDBACK_EN, "from 1 to 5", "Nothing was changed"),
        (f'"{number}" ne fait pas', *FEEDBACK_FR, "de 1 à 5", "Rien n'a été modifié"),
    )
    for number in ("6", "0", "42", "00", "9999")
]

# erin answers the first charter question; then dan logs a session and erin is asked for
# feedback: a number meant for the rating must not land in the charter (its next question
# takes a number of meetings).
CHARTER_THEN_FEEDBACK = ("@erin 1", '@dan /session log 45m "SEO"', ":advance 1h")
CHARTER_AND_FEEDBACK = [
    case(
        CHARTER_THEN_FEEDBACK if number == "6" else (),
        f"@erin {number}",
        (*FEEDBACK_EN, "from 1 to 5", "Also waiting for you: your tandem charter"),
        (*FEEDBACK_FR, "de 1 à 5", "Vous attendent aussi : la charte de votre tandem"),
    )
    for number in ("6", "12")
]

INVITATION = [
    case(
        ("@zed /tandem help", "@hr /tandem invite @zed") if number == "4" else (),
        f"@zed {number}",
        ("from 1 to 3", "To join, type 1 (as a mentor) or 2 (as a mentee)", "/tandem join mentor"),
        ("de 1 à 3", "Pour participer, tapez 1 (comme mentor)", "/tandem join mentor"),
    )
    for number in ("4", "0", "17", "999", "12")
]

CONFIRMATION_OUT_OF_RANGE = [
    case(
        (f"@{who} {command}",),
        f"@{who} {number}",
        ("from 1 to 2", "Nothing was changed"),
        ("de 1 à 2", "Rien n'a été modifié"),
    )
    for (who, command, _), number in zip(CONFIRMATIONS, ("3", "7", "0"), strict=True)
]

NOTHING_WAITS = [
    case(("@yan /tandem help",), "@yan 1", ("I didn't understand that",), ("Je n'ai pas compris",)),
    case((), "@yan 3", ("I didn't understand that",), ("Je n'ai pas compris",)),
]

CASES = [
    *OUT_OF_RANGE_FEEDBACK,
    *CHARTER_AND_FEEDBACK,
    *INVITATION,
    *LATE_CONFIRMATIONS,
    *CONFIRMATION_OUT_OF_RANGE,
    # After the confirmations above: hr's close confirmation ended with hr's last line.
    case(("@hr /tandem status",), "@hr 1", (*EXPIRED, "/tandem program close"), EXPIRE),
    *NOTHING_WAITS,
]


def test_the_table_covers_every_class_with_enough_cases() -> None:
    assert len(CASES) >= 30
    assert len(LATE_CONFIRMATIONS) == 15


async def data(uow_factory: SqlUnitOfWorkFactory, now: datetime) -> Dump:
    """Every row of every table; of the prompts, those still answerable (a confirmation that
    ran out is dead already: telling the person so may drop it)."""
    rows = await dump(uow_factory)
    async with uow_factory() as uow:
        found = await uow.session.execute(sa.select(tables.prompt))
        rows["prompt"] = sorted(
            repr(tuple(row)) for row in found if row.expires_at is None or row.expires_at > now
        )
    return rows


async def program_in(make_console: ConsoleFactory, locale: str) -> ConsoleSession:
    console = make_console(locale=locale)
    await run_script(console, "two_pairs_en.txt")
    for name in ("hr", "alice", "bob", "dan", "erin"):
        await console.run_line(f"@{name} /tandem language {locale}")
    return console


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_wrong_numbers_are_refused_clearly_and_change_nothing(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, locale: str
) -> None:
    console = await program_in(make_console, locale)
    wrong = []
    for number, bad in enumerate(CASES):
        for line in bad.before:
            await console.run_line(line)
        if bad.line.startswith("@zed") and bad.before:
            await console.run_line(f"@zed /tandem language {locale}")
        before = await data(uow_factory, console.clock.now())
        answer = await said(console, bad.line)
        missing = [words for words in bad.expected(locale) if words not in answer]
        if missing:
            wrong.append(f"{number}: {bad.line!r} -> {answer[:400]!r}, missing {missing}")
        if await data(uow_factory, console.clock.now()) != before:
            wrong.append(f"{number}: {bad.line!r} changed the database")
    assert not wrong, "\n".join(wrong)
    assert console.engine.failures == 0
    # Nothing destructive happened: bob and alice are still in, the program still runs.
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert program.stopped_at is None
        bob = await uow.person_by_identity("console", "console", "bob")
        assert bob is not None


async def answer(console: ConsoleSession, line: str) -> str:
    return await said(console, line)


async def test_a_confirmation_answered_at_once_still_works(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = await program_in(make_console, "en")
    await console.run_line("@bob /tandem leave")
    # Within its lifetime, with nothing done meanwhile, the "1" confirms.
    console.clock.set(console.clock.now() + CONFIRMATION_LIFETIME - timedelta(seconds=30))
    assert 'You have left "Pilot"' in await answer(console, "@bob 1")
    # And a stale one never does: asked again, then something else, then "1".
    await console.run_line("@alice /tandem leave")
    await console.run_line("@alice /tandem charter")
    assert "/tandem leave" in await answer(console, "@alice 1")
    assert 'program "Pilot", mentor, active' in await answer(console, "@alice /tandem status")
    # Told once: the next number goes to what waits before it (nothing here).
    assert "I didn't understand that" in await answer(console, "@alice 1")


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_a_number_answers_the_latest_question_and_the_other_stays_answerable(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, locale: str
) -> None:
    console = await program_in(make_console, locale)
    # Two weeks later, 10:00 in Paris: everyone's check-in arrives.
    console.clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    await console.deliver()
    assert any("1" in d.text for d in console.transcript if d.recipient == "bob")
    await console.run_line('@alice /session log 45m "SEO basics"')
    await console.run_line(":advance 1h")  # bob's feedback request, after his check-in
    status = await answer(console, "@bob /tandem status")
    waiting = {
        "en": ("Waiting for your answer:", "• your check-in", "• your feedback on the last"),
        "fr": ("En attente de votre réponse :", "• votre point d'étape", "• votre avis sur la"),
    }[locale]
    assert all(words in status for words in waiting), status
    assert status.index(waiting[1]) < status.index(waiting[2])  # the latest last

    # "4" rates the session (the latest question), not the mood of the check-in.
    await console.run_line("@bob 4")
    await console.run_line("@bob none")  # what he learnt
    await console.run_line("@bob none")  # a tip for alice
    await console.run_line("@bob 1")  # do not share his name
    assert await column_values(uow_factory, tables.feedback_request.c.usefulness) == [4]
    # The quiz that came with the log was shown after the check-in: numbers answer it first
    # (here its Skip button, the last one, three times).
    for number in (1, 2, 3):
        (quiz,) = [
            d for d in console.transcript if d.recipient == "bob" and f"{number}/3 · " in d.text
        ]
        await console.run_line(f"@bob {len(quiz.message.choices)}")
    # The check-in was not lost: the next number answers it.
    thanks = await answer(console, "@bob 5")
    assert ("anything blocking" if locale == "en" else "bloque") in thanks
    await console.run_line("@bob none")
    await console.run_line("@bob none")
    assert await column_values(uow_factory, tables.checkin.c.mood) == [5]


async def column_values(uow_factory: SqlUnitOfWorkFactory, column: sa.Column[int]) -> list[int]:
    """The values set in one column, all rows together (bob is the only one who answered)."""
    async with uow_factory() as uow:
        rows = await uow.session.execute(sa.select(column))
        return sorted(value for (value,) in rows if value is not None)


async def test_a_number_meant_for_a_rating_never_lands_in_the_charter(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = await program_in(make_console, "en")
    for line in CHARTER_THEN_FEEDBACK:
        await console.run_line(line)
    refused = await answer(console, "@erin 6")
    assert "from 1 to 5" in refused and "your tandem charter" in refused
    assert "How useful" not in refused
    await console.run_line("@erin 4")
    await console.run_line("@erin none")
    await console.run_line("@erin none")
    await console.run_line("@erin 1")
    # The quiz that came with the log was shown after the charter's question: numbers answer
    # it first (here its Skip button, the last one, three times).
    for number in (1, 2, 3):
        (quiz,) = [
            d for d in console.transcript if d.recipient == "erin" and f"{number}/3 · " in d.text
        ]
        await console.run_line(f"@erin {len(quiz.message.choices)}")
    # The charter still waits at its question of meetings, and takes the number now.
    next_question = await answer(console, "@erin 8")
    assert "minutes" in next_question.lower() or "long" in next_question.lower()
    async with uow_factory() as uow:
        erin = await uow.person_by_identity("console", "console", "erin")
        assert erin is not None and erin.id is not None
        (charter,) = [c for c in await uow.open_conversations(erin.id) if c.flow == "charter"]
        assert charter.answers["meetings"] == 8


async def test_a_question_held_for_the_morning_is_shown_before_it_can_be_answered(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = await program_in(make_console, "en")
    await console.run_line("@zed /tandem language en")
    console.clock.set(datetime(2026, 11, 18, 21, 0, tzinfo=UTC))  # 22:00 in Paris
    await console.run_line("@hr /tandem invite @zed")
    assert not [d for d in console.transcript if d.recipient == "zed" and d.message.choices]
    # zed types a number at night: it does not answer a question they have not seen; the
    # question is shown at once, since they are here.
    deliveries = await console.run_line("@zed 1")
    texts = [d.text for d in deliveries if d.recipient == "zed"]
    assert "was waiting for your working hours" in texts[0]
    assert "invites you" in texts[1]
    async with uow_factory() as uow:
        zed = await uow.person_by_identity("console", "console", "zed")
        assert zed is not None and zed.id is not None
        assert await uow.enrollments_of_person(zed.id) == []
    # Now seen, it is answered as usual.
    assert 'Welcome to "Pilot" as mentor' in await answer(console, "@zed 1")


async def test_an_invitation_keeps_its_choices_after_a_wrong_number(
    make_console: ConsoleFactory,
) -> None:
    console = await program_in(make_console, "fr")
    await console.run_line("@zed /tandem language fr")
    await console.run_line("@hr /tandem invite @zed")
    refused = await answer(console, "@zed 7")
    assert "de 1 à 3" in refused and "/tandem join mentee" in refused
    assert "Bienvenue" in await answer(console, "@zed 2")
