"""``/tandem program close``: an owner ends a program before its last day, after a confirmation.

From the confirmation on, nothing nudges any more (``bot.lifecycle``): today becomes its last
day, so the end-of-program evaluation goes out today and the closing report a week later, after
which the program is closed, as at a planned end. A program that has not started yet (or starts
today) has nothing to evaluate: it is closed at once.
"""

from __future__ import annotations

from bot import lifecycle
from bot.commands.confirm import ask_to_confirm
from bot.commands.grammar import Command
from bot.commands.lookup import owned_program
from bot.digest.closing import AFTER_THE_END
from bot.errors import UserError
from bot.lifecycle import Phase
from bot.turn import Turn


async def close_program(turn: Turn, command: Command) -> None:
    name = command.options.get("program", "") or " ".join(command.args).strip()
    target = await owned_program(turn, name)
    phase = lifecycle.phase(target, turn.now)
    if phase == Phase.CLOSED:
        raise UserError("errors.program_already_closed", program=target.name)
    if phase == Phase.ENDED:
        raise UserError(
            "errors.program_already_ending",
            program=target.name,
            report_on=(target.ends_on or lifecycle.local_today(target, turn.now)) + AFTER_THE_END,
        )
    await ask_to_confirm(
        turn,
        "owner.close_confirm",
        yes_label="labels.close_yes",
        value=f"close:{target.id}",
        program=target.name,
    )


async def on_close_choice(turn: Turn, rest: str) -> None:
    """``<program id>:yes|no``, the answer to the confirmation."""
    program_id, _, answer = rest.partition(":")
    target = await turn.uow.program(int(program_id)) if program_id.isdigit() else None
    if target is None or target.id is None:
        raise UserError("errors.stale_choice")
    if not await turn.uow.is_owner(target.id, turn.person_id):
        raise UserError("errors.owner_only")
    if not lifecycle.is_running(target, turn.now):
        raise UserError("errors.stale_choice")
    if answer != "yes":
        await turn.say("owner.close_cancelled", program=target.name, replaces_prompt=True)
        return
    today = lifecycle.local_today(target, turn.now)
    if today <= target.starts_on:
        lifecycle.close(target, turn.now)
        turn.audit("program.closed", program_id=target.id, subject=target.name)
        await turn.say("owner.program_closed_now", program=target.name, replaces_prompt=True)
        return
    target.ends_on = today
    target.stopped_at = turn.now
    turn.audit("program.stopped", program_id=target.id, subject=target.name)
    await turn.say(
        "owner.program_stopped",
        program=target.name,
        report_on=today + AFTER_THE_END,
        replaces_prompt=True,
    )
