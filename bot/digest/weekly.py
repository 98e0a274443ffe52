"""The weekly KPI digest for a program's owners: on Monday 09:00 in the program's zone, once per
ISO week (the outbox key says so, across restarts and replicas), and on demand."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.digest import activity, sections
from bot.digest.figures import DigestFigures, DigestPeriod
from bot.domain import OutboxMessage, Program
from bot.i18n import Renderer
from bot.leaving.digest import people_changes
from bot.lifecycle import is_running
from bot.messages import Message
from bot.ports import UnitOfWork
from bot.quiz.bank import with_topic_names
from bot.scheduling.cohort import Cohort
from bot.scheduling.settings import ScheduleSettings
from bot.scheduling.working_hours import WorkingHours

POST_AT = time(9, 0)
MONDAY = 0


def period_for(program: Program, now: datetime) -> DigestPeriod:
    """The seven local days before today, and the seven before those for the trend."""
    assert program.id is not None
    zone = ZoneInfo(program.timezone)
    today = now.astimezone(zone).date()
    start, end = today - timedelta(days=7), today

    def midnight(day: object) -> datetime:
        return datetime.combine(day, time(0), zone).astimezone(UTC)  # type: ignore[arg-type]

    return DigestPeriod(
        program_id=program.id,
        start=start,
        end=end,
        start_at=midnight(start),
        end_at=midnight(end),
        previous_start_at=midnight(start - timedelta(days=7)),
        now=now,
        quiet_since=now - ScheduleSettings.for_program(program).quiet_pair_after,
        quote_min_group=program.quote_min_group,
    )


async def compute(uow: UnitOfWork, program: Program, now: datetime) -> DigestFigures:
    return await figures_for(uow, period_for(program, now))


async def figures_for(uow: UnitOfWork, period: DigestPeriod) -> DigestFigures:
    """Every figure of a period: the weekly digest's week, or the program report's whole run."""
    figures = await uow.digest_figures(period)
    # Skill progress and the end evaluation are program-long figures, in their own queries.
    return dataclasses.replace(
        figures,
        outcomes=await uow.outcome_figures(period),
        quiz=with_topic_names(await uow.quiz_figures(period)),
        workshops=await uow.workshop_figures(period),
        reach=await uow.reach_counts(period.program_id, period.now),
    )


async def render(
    uow: UnitOfWork, renderer: Renderer, locale: str, program: Program, now: datetime
) -> Message:
    """This week's digest as sections (see ``bot.digest.sections``) with the weekly chart."""
    period = period_for(program, now)
    figures = await compute(uow, program, now)
    weeks = await uow.weekly_activity(activity.window(program, now))
    return sections.structured(
        renderer,
        locale,
        renderer.render(locale, "digest.weekly_title", program=program.name, period=period),
        chart=sections.activity_chart(renderer, locale, weeks),
        program=program.name,
        period=period,
        f=figures,
        changes=await people_changes(uow, period),
        report=False,
    )


def weekly_key(program: Program, now: datetime) -> str | None:
    """The outbox key of this week's digest when it is due now, else None.

    Due from Monday 09:00 in the program's zone, or the first working day after it when Monday
    is a public holiday or a declared day off (a week closed throughout has none); if no tick
    ran then (an outage), it is caught up later in the week, once, for programs that already
    existed on that Monday.
    """
    zone = ZoneInfo(program.timezone)
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday() - MONDAY)
    day = WorkingHours(days_off=ScheduleSettings.for_program(program).days_off).next_working_day(
        monday
    )
    due = datetime.combine(day, POST_AT, tzinfo=zone)
    if local < due or local.date() < program.starts_on or program.created_at > due:
        return None
    year, week, _ = local.isocalendar()
    return f"digest:{program.id}:{year}-W{week:02d}"


async def post_weekly_digests(cohort: Cohort) -> None:
    """A tick step: queue each program's digest to its owners' channel, once a week."""
    for program in cohort.programs.values():
        if not is_running(program, cohort.now):
            continue  # ended: its closing report sums it up (bot.lifecycle)
        with cohort.isolated(f"program:{program.id}"):
            key = weekly_key(program, cohort.now)
            if key is not None:
                await post_to_owners_channel(cohort, program, key, "weekly_digest", render)


async def post_to_owners_channel(
    cohort: Cohort,
    program: Program,
    key: str,
    purpose: str,
    render_for: Callable[[UnitOfWork, Renderer, str, Program, datetime], Awaitable[Message]],
) -> None:
    """Queue a message made by ``render_for`` to the program's owners' channel, unless there is
    no channel yet or the key was already used (a restart, another replica)."""
    channel = program.digest_channel
    if not channel or await cohort.uow.outbox_has_key(key):
        return
    locale = cohort.renderer.locale_for(program.locale, cohort.config.default_locale)
    message = await render_for(cohort.uow, cohort.renderer, locale, program, cohort.now)
    cohort.outbox.append(
        OutboxMessage(
            key=key,
            purpose=purpose,
            platform=str(channel.get("platform", "")),
            channel=dict(channel),
            payload=message.to_payload(),
            created_at=cohort.now,
            not_before=cohort.now,
        )
    )
