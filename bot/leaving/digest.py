"""The digest's "comings and goings": who left or came back, who was paused for their silence
and which pairs were closed for lack of activity, read from the history of the period."""

from __future__ import annotations

from typing import Any

from bot.digest.figures import DigestPeriod
from bot.ports import UnitOfWork

# The history lines shown, by action (bot.leaving.departure, bot.leaving.inactivity).
SHOWN = (
    "person.left",
    "person.returned",
    "enrollment.left",
    "enrollment.auto_paused",
    "pair.closed_inactive",
    "person.erased",
)


async def people_changes(uow: UnitOfWork, period: DigestPeriod) -> list[dict[str, Any]]:
    """Plain data for the ``digest.departures`` section, oldest first."""
    changes = await uow.people_changes(period.program_id, period.start_at, period.end_at, SHOWN)
    return [
        {"action": change.action, "at": change.at, "name": change.name, **change.details}
        for change in changes
    ]
