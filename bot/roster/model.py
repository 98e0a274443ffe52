"""A roster import between its dry run and its confirmation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

# A dry run nobody confirmed holds people's addresses: erased after this long.
DRY_RUN_KEPT = timedelta(days=7)


@dataclass(eq=False)
class RosterImport:
    """The lines checked by the dry run (``RosterLine.to_json``), kept until an owner confirms
    them; then only the counts stay (``summary``): the e-mails are in the people's rows."""

    program_id: int
    requested_by: int | None
    platform: str
    workspace: str
    file_name: str
    created_at: datetime
    lines: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    confirmed_at: datetime | None = None
    id: int | None = None
