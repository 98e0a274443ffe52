"""Slot proposals: inside everyone's working hours in their own zone, clear of busy times, one
a day, across daylight-saving changes; and a property test against a plain oracle."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar.slots import (
    NOTICE,
    Availability,
    Interval,
    Unfit,
    propose,
    unfit_for,
)
from bot.scheduling.working_hours import WorkingHours

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)
OFFICE = WorkingHours()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def starts(slots: list[Interval], zone: ZoneInfo = PARIS) -> list[str]:
    return [s.start.astimezone(zone).strftime("%a %d %H:%M") for s in slots]


def test_paris_and_new_york_share_the_afternoon_and_one_more_hour_once_the_us_changes() -> None:
    # Thursday 5 March 2026; the United States move to summer time on Sunday 8 March, Europe
    # only on the 29th: for three weeks New York is 5 hours behind Paris instead of 6.
    paris, new_york = Availability(PARIS, OFFICE), Availability(NEW_YORK, OFFICE)
    slots = propose([paris, new_york], HOUR, utc(2026, 3, 5, 12, 0))
    assert starts(slots) == ["Thu 05 15:00", "Fri 06 15:00", "Mon 09 14:00"]
    assert starts(slots, NEW_YORK) == ["Thu 05 09:00", "Fri 06 09:00", "Mon 09 09:00"]


def test_europe_falls_back_a_week_before_new_york() -> None:
    # Sunday 25 October 2026 in Europe, Sunday 1 November in the United States.
    paris, new_york = Availability(PARIS, OFFICE), Availability(NEW_YORK, OFFICE)
    slots = propose([paris, new_york], HOUR, utc(2026, 10, 22, 6, 0), count=4)
    assert starts(slots) == ["Thu 22 15:00", "Fri 23 15:00", "Mon 26 14:00", "Tue 27 14:00"]
    assert all(s.start.astimezone(NEW_YORK).hour == 9 for s in slots)


def test_busy_times_and_days_off_are_skipped_and_days_differ() -> None:
    monday = utc(2026, 11, 16, 6, 0)  # 7:00 in Paris
    # Busy from 9:00 to 10:30 on Monday (Paris), and a day off on Tuesday.
    busy = (Interval(utc(2026, 11, 16, 8, 0), utc(2026, 11, 16, 9, 30)),)
    me = Availability(PARIS, OFFICE, busy)
    partner = Availability(PARIS, WorkingHours(days=(0, 2, 3, 4)))
    assert starts(propose([me, partner], HOUR, monday)) == [
        "Mon 16 10:30",
        "Wed 18 09:00",
        "Thu 19 09:00",
    ]


def test_notice_horizon_and_program_end() -> None:
    now = utc(2026, 11, 16, 9, 0)  # Monday 10:00 in Paris
    me = Availability(PARIS, OFFICE)
    assert starts(propose([me], HOUR, now, count=1)) == ["Mon 16 12:00"]
    assert propose([me], HOUR, now, until=utc(2026, 11, 16, 10, 0)) == []
    # Two weeks at most: ten working days.
    assert len(propose([me], HOUR, now, count=30)) == 10


def test_no_common_hours_no_proposal() -> None:
    morning = Availability(PARIS, WorkingHours(end=time(11, 0)))
    sydney = Availability(ZoneInfo("Australia/Sydney"), OFFICE)
    assert propose([morning, sydney], HOUR, utc(2026, 11, 16, 0, 0)) == []


def test_why_a_slot_does_not_suit() -> None:
    me = Availability(PARIS, OFFICE, (Interval(utc(2026, 11, 18, 9), utc(2026, 11, 18, 10)),))
    saturday = Interval(utc(2026, 11, 21, 9), utc(2026, 11, 21, 10))
    evening = Interval(utc(2026, 11, 20, 17), utc(2026, 11, 20, 18))
    # Ends at 18:00 exactly: inside; at 18:30: outside.
    last = Interval(utc(2026, 11, 20, 16), utc(2026, 11, 20, 17))
    late = Interval(utc(2026, 11, 20, 16, 30), utc(2026, 11, 20, 17, 30))
    clash = Interval(utc(2026, 11, 18, 9, 30), utc(2026, 11, 18, 10, 30))
    assert unfit_for(me, saturday) is Unfit.DAY_OFF
    assert unfit_for(me, evening) is Unfit.OUTSIDE_HOURS
    assert unfit_for(me, last) is None
    assert unfit_for(me, late) is Unfit.OUTSIDE_HOURS
    assert unfit_for(me, clash) is Unfit.BUSY


# Property test: the same question answered by an oracle that tries every half hour of every
# day on the asker's clock and checks each person with plain wall-clock arithmetic.

ZONES = ("Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC")
# Ordinary weeks and weeks with a change of clocks on one side or both.
NOWS = (
    utc(2026, 11, 16, 7),
    utc(2026, 3, 5, 12),
    utc(2026, 3, 26, 15),
    utc(2026, 10, 22, 6),
    utc(2026, 10, 29, 20),
    utc(2026, 4, 2, 23),
)


@st.composite
def people(draw: st.DrawFn) -> Availability:
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    start = draw(st.integers(6 * 2, 12 * 2))
    end = draw(st.integers(start + 2, 21 * 2))
    days = tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=1))))
    hours = WorkingHours(time(start // 2, 30 * (start % 2)), time(end // 2, 30 * (end % 2)), days)
    origin = utc(2026, 1, 1)
    busy = tuple(
        Interval(origin + timedelta(minutes=15 * m), origin + timedelta(minutes=15 * (m + n)))
        for m, n in draw(
            st.lists(st.tuples(st.integers(0, 365 * 96), st.integers(1, 16)), max_size=40)
        )
    )
    return Availability(zone, hours, busy)


def oracle(group: list[Availability], length: timedelta, now: datetime) -> list[Interval]:
    asker = group[0]
    found: list[Interval] = []
    first_day = now.astimezone(asker.zone).date()
    for offset in range(16):
        day = first_day + timedelta(days=offset)
        for step in range(48):
            wall = datetime.combine(day, time()) + timedelta(minutes=30 * step)
            start = wall.replace(tzinfo=asker.zone).astimezone(UTC)
            if start.astimezone(asker.zone).date() != day:
                continue
            horizon = datetime.combine(first_day + timedelta(days=14), time(), tzinfo=asker.zone)
            if not now + NOTICE <= start < horizon:
                continue
            if not asker.hours.start <= wall.time():
                continue
            if all(_suits(person, start, start + length) for person in group):
                found.append(Interval(start, start + length))
                break
        if len(found) == 3:
            break
    return found


def _suits(person: Availability, start: datetime, end: datetime) -> bool:
    local_start, local_end = start.astimezone(person.zone), end.astimezone(person.zone)
    hours = person.hours
    return (
        local_start.weekday() in hours.days
        and local_start.date() == local_end.date()
        and hours.start <= local_start.time()
        and local_end.time() <= hours.end
        and not any(b.start < end and start < b.end for b in person.busy)
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(people(), min_size=1, max_size=3),
    st.sampled_from((30, 45, 60, 90)),
    st.sampled_from(NOWS),
    st.integers(0, 7 * 24 * 4),
)
def test_proposals_match_the_oracle_and_suit_everyone(
    group: list[Availability], minutes: int, monday: datetime, quarters: int
) -> None:
    now = monday + timedelta(minutes=15 * quarters)
    length = timedelta(minutes=minutes)
    slots = propose(group, length, now)
    assert slots == oracle(group, length, now)
    days: set[date] = set()
    for slot in slots:
        assert slot.end - slot.start == length
        assert now + NOTICE <= slot.start < now + timedelta(days=14)
        assert all(unfit_for(person, slot) is None for person in group)
        days.add(slot.start.astimezone(group[0].zone).date())
    assert len(days) == len(slots) <= 3
    assert slots == sorted(slots, key=lambda s: s.start)
