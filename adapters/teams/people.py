"""Who an e-mail address is on Teams, for roster imports.

The bot can only write first to someone whose personal conversation it can create, which
needs their Azure AD object id and the app installed for them. Without Microsoft Graph
configured (directory lookup by user principal name, and proactive installation through
``teamsAppInstallation``), a roster's newcomers are reported "not reachable until they install
Tandem"; people who already talked to the bot are found by the e-mail Tandem knows."""

from __future__ import annotations

from collections.abc import Sequence

from bot.roster.directory import DirectoryEntry, Reach

PLATFORM = "teams"


class TeamsDirectory:
    platform = PLATFORM

    async def look_up(self, workspace: str, emails: Sequence[str]) -> dict[str, DirectoryEntry]:
        return dict.fromkeys(emails, DirectoryEntry(Reach.NOT_INSTALLED))
