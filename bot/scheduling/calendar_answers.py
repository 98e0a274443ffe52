"""Declines and deletions in people's calendars, read by polling: each tick reads a bounded
number of upcoming sessions' events in the organiser's calendar, the least recently read first.

An event the organiser deleted, or that the partner declined, is handed to a follow-up
(``bot.commands.declined``) that calls the session off and offers the pair new slots: it needs
a turn (the calendar's free/busy, the proposal buttons), which a tick has not. A calendar that
cannot be read is skipped quietly: the session is read again once ``CHECKED_EVERY`` has passed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.calendar.connected import StoredEventId
from bot.calendar.mailbox import Answers, CalendarRefused, MailboxCalendar
from bot.domain import PlannedSession
from bot.fanout import NewOutboxMessage
from bot.follow_ups import FOLLOW_UP, SESSION_DECLINED
from bot.scheduling.cohort import Cohort

logger = logging.getLogger("tandem.calendar")
# Sessions starting within this are watched; later ones are read once they come closer.
AHEAD = timedelta(days=14)
# A session's event is read again after this long.
CHECKED_EVERY = timedelta(minutes=30)
# Events read per tick, at most: the tick stays short whatever the number of sessions.
PER_TICK = 20


async def read_calendar_answers(cohort: Cohort) -> None:
    calendar = cohort.config.calendar
    if calendar is None:
        return
    now = cohort.now
    due = await cohort.uow.planned_sessions_to_check(
        now, now + AHEAD, now - CHECKED_EVERY, PER_TICK
    )
    read = await asyncio.gather(*(_answers(calendar, planned) for planned in due))
    for planned, answers in zip(due, read, strict=True):
        planned.calendar_checked_at = now
        if answers is None or not (answers.gone or answers.declined):
            continue
        with cohort.isolated(f"planned:{planned.id}"):
            await _hand_over(cohort, planned, answers)


async def _answers(calendar: MailboxCalendar, planned: PlannedSession) -> Answers | None:
    stored = StoredEventId.parse(planned.calendar_event_id or "")
    if stored is None or stored.connector != calendar.name:
        return None
    try:
        return await calendar.answers(stored.mailbox, stored.event_id)
    except CalendarRefused as refused:
        logger.info(
            "calendar event not read; read again later",
            extra={"planned_session": planned.id, "reason": refused.refusal.value},
        )
        return None


async def _hand_over(cohort: Cohort, planned: PlannedSession, answers: Answers) -> None:
    """A follow-up of the organiser's (once per session) calls it off and tells the pair."""
    organiser = await cohort.uow.person(planned.planned_by or 0)
    if organiser is None:
        return
    if planned.id is not None:
        cohort.called_off.add(planned.id)
    cohort.outbox.append(
        NewOutboxMessage(
            key=f"{FOLLOW_UP}:{SESSION_DECLINED}:{planned.id}",
            purpose=FOLLOW_UP,
            platform=organiser.platform,
            payload={
                "kind": SESSION_DECLINED,
                "speaker": organiser.id,
                "arguments": {
                    "planned_id": planned.id,
                    "gone": answers.gone,
                    "declined": sorted(answers.declined),
                },
            },
            created_at=cohort.now,
            not_before=cohort.now,
        )
    )
