"""The reach report (``/tandem reach``, owners): for everyone invited to or enrolled in a
program, the state of every message the bot owes them, with counts per state, the platform's
reason for each failure, and a button that sends the failed ones again."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.commands.grammar import Command
from bot.commands.lookup import owned_program
from bot.domain import OutboxStatus
from bot.errors import UserError
from bot.leaving.ports import OwedMessage
from bot.messages import Choice
from bot.turn import Turn

REACH = "reach"
STATES = ("delivered", "waiting", "retrying", "failed", "never_opened")
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


def state_of(message: OwedMessage, now: datetime) -> str | None:
    if message.status == OutboxStatus.SENT:
        return "delivered"
    if message.status == OutboxStatus.FAILED:
        return "failed"
    if message.status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
        if message.attempts:
            return "retrying"
        return "waiting" if message.not_before > now else "retrying"
    return None  # skipped on purpose (a pause, a departure), or owed nothing


def summary(messages: Sequence[OwedMessage], now: datetime) -> dict[str, Any]:
    """Counts per state, and per person what did not reach them (plain data)."""
    counts: Counter[str] = Counter()
    people: dict[int, dict[str, Any]] = {}
    failed: dict[int, Counter[str]] = defaultdict(Counter)
    for message in messages:
        person = people.setdefault(
            message.person_id,
            {
                "name": message.name,
                "states": Counter(),
                "reasons": [],
                "left": message.left,
                "never_opened": False,
            },
        )
        if not message.has_address and message.platform == "teams":
            person["never_opened"] = True
        state = state_of(message, now)
        if state is None:
            continue
        counts[state] += 1
        person["states"][state] += 1
        if state == "failed":
            failed[message.person_id][reason_of(message.last_error)] += 1
    for person_id, person in people.items():
        person["reasons"] = sorted(failed.get(person_id, {}))
        # Something got through (Tandem installed for them through Microsoft Graph): opened
        # or not, they are reached.
        person["never_opened"] = person["never_opened"] and not person["states"]["delivered"]
        if person["never_opened"]:
            counts["never_opened"] += 1
    return {
        "counts": {state: counts[state] for state in STATES},
        "people": len(people),
        "not_reached": [
            p
            for p in people.values()
            if p["states"]["failed"] or p["states"]["retrying"] or p["never_opened"]
        ],
        "failed_people": sorted(pid for pid in failed),
    }


async def reach(turn: Turn, command: Command) -> None:
    program = await owned_program(turn, command.options.get("program", ""))
    assert program.id is not None
    figures = summary(await turn.uow.owed_messages(program.id), turn.now)
    choices: tuple[Choice, ...] = ()
    if figures["counts"]["failed"]:
        choices = (await turn.choice("leaving.reach_retry", f"{REACH}:{program.id}:retry"),)
    await turn.say("leaving.reach_report", choices=choices, program=program.name, **figures)


async def on_reach_choice(turn: Turn, rest: str) -> None:
    """``<program id>:retry``: the failed messages go out again."""
    program_id, _, answer = rest.partition(":")
    program = await turn.uow.program(int(program_id)) if program_id.isdigit() else None
    if program is None or program.id is None or answer != "retry":
        raise UserError("errors.stale_choice")
    if not await turn.uow.is_owner(program.id, turn.person_id):
        raise UserError("errors.owner_only")
    figures = summary(await turn.uow.owed_messages(program.id), turn.now)
    retried = await turn.uow.retry_failed(figures["failed_people"], turn.now)
    turn.audit("reach.retried", program_id=program.id, messages=retried)
    await turn.say("leaving.reach_retried", program=program.name, count=retried)
