"""``tandem guides import FILE --program NAME``: owners' own session guides, from the server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import Settings

guides_app = typer.Typer(no_args_is_help=True, help="Session guides: import a program's own.")


@guides_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A YAML or CSV file of guides.")],
    program: Annotated[str, typer.Option("--program", "-p", help="The program's name.")],
) -> None:
    """Import a program's own guides (shown before the default ones); nothing is stored unless
    every line is right. A new import replaces the guides imported before for that program."""
    from bot.cli import _settings

    raise typer.Exit(asyncio.run(_import(_settings(quiet=True), file, program)))


async def _import(settings: Settings, file: Path, program: str) -> int:
    from bot.errors import UserError
    from bot.guides.importer import GuideImportError, import_guides
    from bot.main import build_runtime, is_sqlite

    locale = settings.tandem_locale
    runtime = await build_runtime(settings, migrate=is_sqlite(settings))
    renderer = runtime.renderer
    try:
        result = await import_guides(runtime.uow_factory, program, file, runtime.clock.now())
    except UserError as error:
        typer.echo(renderer.render(locale, error.message_id, **error.variables))
        return 1
    except GuideImportError as failure:
        typer.echo(
            renderer.render(locale, "guides.import_failed", errors=failure.errors, path=str(file))
        )
        for line_error in failure.errors:
            typer.echo(
                renderer.render(
                    locale,
                    "guides.import_error",
                    line=line_error.line,
                    kind=line_error.kind,
                    value=line_error.value,
                    maximum=line_error.maximum,
                    topics=list(line_error.topics),
                )
            )
        return 1
    finally:
        await runtime.close()
    typer.echo(
        renderer.render(
            locale,
            "guides.import_done",
            count=result.imported,
            program=result.program,
            replaced=result.replaced,
        )
    )
    return 0
