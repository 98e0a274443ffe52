"""SQLite statements in one trip to aiosqlite's thread instead of four.

aiosqlite runs each call on the sqlite3 connection in a thread of its own, and SQLAlchemy's
adapter makes four such calls per statement (open a cursor, execute, fetch the rows, close):
each is a hand-over between the event loop and that thread, and together they cost more than
SQLite's own work on a turn's small statements. The cursor here does the four in one function
run in that thread, then serves the rows it brought back, as the adapter's buffered cursor does.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_outcome_description", "_outcome_lastrowid", "_outcome_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        # No cursor is held in the thread between statements: each trip opens and closes one.
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._outcome_description: Any = None
        self._outcome_rowcount = -1
        self._outcome_lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._outcome_description

    @property
    def rowcount(self) -> int:
        return self._outcome_rowcount

    @property
    def lastrowid(self) -> int:
        return self._outcome_lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass  # every row is fetched in the trip already

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._trip(operation, () if parameters is None else parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        self._trip(operation, seq_of_parameters, many=True)

    def _trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        try:
            outcome = await_(self._run_in_thread(operation, parameters, many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
            raise  # _handle_exception raises the DBAPI's error already
        description, rowcount, lastrowid, rows = outcome
        self._outcome_description = description
        self._outcome_rowcount = rowcount
        self._outcome_lastrowid = lastrowid
        self._rows = collections.deque(rows)

    async def _run_in_thread(self, operation: Any, parameters: Any, many: bool) -> Outcome:
        async with self._adapt_connection._execute_mutex:
            connection = self._connection
            result: Outcome = await connection._execute(
                _run, connection._conn, operation, parameters, many
            )
            return result

    def nextset(self) -> None:
        return None

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor  # type: ignore[assignment]


def use_one_trip_cursors(dbapi_connection: Any) -> None:
    """Makes a freshly opened aiosqlite connection run each statement in one trip (its class
    is swapped for a subclass that only changes the cursor it gives)."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneTripConnection
