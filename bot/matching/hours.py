"""Working hours on a reference week, as 15-minute slots in UTC, for whole cohorts at once.

Each person's week is laid out from their own working hours in their own IANA zone (daylight
saving of that very week included) onto the 672 quarter-hours of a UTC week that starts on
Monday 00:00. The week wraps around: Monday 09:00 in Sydney is Sunday evening in UTC.

Two figures per pair come out of one matrix product each:

- the hours a week the two share (the soft preference);
- whether they share one *unbroken* stretch of at least N hours (the hard constraint): a
  stretch of L slots is shared exactly when both are free on every slot of some window
  ``[t, t + L)``, i.e. when their "a free window of length L starts here" masks meet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from bot.matching.cohort import Candidate
from bot.scheduling.working_hours import WorkingHours, at_local

SLOT_MINUTES = 15
SLOTS_PER_HOUR = 60 // SLOT_MINUTES
SLOTS_PER_WEEK = 7 * 24 * SLOTS_PER_HOUR

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float32]


def week_slots(hours: WorkingHours, zone: str, week_start: datetime) -> BoolArray:
    """The quarter-hours of the reference week during which the person works."""
    tz = ZoneInfo(zone)
    mask = np.zeros(SLOTS_PER_WEEK, dtype=np.bool_)
    first_day = week_start.date()
    for offset in range(7):
        day = first_day + timedelta(days=offset)
        if day.weekday() not in hours.days:
            continue
        start = at_local(day, hours.start, tz)
        end_day = day if hours.end > hours.start else day + timedelta(days=1)
        end = at_local(end_day, hours.end, tz)
        # Only whole quarter-hours count: round the start up and the end down.
        first = -(-int((start - week_start).total_seconds()) // (SLOT_MINUTES * 60))
        last = int((end - week_start).total_seconds()) // (SLOT_MINUTES * 60)
        if last > first:
            mask[np.arange(first, last) % SLOTS_PER_WEEK] = True
    return mask


def availability(people: Sequence[Candidate], week_start: datetime) -> BoolArray:
    """One row of slots per person; people with the same zone and hours share the work."""
    rows = np.zeros((len(people), SLOTS_PER_WEEK), dtype=np.bool_)
    computed: dict[tuple[str, WorkingHours], BoolArray] = {}
    for index, person in enumerate(people):
        key = (person.zone, person.hours)
        if key not in computed:
            computed[key] = week_slots(person.hours, person.zone, week_start)
        rows[index] = computed[key]
    return rows


def window_starts(slots: BoolArray, length: int) -> BoolArray:
    """True at t when the person is free on every slot of ``[t, t + length)`` (wrapping)."""
    if length <= 0:
        return np.ones_like(slots)
    # A window is all free when the count of free slots in it equals its length.
    wrapped = np.concatenate([slots, slots[:, :length]], axis=1).astype(np.int32)
    counts = np.cumsum(wrapped, axis=1)
    counts = np.concatenate([np.zeros((slots.shape[0], 1), dtype=np.int32), counts], axis=1)
    free = counts[:, length : length + SLOTS_PER_WEEK] - counts[:, :SLOTS_PER_WEEK]
    result: BoolArray = free == length
    return result


def shared_hours(mentors: BoolArray, mentees: BoolArray) -> FloatArray:
    """Hours a week each mentor and each mentee both work (mentors × mentees)."""
    product = mentors.astype(np.float32) @ mentees.astype(np.float32).T
    result: FloatArray = product / np.float32(SLOTS_PER_HOUR)
    return result


def share_a_stretch(mentors: BoolArray, mentees: BoolArray, hours: float) -> BoolArray:
    """Whether each mentor and each mentee share an unbroken stretch of ``hours``."""
    length = int(np.ceil(hours * SLOTS_PER_HOUR - 1e-9))
    starts_m = window_starts(mentors, length).astype(np.float32)
    starts_e = window_starts(mentees, length).astype(np.float32)
    result: BoolArray = (starts_m @ starts_e.T) > 0.5
    return result
