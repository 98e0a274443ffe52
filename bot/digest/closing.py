"""The program report, posted once in the owners' channel after the program ends: the figures
since the start, the chart, skills progress and the end-of-program evaluation.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.digest import report, weekly
from bot.domain import Program
from bot.scheduling.assessments import program_end
from bot.scheduling.cohort import Cohort

POST_AT = time(9, 0)
# The end-of-program evaluation goes out on the last day: a week later most answers are in.
AFTER_THE_END = timedelta(days=7)


def final_report_key(program: Program, now: datetime) -> str | None:
    """The outbox key of the closing report when it is due, else None.

    Due at 09:00 in the program's zone a week after its last day, when the end-of-program
    evaluation (sent on the last day) has been answered; caught up later if no tick ran then.
    """
    zone = ZoneInfo(program.timezone)
    due = datetime.combine(program_end(program) + AFTER_THE_END, POST_AT, tzinfo=zone)
    if now < due or program.created_at > due:
        return None
    return f"report:final:{program.id}"


async def post_final_reports(cohort: Cohort) -> None:
    """A tick step: queue each ended program's report to its owners' channel, once."""
    for program in cohort.programs.values():
        with cohort.isolated(f"program:{program.id}"):
            key = final_report_key(program, cohort.now)
            if key is not None:
                await weekly.post_to_owners_channel(
                    cohort, program, key, "final_report", report.render
                )
