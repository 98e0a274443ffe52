"""Where the weekly digest's and the program report's time goes, statement by statement.

Renders both (as bench/scale.py does) on a company kept by ``bench/scale.py --keep`` and prints
each statement's wall time and, on PostgreSQL, the CPU time its server process spent on it (read
from /proc, so the server must run on this machine). On a shared machine the CPU time is the
figure to compare: wall time grows with the load, CPU time much less. ``--serial`` turns off
parallel query so that all of a statement's work is in that one process.

    .venv/bin/python bench/digest_profile.py [URL] [--serial] [--top 8]

URL defaults to the kept 100,000-people company, postgresql://postgres@127.0.0.1:5432/tandem_scale_100000.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench import scale_seed  # noqa: E402
from bot.digest import report, weekly  # noqa: E402
from bot.domain import Program  # noqa: E402
from bot.i18n import Renderer  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.unit_of_work import SqlUnitOfWorkFactory  # noqa: E402


def _cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def profile(url: str, serial: bool, top: int) -> None:
    settings = {"max_parallel_workers_per_gather": "0"} if serial else {}
    postgres = url.startswith("postgresql")
    kwargs: dict[str, Any] = {"connect_args": {"server_settings": settings}} if postgres else {}
    engine = create_engine(url, **kwargs)
    statements: list[tuple[float, float, str]] = []
    server: list[int] = []
    started: list[tuple[float, float]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def before(*_: Any) -> None:
        started.append((time.perf_counter(), _cpu_seconds(server[0] if server else None)))

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        wall, cpu = started.pop()
        statements.append(
            (
                time.perf_counter() - wall,
                _cpu_seconds(server[0] if server else None) - cpu,
                " ".join(statement.split()),
            )
        )

    factory = SqlUnitOfWorkFactory(engine)
    renderer = Renderer(default_locale="en")
    try:
        for name, module in (("weekly digest", weekly), ("program report", report)):
            # The second run is the one shown: the first warms the caches.
            for _ in range(2):
                statements.clear()
                begun = time.perf_counter()
                async with factory() as uow:
                    if postgres:
                        server[:] = [await uow.session.scalar(sa.text("SELECT pg_backend_pid()"))]
                    cpu = _cpu_seconds(server[0] if server else None)
                    program = await uow.program(scale_seed.PROGRAM_ID)
                    assert isinstance(program, Program)
                    await module.render(uow, renderer, "en", program, scale_seed.IDLE_AT)
                    cpu = _cpu_seconds(server[0] if server else None) - cpu
                total = time.perf_counter() - begun
            sql = sum(wall for wall, _, _ in statements)
            print(
                f"== {name}: {total * 1000:.0f} ms, of which {sql * 1000:.0f} ms in "
                f"{len(statements)} statements; server CPU {cpu * 1000:.0f} ms; "
                f"load {os.getloadavg()[0]:.1f}"
            )
            for wall, spent, text in sorted(statements, key=lambda s: -s[0])[:top]:
                print(f"{wall * 1000:8.0f} ms wall {spent * 1000:6.0f} ms CPU  {text[:110]}")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/tandem_scale_100000"
    )
    parser.add_argument("--serial", action="store_true", help="no parallel query")
    parser.add_argument("--top", type=int, default=8, help="statements shown")
    arguments = parser.parse_args()
    asyncio.run(profile(arguments.url, arguments.serial, arguments.top))


if __name__ == "__main__":
    main()
