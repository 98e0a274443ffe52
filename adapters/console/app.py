"""Running the console: interactively in a terminal, or a script of lines with a transcript."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from adapters.console.port import Delivery
from adapters.console.render import render_delivery
from adapters.console.session import ConsoleLineError, ConsoleSession
from bot.settings import Settings


def printer(out: TextIO) -> Console:
    return Console(file=out, highlight=False, soft_wrap=True, markup=False, emoji=False)


def print_delivery(console: Console, delivery: Delivery) -> None:
    console.print(render_delivery(delivery))


async def run_script(session: ConsoleSession, lines: Iterable[str], console: Console) -> int:
    """Run every line, echoing it and what the bot said; 1 when any line could not be run."""
    failed = 0
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        console.print(line if line.lstrip().startswith("#") else f"» {line}")
        try:
            await session.run_line(line)
        except ConsoleLineError as error:
            failed += 1
            _print_failure(console, session, number, error)
            continue
        prompt = session.current_field_prompt(session.speaker or "")
        if prompt:
            console.print(f"    ▸ {prompt}")
    return 1 if failed else 0


async def run_interactive(session: ConsoleSession, console: Console) -> None:
    console.print(session.renderer.render(session.locale, "console.welcome"))
    while True:
        speaker = session.speaker or ""
        prompt = session.current_field_prompt(speaker)
        if prompt:
            console.print(f"    ▸ {prompt}")
        try:
            line = await asyncio.to_thread(console.input, f"{'@' + speaker if speaker else ''}› ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        try:
            await session.run_line(line)
        except ConsoleLineError as error:
            console.print(f"✗ {error}")


async def run_quietly(
    session: ConsoleSession, lines: list[str], console: Console, label: str
) -> int:
    """Run lines showing only a progress bar (gone once done) and the lines that failed; 1 when
    any did. What the bot said stays in the transcript, not on the screen."""
    failed = 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=len(lines))
        for number, line in enumerate(lines, 1):
            try:
                await session.run_line(line)
            except ConsoleLineError as error:
                failed += 1
                _print_failure(console, session, number, error)
            progress.advance(task)
    return 1 if failed else 0


async def open_console(
    settings: Settings, script: Path | None, start: datetime | None, seed_lines: list[str]
) -> int:
    """``tandem console`` and ``tandem demo``: seed (quietly), then a script, standard input or
    the terminal; the exit code says whether every line could be run."""
    from bot.main import build_console

    out = printer(sys.stdout)
    # The demo's seeding is not shown line by line: a progress bar, then a one-line summary.
    seeding = bool(seed_lines)

    def show(delivery: Delivery) -> None:
        if not seeding:
            print_delivery(out, delivery)

    runtime, session = await build_console(settings, start, show)
    try:
        if seed_lines:
            label = session.renderer.render(session.locale, "console.demo_seeding")
            code = await run_quietly(session, seed_lines, out, label)
            seeding = False
            if code:
                return code
            people = {d.recipient for d in session.transcript if d.kind not in ("channel", "clock")}
            out.print(
                session.renderer.render(session.locale, "console.demo_ready", people=len(people))
            )
        if script is not None:
            stream = sys.stdin if str(script) == "-" else script.open(encoding="utf-8")
            with stream:
                return await run_script(session, stream, out)
        if not sys.stdin.isatty():
            return await run_script(session, sys.stdin, out)
        await run_interactive(session, out)
        return 0
    finally:
        await runtime.close()


def _print_failure(
    console: Console, session: ConsoleSession, number: int, error: ConsoleLineError
) -> None:
    reason = str(error)
    text = session.renderer.render(
        session.locale, "console.script_failed", number=number, reason=reason
    )
    console.print("✗ " + text)
