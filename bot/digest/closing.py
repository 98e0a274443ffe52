"""The program report, posted once in the owners' channel after the program ends: the figures
since the start, the chart, skills progress and the end-of-program evaluation. A program with
an end date is closed then (``bot.lifecycle``), and its pairs who said they would continue are
offered to (``bot.scheduling.continuation``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import lifecycle
from bot.digest import report, weekly
from bot.domain import Program
from bot.scheduling import continuation
from bot.scheduling.assessments import program_end
from bot.scheduling.cohort import Cohort

POST_AT = time(9, 0)
# The end-of-program evaluation goes out on the last day: a week later most answers are in.
AFTER_THE_END = timedelta(days=7)


def final_report_key(program: Program, now: datetime) -> str | None:
    """The outbox key of the closing report when it is due, else None.

    Due at 09:00 in the program's zone a week after its last day, when the end-of-program
    evaluation (sent on the last day) has been answered; caught up later if no tick ran then.
    A program extended after its report gets another one at its new end (the key names it).
    """
    zone = ZoneInfo(program.timezone)
    end = program_end(program)
    due = datetime.combine(end + AFTER_THE_END, POST_AT, tzinfo=zone)
    if now < due or program.created_at > due:
        return None
    return f"report:final:{program.id}:{end.isoformat()}"


async def post_final_reports(cohort: Cohort) -> None:
    """A tick step: queue each ended program's report to its owners' channel, once; then close
    the programs that have an end date."""
    for program in list(cohort.programs.values()):
        with cohort.isolated(f"program:{program.id}"):
            key = final_report_key(program, cohort.now)
            if key is None:
                continue
            await weekly.post_to_owners_channel(cohort, program, key, "final_report", report.render)
            if program.ends_on is not None:
                lifecycle.close(program, cohort.now)
                await continuation.offer(cohort, program)
