"""A person's rights over their data: see it all (``my-data``), erase it (``forget-me``)."""

from __future__ import annotations

import json
from typing import Any

from bot.commands.confirm import ask_to_confirm
from bot.commands.grammar import Command
from bot.commands.lookup import partner_enrollment_id
from bot.domain import PairStatus
from bot.errors import UserError
from bot.messages import Attachment, Message
from bot.redaction import quotes
from bot.turn import Turn
from bot.workshops.seats import release_seats

EXPORT_FILE = "tandem-my-data.json"


async def collect(turn: Turn) -> dict[str, Any]:
    """Everything stored about the speaker, as plain JSON-ready data: every row about them by
    table, and in words what only ids would say (the programs they own, the people they asked
    not to be paired with)."""
    uow, person_id = turn.uow, turn.person_id
    rows = await uow.personal_data(person_id)
    avoided = await uow.persons_by_id(a.avoided_id for a in await uow.avoidances_by(person_id))
    return {
        "exported_at": turn.now.isoformat(),
        "programs_owned": [p.name for p in await uow.programs_owned_by(person_id)],
        "people_you_asked_not_to_be_paired_with": sorted(p.display_name for p in avoided.values()),
        "tables": rows,
        # Requests received from them but not run yet: the inbox holds what they sent until
        # then (and erases it once run); only their number is theirs to see here.
        "requests_not_run_yet": await turn.requests.waiting() if turn.requests else 0,
    }


async def _summary(turn: Turn, data: dict[str, Any]) -> dict[str, Any]:
    """What the export holds, counted, for the readable message."""
    rows: dict[str, list[dict[str, Any]]] = data["tables"]
    programs = []
    for enrollment in rows["enrollment"]:
        program = await turn.uow.program(enrollment["program_id"])
        programs.append(
            {
                "name": program.name if program else "",
                "role": enrollment["role"],
                "status": enrollment["status"],
            }
        )
    return {
        "programs": programs,
        "owned": data["programs_owned"],
        "profiles": len(rows["profile"]),
        "pairs": len(rows["pair"]),
        "sessions_written": sum(r["logged_by"] == turn.person_id for r in rows["session_log"]),
        "sessions": len(rows["session_log"]),
        "planned": len(rows["planned_session"]),
        "checkins": sum(r["answered_at"] is not None for r in rows["checkin"]),
        "feedback": sum(r["answered_at"] is not None for r in rows["feedback_request"]),
        "assessments": sum(r["answered_at"] is not None for r in rows["skill_assessment"]),
        "evaluations": len(rows["evaluation"]),
        "dialogs": sum(r["status"] == "open" for r in rows["conversation"]),
        "questions": len(rows["prompt"]),
        "messages": len(rows["outbox"]),
        "history": len(rows["audit_entry"]),
        "avoided": len(data["people_you_asked_not_to_be_paired_with"]),
        "requests_pending": data.get("requests_not_run_yet", 0),
    }


async def my_data(turn: Turn, command: Command) -> None:
    # Recorded first, so that the export holds its own line of history too.
    turn.audit("my_data.exported")
    data = await collect(turn)
    summary = await _summary(turn, data)
    turn.replies.append(
        Message(
            text=await turn.text("privacy.my_data", file=EXPORT_FILE, **summary),
            attachment=Attachment(
                filename=EXPORT_FILE,
                content=json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
                title=await turn.text("privacy.my_data_title"),
            ),
        )
    )


async def _refuse_if_sole_owner(turn: Turn) -> None:
    """Forgetting the only owner of a program would leave it with nobody to run it."""
    alone = []
    for program in await turn.uow.programs_owned_by(turn.person_id):
        assert program.id is not None
        if program.closed:
            continue
        if all(owner.id == turn.person_id for owner in await turn.uow.owners_of(program.id)):
            alone.append(program.name)
    if alone:
        raise UserError("privacy.sole_owner", programs=sorted(alone))


async def forget_me(turn: Turn, command: Command) -> None:
    await _refuse_if_sole_owner(turn)
    await ask_to_confirm(
        turn, "privacy.forget_confirm", yes_label="labels.forget_yes", value="forget"
    )


async def on_forget_choice(turn: Turn, answer: str) -> None:
    if answer != "yes":
        await turn.say("privacy.forget_cancelled", replaces_prompt=True)
        return
    # Someone may have been made the last owner since the question was asked.
    await _refuse_if_sole_owner(turn)
    reply_locale = await turn.locale_of(turn.person)
    kept_sessions, audit_rows = await erase(turn)
    if turn.requests is not None:
        # Requests received from them and not run yet: their words go too, and none runs.
        turn.after_commit.append(turn.requests.erase)
    turn.replies.append(
        _farewell(turn, reply_locale, kept_sessions=kept_sessions, audit_rows=audit_rows)
    )


async def erase(turn: Turn) -> tuple[int, int]:
    """Erase the turn's person and every trace of them, keeping the aggregates (a session's
    date and length, a pair's counts): forget-me, and retention for people who left
    (bot.leaving.retention). Returns the sessions kept and the history lines unnamed."""
    uow = turn.uow
    names, words = await _traces_of(turn)
    # Their seats would vanish with them; the waitlist moves up instead.
    await release_seats(turn, turn.person_id, unless_still_invited=False)
    kept_sessions = 0
    for enrollment in await uow.enrollments_of_person(turn.person_id):
        assert enrollment.id is not None
        for pair in await uow.pairs_of_enrollment(enrollment.id):
            assert pair.id is not None
            kept_sessions += await uow.session_count(pair.id)
            partner = await turn.person_of(partner_enrollment_id(pair, enrollment.id))
            if pair.status == PairStatus.ACTIVE and partner is not None:
                await turn.notify(
                    partner,
                    "privacy.partner_left",
                    key=f"forgotten:{pair.id}:{partner.id}",
                    purpose="partner_left",
                )
            pair.status = PairStatus.ENDED
    # Logs written by the person keep their date and length for the pair's counts; their words go.
    for log in await uow.session_logs_by(turn.person_id):
        log.topics = ""
        log.next_steps = None
        log.logged_by = None
    audit_rows = await uow.forget_audit_actor(turn.person_id)
    await turn.uow.flush()
    # What others' rows say of the person: messages about them, the history, quotes of them.
    locale = turn.renderer.locale_for(turn.config.default_locale)
    await uow.erase_traces(
        turn.person_id,
        names,
        words,
        turn.renderer.render(locale, "privacy.erased_mark"),
        Message(text=turn.renderer.render(locale, "privacy.erased_message")).to_payload(),
    )
    # Enrollments, profiles, invitations, conversations and ownerships follow by cascade, and
    # with the enrollments their skill assessments and end evaluation (words included), as the
    # post-session feedback they gave goes with the person.
    await uow.delete(turn.person)
    await uow.flush()
    return kept_sessions, audit_rows


async def _traces_of(turn: Turn) -> tuple[list[str], list[str]]:
    """What would name or quote the person elsewhere: their names and ids, and their own
    words (each free answer long enough to be theirs)."""
    person = turn.person
    rows = await turn.uow.personal_data(turn.person_id)
    words: list[Any] = []
    for log in rows["session_log"]:
        if log["logged_by"] == turn.person_id:
            words += [log["topics"], log["next_steps"]]
    for checkin in rows["checkin"]:
        words += [checkin["blocker"], checkin["learned"]]
    for feedback in rows["feedback_request"]:
        words += [feedback["learnt"], feedback["improve"]]
    for evaluation in rows["evaluation"]:
        words.append(evaluation["changed"])
    for profile in rows["profile"]:
        words += [profile["goals"], profile["availability"]]
    for conversation in rows["conversation"]:
        words += _texts(conversation["answers"])
    names = {person.display_name, person.user_id} | ({person.email} if person.email else set())
    return sorted(names), sorted(quotes(words) - names)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def _farewell(turn: Turn, locale: str, **variables: Any) -> Message:
    return Message(
        text=turn.renderer.render(locale, "privacy.forgotten", **variables), replaces_prompt=True
    )
