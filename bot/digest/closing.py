"""The program report, posted once in the owners' channel when the program ends: the figures
since the start, the chart, skills progress and the end-of-program evaluation as far as answered.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.digest import report
from bot.domain import OutboxMessage, Program
from bot.scheduling.assessments import program_end
from bot.scheduling.cohort import Cohort

POST_AT = time(9, 0)


def final_report_key(program: Program, now: datetime) -> str | None:
    """The outbox key of the closing report when it is due, else None.

    Due from 09:00 on the program's last day in its zone (the end-of-program evaluation went
    out that morning), and caught up later if no tick ran then.
    """
    zone = ZoneInfo(program.timezone)
    due = datetime.combine(program_end(program), POST_AT, tzinfo=zone)
    if now < due or program.created_at > due:
        return None
    return f"report:final:{program.id}"


async def post_final_reports(cohort: Cohort) -> None:
    """A tick step: queue each ended program's report to its owners' channel, once."""
    for program in cohort.programs.values():
        channel = program.digest_channel
        key = final_report_key(program, cohort.now)
        if not channel or key is None or await cohort.uow.outbox_has_key(key):
            continue
        locale = cohort.renderer.locale_for(program.locale, cohort.config.default_locale)
        message = await report.render(cohort.uow, cohort.renderer, locale, program, cohort.now)
        cohort.outbox.append(
            OutboxMessage(
                key=key,
                purpose="final_report",
                platform=str(channel.get("platform", "")),
                channel=dict(channel),
                payload=message.to_payload(),
                created_at=cohort.now,
                not_before=cohort.now,
            )
        )
