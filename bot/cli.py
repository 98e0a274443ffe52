"""The ``tandem`` command: start, serve, console, demo, db upgrade, teams package."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from adapters.slack.cli import refuse_unsafe_slack, slack_app
from bot.guides.cli import guides_app
from bot.logs import configure_logging
from bot.resources import shipped_dir
from bot.roster.cli import roster_app
from bot.settings import Settings, terminal_locale

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Tandem, the reverse-mentoring bot."
)
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
app.add_typer(db_app, name="db")
teams_app = typer.Typer(no_args_is_help=True, help="Microsoft Teams: the app package.")
app.add_typer(teams_app, name="teams")
app.add_typer(slack_app, name="slack")
quiz_app = typer.Typer(no_args_is_help=True, help="Quizzes: the programs' own questions.")
app.add_typer(quiz_app, name="quiz")
app.add_typer(guides_app, name="guides")
app.add_typer(roster_app, name="roster")
logger = logging.getLogger("tandem")

DEMO_DATABASE = "./tandem-demo.db"


def _settings(quiet: bool = False) -> Settings:
    settings = Settings()
    level = settings.tandem_log_level
    if quiet and "TANDEM_LOG_LEVEL" not in os.environ:
        # In the terminal the transcript is the interface; routine log lines would drown it.
        level = "WARNING"
    configure_logging(settings.tandem_log_format, level)
    # Every command that may build the runtime refuses an unsafe Slack OAuth setup first.
    refuse_unsafe_slack(settings)
    return settings


def _in_terminal(settings: Settings) -> Settings:
    """Settings for what runs in a terminal: it speaks the terminal's language by default."""
    settings.tandem_locale = "en" if terminal_locale(settings, os.environ) == "en" else "fr"
    return settings


def _parse_start(start: str | None) -> datetime | None:
    if start is None:
        return None
    moment = datetime.fromisoformat(start)
    if moment.tzinfo is None:
        raise typer.BadParameter(
            "give a UTC offset, e.g. 2026-11-02T09:00+01:00", param_hint="--start"
        )
    return moment


@app.command()
def start() -> None:
    """Run what is configured: the web server with platform credentials, else the console."""
    settings = Settings()
    if settings.has_platform_credentials:
        _serve(_settings())
    elif _nothing_to_read():
        # A container started without a terminal: the console would read nothing and exit 0, in
        # a loop under a restart policy. Serving instead would open an unauthenticated endpoint.
        from bot.i18n import Renderer

        settings = _settings(quiet=True)
        locale = settings.tandem_locale
        logger.error(Renderer(default_locale=locale).render(locale, "console.nothing_to_run"))
        raise typer.Exit(2)
    else:
        _console(_in_terminal(_settings(quiet=True)), script=None, start=None)


def _nothing_to_read() -> bool:
    """Standard input is closed or /dev/null: no terminal and no script (``docker run -d``)."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (AttributeError, ValueError, OSError):
        return True
    return stat.S_ISCHR(mode) and not sys.stdin.isatty()


@app.command()
def serve() -> None:
    """Always run the web server (health check, platform endpoints, delivery loop)."""
    _serve(_settings())


@app.command()
def console(
    script: Annotated[
        Path | None,
        typer.Option("--script", "-s", help="Run the lines of FILE ('-' for standard input)."),
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="Start the virtual clock at this ISO time (with offset).")
    ] = None,
) -> None:
    """The whole engine in the terminal, on the configured database (SQLite by default)."""
    _console(_in_terminal(_settings(quiet=True)), script=script, start=_parse_start(start))


@app.command()
def demo() -> None:
    """Seed a demo program with a handful of people, then open the console."""
    settings = _in_terminal(_settings(quiet=True))
    if "DATABASE_URL" not in os.environ:
        # A demo starts from a clean slate of its own and never touches the real database.
        Path(DEMO_DATABASE).unlink(missing_ok=True)
        settings.database_url = f"sqlite:///{DEMO_DATABASE}"
    seed = shipped_dir("adapters.console", "demo") / f"seed_{settings.tandem_locale}.txt"
    _console(settings, script=None, start=None, seed=seed)


@app.command()
def match(
    program: Annotated[str, typer.Option("--program", "-p", help="The program's name.")],
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the proposal to this CSV file.")
    ] = None,
) -> None:
    """Show a program's matching proposal as a table (a dry run: nobody is told anything)."""
    raise typer.Exit(asyncio.run(_match(_settings(quiet=True), program, csv)))


@app.command()
def deliver(
    until_empty: Annotated[
        bool, typer.Option("--until-empty", help="Stop once nothing is left to send.")
    ] = False,
) -> None:
    """Run only the outbox deliverer (a worker replica; several may run side by side).

    SIGTERM or SIGINT stops it cleanly: the messages being sent finish, their outcomes are
    recorded, the rest of what it claimed is handed back at once, and it exits 0.
    """
    import signal

    from bot.main import build_runtime

    settings = _settings()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        runtime = await build_runtime(settings, migrate=False)
        try:
            await runtime.deliver_forever(stop_when_empty=until_empty, stop=stop)
        finally:
            await runtime.close()
        if stop.is_set():
            logger.info("deliverer stopped")

    asyncio.run(main())


@app.command()
def simulate(
    participants: Annotated[int, typer.Option(min=2, help="How many people (half mentors).")] = 20,
    weeks: Annotated[int, typer.Option(min=1, help="How many weeks to live through.")] = 12,
    seed: Annotated[int, typer.Option(help="The same seed gives the same story.")] = 1,
) -> None:
    """Run a whole program on the virtual clock with simulated participants; print each week."""
    import tempfile

    from adapters.console.simulation_run import simulate_and_print

    settings = _in_terminal(_settings(quiet=True))
    with tempfile.TemporaryDirectory() as folder:
        settings.database_url = f"sqlite:///{Path(folder) / 'tandem-simulated.db'}"
        asyncio.run(simulate_and_print(settings, participants, weeks, seed))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the database migrations (PostgreSQL deployments run this before starting)."""
    from storage.migrate import upgrade

    settings = _settings()
    asyncio.run(upgrade(settings.database_url, revision))
    logger.info("database upgraded", extra={"revision": revision})


@teams_app.command("package")
def teams_package(
    app_id: Annotated[
        str | None,
        typer.Option(
            "--app-id", help="The bot's Microsoft App ID (a GUID); default MICROSOFT_APP_ID."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The zip to write; default tandem-teams-VERSION.zip."),
    ] = None,
    version: Annotated[
        str | None,
        typer.Option(help="The app version (1.2.3); raise it to update an uploaded app."),
    ] = None,
) -> None:
    """Build the Teams app package (manifest, icons, French strings) to upload to Teams."""
    from adapters.teams.package import build_package, package_version
    from bot.errors import UserError
    from bot.i18n import Renderer

    settings = _settings(quiet=True)
    locale = settings.tandem_locale
    renderer = Renderer(default_locale=locale)
    app_id = app_id or settings.microsoft_app_id
    version = version or package_version()
    try:
        path = build_package(app_id, output=output, version=version)
    except UserError as error:
        typer.echo(renderer.render(locale, error.message_id, **error.variables), err=True)
        raise typer.Exit(1) from None
    assert app_id is not None
    written = renderer.render(
        locale, "teams.package_written", path=path, app_id=app_id.strip(), version=version
    )
    typer.echo(written)


def _console(
    settings: Settings, *, script: Path | None, start: datetime | None, seed: Path | None = None
) -> None:
    from adapters.console.app import open_console

    seed_lines = seed.read_text(encoding="utf-8").splitlines() if seed is not None else []
    raise typer.Exit(asyncio.run(open_console(settings, script, start, seed_lines)))


async def _match(settings: Settings, program: str, csv: Path | None) -> int:
    from adapters.console.app import printer
    from bot.errors import UserError
    from bot.main import build_runtime, is_sqlite
    from bot.matching.report import load_report, print_report, write_csv

    out = printer(sys.stdout)
    out.width = max(out.width, 160)
    runtime = await build_runtime(settings, migrate=is_sqlite(settings))
    renderer = runtime.renderer
    try:
        report = await load_report(runtime.uow_factory, renderer, program, runtime.clock.now())
    except UserError as error:
        out.print(renderer.render(settings.tandem_locale, error.message_id, **error.variables))
        return 1
    finally:
        await runtime.close()
    print_report(report, out)
    if csv is not None:
        rows = write_csv(report, csv)
        out.print(renderer.render(report.locale, "matching.cli_csv_written", path=csv, rows=rows))
    return 0


def _serve(settings: Settings) -> None:
    from adapters.web import run_server

    # Not asyncio.run: once the server has stopped, its clean-up would wait without bound for
    # any task still running and for any driver thread still inside a call (a SQLite write
    # waiting on busy_timeout), which kept a stopped process alive for 30 s.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    code = 0
    try:
        loop.run_until_complete(run_server(settings))
    except Exception:
        logger.exception("the server failed")
        code = 1
    # Everything is written, handed back and closed: leave now, as the stop promised. A
    # database connection that a turn cut off at the stop's deadline may still hold its driver's
    # thread (aiosqlite's are not daemons), which would keep the process alive for ever.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@app.command()
def export(
    program: Annotated[str, typer.Option("--program", "-p", help="The program's name.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv (a folder of CSV files) or json.")
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder (csv) or file (json); a default is chosen."),
    ] = None,
) -> None:
    """Export a program for HR: sessions, participation, KPIs (free text as privacy allows)."""
    if fmt not in ("csv", "json"):
        raise typer.BadParameter("csv or json", param_hint="--format")
    raise typer.Exit(asyncio.run(_export(_settings(quiet=True), program, fmt, output)))


async def _export(settings: Settings, program: str, fmt: str, output: Path | None) -> int:
    from bot.digest import export as reports
    from bot.errors import UserError
    from bot.main import build_runtime, is_sqlite

    runtime = await build_runtime(settings, migrate=is_sqlite(settings))
    renderer, locale = runtime.renderer, settings.tandem_locale
    try:
        report = await reports.build(runtime.uow_factory, program, runtime.clock.now())
    except UserError as error:
        typer.echo(renderer.render(locale, error.message_id, **error.variables))
        return 1
    finally:
        await runtime.close()
    slug = "".join(ch if ch.isalnum() else "-" for ch in program.lower()).strip("-") or "program"
    if fmt == "json":
        target = output or Path(f"export-{slug}.json")
        target.write_text(reports.to_json(report), encoding="utf-8")
        written = [target]
    else:
        written = reports.write_csv(report, output or Path(f"export-{slug}"))
    typer.echo(renderer.render(locale, "digest.export_written", paths=[str(p) for p in written]))
    return 0


@app.command()
def report(
    program: Annotated[str, typer.Option("--program", "-p", help="The program's name.")],
    html: Annotated[Path, typer.Option("--html", help="The HTML file to write.")],
    locale: Annotated[
        str | None, typer.Option("--locale", help="fr or en (default: the program's language).")
    ] = None,
) -> None:
    """Write the program report (figures since the start, with the chart) as one HTML page."""
    raise typer.Exit(asyncio.run(_report(_settings(quiet=True), program, html, locale)))


async def _report(settings: Settings, program: str, html: Path, locale: str | None) -> int:
    from bot.digest import report as reports
    from bot.errors import UserError
    from bot.main import build_runtime, is_sqlite

    runtime = await build_runtime(settings, migrate=is_sqlite(settings))
    renderer, now = runtime.renderer, runtime.clock.now()
    try:
        page, chosen = await reports.build_page(
            runtime.uow_factory, renderer, program, now, locale or None
        )
    except UserError as error:
        typer.echo(renderer.render(settings.tandem_locale, error.message_id, **error.variables))
        return 1
    finally:
        await runtime.close()
    await asyncio.to_thread(html.write_text, page, encoding="utf-8")
    typer.echo(renderer.render(chosen, "digest.report_written", path=str(html)))
    return 0


@quiz_app.command("import")
def quiz_import(
    file: Annotated[Path, typer.Argument(help="A .yaml or .csv file of questions.")],
    program: Annotated[str, typer.Option("--program", "-p", help="The program's name.")],
) -> None:
    """Import a program's own quiz questions (asked before the default ones); all or nothing."""
    raise typer.Exit(asyncio.run(_quiz_import(_settings(quiet=True), file, program)))


async def _quiz_import(settings: Settings, file: Path, program: str) -> int:
    from bot.errors import UserError
    from bot.main import build_runtime, is_sqlite
    from bot.quiz.importing import import_questions

    runtime = await build_runtime(settings, migrate=is_sqlite(settings))
    renderer, locale = runtime.renderer, settings.tandem_locale
    try:
        result = await import_questions(runtime.uow_factory, renderer, locale, file, program)
    except UserError as error:
        typer.echo(renderer.render(locale, error.message_id, **error.variables))
        return 1
    finally:
        await runtime.close()
    for line in result.lines:
        typer.echo(line)
    return 0 if result.ok else 1
