"""What the guides need from storage, and nothing else."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from bot.guides.model import OwnerGuide


class GuideQueries(Protocol):
    async def owner_guides(self, program_id: int) -> Sequence[OwnerGuide]:
        """The guides the program's owners imported, in the order of their file."""
        ...

    async def replace_owner_guides(self, program_id: int, guides: Sequence[OwnerGuide]) -> int:
        """The program's imported guides become ``guides``; returns how many were replaced."""
        ...

    async def outbox_keys_present(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` already in the outbox (queued, sent or expired)."""
        ...
