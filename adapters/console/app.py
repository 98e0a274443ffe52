"""Running the console: interactively in a terminal, or a script of lines with a transcript."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from adapters.console.port import Delivery
from adapters.console.render import render_delivery
from adapters.console.session import ConsoleLineError, ConsoleSession


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
            console.print(
                "✗ "
                + session.renderer.render(
                    session.locale, "console.script_failed", number=number, reason=str(error)
                )
            )
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
                console.print(
                    "✗ "
                    + session.renderer.render(
                        session.locale, "console.script_failed", number=number, reason=str(error)
                    )
                )
            progress.advance(task)
    return 1 if failed else 0
