"""Writing to Teams through the Bot Connector, with Teams' rate limits and failures in mind.

Teams answers 429 when a conversation or the bot writes too fast (about 7 messages a second in
one conversation, fewer over a minute), with a ``Retry-After``; 412, 502 and 504 are passing
failures too. Answers within a turn are retried here with exponential backoff and full jitter,
never sooner than ``Retry-After``; outbox messages are retried by the deliverer, which slows
the whole platform down after a 429. A 403 ``MessageWritesBlocked`` (the person blocked the bot
or removed the app) is final. The connector's HTTP (``adapters.teams.connector_http``) retries
nothing on its own, so these are the only retries.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from adapters.graph.installation import InstallationRefused
from bot.calendar.mailbox import Refusal
from bot.ports import DeliveryError

logger = logging.getLogger("tandem.teams")

T = TypeVar("T")
TRANSIENT_STATUSES = {408, 412, 429, 500, 502, 503, 504}
# The person cannot be written to: retrying would not help.
UNREACHABLE_CODES = {
    "MessageWritesBlocked",
    "ConversationBlockedByUser",
    "BotDisabledByAdmin",
    "BotNotInConversationRoster",
    "UserNotFound",
}
ATTEMPTS = 4
FIRST_BACKOFF = 0.5
MAX_BACKOFF = 30.0


def connector_status(error: Exception) -> int | None:
    """The HTTP status a Bot Connector call failed with; None when no answer came at all.
    The exception carries the HTTP library's own response (aiohttp's names it ``status``)."""
    response = getattr(error, "response", None)
    status = getattr(response, "status", None)
    if status is None:
        status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def delivery_error(error: Exception) -> DeliveryError:
    """A Bot Connector failure in the outbox's terms."""
    response = getattr(error, "response", None)
    status = connector_status(error)
    if status is None:
        # No answer at all: the connection failed or timed out.
        return DeliveryError(f"teams {type(error).__name__}", transient=True)
    code = _error_code(error)
    retry_after = _retry_after(getattr(response, "headers", None) or {})
    if status in TRANSIENT_STATUSES:
        return DeliveryError(f"teams {status} {code}", transient=True, retry_after=retry_after)
    if status == 403 or code in UNREACHABLE_CODES:
        return DeliveryError(f"teams {status} {code}", transient=False, unreachable=True)
    return DeliveryError(f"teams {status} {code}", transient=False)


def installation_error(refused: InstallationRefused) -> DeliveryError:
    """Tandem not installable for someone, in the outbox's terms: the reach report reads
    "app not installed" (consent missing, app not in the catalog) or "left" (nobody by that
    id any more); Graph busy or down is tried again later."""
    if refused.refusal == Refusal.NOT_FOUND:
        return DeliveryError("teams graph user_not_found", transient=False, unreachable=True)
    if refused.refusal == Refusal.CONSENT:
        # Never "403" in the reason: the reach report would read it as a blocked bot.
        return DeliveryError("teams app not installed (no consent to install it)", transient=False)
    return DeliveryError(f"teams graph {refused}", transient=True)


def backoff(attempt: int, retry_after: float | None, rng: random.Random | None = None) -> float:
    """Seconds to wait before attempt ``attempt + 1``: full jitter, at least ``Retry-After``."""
    ceiling = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** max(attempt - 1, 0))
    jitter = (rng or random).uniform(0, ceiling)
    # After a Retry-After, a little jitter still keeps parallel senders from coming back at once.
    return jitter if retry_after is None else retry_after + jitter / 4


async def with_retries(
    send: Callable[[], Awaitable[T]], *, attempts: int = ATTEMPTS, what: str = "send"
) -> T:
    """Runs ``send``; transient failures are tried again, the last one raised as DeliveryError."""
    for attempt in range(1, attempts + 1):
        try:
            return await send()
        except DeliveryError:
            raise
        except Exception as error:
            failure = delivery_error(error)
            if not failure.transient or attempt == attempts:
                raise failure from error
            wait = backoff(attempt, failure.retry_after)
            logger.warning(
                "teams call failed; retrying",
                extra={"call": what, "reason": failure.reason, "wait_s": round(wait, 2)},
            )
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _error_code(error: Exception) -> str:
    body: Any = getattr(error, "error", None)
    inner = getattr(body, "error", None)
    code = getattr(inner, "code", None)
    return str(code) if code else ""


def _retry_after(headers: Any) -> float | None:
    for name in ("Retry-After", "retry-after"):
        value = headers.get(name) if hasattr(headers, "get") else None
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None
