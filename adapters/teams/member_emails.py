"""The work e-mail of the person speaking on Teams, for the calendars that find people by it.

A Teams activity names its sender by ids only. The Bot Connector's "get member" call
(``GET {serviceUrl}/v3/conversations/{conversationId}/members/{userId}``, what botbuilder's
``TeamsInfo.get_member`` sends) answers with a TeamsChannelAccount that carries ``email`` and
``userPrincipalName``; Microsoft Graph and Google calendars are matched by that address
(bot.calendar.connected). Without it, a Teams pair who never came through a roster would never
get a calendar booking.

The call is made only when a calendar connector is configured (otherwise nobody needs the
address), at most once per person per ``ttl`` (the answer, or the lack of one, is kept in a
bounded in-memory cache keyed by tenant and user id, so one person's answer can never be given
for another), and it never holds a turn up for more than ``timeout`` seconds: any failure
(4xx, 5xx, a timeout, an answer that is not an account) means "no e-mail this time", and the
turn goes on with what the database already knows (a roster's address, or the .ics fallback).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botbuilder.core import BotAdapter, TurnContext

from adapters.teams.activities import member_scope, tenant_of
from adapters.teams.sending import connector_status

logger = logging.getLogger("tandem.teams")

# An address changes rarely; an hour bounds how long a renamed mailbox goes unseen.
TTL_SECONDS = 3600.0
# A failed call is not tried again for a while either: a Bot Connector that is down or
# throttling (429) must not be asked again on every turn of every person.
FAILURE_TTL_SECONDS = 600.0
# Well under Teams' 15 s for a card action's answer, and short enough not to be felt.
TIMEOUT_SECONDS = 2.0
# One entry is a few hundred bytes: ten thousand people is a few megabytes at most.
MAX_ENTRIES = 10_000
# What the database column holds (RFC 5321's longest address).
MAX_EMAIL_LENGTH = 320


def email_in(account: dict[str, Any]) -> str | None:
    """The address a TeamsChannelAccount gives: ``email`` when present, else the user
    principal name (in most tenants the same mailbox), lower-cased; None for an anonymous
    guest or anything that is not an address."""
    for field in ("email", "userPrincipalName"):
        value = account.get(field)
        if not isinstance(value, str):
            continue
        value = value.strip().lower()
        if 3 <= len(value) <= MAX_EMAIL_LENGTH and "@" in value[1:-1] and " " not in value:
            return value
    return None


@dataclass(frozen=True)
class _Known:
    email: str | None
    until: float


class MemberEmails:
    """Looks up and remembers people's e-mails through the Bot Connector of their turn."""

    def __init__(
        self,
        *,
        ttl: float = TTL_SECONDS,
        failure_ttl: float = FAILURE_TTL_SECONDS,
        timeout: float = TIMEOUT_SECONDS,
        max_entries: int = MAX_ENTRIES,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self.timeout = timeout
        self.max_entries = max_entries
        self.now = now
        self._known: OrderedDict[tuple[str, str], _Known] = OrderedDict()
        # Lookups under way: two turns of one person at once share one call.
        self._pending: dict[tuple[str, str], asyncio.Task[str | None]] = {}

    async def email_of(
        self,
        context: TurnContext,
        activity: dict[str, Any],
        account: dict[str, Any] | None = None,
    ) -> str | None:
        """The e-mail of ``account`` (a member added), or of the activity's sender."""
        who = account if account is not None else activity.get("from")
        user_id = str(who.get("id") or "") if isinstance(who, dict) else ""
        scope = member_scope(activity)
        if not user_id or not scope:
            return None
        key = (tenant_of(activity), user_id)
        known = self._known.get(key)
        if known is not None and known.until > self.now():
            self._known.move_to_end(key)
            return known.email
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.create_task(self._look_up(context, scope, user_id, key))
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        # Shielded: a turn that gives up does not cancel a lookup another turn waits for.
        return await asyncio.shield(pending)

    async def _look_up(
        self, context: TurnContext, scope: str, user_id: str, key: tuple[str, str]
    ) -> str | None:
        client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        if client is None:
            # No connector in this turn (never the case through /api/messages): nothing asked,
            # nothing kept, the next turn tries.
            return None
        try:
            # ``timeout`` goes to the HTTP call itself (requests, in an executor thread), so the
            # thread is freed too; the outer bound covers the token fetch and the rest.
            member = await asyncio.wait_for(
                client.conversations.get_conversation_member(scope, user_id, timeout=self.timeout),
                self.timeout + 0.5,
            )
            account = dict(member.serialize(), **(member.additional_properties or {}))
        except Exception as error:  # any failure of the remote service: no e-mail this time
            self._failed(key, error)
            return None
        if str(account.get("id") or user_id) != user_id:
            # Never someone else's address under this person's key.
            logger.warning("teams get member answered for another member")
            self._remember(key, None, self.failure_ttl)
            return None
        email = email_in(account)
        self._remember(key, email, self.ttl)
        return email

    def _failed(self, key: tuple[str, str], error: Exception) -> None:
        status = connector_status(error)
        # Who it was stays out of the log: the status and the kind of failure say enough.
        extra = {"status": status, "error": type(error).__name__}
        if status == 404:
            # A guest or someone no longer in the conversation: expected, not worth a warning.
            logger.debug("teams get member: not found", extra=extra)
        else:
            logger.warning("teams get member failed; no e-mail this time", extra=extra)
        self._remember(key, None, self.failure_ttl)

    def _remember(self, key: tuple[str, str], email: str | None, ttl: float) -> None:
        self._known[key] = _Known(email, self.now() + ttl)
        self._known.move_to_end(key)
        while len(self._known) > self.max_entries:
            self._known.popitem(last=False)
