"""The pairs' table as the query string asks: sorted, filtered, one page of it."""

from __future__ import annotations

from datetime import date

from adapters.dashboard.listing import PAGE_SIZE, Page, PairQuery
from bot.dashboard.model import PairRow
from bot.digest.figures import AtRiskPair


def row(pair_id: int, mentor: str, sessions: int, quiet: bool = False) -> PairRow:
    risk = AtRiskPair(pair_id, mentor, "m", 30, None, 0, False, 0) if quiet else None
    return PairRow(
        pair_id,
        mentor,
        "m",
        "active",
        None,
        None,
        None,
        sessions,
        6,
        0,
        date(2026, 1, 1),
        None,
        risk,
    )


def test_a_column_sorts_one_way_then_the_other_and_keeps_the_filters() -> None:
    query = PairQuery.from_query({"sort": "sessions", "flag": "quiet", "q": "a"})
    assert query.link("sessions")["dir"] == "desc"
    assert query.link("mentor") == {
        "sort": "mentor",
        "dir": "asc",
        "status": "all",
        "flag": "quiet",
        "q": "a",
    }
    rows = [row(1, "Zoé", 3), row(2, "anna", 1, quiet=True), row(3, "Alan", 2, quiet=True)]
    assert [r.pair_id for r in query.apply(rows)] == [2, 3]
    descending = PairQuery.from_query({"sort": "mentor", "dir": "desc"})
    assert [r.mentor for r in descending.apply(rows)] == ["Zoé", "anna", "Alan"]


def test_unknown_values_fall_back_to_the_defaults() -> None:
    query = PairQuery.from_query({"sort": "__class__", "status": "x", "flag": "y", "page": "-3"})
    assert (query.sort, query.status, query.flag, query.page) == ("mentor", "all", "all", 1)
    assert PairQuery.from_query({"page": "9" * 50}).page == 1


def test_pages_of_a_long_table() -> None:
    rows = list(range(250))
    third = Page.of(len(rows), 3)
    assert (third.first, third.last, third.pages) == (201, 250, 3)
    assert list(third.cut(rows)) == rows[200:]
    assert Page.of(250, 99).number == 3, "past the end: the last page"
    empty = Page.of(0, 1)
    assert (empty.pages, empty.first, empty.last, list(empty.cut([]))) == (1, 0, 0, [])
    assert len(Page.of(1000, 1).cut(list(range(1000)))) == PAGE_SIZE
