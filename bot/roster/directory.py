"""Who an e-mail address is on a chat platform: the directory port the engine asks.

Each platform's adapter answers it its own way (Slack ``users.lookupByEmail``, Microsoft Graph
for Teams, the e-mail's local part in the console); the engine only knows the answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Reach(StrEnum):
    FOUND = "found"
    # The platform has nobody with that address in the workspace.
    UNKNOWN = "unknown"
    # The person exists but the bot cannot write to them until they install the app (Teams
    # without Microsoft Graph configured).
    NOT_INSTALLED = "not_installed"


@dataclass(frozen=True)
class DirectoryEntry:
    reach: Reach
    user_id: str | None = None
    display_name: str | None = None
    timezone: str | None = None
    locale: str | None = None


class DirectoryPort(Protocol):
    platform: str

    async def look_up(self, workspace: str, emails: Sequence[str]) -> dict[str, DirectoryEntry]:
        """e-mail -> what the platform knows of it; every address asked is answered."""
        ...
