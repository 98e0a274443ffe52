"""What each dashboard page shows, for one owner and one of their programs.

Every figure comes from the queries the weekly digest and the program report use
(``bot.digest``): the overview is the report's period, the "needs attention" list and each
pair's flags are the digest's ``at_risk_pairs`` over every pair. A program the viewer does not
own is answered as not found, whatever its id.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from datetime import datetime

from bot import lifecycle
from bot.clock import Clock
from bot.dashboard.model import (
    Outcomes,
    Overview,
    PairDetail,
    PairRow,
    People,
    ProgramClock,
    ProgramSummary,
)
from bot.digest import activity, export, report
from bot.digest.export import ProgramExport
from bot.digest.figures import AtRiskPair, DigestPeriod
from bot.domain import Program
from bot.i18n import Renderer
from bot.leaving.reach import reason_of
from bot.ports import UnitOfWork, UnitOfWorkFactory

# The digest shows its first ten pairs needing attention; the overview twenty, the pairs page
# every one.
OVERVIEW_ATTENTION = 20
ALL_PAIRS = 1_000_000
# The charts cover the whole program, however long (ten years at most).
SPAN_WEEKS = 520


class NotFound(Exception):
    """No such program or pair for this owner (another owner's looks the same as none)."""


def program_clock(program: Program, now: datetime) -> ProgramClock:
    today = lifecycle.local_today(program, now)
    days = (min(today, program.ends_on or today) - program.starts_on).days
    weeks = None
    if program.ends_on is not None:
        weeks = max(1, math.ceil(((program.ends_on - program.starts_on).days + 1) / 7))
    week = max(0, days) // 7 + 1 if today >= program.starts_on else 0
    return ProgramClock(
        week=min(week, weeks) if weeks else week,
        weeks=weeks,
        starts_on=program.starts_on,
        ends_on=program.ends_on,
        phase=lifecycle.phase(program, now).value,
    )


async def _attention(uow: UnitOfWork, period: DigestPeriod) -> tuple[AtRiskPair, ...]:
    _, pairs = await uow.at_risk_pairs(dataclasses.replace(period, risk_limit=ALL_PAIRS))
    return pairs


class Dashboard:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def programs(self, person_id: int) -> list[ProgramSummary]:
        """The programs this person owns, newest first."""
        async with self._uow_factory() as uow:
            return [ProgramSummary.of(p) for p in await uow.programs_owned_by(person_id)]

    async def _owned(self, uow: UnitOfWork, person_id: int, program_id: int) -> Program:
        program = await uow.program(program_id)
        if program is None or not await uow.is_owner(program_id, person_id):
            raise NotFound
        return program

    async def overview(self, person_id: int, program_id: int) -> Overview:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            program = await self._owned(uow, person_id, program_id)
            period = report.period_for(program, now)
            # The report's figures (the page shows no outcome, quiz, workshop or topic figure),
            # with the first pairs needing attention; the pairs page lists them all.
            period = dataclasses.replace(period, risk_limit=OVERVIEW_ATTENTION, top_topics=0)
            figures = await uow.digest_figures(period)
            weeks = await uow.weekly_activity(activity.window(program, now, SPAN_WEEKS))
            clock = program_clock(program, now)
            return Overview(
                program=ProgramSummary.of(program),
                clock=clock,
                period=period,
                figures=figures,
                attention=figures.at_risk,
                weeks=weeks,
                sessions_per_week=figures.sessions_target / clock.weeks if clock.weeks else None,
                minutes_per_week=figures.minutes_target / clock.weeks if clock.weeks else None,
            )

    async def pairs(
        self, person_id: int, program_id: int, figures: bool = True, attention: bool = True
    ) -> tuple[ProgramSummary, list[PairRow]]:
        """Every pair of the program. A list sorted or filtered by people and status only
        needs neither each pair's ``figures`` nor its ``attention``: without them, the rows
        carry their people and status, and ``page_of_pairs`` completes the page shown."""
        now = self._clock.now()
        async with self._uow_factory() as uow:
            program = await self._owned(uow, person_id, program_id)
            risks = {}
            if attention:
                period = report.period_for(program, now)
                risks = {risk.pair_id: risk for risk in await _attention(uow, period)}
            rows = await uow.dashboard_pair_rows(program_id, now, attention=risks, figures=figures)
            return ProgramSummary.of(program), list(rows)

    async def page_of_pairs(
        self, person_id: int, program_id: int, pair_ids: Sequence[int]
    ) -> list[PairRow]:
        """These pairs (one page of the list), with their figures and attention, in this
        order; a pair gone since the list was read is left out."""
        now = self._clock.now()
        async with self._uow_factory() as uow:
            program = await self._owned(uow, person_id, program_id)
            if not pair_ids:
                return []
            period = report.period_for(program, now)
            wanted = frozenset(pair_ids)
            _, risks = await uow.at_risk_pairs(
                dataclasses.replace(period, risk_limit=ALL_PAIRS, risk_pair_ids=wanted)
            )
            rows = await uow.dashboard_pair_rows(
                program_id, now, wanted, {risk.pair_id: risk for risk in risks}
            )
            by_id = {row.pair_id: row for row in rows}
            return [by_id[pair_id] for pair_id in pair_ids if pair_id in by_id]

    async def pair(
        self, person_id: int, program_id: int, pair_id: int
    ) -> tuple[ProgramSummary, PairDetail]:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            owned = await self._owned(uow, person_id, program_id)
            program = ProgramSummary.of(owned)
            period = report.period_for(owned, now)
            only = dataclasses.replace(period, risk_pair_ids=frozenset({pair_id}))
            _, risks = await uow.at_risk_pairs(only)
            found = await uow.dashboard_pair_rows(
                program_id, now, {pair_id}, {risk.pair_id: risk for risk in risks}
            )
            if not found:
                raise NotFound
            row = found[0]
            sessions = await uow.dashboard_pair_sessions(pair_id)
            planned = await uow.dashboard_pair_planned(pair_id, self._clock.now())
            charter = await uow.charter_of(pair_id)
            return program, PairDetail(
                row=row,
                sessions=tuple(sessions),
                planned=tuple(planned),
                meetings_minutes=charter.minutes if charter else None,
                place=charter.place if charter else None,
            )

    async def outcomes(self, person_id: int, program_id: int) -> Outcomes:
        """The program report's outcome figures (the same query, over the same period)."""
        now = self._clock.now()
        async with self._uow_factory() as uow:
            program = await self._owned(uow, person_id, program_id)
            figures = await uow.outcome_figures(report.period_for(program, now))
            return Outcomes(ProgramSummary.of(program), figures, program.quote_min_group)

    async def program(self, person_id: int, program_id: int) -> ProgramSummary:
        async with self._uow_factory() as uow:
            return ProgramSummary.of(await self._owned(uow, person_id, program_id))

    async def export(self, person_id: int, program_id: int) -> ProgramExport:
        """HR's export (``tandem export``): the same rows, the same privacy rules."""
        async with self._uow_factory() as uow:
            program = await self._owned(uow, person_id, program_id)
            return await export.build_for(uow, program, self._clock.now())

    async def report_page(
        self, person_id: int, program_id: int, renderer: Renderer, locale: str
    ) -> str:
        """The printable program report (``tandem report --html``), in the owner's language."""
        now = self._clock.now()
        async with self._uow_factory() as uow:
            program = await self._owned(uow, person_id, program_id)
            return await report.printable(uow, renderer, locale, program, now)

    async def people(
        self, person_id: int, program_id: int, only_pending: bool, first: int, limit: int
    ) -> tuple[ProgramSummary, People]:
        """The program's reach and one page of its people (see ``dashboard_people``)."""
        now = self._clock.now()
        async with self._uow_factory() as uow:
            program = ProgramSummary.of(await self._owned(uow, person_id, program_id))
            people = await uow.dashboard_people(program_id, only_pending, first, limit)
            owed = await uow.reach_of_people([row.person_id for row in people.rows], now)
            reach = await uow.reach_counts(program_id, now)
        rows = tuple(
            dataclasses.replace(
                row,
                messages=owed.get(row.person_id),
                reasons=tuple(
                    sorted({reason_of(error) for error in owed[row.person_id].errors})
                    if row.person_id in owed
                    else ()
                ),
            )
            for row in people.rows
        )
        return program, dataclasses.replace(people, rows=rows, reach=reach)
