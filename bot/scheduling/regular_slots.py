"""Pairs' regular slots: each tick hands the occurrences due within ``BOOK_AHEAD`` to a
follow-up (``bot.commands.regular_booking``) that books them, or offers other times when one
does not suit. ``Pair.regular_booked_until`` records the last one handed over, so that each
occurrence is handled once, even one called off afterwards."""

from __future__ import annotations

from datetime import timedelta

from bot.calendar.recurrence import RegularSlot
from bot.fanout import NewOutboxMessage
from bot.follow_ups import FOLLOW_UP, REGULAR_SLOT
from bot.scheduling.cohort import Cohort

# A week ahead: time to agree on another slot when one does not suit.
BOOK_AHEAD = timedelta(days=7)


async def book_regular_slots(cohort: Cohort) -> None:
    now = cohort.now
    for pair in await cohort.uow.pairs_with_regular_slot_due(now):
        assert pair.regular_slot is not None
        with cohort.isolated(f"pair:{pair.id}"):
            slot = RegularSlot.from_json(pair.regular_slot)
            since = max(now, pair.regular_booked_until or now)
            starts_at = slot.next_after(since)
            if starts_at > now + BOOK_AHEAD:
                pair.regular_due_at = starts_at - BOOK_AHEAD
                continue
            organiser = await cohort.uow.person(slot.by)
            pair.regular_booked_until = starts_at
            # The occurrence after this one, when it comes within the days booked ahead.
            pair.regular_due_at = slot.next_after(starts_at) - BOOK_AHEAD
            if organiser is None:
                continue
            cohort.outbox.append(
                NewOutboxMessage(
                    key=f"{FOLLOW_UP}:{REGULAR_SLOT}:{pair.id}:{int(starts_at.timestamp())}",
                    purpose=FOLLOW_UP,
                    platform=organiser.platform,
                    payload={
                        "kind": REGULAR_SLOT,
                        "speaker": organiser.id,
                        "arguments": {
                            "pair_id": pair.id,
                            "starts_at": int(starts_at.timestamp()),
                        },
                    },
                    created_at=now,
                    not_before=now,
                )
            )
