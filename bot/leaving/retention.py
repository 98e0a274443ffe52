"""Retention: the personal data of people who left is erased a while after they left (a program
setting, 90 days by default), by the tick, with forget-me's erasure: their words and names go
everywhere, the aggregates stay (a session's date and length, a pair's counts). Each erasure
leaves one line of history that names nobody: when they had left, and after how long.

The people due are found by the index on ``person.left_at``: those who left longer ago than the
shortest retention of any program (then each is held to the longest of their own programs').
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.commands.privacy import erase
from bot.domain import AuditEntry, Program
from bot.events import EventKind, InboundEvent, Sender
from bot.scheduling.cohort import Cohort
from bot.scheduling.settings import ScheduleSettings
from bot.turn import Turn

logger = logging.getLogger("tandem.retention")
ERASED = "person.erased"
# Erasures a tick does at most: a backlog (a large departure) goes over a few ticks.
PER_TICK = 50


class _Fixed:
    """The tick's moment, as the clock of the turns it erases with."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def retention_of(programs: list[Program]) -> timedelta:
    """How long a leaver's data is kept: the longest of their programs' settings."""
    kept = [ScheduleSettings.for_program(program).retention_after for program in programs]
    return max(kept, default=ScheduleSettings().retention_after)


async def erase_expired_leavers(cohort: Cohort) -> None:
    """A tick step: erase the people whose retention ran out, each on their own."""
    uow, now = cohort.uow, cohort.now
    shortest = min(
        (cohort.settings(program).retention_after for program in cohort.programs.values()),
        default=ScheduleSettings().retention_after,
    )
    shortest = min(shortest, ScheduleSettings().retention_after)
    for person_id in await uow.left_before(now - shortest, PER_TICK):
        with cohort.isolated(f"person:{person_id}"):
            async with uow.savepoint():
                await _erase_if_due(cohort, person_id)


async def _erase_if_due(cohort: Cohort, person_id: int) -> None:
    uow, now = cohort.uow, cohort.now
    person = await uow.person(person_id)
    if person is None or person.left_at is None:
        return
    programs = [
        program
        for enrollment in await uow.enrollments_of_person(person_id)
        if (program := await uow.program(enrollment.program_id)) is not None
    ]
    kept_for = retention_of(programs)
    if now < person.left_at + kept_for:
        return
    owned = [p for p in await uow.programs_owned_by(person_id) if not p.closed]
    for program in owned:
        assert program.id is not None
        if all(owner.id == person_id for owner in await uow.owners_of(program.id)):
            # The only owner of a running program: erasing them would leave it to nobody.
            logger.warning("retention postponed: sole owner", extra={"person_id": person_id})
            return
    left_on = person.left_at.date().isoformat()
    sender = Sender(person.platform, person.workspace, person.user_id)
    turn = Turn(
        uow,
        _Fixed(now),
        cohort.renderer,
        cohort.config,
        InboundEvent(EventKind.COMMAND, sender),
        person,
        speaking=False,
    )
    await erase(turn)
    program_ids: list[int | None] = [None]
    if programs:
        program_ids = [p.id for p in programs]
    for program_id in program_ids:
        uow.add(
            AuditEntry(
                at=now,
                actor_id=None,
                action=ERASED,
                program_id=program_id,
                details={"left_on": left_on, "retention_days": kept_for.days},
            )
        )
    await uow.flush()
