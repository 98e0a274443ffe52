"""Workshops refuse what cannot be, in French and in English, and change nothing stored: a time
gone by, no seats, the host busy at that time, joining twice, joining from outside its programs,
leaving once it started, and a Join button already used or of a cancelled workshop."""

from __future__ import annotations

import pytest

from adapters.console.port import PLATFORM, WORKSPACE
from adapters.console.session import ConsoleSession
from bot.domain import Enrollment, Person, Role
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.tables import dump

from .conftest import ConsoleFactory, said

WORDS = {
    "en": {
        "new": "/tandem workshop new",
        "options": "topic: AI date: {day} time: {time} length: 1h place: Room capacity: {seats}",
        "join": "/tandem workshop join",
        "leave": "/tandem workshop leave",
        "cancel": "/tandem workshop cancel",
        "past": "has already passed",
        "capacity": "is not a number of seats: give a whole number from 1 to 500",
        "overlap": 'You already host "AI at lunch"',
        "twice": 'You are already registered for "AI at lunch"',
        "outsider": "is for the people enrolled in its programs",
        "started": "has already started: there is no leaving it now",
        "stale": "That button is no longer valid",
        "cancelled": '"Later" was cancelled',
    },
    "fr": {
        "new": "/tandem atelier nouveau",
        "options": "sujet: IA le: {day} heure: {time} durée: 1h lieu: Salle places: {seats}",
        "join": "/tandem atelier rejoindre",
        "leave": "/tandem atelier quitter",
        "cancel": "/tandem atelier annuler",
        "past": "est déjà passé",
        "capacity": "n'est pas un nombre de places : donnez un nombre entier de 1 à 500",
        "overlap": "Vous animez déjà « AI at lunch »",
        "twice": "Vous êtes déjà inscrit·e pour « AI at lunch »",
        "outsider": "est réservé aux personnes inscrites à ses programmes",
        "started": "a déjà commencé : il n'est plus possible de se désinscrire",
        "stale": "Ce bouton n'est plus valable",
        "cancelled": "« Later » a été annulé",
    },
}


async def seeded(console: ConsoleSession, uow: SqlUnitOfWorkFactory, locale: str) -> None:
    await console.run_line(f"@hr /tandem language {locale}")
    await console.run_line('@hr /tandem program new "Pilot" sessions: 6')
    now = console.clock.now()
    async with uow() as work:
        (program,) = await work.programs_named("Pilot")
        assert program.id is not None
        for name, role in (("maya", Role.MENTOR), ("p01", Role.MENTEE), ("p02", Role.MENTEE)):
            person = Person(PLATFORM, WORKSPACE, name, name, now, locale=locale)
            work.add(person)
            await work.flush()
            assert person.id is not None
            work.add(Enrollment(program.id, person.id, role, now))
        await work.commit()


def join_value(deliveries: list, person: str) -> str:  # type: ignore[type-arg]
    (announcement,) = [d for d in deliveries if d.recipient == person and d.message.choices]
    return announcement.message.choices[0].value


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_refusals_say_how_and_change_nothing(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, locale: str
) -> None:
    words = WORDS[locale]
    console = make_console(locale=locale)
    await seeded(console, uow_factory, locale)

    def new(title: str, day: str, time: str, seats: str = "1") -> str:
        options = words["options"].format(day=day, time=time, seats=seats)
        return f'@maya {words["new"]} "{title}" {options}'

    # Thursday 19 November 12:30 in Paris, one seat; and another on Friday, cancelled later.
    lunch = await console.run_line(new("AI at lunch", "2026-11-19", "12:30"))
    later = await console.run_line(new("Later", "2026-11-20", "16:00"))
    await console.choose("p01", join_value(lunch, "p01"))
    await said(console, "@zoe /tandem help")  # someone known, enrolled nowhere
    before = await dump(uow_factory)

    refusals = {
        "past": new("Again", "2026-11-17", "12:30"),
        "capacity": new("Again", "2026-11-24", "12:30", seats="0"),
        # Starts while "AI at lunch" (12:30–13:30) is still on.
        "overlap": new("Again", "2026-11-19", "13:00"),
        "twice": f"@p01 {words['join']} 1",
        "outsider": f"@zoe {words['join']} 1",
    }
    for expected, line in refusals.items():
        deliveries = await console.run_line(line)
        (answer,) = [d for d in deliveries if d.message.refused]
        assert words[expected] in answer.text, (expected, answer.text)
    # The Join button p01 already used, clicked again.
    (answer,) = await console.choose("p01", join_value(lunch, "p01"))
    assert answer.message.refused and words["stale"] in answer.text
    assert await dump(uow_factory) == before

    await console.run_line(f"@maya {words['cancel']} 2")
    cancelled = await dump(uow_factory)
    (answer,) = await console.choose("p02", join_value(later, "p02"))
    assert answer.message.refused and words["cancelled"] in answer.text
    assert await dump(uow_factory) == cancelled

    # Thursday 12:40 in Paris: it has started.
    await console.run_line(":advance 1360m")
    started = await dump(uow_factory)
    answer_text = await said(console, f"@p01 {words['leave']} 1")
    assert words["started"] in answer_text
    assert await dump(uow_factory) == started
