"""``/tandem roster import FILE`` from chat: the dry run answered with its report and a
confirmation button; the button sends the invitations (bot.roster.confirm)."""

from __future__ import annotations

from bot.commands.grammar import Command
from bot.commands.lookup import owned_program
from bot.domain import Person
from bot.errors import UserError
from bot.events import SharedFile
from bot.leaving.departure import leave_company
from bot.messages import Choice
from bot.roster.confirm import NOT_ON_ROSTER, confirm_import
from bot.roster.model import DRY_RUN_KEPT
from bot.roster.plan import dry_run
from bot.roster.reading import MAX_BYTES
from bot.roster.report import report_attachment, shown_problems
from bot.turn import Turn

CHOICE_PREFIX = "roster"
# The name a roster pasted in the message goes by in the report.
PASTED = "pasted.csv"


async def roster(turn: Turn, command: Command) -> None:
    target = await owned_program(turn, command.options.get("program", ""))
    assert target.id is not None
    if target.closed:
        raise UserError("roster.program_gone")
    shared = _shared_file(turn, command)
    if shared.size > MAX_BYTES:
        raise UserError("roster.too_big", size=shared.size, maximum=MAX_BYTES)
    person = turn.person
    plan = await dry_run(
        turn.uow,
        turn.directories.get(person.platform),
        target,
        (person.platform, person.workspace),
        shared.name,
        shared.data,
        turn.person_id,
        turn.now,
    )
    turn.audit("roster_import.checked", program_id=target.id, count=len(plan.lines))
    choices: list[Choice] = []
    value = f"{CHOICE_PREFIX}:{plan.import_id}"
    if plan.to_invite:
        choices.append(
            await turn.choice("roster.confirm_label", f"{value}:confirm", count=plan.to_invite)
        )
    if plan.absent:
        choices.append(
            await turn.choice(
                "roster.confirm_leave_label",
                f"{value}:leave",
                count=plan.to_invite,
                left=len(plan.absent),
            )
        )
    if choices:
        choices.append(await turn.choice("roster.cancel_label", f"{value}:cancel"))
    locale = await turn.locale_of(person)
    await turn.say(
        "roster.dry_run",
        choices=tuple(choices),
        attachment=report_attachment(turn.renderer, locale, plan),
        program=target.name,
        total=len(plan.lines),
        counts=plan.counts,
        warnings=plan.warnings,
        problems=shown_problems(plan),
        more=len(plan.problems) - len(shown_problems(plan)),
        absent=list(plan.absent),
    )


def _shared_file(turn: Turn, command: Command) -> SharedFile:
    """The file shared with the command, else a CSV pasted on the lines after it (Teams)."""
    if turn.event.files:
        return turn.event.files[0]
    _, _, pasted = turn.event.text.partition("\n")
    if pasted.strip():
        data = pasted.encode("utf-8")
        return SharedFile(PASTED, data, len(data))
    if command.args:
        raise UserError("roster.file_missing", path=" ".join(command.args))
    raise UserError("roster.no_file", platform=turn.person.platform)


async def on_roster_choice(turn: Turn, rest: str) -> None:
    """``<import id>:confirm|cancel``, by an owner of the import's program."""
    import_id, _, answer = rest.partition(":")
    if not import_id.isdigit():
        raise UserError("errors.stale_choice")
    kept = await turn.uow.roster_import(int(import_id))
    if kept is None:
        # Replaced by a newer dry run, or erased with the addresses it held.
        raise UserError("roster.dry_run_gone", days=DRY_RUN_KEPT.days)
    if kept.confirmed_at is not None:
        raise UserError("errors.stale_choice")
    if not await turn.uow.is_owner(kept.program_id, turn.person_id):
        raise UserError("errors.owner_only")
    if answer == "cancel":
        await turn.uow.delete(kept)
        await turn.say("roster.cancelled", replaces_prompt=True)
        return
    if answer not in ("confirm", "leave"):
        raise UserError("errors.stale_choice")

    async def leave(person: Person) -> None:
        await leave_company(turn.uow, turn.clock, turn.renderer, turn.config, person, NOT_ON_ROSTER)

    done = await confirm_import(
        turn.uow,
        turn.renderer,
        kept,
        turn.person,
        turn.config.default_timezone,
        turn.now,
        leave if answer == "leave" else None,
    )
    turn.audit(
        "roster_import.confirmed",
        program_id=kept.program_id,
        count=done.invited,
        created=done.created,
        left=done.left,
    )
    await turn.say(
        "roster.confirmed",
        replaces_prompt=True,
        program=done.program.name,
        invited=done.invited,
        unchanged=done.unchanged,
        left=done.left,
    )
