"""The scheduling delays of a program: defaults, overridable per program."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, time, timedelta

from bot.domain import Program
from bot.scheduling.days_off import DaysOff

# A planned session that started longer ago than this is not asked about (the bot was down for
# weeks).
PAST_SESSIONS_ASKED_FOR = timedelta(days=14)


@dataclass(frozen=True)
class ScheduleSettings:
    checkin_every_days: int = 14
    checkin_at: time = time(10, 0)
    checkin_reminder_after: timedelta = timedelta(days=2)
    checkin_expires_after: timedelta = timedelta(days=4)
    # A check-in not opened within this delay of its time (a pause, an outage) is skipped.
    checkin_catch_up: timedelta = timedelta(days=1)
    session_reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    quiet_pair_after: timedelta = timedelta(days=21)
    quiet_owner_note_after: timedelta = timedelta(days=28)
    charter_nudge_after: timedelta = timedelta(days=5)
    feedback_request_after: timedelta = timedelta(hours=1)
    # Mid- and end-of-program self-assessments: the afternoon, so that they never land on top
    # of a morning check-in of the same day.
    assessment_at: time = time(14, 0)
    # Days off: the public holidays of this country (ISO code) and the declared closures.
    holidays: str | None = None
    closed: tuple[tuple[date, date], ...] = ()
    # The inactivity policy (bot.leaving.inactivity): after this many check-ins in a row left
    # unanswered, the person is asked whether they are still in, and paused after a week of
    # silence; a pair with no session logged for this long is warned, then closed.
    inactivity: bool = True
    silence_prompts: int = 3
    silence_pause_after: timedelta = timedelta(days=7)
    idle_pair_after: timedelta = timedelta(days=45)
    idle_close_after: timedelta = timedelta(days=7)
    # Retention (bot.leaving.retention): the personal data of people who left is erased this
    # long after they left.
    retention_after: timedelta = timedelta(days=90)

    @property
    def days_off(self) -> DaysOff:
        return DaysOff(self.holidays, self.closed)

    @classmethod
    def for_program(cls, program: Program) -> ScheduleSettings:
        overrides = program.schedule or {}
        values: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            if field.name not in overrides:
                continue
            raw = overrides[field.name]
            if field.name == "inactivity":
                values[field.name] = bool(raw)
            elif field.name == "holidays":
                values[field.name] = str(raw) if raw else None
            elif field.name == "closed":
                values[field.name] = tuple(
                    (date.fromisoformat(first), date.fromisoformat(last)) for first, last in raw
                )
            elif field.name in ("checkin_at", "assessment_at"):
                values[field.name] = time.fromisoformat(str(raw))
            elif field.name == "session_reminders":
                values[field.name] = tuple(timedelta(hours=float(h)) for h in raw)
            elif field.name.endswith(("_after",)):
                values[field.name] = timedelta(days=float(raw))
            else:
                values[field.name] = int(raw)
        return dataclasses.replace(cls(), **values)  # type: ignore[arg-type]
