"""``tandem export`` as HR runs it: a real process on a real SQLite file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.bot.test_cli import tandem
from tests.console_support import SCRIPTS


def test_export_json_and_csv(tmp_path: Path) -> None:
    script = tmp_path / "pilot.txt"
    script.write_text(
        (SCRIPTS / "two_pairs_en.txt").read_text(encoding="utf-8")
        + '@alice /session log 45m "LinkedIn basics"\n@dan /session log 1h "SEO"\n',
        encoding="utf-8",
    )
    result = tandem("console", "--script", str(script), tmp_path=tmp_path, TANDEM_LOCALE="en")
    assert result.returncode == 0, result.stdout + result.stderr

    result = tandem(
        "export", "--program", "Pilot", "--format", "json", tmp_path=tmp_path, TANDEM_LOCALE="en"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Written: export-pilot.json" in result.stdout
    data = json.loads((tmp_path / "export-pilot.json").read_text(encoding="utf-8"))
    assert [s["minutes"] for s in data["sessions"]] == [45, 60]
    assert data["kpis"]["sessions_total"] == 2 and data["kpis"]["enrolled"] == 4
    # Session topics are the pair's own notes: not exported.
    assert "LinkedIn basics" not in json.dumps(data)

    result = tandem("export", "-p", "Pilot", "-f", "csv", "-o", "out", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    with (tmp_path / "out" / "sessions.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["mentor"], r["mentee"], r["minutes"]) for r in rows] == [
        ("alice", "bob", "45"),
        ("dan", "erin", "60"),
    ]

    result = tandem("export", "-p", "Nope", tmp_path=tmp_path, TANDEM_LOCALE="en")
    assert result.returncode == 1
    assert 'There is no program called "Nope"' in result.stdout
