"""The ``tandem`` command as a newcomer runs it: real processes, a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.database import UnsupportedDatabaseError, async_url

ROOT = Path(__file__).resolve().parents[2]


def tandem(
    *args: str, tmp_path: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_", "MICROSOFT_"))
    }
    environment.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
    )


def test_console_script_prints_the_transcript(tmp_path: Path) -> None:
    script = tmp_path / "hello.txt"
    script.write_text('# a comment\n@hr /tandem program new "Pilot"\n@hr /tandem program list\n')
    result = tandem("console", "--script", str(script), tmp_path=tmp_path, TANDEM_LOCALE="en")
    assert result.returncode == 0, result.stderr
    assert '→ hr: The program "Pilot" is created' in result.stdout
    assert "• Pilot — from" in result.stdout
    # The database was created and migrated by itself.
    assert (tmp_path / "cli.db").exists()


def test_console_exits_non_zero_when_a_line_cannot_run(tmp_path: Path) -> None:
    stdin = "/tandem help\n@hr :oops\n"
    result = tandem("console", tmp_path=tmp_path, stdin=stdin, TANDEM_LOCALE="en")
    assert result.returncode == 1
    assert "Line 1 could not be run: Start the line with who is speaking" in result.stdout


def test_refusals_are_answers_not_failures(tmp_path: Path) -> None:
    result = tandem(
        "console", tmp_path=tmp_path, stdin="@hr /tandem frobnicate\n", TANDEM_LOCALE="fr"
    )
    assert result.returncode == 0
    assert '"/tandem frobnicate" n\'est pas une commande que je connais' in result.stdout


def test_json_log_lines_carry_durations_but_never_what_people_typed(tmp_path: Path) -> None:
    secret_topic = "my-very-private-topic"
    stdin = f'@hr /tandem program new "Pilot"\n@hr I told you {secret_topic}\n'
    result = tandem(
        "console",
        tmp_path=tmp_path,
        stdin=stdin,
        TANDEM_LOG_FORMAT="json",
        TANDEM_LOG_LEVEL="INFO",
        SLACK_BOT_TOKEN="xoxb-not-a-real-token",
    )
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    handled = [line for line in lines if line["message"] == "event handled"]
    assert len(handled) == 2
    assert handled[0]["handler"] == "tandem program new" and handled[0]["duration_ms"] >= 0
    assert secret_topic not in result.stderr and "Pilot" not in result.stderr
    assert "xoxb" not in result.stderr


def test_db_upgrade_and_demo(tmp_path: Path) -> None:
    assert tandem("db", "upgrade", tmp_path=tmp_path).returncode == 0
    demo = tandem("demo", tmp_path=tmp_path, TANDEM_LOCALE="en")
    assert demo.returncode == 0, demo.stdout[-2000:]
    assert "The demo program is ready" in demo.stdout


def test_database_url_picks_the_async_driver() -> None:
    assert async_url("sqlite:///./tandem.db").drivername == "sqlite+aiosqlite"
    assert async_url("postgresql://u@localhost:5432/db").drivername == "postgresql+asyncpg"
    assert async_url("postgres://u@localhost/db").drivername == "postgresql+asyncpg"
    with pytest.raises(UnsupportedDatabaseError):
        async_url("mysql://u@localhost/db")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TANDEM_LOCALE=en\nTANDEM_ADMINS=U1, U2\n")
    settings = Settings()
    assert settings.tandem_locale == "en" and settings.tandem_admins == ["U1", "U2"]
    assert settings.tandem_timezone == "Europe/Paris"
    assert not settings.has_platform_credentials
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert Settings().has_platform_credentials
    assert "xoxb-1" not in repr(Settings())


def test_start_without_credentials_opens_the_console_on_sqlite(tmp_path: Path) -> None:
    result = tandem(
        "start", tmp_path=tmp_path, stdin='@hr /tandem program new "Pilot"\n', TANDEM_LOCALE="en"
    )
    assert result.returncode == 0, result.stderr
    assert '→ hr: The program "Pilot" is created' in result.stdout
    assert (tmp_path / "cli.db").exists()
