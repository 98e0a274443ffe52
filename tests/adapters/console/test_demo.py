"""``tandem demo``: a quiet seeding and data that agrees with itself."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.console.session import ConsoleSession
from bot.clock import VirtualClock
from bot.resources import shipped_dir
from bot.scheduling.assessments import program_end
from bot.scheduling.working_hours import WorkingHours
from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory

# The demo opens at the next working moment in Paris, as `tandem demo` does: from a Wednesday
# afternoon, a Saturday, and a Friday evening past working hours.
MOMENTS = (
    datetime(2026, 11, 18, 14, 0, tzinfo=UTC),
    datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
    datetime(2026, 11, 20, 22, 45, tzinfo=UTC),
)


async def seed(console: ConsoleSession, locale: str) -> None:
    path = shipped_dir("adapters.console", "demo") / f"seed_{locale}.txt"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            await console.run_line(line)
        except Exception as error:
            raise AssertionError(f"seed_{locale}.txt:{number}: {line!r}: {error}") from error


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("moment", MOMENTS, ids=["wednesday", "saturday", "friday_night"])
async def test_every_seeded_session_is_within_its_program_and_after_its_pair(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, locale: str, moment: datetime
) -> None:
    opening = WorkingHours().next_working_moment(moment, ZoneInfo("Europe/Paris"))
    console = make_console(locale, clock=VirtualClock(opening))
    await seed(console, locale)
    checked = 0
    async with uow_factory() as uow:
        for program in await uow.open_programs():
            assert program.id is not None
            first, last = program.starts_on, program_end(program)
            for pair in await uow.pairs_in_program(program.id):
                assert pair.id is not None
                for log in await uow.session_logs(pair.id):
                    assert first <= log.held_on <= last, (log.held_on, first, last)
                    assert log.held_on >= pair.created_at.astimezone(UTC).date()
                    assert log.created_at >= pair.created_at
                    checked += 1
    assert checked == 3


def test_the_demo_seeds_quietly_then_says_it_is_ready(tmp_path: Path) -> None:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_", "MICROSOFT_"))
    }
    environment["TANDEM_LOCALE"] = "en"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        input="@lea /tandem status\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    printed = [line for line in result.stdout.splitlines() if line.strip()]
    assert printed[0].startswith("The demo program is ready, with 4 people")
    # Then only what the line typed afterwards made the bot say.
    assert printed[1] == "» @lea /tandem status"
    assert "Your tandem" in printed[2]
    assert "invites you" not in result.stdout and "Question 2/7" not in result.stdout
