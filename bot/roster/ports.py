"""What a roster import asks of storage: people by e-mail, and bulk writes of newcomers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.domain import Person
from bot.roster.model import RosterImport


class RosterStore(Protocol):
    async def people_by_emails(
        self, platform: str, workspace: str, emails: Iterable[str]
    ) -> dict[str, Person]:
        """e-mail -> the person of this workspace who has it."""
        ...

    async def people_by_user_ids(
        self, platform: str, workspace: str, user_ids: Iterable[str]
    ) -> dict[str, Person]: ...

    async def standing_in_program(
        self, program_id: int, person_ids: Iterable[int]
    ) -> dict[int, str]:
        """person id -> "enrolled" (not left) or "invited" (an invitation pending)."""
        ...

    async def roster_invitees(self, program_id: int) -> list[Person]:
        """The people invited to the program from a roster, who have not left."""
        ...

    async def roster_import(self, import_id: int) -> RosterImport | None:
        """The import, locked until the end of the transaction (one confirmation at a time)."""
        ...

    async def discard_pending_imports(self, program_id: int) -> int:
        """Drop the program's dry runs nobody confirmed (a new one replaces them); how many."""
        ...

    async def purge_unconfirmed_imports(self, created_before: datetime) -> int:
        """Erase the dry runs nobody confirmed, made before ``created_before``; how many."""
        ...

    async def insert_people(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Bulk-insert people (columns of ``Person``); their ids, in order."""
        ...

    async def insert_invitations(self, rows: Sequence[dict[str, Any]]) -> list[int]: ...
