"""A regular install works, not only an editable one.

The wheel is built from this checkout and installed into a throwaway virtualenv outside the
source tree; the installed ``tandem`` then migrates a new SQLite file and runs a console script.
Prompts, migrations and demo scripts must therefore come from the installed package. The
third-party dependencies are borrowed from the test's own environment (a ``.pth`` line) so that
nothing is downloaded.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIP = [sys.executable, "-m", "pip"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [*PIP, "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = out.glob("tandem-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv holding the wheel; its dependencies are those of the running environment."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = subprocess.run(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # A plain path line: the running environment's .pth files (the editable install of this
    # checkout among them) are not processed, so `bot` can only come from the wheel.
    Path(target, "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [*PIP, "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return venv


def run(
    venv: Path, *args: str, cwd: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TANDEM_", "SLACK_", "MICROSOFT_", "PYTHON", "DATABASE_URL"))
    }
    environment.update(env)
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
    )


def test_the_wheel_carries_prompts_migrations_and_demo_scripts(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "bot/prompts/en/errors.j2",
        "bot/prompts/fr/errors.j2",
        "storage/migrations/env.py",
        "storage/migrations/script.py.mako",
        "storage/migrations/versions/0001_initial.py",
        "adapters/console/demo/seed_en.txt",
        "adapters/slack/manifest.yml",
        "adapters/teams/app/manifest.json",
    ):
        assert expected in names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_the_installed_command_migrates_and_runs_a_script(installed: Path, tmp_path: Path) -> None:
    where = run(installed, "python", "-c", "import bot; print(bot.__file__)", cwd=tmp_path)
    assert str(installed) in where.stdout, where.stdout + where.stderr

    database = tmp_path / "installed.db"
    upgrade = run(
        installed, "tandem", "db", "upgrade", cwd=tmp_path, DATABASE_URL=f"sqlite:///{database}"
    )
    assert upgrade.returncode == 0, upgrade.stderr
    with sqlite3.connect(database) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision

    script = '@hr /tandem program new "Pilot"\n@hr /tandem program list\n'
    console = run(
        installed,
        "tandem",
        "console",
        "--script",
        "-",
        cwd=tmp_path,
        stdin=script,
        DATABASE_URL=f"sqlite:///{tmp_path / 'console.db'}",
        TANDEM_LOCALE="en",
    )
    assert console.returncode == 0, console.stderr
    assert '→ hr: The program "Pilot" is created' in console.stdout
    assert "• Pilot — from" in console.stdout
