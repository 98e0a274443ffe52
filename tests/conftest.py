"""Shared fixtures.

Databases
---------
Every database fixture runs each test twice, through ``database_backend``:

``sqlite``
    a fresh file in ``tmp_path`` (for ``migrated_url``, a copy of a file migrated once);
``postgresql``
    ONE throwaway database per test session (``tandem_test_<pid>_<random>`` on the local
    server, dropped at the end). Tests are isolated by resetting it before each test:
    ``database_url`` drops and recreates the ``public`` schema; ``migrated_url`` empties
    every table (identities restarted) when the schema is still at head, and otherwise
    drops it and migrates again.

``database_url``
    An empty database: no tables, no alembic_version.
``migrated_url``
    A database migrated to head (storage.migrate.upgrade), every table empty.
``uow_factory``
    A ``SqlUnitOfWorkFactory`` on ``migrated_url``; its engine is disposed afterwards.

Restrict a test to one backend with
``@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)``.

Environment: ``TANDEM_TEST_PG=0`` skips the PostgreSQL runs; ``TANDEM_TEST_PG_URL`` points at
another server (default ``postgresql://postgres@127.0.0.1:5432/``, trust authentication). When
neither is reachable, a throwaway server is started (tests/pg_server.py); under pytest-xdist the
controller starts it once and its workers share it, each with its own database.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from storage.database import create_engine
from storage.migrate import alembic_config, upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.pg_server import LOCAL_URL, EmbeddedPostgres, listening

pytest_plugins = ["tests.console_support", "tests.calendar_support"]

PG_SERVER_URL = os.environ.get("TANDEM_TEST_PG_URL", LOCAL_URL)
PG_ENABLED = os.environ.get("TANDEM_TEST_PG", "1") != "0"
_embedded_server: EmbeddedPostgres | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Start a throwaway PostgreSQL when no server is configured or listening locally."""
    global PG_SERVER_URL, _embedded_server
    config.addinivalue_line(
        "markers",
        "sqlite_only: the test's subject is the engine's (its words, its refusals), not the"
        " storage: it runs on SQLite alone, the storage being tested on both databases",
    )
    if not PG_ENABLED or hasattr(config, "workerinput"):
        return  # pytest-xdist workers inherit the controller's TANDEM_TEST_PG_URL
    forced = os.environ.get("TANDEM_TEST_PG_EMBEDDED") == "1"
    if forced or ("TANDEM_TEST_PG_URL" not in os.environ and not listening(LOCAL_URL)):
        _embedded_server = EmbeddedPostgres.start()
        PG_SERVER_URL = _embedded_server.url
        # Set before pytest-xdist starts its workers, which read it when importing this module.
        os.environ["TANDEM_TEST_PG_URL"] = PG_SERVER_URL


def pytest_unconfigure(config: pytest.Config) -> None:
    if _embedded_server is not None:
        _embedded_server.stop()


def pytest_report_header(config: pytest.Config) -> str:
    if not PG_ENABLED:
        return "postgresql: skipped (TANDEM_TEST_PG=0)"
    kind = "a throwaway server of the tests" if _embedded_server else "configured or local"
    return f"postgresql: {PG_SERVER_URL} ({kind})"


# The slowest test files first, slowest at the top (measured on CI's two cores): pytest-xdist
# hands tests out in collection order, so both workers start on the long ones and end together
# on short ones, instead of one of them picking up a long test at the very end while the other
# idles. Files not listed keep their order after these; a new slow file belongs here.
SLOWEST_FIRST = (
    "tests/adapters/test_inbox_crash.py",
    "tests/adapters/console/test_twelve_weeks.py",
    "tests/adapters/console/test_twelve_week_digest.py",
    "tests/adapters/console/test_simulate.py",
    "tests/adapters/console/test_program_end.py",
    "tests/adapters/test_leader_failover.py",
    "tests/test_packaging.py",
    "tests/adapters/console/test_demo.py",
    "tests/bot/test_delivery_crash.py",
    "tests/bot/test_follow_up_crash.py",
    "tests/adapters/console/test_hostile_input.py",
    "tests/adapters/console/test_bad_input_meaning.py",
    "tests/adapters/console/test_bad_input_numbers.py",
)


# Tests that start real serve and deliver processes and time how fast they stop: run one after
# the other on one worker (``--dist loadgroup``), since several at once on two cores starve
# each other's processes past the bounds the tests check.
REAL_PROCESSES = {
    "tests/adapters/test_inbox_crash.py",
    "tests/bot/test_delivery_crash.py",
    "tests/adapters/test_leader_failover.py",
    "tests/adapters/dashboard/test_dashboard_serve.py",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.split("::")[0] in REAL_PROCESSES:
            item.add_marker(pytest.mark.xdist_group("real_processes"))
    rank = {path: index for index, path in enumerate(SLOWEST_FIRST)}
    # A stable sort: the same order on every xdist worker, as xdist requires.
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


BACKENDS = ["sqlite", "postgresql"]


@pytest.hookimpl(tryfirst=True)  # before the fixture's own parameters and the marks are read
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "sqlite_only"
    ):
        metafunc.definition.add_marker(
            pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
        )


def _pg_url(database: str) -> str:
    """The server URL pointing at ``database``, in the plain form asyncpg and we both accept."""
    return make_url(PG_SERVER_URL).set(database=database).render_as_string(hide_password=False)


async def _pg_admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(_pg_url("postgres"))
    except (OSError, asyncpg.PostgresError) as error:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {PG_SERVER_URL} ({error}); start it or run the "
            "tests with TANDEM_TEST_PG=0 to skip the PostgreSQL runs"
        ) from error


@dataclass
class PgDatabase:
    url: str
    # True while the schema is known to be migrated to head, so that emptying it is enough.
    migrated: bool = False


@pytest.fixture(scope="session")
async def pg_database() -> AsyncIterator[PgDatabase]:
    """A uniquely named PostgreSQL database for the whole test session, dropped at its end."""
    name = f"tandem_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = await _pg_admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        # A throwaway database needs no durability: commits stop waiting for the disk, which
        # makes the long scenario tests (thousands of small turns) several times faster.
        await admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await admin.close()
    try:
        yield PgDatabase(_pg_url(name))
    finally:
        admin = await _pg_admin()
        try:
            # FORCE: a test that leaked a connection must not leave the database behind.
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def _pg_connect(url: str) -> asyncpg.Connection:
    connection = await asyncpg.connect(url)
    # A test that leaked an open transaction makes the reset fail loudly instead of hanging.
    await connection.execute("SET lock_timeout = '10s'")
    return connection


async def _drop_schema(database: PgDatabase) -> None:
    database.migrated = False
    connection = await _pg_connect(database.url)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


async def _empty_migrated_tables(database: PgDatabase) -> bool:
    """Empty every table if the schema is still at head; False when it must be rebuilt."""
    connection = await _pg_connect(database.url)
    try:
        versions = await connection.fetch("SELECT version_num FROM alembic_version")
        if [row["version_num"] for row in versions] != [_head_revision()]:
            return False
        names = await connection.fetch(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        # DELETE is much faster than TRUNCATE on tiny tables; "replica" skips the foreign key
        # triggers so that the order does not matter. Identities restart at 1.
        async with connection.transaction():
            await connection.execute("SET LOCAL session_replication_role = replica")
            for row in names:
                await connection.execute(f'DELETE FROM "{row["tablename"]}"')
            await connection.execute(
                "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) "
                "FROM pg_sequences WHERE schemaname = 'public'"
            )
        return True
    finally:
        await connection.close()


@functools.cache
def _head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.fixture
async def pg_empty_database(pg_database: PgDatabase) -> str:
    """The session's PostgreSQL database, emptied: tables, sequences and alembic_version go."""
    await _drop_schema(pg_database)
    return pg_database.url


@pytest.fixture
async def pg_migrated_database(pg_database: PgDatabase) -> str:
    """The session's PostgreSQL database at head with empty tables.

    Migrating takes a few hundred milliseconds, so the schema is only rebuilt when an earlier
    test dropped or downgraded it; otherwise every table is emptied.
    """
    if not (pg_database.migrated and await _empty_migrated_tables(pg_database)):
        await _drop_schema(pg_database)
        await upgrade(pg_database.url)
        pg_database.migrated = True
    return pg_database.url


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; tests get copies of it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "tandem.db"
    await upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_migrated_database(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "tandem.db"
    # Alembic's connections are closed, so the write-ahead log is already checkpointed.
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=BACKENDS)
def database_backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``; every database fixture below runs on both."""
    backend: str = request.param
    if backend == "postgresql" and not PG_ENABLED:
        pytest.skip("TANDEM_TEST_PG=0")
    return backend


@pytest.fixture
def database_url(database_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no tables, no alembic_version)."""
    if database_backend == "sqlite":
        return f"sqlite:///{tmp_path / 'tandem.db'}"
    # Looked up lazily so that SQLite-only runs never touch the PostgreSQL server.
    url: str = request.getfixturevalue("pg_empty_database")
    return url


@pytest.fixture
def migrated_url(database_backend: str, request: pytest.FixtureRequest) -> str:
    """A database migrated to head, with empty tables."""
    fixture = {"sqlite": "sqlite_migrated_database", "postgresql": "pg_migrated_database"}
    url: str = request.getfixturevalue(fixture[database_backend])
    return url


@pytest.fixture
async def uow_factory(migrated_url: str) -> AsyncIterator[SqlUnitOfWorkFactory]:
    engine = create_engine(migrated_url)
    try:
        yield SqlUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()
