"""``tandem roster import FILE --program NAME [--yes] [--absent-left]``: the same dry run and
confirmation as in chat, from the server's terminal, in the name of the program's first
owner."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import Settings

roster_app = typer.Typer(no_args_is_help=True, help="Rosters: invite the people HR lists.")


@roster_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A CSV or Excel (.xlsx) roster.")],
    program: Annotated[str, typer.Option("--program", "-p", help="The program's name.")],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Send the invitations without asking.")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Where to write the per-line report (CSV)."),
    ] = None,
    absent_left: Annotated[
        bool,
        typer.Option(
            "--absent-left",
            help="The roster is complete: people of an earlier roster it no longer lists have"
            " left the company (their pairs end, their partners are offered a new match).",
        ),
    ] = False,
) -> None:
    """Check a roster line by line (a dry run), then, with --yes or your answer, invite every
    person it lists in one go. Nobody is enrolled without saying yes to the invitation."""
    from bot.cli import _settings

    raise typer.Exit(
        asyncio.run(_import(_settings(quiet=True), file, program, yes, report, absent_left))
    )


async def _import(
    settings: Settings,
    file: Path,
    program_name: str,
    yes: bool,
    report: Path | None,
    absent_left: bool = False,
) -> int:
    from bot.domain import Person
    from bot.errors import UserError
    from bot.leaving.departure import leave_company
    from bot.main import build_runtime, is_sqlite
    from bot.roster.confirm import NOT_ON_ROSTER, confirm_import
    from bot.roster.plan import dry_run
    from bot.roster.reading import read_path
    from bot.roster.report import report_csv

    locale = settings.tandem_locale
    runtime = await build_runtime(settings, migrate=is_sqlite(settings))
    renderer, clock, config = runtime.renderer, runtime.clock, runtime.engine.config
    try:
        async with runtime.uow_factory() as uow:
            programs = [p for p in await uow.programs_named(program_name) if not p.closed]
            if not programs:
                open_names = [p.name for p in await uow.open_programs()]
                raise UserError("errors.unknown_program", name=program_name, programs=open_names)
            target = programs[0]
            assert target.id is not None
            owners = await uow.owners_of(target.id)
            if not owners:
                raise UserError("roster.cli_no_owner", program=target.name)
            owner = owners[0]
            plan = await dry_run(
                uow,
                runtime.engine.directories.get(owner.platform),
                target,
                (owner.platform, owner.workspace),
                file.name,
                read_path(file),
                owner.id,
                clock.now(),
            )
            await uow.commit()
        summary = renderer.render(
            locale,
            "roster.dry_run",
            program=target.name,
            total=len(plan.lines),
            counts=plan.counts,
            warnings=plan.warnings,
            problems=plan.problems[:15],
            more=max(0, len(plan.problems) - 15),
            absent=list(plan.absent),
        )
        typer.echo(summary)
        target_report = report or file.with_name(f"{file.stem}-report.csv")
        target_report.write_text(report_csv(renderer, locale, plan), encoding="utf-8")
        typer.echo(renderer.render(locale, "roster.cli_report_written", path=str(target_report)))
        leaving = absent_left and bool(plan.absent)
        if plan.absent and not absent_left:
            typer.echo(renderer.render(locale, "roster.cli_absent_hint", left=len(plan.absent)))
        if not plan.to_invite and not leaving:
            return 0
        if not yes:
            question = renderer.render(
                locale,
                "roster.cli_confirm",
                count=plan.to_invite,
                left=len(plan.absent) if leaving else 0,
            )
            if not sys.stdin.isatty() or not typer.confirm(question, default=False):
                typer.echo(renderer.render(locale, "roster.cli_run_with_yes"))
                return 0
        assert plan.import_id is not None
        async with runtime.uow_factory() as uow:
            kept = await uow.roster_import(plan.import_id)
            assert kept is not None

            async def leave(person: Person) -> None:
                await leave_company(uow, clock, renderer, config, person, NOT_ON_ROSTER)

            done = await confirm_import(
                uow,
                renderer,
                kept,
                owner,
                settings.tandem_timezone,
                clock.now(),
                leave if leaving else None,
            )
            await uow.commit()
        typer.echo(
            renderer.render(
                locale,
                "roster.confirmed",
                program=done.program.name,
                invited=done.invited,
                unchanged=done.unchanged,
                left=done.left,
            )
        )
        return 0
    except UserError as error:
        typer.echo(renderer.render(locale, error.message_id, **error.variables), err=True)
        return 1
    finally:
        await runtime.close()
