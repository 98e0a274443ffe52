"""A company of N people and a year of its history, bulk loaded for bench/scale.py.

One program that started a year ago (Wednesday 26 November 2025), everyone in Paris, paired
since its first day (N/2 pairs, confirmed charters, profiles), with what a year of ticks and
turns leaves behind: 25 fortnightly check-ins each (answered or expired), 16 to 24 logged
sessions a pair with the partner's feedback, a past and a coming planned session a pair, the
intake and halfway self-assessments, the last weeks' outbox.

The history is consistent with two moments of the week after it:

- ``IDLE_AT`` (Tuesday 24 November 2026, 15:00 in Paris): nothing is due. Every check-in so far
  is closed, every session was asked about, no pair has been quiet for three weeks, this week's
  digest went out on Monday, the halfway assessment is long past and the end one far ahead.
- ``ROUND_AT`` (the next day, 10:00 in Paris): the 26th check-in of every active participant
  falls due at once: a whole round.

PostgreSQL is loaded with ``COPY`` (asyncpg's ``copy_records_to_table``), SQLite with
``executemany``, each in one transaction: a seed is there entirely or not at all.
"""

from __future__ import annotations

import functools
import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from bot.conversations.checkin import FLOW as CHECKIN_FLOW
from storage import tables
from storage.outcome_queries import skill_progress_insert
from storage.tables import UTCDateTime

STARTS_ON = date(2025, 11, 26)  # a Wednesday: every check-in falls on a Wednesday
ENDS_ON = date(2027, 5, 26)
JOINED_AT = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
PAIRED_AT = datetime(2025, 11, 25, 9, 0, tzinfo=UTC)
IDLE_AT = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
ROUND_AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CHECKIN_EVERY = 14
PERIODS = 25  # check-ins 1..25 are behind IDLE_AT; the 26th is the round
MIDWAY = datetime(2026, 8, 26, 13, 0, tzinfo=UTC)
TOPICS = ["linkedin", "seo", "privacy settings", "ai assistants", "dashboards", "no-code"]
DIGEST_CHANNEL = {"platform": "slack", "channel": "C0DIGEST"}
PROGRAM_ID = 1


def marker(people: int) -> str:
    """The seeded program's name: a database holding it holds the whole seed of that size."""
    return f"Scale company v1 ({people})"


@dataclass(frozen=True)
class Company:
    people: int

    @property
    def pairs(self) -> int:
        return self.people // 2

    @property
    def owners(self) -> tuple[int, int]:
        return self.people + 1, self.people + 2

    def status(self, enrollment: int) -> str:
        if enrollment % 307 == 0:
            return "left"
        return "paused" if enrollment % 211 == 0 else "active"


def _checkin_due(period: int) -> datetime:
    day = STARTS_ON + timedelta(days=CHECKIN_EVERY * period)
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)  # 10:00 in Paris, winter


@functools.cache
def _noon(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# Every "a, b" pair of distinct topics, for the sessions' topics.
TOPIC_PAIRS = [f"{a}, {b}" for a in TOPICS for b in TOPICS if a != b]


# Each generator yields rows in the order of its table's ``COLUMNS`` entry.
COLUMNS: dict[str, tuple[str, ...]] = {
    "program": [
        "id",
        "name",
        "starts_on",
        "ends_on",
        "sessions_planned",
        "cadence_days",
        "session_minutes",
        "topics",
        "reciprocal_topics",
        "locale",
        "timezone",
        "digest_channel",
        "closed",
        "created_at",
        "quote_min_group",
    ],
    "person": [
        "id",
        "platform",
        "workspace",
        "user_id",
        "display_name",
        "address",
        "unreachable",
        "created_at",
    ],
    "program_owner": ["id", "program_id", "person_id"],
    "enrollment": ["id", "program_id", "person_id", "role", "status", "paused_until", "joined_at"],
    "profile": [
        "id",
        "enrollment_id",
        "teaches",
        "wants",
        "goals",
        "languages",
        "department",
        "availability",
        "completed_at",
    ],
    "pair": [
        "id",
        "program_id",
        "mentor_enrollment_id",
        "mentee_enrollment_id",
        "status",
        "created_at",
    ],
    "charter": [
        "id",
        "pair_id",
        "status",
        "mentee_goal",
        "mentor_goal",
        "meetings",
        "minutes",
        "mentor_confirmed_at",
        "mentee_confirmed_at",
    ],
    "session_log": ["id", "pair_id", "logged_by", "held_on", "minutes", "topics", "created_at"],
    "feedback_request": [
        "id",
        "session_log_id",
        "person_id",
        "program_id",
        "due_at",
        "created_at",
        "asked_at",
        "usefulness",
        "answered_at",
        "learnt",
        "share_name",
    ],
    "planned_session": [
        "id",
        "pair_id",
        "planned_by",
        "starts_at",
        "cancelled",
        "created_at",
        "asked_at",
        "outcome",
    ],
    "checkin": [
        "id",
        "enrollment_id",
        "period",
        "status",
        "due_at",
        "created_at",
        "reminded_at",
        "answered_at",
        "mood",
    ],
    "conversation": [
        "id",
        "person_id",
        "flow",
        "subject_id",
        "step",
        "answers",
        "status",
        "updated_at",
    ],
    "skill_assessment": [
        "id",
        "enrollment_id",
        "moment",
        "topics",
        "due_at",
        "created_at",
        "answered_at",
    ],
    "skill_rating": ["id", "assessment_id", "topic", "level"],
    "outbox": [
        "id",
        "key",
        "purpose",
        "platform",
        "person_id",
        "channel",
        "payload",
        "status",
        "attempts",
        "not_before",
        "created_at",
        "sent_at",
        "last_error",
    ],
}


def _program(c: Company) -> Iterator[tuple[Any, ...]]:
    yield (
        PROGRAM_ID,
        marker(c.people),
        STARTS_ON,
        ENDS_ON,
        39,
        CHECKIN_EVERY,
        60,
        TOPICS,
        [],
        "en",
        "Europe/Paris",
        DIGEST_CHANNEL,
        False,
        JOINED_AT - timedelta(days=14),
        3,
    )


def _person(c: Company) -> Iterator[tuple[Any, ...]]:
    for i in range(1, c.people + 3):
        address = {"dm_channel": f"D{i:07d}"}
        name = f"Person {i}" if i <= c.people else f"Owner {i - c.people}"
        yield (i, "slack", "T1", f"U{i:07d}", name, address, i % 997 == 0, JOINED_AT)


def _program_owner(c: Company) -> Iterator[tuple[Any, ...]]:
    for number, person in enumerate(c.owners, start=1):
        yield (number, PROGRAM_ID, person)


def _enrollment(c: Company) -> Iterator[tuple[Any, ...]]:
    for i in range(1, c.people + 1):
        status = c.status(i)
        paused_until = date(2027, 1, 11) if status == "paused" else None
        role = "mentor" if i % 2 else "mentee"
        yield (i, PROGRAM_ID, i, role, status, paused_until, JOINED_AT)


def _profile(c: Company) -> Iterator[tuple[Any, ...]]:
    for i in range(1, c.people + 1):
        first, second = TOPICS[i % 6], TOPICS[(i + 2) % 6]
        yield (
            i,
            i,
            {first: 4, second: 3},
            {TOPICS[(i + 1) % 6]: 2, TOPICS[(i + 4) % 6]: 1},
            "Be at ease with the tools the team uses",
            ["en"],
            f"Department {i % 40}",
            "Tuesday or Thursday afternoons",
            JOINED_AT,
        )


def _pair(c: Company) -> Iterator[tuple[Any, ...]]:
    for p in range(1, c.pairs + 1):
        yield (p, PROGRAM_ID, 2 * p - 1, 2 * p, "active", PAIRED_AT)


def _charter(c: Company) -> Iterator[tuple[Any, ...]]:
    for p in range(1, c.pairs + 1):
        confirmed = PAIRED_AT + timedelta(days=2)
        yield (p, p, "confirmed", "autonomy", "perspective", 24, 60, confirmed, confirmed)


@functools.lru_cache(maxsize=4096)
def _sessions_of(p: int) -> list[date]:
    """The days pair ``p`` met: 16 to 24 times (6 for a tenth of them), the last one 2 to 18
    days before the round, so that no pair is quiet at either moment."""
    last = ROUND_AT.date() - timedelta(days=2 + p % 17)
    count = 6 if p % 10 == 0 else 16 + p % 9
    first = STARTS_ON + timedelta(days=7 + p % 7)
    step = (last - first).days / (count - 1)
    return [first + timedelta(days=round(n * step)) for n in range(count)]


def _session_log(c: Company) -> Iterator[tuple[Any, ...]]:
    number = 0
    for p in range(1, c.pairs + 1):
        for held in _sessions_of(p):
            number += 1
            topics = TOPIC_PAIRS[(number * 7 + p) % len(TOPIC_PAIRS)]
            minutes = (30, 45, 60, 90)[number % 4]
            yield (number, p, 2 * p - 1, held, minutes, topics, _noon(held, 17))


def _feedback_request(c: Company) -> Iterator[tuple[Any, ...]]:
    """The mentee's feedback on each session: asked an hour after it was logged, mostly
    answered; a third of the answers say what they learnt, a tenth under their name."""
    rng = random.Random(2)
    number = 0
    for p in range(1, c.pairs + 1):
        for held in _sessions_of(p):
            number += 1
            logged = _noon(held, 17)
            asked = logged + timedelta(hours=1)
            answered = rng.random() < 0.7
            learnt = f"learnt something in session {number}" if answered and number % 3 else None
            yield (
                number,
                number,
                2 * p,
                PROGRAM_ID,
                asked,
                logged,
                asked,
                rng.randint(2, 5) if answered else None,
                asked + timedelta(hours=2) if answered else None,
                learnt,
                number % 10 == 0,
            )


def _planned_session(c: Company) -> Iterator[tuple[Any, ...]]:
    for p in range(1, c.pairs + 1):
        last = _sessions_of(p)[-1]
        past = _noon(last, 15)
        cancelled = p % 10 == 3
        yield (
            2 * p - 1,
            p,
            2 * p - 1,
            past,
            False,
            past - timedelta(days=6),
            past + timedelta(hours=2),
            "cancelled" if cancelled else "held",
        )
        coming = _noon(ROUND_AT.date() + timedelta(days=3 + p % 5), 15)
        yield (2 * p, p, 2 * p, coming, False, IDLE_AT - timedelta(days=5), None, None)


def _checkin(c: Company) -> Iterator[tuple[Any, ...]]:
    """About one in seven expired after its reminder; the others answered, mostly in a good
    mood (the pattern is random draws made once, repeated: 2.5 million draws would be slow)."""
    rng = random.Random(3)
    moods = [rng.choice((0, 1, 2, 3, 3, 4, 4, 4, 5, 5, 5)) for _ in range(9973)]
    times = [
        (_checkin_due(k), _checkin_due(k) + timedelta(days=2), _checkin_due(k) + timedelta(hours=3))
        for k in range(PERIODS + 1)
    ]
    checkin_id = 0
    for e in range(1, c.people + 1):
        for period in range(1, PERIODS + 1):
            checkin_id += 1
            due, reminded, answered = times[period]
            mood = moods[checkin_id % 9973]
            if mood == 0:
                yield (checkin_id, e, period, "expired", due, due, reminded, None, None)
            else:
                yield (checkin_id, e, period, "answered", due, due, None, answered, mood)


def _conversation(c: Company) -> Iterator[tuple[Any, ...]]:
    """The conversations of the last check-ins, all over."""
    updated = _checkin_due(PERIODS) + timedelta(days=4)
    for e in range(1, c.people + 1):
        checkin_id = (e - 1) * PERIODS + PERIODS
        yield (e, e, CHECKIN_FLOW, checkin_id, "done", {"mood": 4}, "done", updated)


def _skill_assessment(c: Company) -> Iterator[tuple[Any, ...]]:
    for e in range(1, c.people + 1):
        topics = [TOPICS[(e + n) % 6] for n in range(5)]
        yield (2 * e - 1, e, "baseline", topics, JOINED_AT, JOINED_AT, JOINED_AT)
        answered = MIDWAY + timedelta(hours=2) if e % 10 else None
        yield (2 * e, e, "mid", topics, MIDWAY, MIDWAY, answered)


def _skill_rating(c: Company) -> Iterator[tuple[Any, ...]]:
    number = 0
    for e in range(1, c.people + 1):
        for moment, assessment in ((0, 2 * e - 1), (1, 2 * e)):
            if moment == 1 and e % 10 == 0:
                continue  # the halfway assessment this one never answered
            for n in range(5):
                number += 1
                level = min(5, 1 + (e + n) % 4 + moment * ((e + n) % 2))
                yield (number, assessment, TOPICS[(e + n) % 6], level)


def _outbox(c: Company) -> Iterator[tuple[Any, ...]]:
    """Every weekly digest so far, and the last two check-ins' messages (a few failed)."""
    number = 0
    monday = STARTS_ON + timedelta(days=5)
    while monday <= IDLE_AT.date():
        number += 1
        posted = _noon(monday, 8)
        year, week, _ = monday.isocalendar()
        key = f"digest:{PROGRAM_ID}:{year}-W{week:02d}"
        payload = {"text": "Weekly digest"}
        yield (
            number,
            key,
            "weekly_digest",
            "slack",
            None,
            DIGEST_CHANNEL,
            payload,
            "sent",
            1,
            posted,
            posted,
            posted,
            None,
        )
        monday += timedelta(days=7)
    for period in (PERIODS - 1, PERIODS):
        due = _checkin_due(period)
        for e in range(1, c.people + 1):
            if c.status(e) != "active":
                continue
            number += 1
            failed = e % 499 == 0
            yield (
                number,
                f"checkin:{e}:{period}",
                "checkin",
                "slack",
                e,
                None,
                {"text": "How did the last two weeks go?"},
                "failed" if failed else "sent",
                3 if failed else 1,
                due,
                due,
                None if failed else due,
                "channel_not_found" if failed else None,
            )


GENERATORS: tuple[tuple[str, Callable[[Company], Iterator[tuple[Any, ...]]]], ...] = (
    ("program", _program),
    ("person", _person),
    ("program_owner", _program_owner),
    ("enrollment", _enrollment),
    ("profile", _profile),
    ("pair", _pair),
    ("charter", _charter),
    ("session_log", _session_log),
    ("feedback_request", _feedback_request),
    ("planned_session", _planned_session),
    ("checkin", _checkin),
    ("conversation", _conversation),
    ("skill_assessment", _skill_assessment),
    ("skill_rating", _skill_rating),
    ("outbox", _outbox),
)


def _encoders(
    table: sa.Table, columns: Sequence[str], dialect: str
) -> list[Callable[[Any], Any] | None]:
    """How each column's Python value is written: JSON as text on both databases; on SQLite,
    datetimes, dates and booleans as SQLAlchemy stores them (naive UTC text, ISO dates, 0/1)."""
    encoders: list[Callable[[Any], Any] | None] = []
    for name in columns:
        kind = table.c[name].type
        if isinstance(kind, sa.JSON):
            encoders.append(json.dumps)
        elif dialect != "sqlite":
            encoders.append(None)
        elif isinstance(kind, UTCDateTime):
            encoders.append(lambda v: v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
        elif isinstance(kind, sa.Date):
            encoders.append(date.isoformat)
        elif isinstance(kind, sa.Boolean):
            encoders.append(int)
        else:
            encoders.append(None)
    return encoders


def _encoded(
    rows: Iterator[tuple[Any, ...]], encoders: list[Callable[[Any], Any] | None]
) -> Iterator[tuple[Any, ...]]:
    if not any(encoders):
        yield from rows
        return
    for row in rows:
        yield tuple(
            value if encode is None or value is None else encode(value)
            for value, encode in zip(row, encoders, strict=True)
        )


def _derived_statements(dialect: str) -> list[tuple[str, str]]:
    """(table, SQL) for the tables the product derives from the others as it writes them
    (each person's skill progress), derived here in one statement from the seeded rows."""
    compiled = skill_progress_insert().compile(
        dialect=postgresql.dialect() if dialect == "postgresql" else sqlite.dialect(),
        compile_kwargs={"literal_binds": True},
    )
    return [(tables.skill_progress.name, str(compiled))]


async def seed_postgres(url: str, people: int) -> dict[str, int]:
    """COPY every table in one transaction, then set the id sequences and VACUUM ANALYZE."""
    company = Company(people)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    counts: dict[str, int] = {}
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            # The rows are consistent by construction: no foreign key trigger per row (this
            # needs a superuser, as the benchmark's scratch server gives).
            await connection.execute("SET LOCAL session_replication_role = replica")
            for name, generate in GENERATORS:
                columns = COLUMNS[name]
                encoders = _encoders(tables.metadata.tables[name], columns, "postgresql")
                status = await connection.copy_records_to_table(
                    name, records=_encoded(generate(company), encoders), columns=columns
                )
                counts[name] = int(status.split()[-1])
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
            for name, statement in _derived_statements("postgresql"):
                counts[name] = int((await connection.execute(statement)).split()[-1])
        # Index-only scans need the visibility map that autovacuum keeps in a live database.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return counts


def seed_sqlite(path: str, people: int) -> dict[str, int]:
    """executemany into every table in one transaction, then ANALYZE."""
    company = Company(people)
    counts: dict[str, int] = {}
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("BEGIN")
        for name, generate in GENERATORS:
            columns = COLUMNS[name]
            encoders = _encoders(tables.metadata.tables[name], columns, "sqlite")
            placeholders = ", ".join("?" for _ in columns)
            cursor = connection.executemany(
                f'INSERT INTO "{name}" ({", ".join(columns)}) VALUES ({placeholders})',
                _encoded(generate(company), encoders),
            )
            counts[name] = cursor.rowcount
        for name, statement in _derived_statements("sqlite"):
            counts[name] = connection.execute(statement).rowcount
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return counts


async def seed(url: str, people: int) -> tuple[float, dict[str, int]]:
    """Seed a migrated, empty database; returns the seconds it took and the rows by table."""
    started = time.perf_counter()
    if url.startswith("sqlite"):
        counts = seed_sqlite(make_url(url).database or "", people)
    else:
        counts = await seed_postgres(url, people)
    return time.perf_counter() - started, counts
