"""A deliverer's hold on outbox rows: renewing it, marking sends as begun, handing rows back.

Every statement is fenced by the deliverer's claim token: a deliverer whose rows were taken
over by another (its lease ran out while it was frozen or cut off) changes nothing of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import OutboxMessage, OutboxStatus
from storage import tables
from storage.scheduling_queries import CHUNK


class SqlOutboxQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError  # the unit of work's

    async def renew_outbox_claims(
        self, message_ids: Iterable[int], token: str, lease_until: datetime
    ) -> set[int]:
        """Extend the lease of the rows this token still holds; returns their ids."""
        return await self._held_update(message_ids, token, {"claimed_until": lease_until})

    async def mark_outbox_attempts(
        self, message_ids: Iterable[int], token: str, now: datetime, lease_until: datetime
    ) -> set[int]:
        """Record that sends of these rows begin now (and renew their lease); returns the ids
        still held by this token, the only ones that may be sent."""
        return await self._held_update(
            message_ids, token, {"attempted_at": now, "claimed_until": lease_until}
        )

    async def release_outbox_claims(
        self,
        token: str,
        message_ids: Iterable[int] | None = None,
        keep: Iterable[int] = (),
        never_sent: Iterable[int] = (),
    ) -> int:
        """Hand back held rows at once (all of this token's but ``keep``, or only
        ``message_ids``); a row whose send may have begun keeps its ``attempted_at``, so it
        stays in doubt, but for ``never_sent``: rows the holder knows it never handed to the
        platform, whose mark (if one landed) is erased. Returns how many rows were handed
        back."""
        columns = tables.outbox.c
        condition = sa.and_(columns.claim_token == token, columns.status == OutboxStatus.SENDING)
        kept = sorted(set(keep))
        if kept:
            condition = sa.and_(condition, columns.id.not_in(kept))
        values = {"status": OutboxStatus.PENDING, "claimed_until": None, "claim_token": None}
        if message_ids is None:
            result = await self.session.execute(
                sa.update(tables.outbox).where(condition).values(**values)
            )
            return int(getattr(result, "rowcount", 0) or 0)
        released = 0
        clean = set(never_sent)
        ids = sorted(set(message_ids))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for part, extra in (
                ([i for i in chunk if i in clean], {"attempted_at": None}),
                ([i for i in chunk if i not in clean], {}),
            ):
                if not part:
                    continue
                result = await self.session.execute(
                    sa.update(tables.outbox)
                    .where(condition, columns.id.in_(part))
                    .values(**values, **extra)
                )
                released += int(getattr(result, "rowcount", 0) or 0)
        return released

    async def outbox_messages_locked(self, message_ids: Iterable[int]) -> dict[int, OutboxMessage]:
        """The rows, locked until the end of the transaction (recording outcomes)."""
        found: dict[int, OutboxMessage] = {}
        ids = sorted(set(message_ids))
        for start in range(0, len(ids), CHUNK):
            statement = (
                sa.select(OutboxMessage)
                .where(tables.outbox.c.id.in_(ids[start : start + CHUNK]))
                .with_for_update()
            )
            for message in (await self.session.scalars(statement)).all():
                assert message.id is not None
                found[message.id] = message
        return found

    async def _held_update(
        self, message_ids: Iterable[int], token: str, values: dict[str, object]
    ) -> set[int]:
        columns = tables.outbox.c
        held: set[int] = set()
        ids = sorted(set(message_ids))
        for start in range(0, len(ids), CHUNK):
            statement = (
                sa.update(tables.outbox)
                .where(
                    columns.id.in_(ids[start : start + CHUNK]),
                    columns.claim_token == token,
                    columns.status == OutboxStatus.SENDING,
                )
                .values(**values)
                .returning(columns.id)
            )
            held.update(int(row[0]) for row in (await self.session.execute(statement)).all())
        return held
