"""Turns the configured DATABASE_URL into an async engine with the right driver."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import SessionTransaction

from bot.domain import Enrollment, Pair, Person, Program
from storage.due_marks import MarkingSession
from storage.sqlite_driver import use_one_trip_cursors

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


class UnsupportedDatabaseError(ValueError):
    pass


def async_url(database_url: str) -> URL:
    """``sqlite:///x.db`` -> aiosqlite, ``postgresql://…`` -> asyncpg; explicit drivers are kept."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend not in ASYNC_DRIVERS:
        raise UnsupportedDatabaseError(
            f"DATABASE_URL must start with sqlite:/// or postgresql:// (got {backend}://)"
        )
    if url.drivername in ASYNC_DRIVERS.values():
        return url
    return url.set(drivername=ASYNC_DRIVERS[backend])


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    use_one_trip_cursors(dbapi_connection)
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers work while a turn writes.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is SQLite's advice: a commit no longer waits for the disk's flush, and
    # the database stays consistent; a power cut may lose the last turns, never corrupt it.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Under a burst, turns queue for the write lock; waiting beats failing a person's command.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # Transactions are begun by _begin_immediate below, not by the driver.
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Any) -> None:
    # A transaction that has read cannot take the write lock once another has written since
    # ("database is locked" at once, whatever busy_timeout says): each takes it as it begins,
    # so that concurrent turns wait for one another instead of failing.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    url = async_url(database_url)
    # A database error's message would otherwise quote the statement's parameters: what
    # people typed, which must never reach a log.
    kwargs.setdefault("hide_parameters", True)
    engine = create_async_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


class TurnSession(MarkingSession):
    """A session that keeps the people, programs, enrollments and pairs it loaded until its
    transaction ends. SQLAlchemy's identity map only holds entities weakly: a program read to
    check a date and dropped was read again by the next handler that needed it, a statement
    each time. No bulk UPDATE changes what a turn reads of these four (the due marks only touch
    the scheduler's ``next_due_at`` and ``due_mark``, which turns never read), so holding them
    changes nothing a turn sees; a new transaction starts afresh. Its flushes mark what they
    may have moved for the scheduler (``MarkingSession``)."""

    held_types: tuple[type, ...] = (Person, Program, Enrollment, Pair)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held: list[object] = []
        # Whether this transaction wrote anything yet (a flush): see UnitOfWork.has_changes.
        self.wrote = False


@event.listens_for(TurnSession, "loaded_as_persistent")
def _hold(session: TurnSession, instance: object) -> None:
    if isinstance(instance, session.held_types):
        session.held.append(instance)


@event.listens_for(TurnSession, "after_flush")
def _wrote(session: TurnSession, _context: object) -> None:
    session.wrote = True


@event.listens_for(TurnSession, "after_transaction_end")
def _let_go(session: TurnSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.held.clear()
        session.wrote = False


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=True, sync_session_class=TurnSession
    )
