"""The program report: the digest's figures since the program started, as a structured message
(``/tandem report``, for owners) or as one self-contained HTML page (``tandem report --html``,
the dashboard's download) that owners can share: the chart is inlined as a PNG data URI, nothing
is fetched from outside. The page adds what a chat message cannot hold: one row per pair, the
timeline of every week since the start, and how far the pairs are from their charters' target.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.dashboard.model import PairRow
from bot.digest import activity, sections, weekly
from bot.digest.activity import WeekActivity
from bot.digest.chart import render_png
from bot.digest.figures import DigestPeriod
from bot.domain import Program
from bot.errors import UserError
from bot.i18n import Renderer
from bot.leaving.digest import people_changes
from bot.messages import Message
from bot.ports import UnitOfWork, UnitOfWorkFactory

# More quotes than a week's three: a report covers the whole program.
REPORT_QUOTES = 5
PAGE = "report_page"
# The printable report's timeline covers the whole program, however long (ten years at most).
SPAN_WEEKS = 520


@dataclass(frozen=True)
class Completion:
    """How far the pairs are from what their charters agreed."""

    pairs: int
    # Pairs that held at least their charter's number of sessions (those with a target).
    at_target: int
    with_target: int
    # Pairs that have not logged any session yet.
    without_session: int
    charters_confirmed: int
    sessions: int
    sessions_target: int

    @property
    def percent(self) -> int | None:
        """Sessions held against the charters' total, capped at each pair's target."""
        return round(100 * self.sessions / self.sessions_target) if self.sessions_target else None

    @classmethod
    def of(cls, rows: Sequence[PairRow]) -> Completion:
        targeted = [row for row in rows if row.target]
        return cls(
            pairs=len(rows),
            at_target=sum(1 for row in targeted if row.sessions >= row.target),
            with_target=len(targeted),
            without_session=sum(1 for row in rows if not row.sessions),
            charters_confirmed=sum(1 for row in rows if row.charter_status == "confirmed"),
            sessions=sum(min(row.sessions, row.target) for row in targeted),
            sessions_target=sum(row.target for row in targeted),
        )


@dataclass(frozen=True)
class Details:
    """What the printable page shows beyond the chat report."""

    pairs: tuple[PairRow, ...]
    weeks: tuple[WeekActivity, ...]
    completion: Completion


def period_for(program: Program, now: datetime) -> DigestPeriod:
    """From the program's first day to today included, in the program's zone."""
    assert program.id is not None
    zone = ZoneInfo(program.timezone)
    today = now.astimezone(zone).date()
    start, end = min(program.starts_on, today), today + timedelta(days=1)

    def midnight(day: object) -> datetime:
        return datetime.combine(day, time(0), zone).astimezone(UTC)  # type: ignore[arg-type]

    week = weekly.period_for(program, now)
    return dataclasses.replace(
        week,
        start=start,
        end=end,
        start_at=midnight(start),
        end_at=midnight(end),
        # No period before the program to compare with.
        previous_start_at=midnight(start),
        quote_limit=REPORT_QUOTES,
        # Pairs needing attention are a matter of the last weeks, as in the digest, not of
        # every check-in ever missed.
        risk_since=week.previous_start_at,
    )


async def render(
    uow: UnitOfWork,
    renderer: Renderer,
    locale: str,
    program: Program,
    now: datetime,
    weeks: tuple[WeekActivity, ...] | None = None,
) -> Message:
    """The report; its chart shows ``weeks`` when given, else the last twelve."""
    period = period_for(program, now)
    figures = await weekly.figures_for(uow, period)
    if weeks is None:
        weeks = await uow.weekly_activity(activity.window(program, now))
    return sections.structured(
        renderer,
        locale,
        renderer.render(locale, "digest.report_title", program=program.name, period=period),
        chart=sections.activity_chart(renderer, locale, weeks),
        program=program.name,
        period=period,
        f=figures,
        changes=await people_changes(uow, period),
        report=True,
    )


async def build(
    uow_factory: UnitOfWorkFactory,
    renderer: Renderer,
    program_name: str,
    now: datetime,
    locale: str | None = None,
) -> tuple[Message, str]:
    """The report of the program of that name, and the locale it is in (the one asked for,
    else the program's, else the default)."""
    async with uow_factory() as uow:
        program, chosen = await _program_named(uow, renderer, program_name, locale)
        return await render(uow, renderer, chosen, program, now), chosen


def html_page(
    renderer: Renderer,
    locale: str,
    message: Message,
    generated_at: datetime,
    details: Details | None = None,
    timezone: str = "UTC",
) -> str:
    """The report as one HTML page with everything inside it (escaped by the template)."""
    chart_uri = ""
    if message.chart is not None:
        png = base64.b64encode(render_png(message.chart)).decode("ascii")
        chart_uri = f"data:image/png;base64,{png}"
    return renderer.page(
        locale,
        PAGE,
        report=message,
        chart_uri=chart_uri,
        generated_at=generated_at,
        details=details,
        timezone=timezone,
    )


async def printable(
    uow: UnitOfWork, renderer: Renderer, locale: str, program: Program, now: datetime
) -> str:
    """The whole printable page: the report, its chart and timeline over every week since the
    start, one row per pair (figures only: nothing the pairs wrote) and the completion."""
    assert program.id is not None
    weeks = await uow.weekly_activity(activity.window(program, now, SPAN_WEEKS))
    message = await render(uow, renderer, locale, program, now, weeks)
    rows = tuple(await uow.dashboard_pair_rows(program.id, now))
    details = Details(rows, weeks, Completion.of(rows))
    # Drawing the chart takes matplotlib a good part of a second: not on the server's loop.
    return await asyncio.to_thread(
        html_page, renderer, locale, message, now, details, program.timezone
    )


async def build_page(
    uow_factory: UnitOfWorkFactory,
    renderer: Renderer,
    program_name: str,
    now: datetime,
    locale: str | None = None,
) -> tuple[str, str]:
    """The printable page of the program of that name, and its locale (see ``build``)."""
    async with uow_factory() as uow:
        program, chosen = await _program_named(uow, renderer, program_name, locale)
        return await printable(uow, renderer, chosen, program, now), chosen


async def _program_named(
    uow: UnitOfWork, renderer: Renderer, program_name: str, locale: str | None
) -> tuple[Program, str]:
    """The program of that name, and the report's locale: the one asked for, else the
    program's, else the default."""
    programs = await uow.programs_named(program_name)
    if not programs:
        raise UserError("errors.unknown_program", name=program_name, programs=[])
    program = programs[0]
    return program, renderer.locale_for(locale, program.locale)
