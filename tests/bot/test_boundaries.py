"""The engine stays free of platforms and of the ORM; only the wiring modules know them."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
FORBIDDEN = (
    "sqlalchemy",
    "alembic",
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "aiohttp",
    # Calendar SDKs and their HTTP client: the connectors live in adapters/calendar.
    "msal",
    "google",
    "requests",
    "storage",
    "adapters",
)
WIRING = {"main.py", "cli.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_modules_import_no_platform_sdk_and_no_orm() -> None:
    offenders = {}
    for path in BOT.rglob("*.py"):
        # The wiring may import our own storage and adapters, never a library behind them.
        forbidden = [n for n in FORBIDDEN if n not in ("storage", "adapters")]
        allowed = forbidden if path.name in WIRING else FORBIDDEN
        bad = {name for name in _imports(path) if name.split(".")[0] in allowed}
        if bad:
            offenders[str(path.relative_to(BOT))] = bad
    assert not offenders


def test_no_module_calls_the_system_clock_directly() -> None:
    for path in BOT.rglob("*.py"):
        if path.name == "clock.py":
            continue
        source = path.read_text(encoding="utf-8")
        assert "datetime.now(" not in source and "date.today(" not in source, path


def test_the_bot_framework_sdk_stays_inside_the_teams_adapter() -> None:
    """botbuilder is archived upstream: only adapters/teams/ may know it, so that its
    successor can replace it there without touching anything else."""
    root = BOT.parent
    teams = root / "adapters" / "teams"
    offenders = {}
    for folder in ("bot", "adapters", "storage"):
        for path in (root / folder).rglob("*.py"):
            if teams in path.parents:
                continue
            bad = {
                name
                for name in _imports(path)
                if name.split(".")[0] in ("botbuilder", "botframework")
            }
            if bad:
                offenders[str(path.relative_to(root))] = bad
    assert not offenders
