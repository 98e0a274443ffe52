"""The reach report (``/tandem reach``, owners): for everyone invited to or enrolled in a
program, the state of every message the bot owes them, with counts per state, the platform's
reason for each failure, and a button that sends the failed ones again."""

from __future__ import annotations

from typing import Any

from bot.commands.grammar import Command
from bot.commands.lookup import owned_program
from bot.errors import UserError
from bot.leaving.ports import NotReached
from bot.messages import Choice
from bot.turn import Turn

REACH = "reach"
# People named in the report; the others are counted.
LISTED = 40
# The platform's reason, as the adapters word it in ``last_error``, by kind.
REASONS = (
    ("blocked", ("cannot_dm_bot", "blocked", "forbidden", "403")),
    ("not_installed", ("not_in_channel", "not installed", "botnotinconversationroster", "404")),
    ("left", ("user_not_found", "user_disabled", "deleted", "left")),
    ("inactive", ("account_inactive", "inactive")),
)


def reason_of(error: str | None) -> str:
    text = (error or "").lower()
    for kind, words in REASONS:
        if any(word in text for word in words):
            return kind
    return "other"


def _line(person: NotReached) -> dict[str, Any]:
    reach = person.reach
    return {
        "name": person.name,
        "left": person.left,
        "states": {"failed": reach.failed, "retrying": reach.retrying},
        "reasons": sorted({reason_of(error) for error in reach.errors}),
        "never_opened": reach.never_opened,
    }


async def reach(turn: Turn, command: Command) -> None:
    program = await owned_program(turn, command.options.get("program", ""))
    assert program.id is not None
    # Counted and listed by the queries of the digest and the dashboard: a program of any
    # size is a few rows read.
    counts = await turn.uow.reach_counts(program.id, turn.now)
    listed = await turn.uow.not_reached(program.id, turn.now, LISTED)
    choices: tuple[Choice, ...] = ()
    if counts.failed:
        choices = (await turn.choice("leaving.reach_retry", f"{REACH}:{program.id}:retry"),)
    await turn.say(
        "leaving.reach_report",
        choices=choices,
        program=program.name,
        counts=counts,
        people=counts.people,
        not_reached=[_line(person) for person in listed],
        more=counts.not_reached - len(listed),
    )


async def on_reach_choice(turn: Turn, rest: str) -> None:
    """``<program id>:retry``: the failed messages go out again."""
    program_id, _, answer = rest.partition(":")
    program = await turn.uow.program(int(program_id)) if program_id.isdigit() else None
    if program is None or program.id is None or answer != "retry":
        raise UserError("errors.stale_choice")
    if not await turn.uow.is_owner(program.id, turn.person_id):
        raise UserError("errors.owner_only")
    retried = await turn.uow.retry_failed(await turn.uow.failed_people(program.id), turn.now)
    turn.audit("reach.retried", program_id=program.id, messages=retried)
    await turn.say("leaving.reach_retried", program=program.name, count=retried)
