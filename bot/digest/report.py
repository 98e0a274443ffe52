"""The program report: the digest's figures since the program started, as a structured message
(``/tandem report``, for owners) or as one self-contained HTML page (``tandem report --html``)
that owners can share: the chart is inlined as a PNG data URI, nothing is fetched from outside.
"""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.digest import activity, sections, weekly
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
    uow: UnitOfWork, renderer: Renderer, locale: str, program: Program, now: datetime
) -> Message:
    period = period_for(program, now)
    figures = await weekly.figures_for(uow, period)
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
        programs = await uow.programs_named(program_name)
        if not programs:
            raise UserError("errors.unknown_program", name=program_name, programs=[])
        program = programs[0]
        chosen = renderer.locale_for(locale, program.locale)
        return await render(uow, renderer, chosen, program, now), chosen


def html_page(renderer: Renderer, locale: str, message: Message, generated_at: datetime) -> str:
    """The report as one HTML page with everything inside it (escaped by the template)."""
    chart_uri = ""
    if message.chart is not None:
        png = base64.b64encode(render_png(message.chart)).decode("ascii")
        chart_uri = f"data:image/png;base64,{png}"
    return renderer.page(
        locale, PAGE, report=message, chart_uri=chart_uri, generated_at=generated_at
    )
