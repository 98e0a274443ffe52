"""Sorting and filtering the pairs' table from the page's query string (no script needed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bot.dashboard.model import PairRow, ProgramSummary
from bot.dashboard.pages import Dashboard

MAX_SEARCH = 100
# Rows a page shows: a program of 10,000 people stays light on a phone.
PAGE_SIZE = 100
_NEVER = date.min
_LATER = datetime.max.replace(tzinfo=UTC)

SORT_KEYS: dict[str, Callable[[PairRow], Any]] = {
    "mentor": lambda row: (row.mentor or "").casefold(),
    "mentee": lambda row: (row.mentee or "").casefold(),
    "status": lambda row: row.status,
    "sessions": lambda row: (row.sessions, row.target),
    "progress": lambda row: row.sessions / row.target if row.target else 0.0,
    "last": lambda row: row.last_session or _NEVER,
    "next": lambda row: row.next_planned or _LATER,
    "flags": lambda row: len(row.flags),
}
# Sorting by these needs every pair's figures; by the others, the people and status only.
FIGURE_SORTS = frozenset({"sessions", "progress", "last", "next"})
STATUSES = ("all", "active", "ended")
FLAGS = ("all", "attention", "quiet", "low_mood", "unanswered", "unreachable")


@dataclass(frozen=True)
class PairQuery:
    sort: str = "mentor"
    descending: bool = False
    status: str = "all"
    flag: str = "all"
    search: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> PairQuery:
        """What the page asked for; an unknown value falls back to the default."""
        sort = query.get("sort", "mentor")
        status = query.get("status", "all")
        flag = query.get("flag", "all")
        return cls(
            sort=sort if sort in SORT_KEYS else "mentor",
            descending=query.get("dir") == "desc",
            status=status if status in STATUSES else "all",
            flag=flag if flag in FLAGS else "all",
            search=query.get("q", "").strip()[:MAX_SEARCH],
            page=page_number(query),
        )

    @property
    def needs_figures(self) -> bool:
        """Whether sorting reads each pair's sessions and dates (else only the page shown
        needs them)."""
        return self.sort in FIGURE_SORTS

    @property
    def needs_attention(self) -> bool:
        """Whether filtering or sorting reads each pair's flags."""
        return self.flag != "all" or self.sort == "flags"

    def apply(self, rows: Sequence[PairRow]) -> list[PairRow]:
        wanted = self.search.casefold()
        kept = [
            row
            for row in rows
            if (self.status == "all" or row.status == self.status)
            and (
                self.flag == "all"
                or (self.flag == "attention" and row.flags)
                or self.flag in row.flags
            )
            and (not wanted or wanted in f"{row.mentor or ''} {row.mentee or ''}".casefold())
        ]
        return sorted(kept, key=SORT_KEYS[self.sort], reverse=self.descending)

    def at_page(self, page: int) -> dict[str, str]:
        return {**self.link(self.sort, keep_order=True), "page": str(page)}

    def link(self, sort: str, keep_order: bool = False) -> dict[str, str]:
        """The query string of a column header: that column, the other way when it is already
        the one sorted by; the filters kept."""
        descending = self.descending if keep_order else False
        if sort == self.sort and not keep_order:
            descending = not self.descending
        return {
            "sort": sort,
            "dir": "desc" if descending else "asc",
            "status": self.status,
            "flag": self.flag,
            "q": self.search,
        }

    def aria_sort(self, column: str) -> str:
        if column != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"


def page_number(query: Mapping[str, str]) -> int:
    value = query.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 7 and int(value) > 0 else 1


def rows_of_page(number: int) -> tuple[int, int]:
    """The first row (0-based) of page ``number`` and how many rows a page holds."""
    return (number - 1) * PAGE_SIZE, PAGE_SIZE


@dataclass(frozen=True)
class Page:
    """One page of a long table: rows ``first``–``last`` of ``total`` (1-based)."""

    number: int
    pages: int
    total: int
    first: int
    last: int

    @classmethod
    def of(cls, total: int, number: int) -> Page:
        pages = max(1, -(-total // PAGE_SIZE))
        number = min(number, pages)
        first = (number - 1) * PAGE_SIZE
        return cls(number, pages, total, first + 1 if total else 0, min(total, first + PAGE_SIZE))

    def cut(self, rows: Sequence[Any]) -> Sequence[Any]:
        return rows[max(0, self.first - 1) : self.last]


@dataclass(frozen=True)
class ListedPairs:
    """One page of the pairs' table: its rows, complete, and how many pairs matched of all."""

    program: ProgramSummary
    rows: list[PairRow]
    matching: int
    total: int
    page: Page


async def listed_pairs(
    pages: Dashboard, person_id: int, program_id: int, query: PairQuery
) -> ListedPairs:
    """The whole list is sorted and filtered from what the query needs (people and status, or
    also the figures, or also the flags); only the page shown is read in full."""
    program, rows = await pages.pairs(
        person_id, program_id, figures=query.needs_figures, attention=query.needs_attention
    )
    shown = query.apply(rows)
    page = Page.of(len(shown), query.page)
    page_rows = list(page.cut(shown))
    if not (query.needs_figures and query.needs_attention):
        ids = [row.pair_id for row in page_rows]
        page_rows = await pages.page_of_pairs(person_id, program_id, ids)
    return ListedPairs(program, page_rows, len(shown), len(rows), page)
