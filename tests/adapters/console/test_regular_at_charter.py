"""A regular slot chosen at charter time, in the console on the real engine: the confirmed
charter carries "Choose a regular slot" to both, each in their language; a click proposes
recurring times inside both people's working hours (here across Paris and New York) at the
charter's rhythm; one click sets it as ``/session plan every …`` does and the tick books the
first occurrence; a click made stale by the partner, or by a time taken meanwhile, is refused
and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.console.session import ConsoleSession, Delivery
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.calendar_support import to
from tests.tables import dump

from .conftest import ConsoleFactory, run_script

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def button(deliveries: list[Delivery], name: str, label: str) -> str:
    (value,) = [
        choice.value
        for delivery in to(deliveries, name)
        for choice in delivery.message.choices
        if choice.label == label
    ]
    return value


def proposals(deliveries: list[Delivery], name: str) -> Delivery:
    (shown,) = [d for d in to(deliveries, name) if d.message.choices]
    return shown


def starts(shown: Delivery) -> list[datetime]:
    """The first occurrences the buttons offer (``…:<weeks>:<Unix seconds>``)."""
    return [
        datetime.fromtimestamp(int(c.value.rsplit(":", 1)[1]), UTC) for c in shown.message.choices
    ]


async def charter_confirmed(console: ConsoleSession, meetings: str = "ok") -> list[Delivery]:
    """dan and erin's charter, answered as alice and bob answered theirs in the script (erin
    agreeing to ``meetings``); what the last confirmation made the bot say."""
    lines = ("@dan 1", "@erin 1", f"@erin {meetings}", "@erin ok", "@erin 1", "@erin aucun")
    for line in (*lines, "@dan 1"):
        await console.run_line(line)
    return await console.run_line("@erin 1")


# Conversation and scheduling logic, the same on both databases (their queries are tested
# elsewhere): SQLite alone keeps these fast.
pytestmark = pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)


async def test_across_paris_and_new_york_a_proposed_regular_slot_is_set_and_booked(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@erin /tandem language fr")
    await console.run_line("@erin /tandem timezone America/New_York")
    confirmed = await charter_confirmed(console)
    # The same message as before, one more button: each reads it in their language.
    assert [d.recipient for d in confirmed] == ["erin", "dan"]
    assert [c.label for c in confirmed[0].message.choices] == [
        "Planifier la prochaine session",
        "Choisir un créneau régulier",
    ]
    dan_click = button(confirmed, "dan", "Choose a regular slot")
    erin_click = button(confirmed, "erin", "Choisir un créneau régulier")

    shown = proposals(await console.choose("dan", dan_click), "dan")
    # 6 meetings over the program's 12 weeks: every 2 weeks.
    assert shown.text.startswith(
        "Regular slots when you and erin are both free, within both your working hours "
        "(1 h, every 2 weeks"
    )
    offered = starts(shown)
    assert len(offered) == 3
    assert len({start.astimezone(PARIS).weekday() for start in offered}) == 3
    for start in offered:
        # Within both working days (9:00 to 18:00 by default), each on its own clock.
        for zone in (PARIS, NEW_YORK):
            local = start.astimezone(zone)
            assert local.weekday() < 5 and local.hour >= 9
            assert (local + timedelta(hours=1)).time() <= datetime.min.time().replace(hour=18)
    first = offered[1].astimezone(PARIS)
    weekday = first.strftime("%A")
    assert shown.message.choices[1].label == f"Every 2 weeks on {weekday} at 3:00\u202fPM"
    assert f"2. Every 2 weeks on {weekday} at 3:00\u202fPM (Paris Time)" in shown.text
    assert "— 9:00\u202fAM for erin (New York Time)" in shown.text
    typed = shown.text.rsplit("e.g. ", 1)[1]
    assert typed.startswith("/session plan every 2 weeks ")

    # One click sets it, answered as the typed command answers; the tick books it for both.
    picked = await console.choose("dan", shown.message.choices[1].value)
    (answer,) = [d for d in to(picked, "dan") if d.kind == "reply"]
    assert answer.text.startswith(
        f"Regular slot set: every 2 weeks, on {weekday}, November {first.day}, 2026, 3:00"
    )
    # Within a week: the tick that follows the click books it at once.
    booked = [d for d in picked if (d.key or "").startswith("regular_booked")]
    (to_dan,) = to(booked, "dan")
    (to_erin,) = to(booked, "erin")
    assert to_dan.text.startswith(f"Your regular session is booked for {weekday}, November")
    assert "3:00\u202fPM (Paris Time)" in to_dan.text
    assert to_erin.text.startswith("Votre session régulière est réservée pour le")
    assert "09:00 (heure : New York)" in to_erin.text
    # erin learnt of the choice as it was made, in her language and on her clock.
    (told,) = [d for d in to(picked, "erin") if (d.key or "").startswith("regular_set:")]
    assert told.text.startswith("dan a choisi un créneau régulier pour vos sessions : toutes les")
    assert "09:00 (heure : New York)" in told.text

    # erin's own button, clicked afterwards: she is told what dan chose, on her clock.
    await console.deliver()  # what the booking queued (guides, reminders) goes out first
    before = await dump(uow_factory)
    (refusal,) = await console.choose("erin", erin_click)
    assert refusal.message.refused
    assert refusal.text.startswith(
        "dan a déjà choisi votre créneau régulier : toutes les 2 semaines le "
    )
    assert "à 09:00 (heure : New York)" in refusal.text
    assert "/session planifier toutes les 2 semaines mardi 09:30" in refusal.text
    assert await dump(uow_factory) == before


async def test_in_french_at_the_charters_rhythm_and_stale_proposals_refused(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    """erin agreed to 12 meetings over the 12 weeks: weekly. A time planned meanwhile is
    refused, the next one typed as its number is set; dan's proposals are then moot."""
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@erin /tandem language fr")
    confirmed = await charter_confirmed(console, meetings="12")
    erin_click = button(confirmed, "erin", "Choisir un créneau régulier")
    dan_click = button(confirmed, "dan", "Choose a regular slot")
    mine = proposals(await console.choose("erin", erin_click), "erin")
    assert mine.text.startswith(
        "Créneaux réguliers où dan et vous êtes tous deux libres, dans vos heures de travail à "
        "tous les deux (1 h, chaque semaine"
    )
    assert [c.label.split(" le ")[0] for c in mine.message.choices] == ["Chaque semaine"] * 3
    assert "Un autre jour ou une autre heure ? Tapez-le, par ex. /session planifier chaque " in (
        mine.text
    )
    theirs = proposals(await console.choose("dan", dan_click), "dan")

    # dan plans a one-off session at erin's first proposal: that click is refused.
    taken = starts(mine)[0].astimezone(PARIS)
    await console.run_line(f"@dan /session plan {taken:%Y-%m-%d %H:%M}")
    before = await dump(uow_factory)
    (refusal,) = await console.choose("erin", mine.message.choices[0].value)
    assert refusal.message.refused
    assert refusal.text.startswith(f"{mine.message.choices[0].label} n'est plus libre pour vous")
    assert await dump(uow_factory) == before

    # Its number picks the second one, as a click would.
    chosen = await console.run_line("@erin 2")
    (answer,) = [d for d in chosen if d.recipient == "erin"][:1]
    assert answer.text.startswith("Créneau régulier choisi : chaque semaine, la première fois le")
    told = [d for d in chosen if d.recipient == "dan"]
    assert any(d.text.startswith("erin set a regular slot for your sessions") for d in told)

    # dan's proposals, shown before: moot now, whichever he clicks.
    await console.deliver()  # the scheduler's own bookkeeping after the change, done first
    before = await dump(uow_factory)
    (refusal,) = await console.choose("dan", theirs.message.choices[2].value)
    assert refusal.message.refused
    assert refusal.text.startswith("erin already set your regular slot: every week on ")
    assert await dump(uow_factory) == before
