"""What the dashboard needs from storage (storage/dashboard_queries.py implements it)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.dashboard.model import LinkUse, PairRow, PairSession, People
from bot.digest.figures import AtRiskPair


class DashboardQueries(Protocol):
    async def add_dashboard_link(
        self,
        token_hash: str,
        person_id: int,
        program_id: int | None,
        created_at: datetime,
        expires_at: datetime,
    ) -> None: ...

    async def use_dashboard_link(self, token_hash: str, now: datetime) -> LinkUse:
        """Marks the link used, once: a second use, a late one or an unknown hash is refused
        (with the link's owner when there is one, to answer in their language)."""
        ...

    async def add_dashboard_session(
        self, token_hash: str, person_id: int, created_at: datetime, expires_at: datetime
    ) -> None: ...

    async def dashboard_session_person(self, token_hash: str, now: datetime) -> int | None:
        """The person whose session this is, while it has not expired."""
        ...

    async def end_dashboard_session(self, token_hash: str) -> None: ...

    async def dashboard_pair_rows(
        self,
        program_id: int,
        now: datetime,
        pair_ids: Collection[int] | None = None,
        attention: Mapping[int, AtRiskPair] | None = None,
        figures: bool = True,
    ) -> Sequence[PairRow]:
        """Every pair of the program (or only ``pair_ids``), by id, with its figures (or, not
        ``figures``, its people and status only: the rest zero or empty) and, from
        ``attention`` (by pair id), why it needs attention."""
        ...

    async def dashboard_pair_sessions(self, pair_id: int) -> Sequence[PairSession]: ...

    async def dashboard_pair_planned(self, pair_id: int, now: datetime) -> Sequence[datetime]: ...

    async def dashboard_people(
        self, program_id: int, only_pending: bool, first: int, limit: int
    ) -> People:
        """The program's reach, and rows ``first`` to ``first + limit`` (0-based; the last
        page when past the end) of everyone invited to or enrolled in the program, one row a
        person, by name (or of those whose invitation is pending only)."""
        ...
