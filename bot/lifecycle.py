"""Where a program is in its life, which decides what the bot still sends for it.

- ``running``: check-ins, nudges, reminders, the weekly digest, as the program's rhythm says.
- ``ended``: its last day (``ends_on``) has passed, or an owner stopped it early
  (``/tandem program close``): nothing nudges any more; the end-of-program evaluation (sent on
  the last day) and the closing report (a week later) still go out, and the digest until then.
- ``closed``: the closing report was due; nothing is sent for it any more, it is listed as
  closed, and its pairs may have been offered to continue (``bot.scheduling.continuation``).

A program with no end date runs on: its evaluation and report come after its planned sessions
(``bot.scheduling.assessments.program_end``), but it is never closed on its own.
Extending a program (``/tandem program set until:``) makes it run again.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain import Program


class Phase(StrEnum):
    RUNNING = "running"
    ENDED = "ended"
    CLOSED = "closed"


def local_today(program: Program, now: datetime) -> date:
    return now.astimezone(ZoneInfo(program.timezone)).date()


def phase(program: Program, now: datetime) -> Phase:
    if program.closed:
        return Phase.CLOSED
    if program.stopped_at is not None and now >= program.stopped_at:
        return Phase.ENDED
    if program.ends_on is not None and local_today(program, now) > program.ends_on:
        return Phase.ENDED
    return Phase.RUNNING


def is_running(program: Program, now: datetime) -> bool:
    return phase(program, now) == Phase.RUNNING


def close(program: Program, now: datetime) -> None:
    program.closed = True
    program.closed_at = now


def reopen(program: Program, ends_on: date) -> None:
    """A new last day for an ending or closed program: it runs again until then."""
    program.ends_on = ends_on
    program.closed = False
    program.closed_at = None
    program.stopped_at = None
