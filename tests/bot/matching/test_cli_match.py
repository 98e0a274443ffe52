"""``tandem match --program NAME [--csv FILE]`` as an owner runs it: real processes, a real file."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "tests" / "scripts" / "matching_en.txt"


def tandem(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_", "MICROSOFT_"))
    }
    environment.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "TANDEM_LOCALE": "en"})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=180,
    )


def count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_match_prints_the_proposal_and_writes_csv_without_telling_anyone(tmp_path: Path) -> None:
    seeded = tandem(
        "console", "--start", "2026-11-18T09:00+00:00", "--script", str(SCRIPT), tmp_path=tmp_path
    )
    assert seeded.returncode == 0, seeded.stdout[-2000:]
    database = tmp_path / "cli.db"
    outbox = count(database, "outbox")

    result = tandem("match", "--program", "Pilot", "--csv", "pairs.csv", tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert 'Matching proposal for "Pilot" — 2 pairs' in result.stdout
    assert "Mentor" in result.stdout and "Score" in result.stdout
    for name in ("alice", "bob", "carl", "erin", "hank"):
        assert name in result.stdout
    assert "Written to pairs.csv: 6 rows." in result.stdout
    with (tmp_path / "pairs.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["Mentor"], r["Mentee"]) for r in rows[:2]] == [("alice", "bob"), ("carl", "erin")]
    assert int(rows[0]["Score"]) > 50
    assert "alice 5/5, bob priority 5/5" in rows[0]["Topics (mentor level, mentee priority)"]
    reasons = {r["Mentor"] or r["Mentee"]: r["Reason"] for r in rows[2:]}
    assert reasons["hank"].startswith("no compatible mentor")
    assert reasons["fay"] == "every compatible mentor is full (1 mentee each)"
    # A dry run: no message queued, no proposal stored, no pair made.
    assert count(database, "outbox") == outbox
    assert count(database, "match_proposal") == 0
    assert count(database, "pair") == 0


def test_an_unknown_program_is_explained(tmp_path: Path) -> None:
    result = tandem("match", "--program", "Nope", tmp_path=tmp_path)
    assert result.returncode == 1
    assert 'There is no program called "Nope"' in result.stdout
