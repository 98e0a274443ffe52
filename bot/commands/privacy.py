"""A person's rights over their data: see it all (``my-data``), erase it (``forget-me``)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from bot.commands.grammar import Command
from bot.commands.lookup import partner_enrollment_id
from bot.domain import PairStatus
from bot.messages import Message
from bot.prompts import CONFIRMATION_LIFETIME
from bot.turn import Turn


def _plain(entity: object) -> dict[str, Any]:
    assert dataclasses.is_dataclass(entity) and not isinstance(entity, type)
    return {f.name: _jsonable(getattr(entity, f.name)) for f in dataclasses.fields(entity)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


async def collect(turn: Turn) -> dict[str, Any]:
    """Everything stored about the speaker, as plain JSON-ready data."""
    uow, person_id = turn.uow, turn.person_id
    data: dict[str, Any] = {"person": _plain(turn.person), "enrollments": []}
    for enrollment in await uow.enrollments_of_person(person_id):
        assert enrollment.id is not None
        profile = await uow.profile_of(enrollment.id)
        pairs = []
        for pair in await uow.pairs_of_enrollment(enrollment.id):
            assert pair.id is not None
            charter = await uow.charter_of(pair.id)
            pairs.append({"pair": _plain(pair), "charter": _plain(charter) if charter else None})
        assessments = []
        for assessment in await uow.skill_assessments_of(enrollment.id):
            assert assessment.id is not None
            ratings = await uow.skill_ratings(assessment.id)
            assessments.append(
                {**_plain(assessment), "levels": {r.topic: r.level for r in ratings}}
            )
        evaluation = await uow.evaluation_of(enrollment.id)
        data["enrollments"].append(
            {
                "enrollment": _plain(enrollment),
                "profile": _plain(profile) if profile else None,
                "pairs": pairs,
                "skill_assessments": assessments,
                "evaluation": _plain(evaluation) if evaluation else None,
            }
        )
    data["session_logs_written"] = [_plain(log) for log in await uow.session_logs_by(person_id)]
    data["conversations"] = [_plain(c) for c in await uow.open_conversations(person_id)]
    data["programs_owned"] = [p.name for p in await uow.programs_owned_by(person_id)]
    avoided = await uow.persons_by_id(a.avoided_id for a in await uow.avoidances_by(person_id))
    data["people_you_asked_not_to_be_paired_with"] = sorted(
        p.display_name for p in avoided.values()
    )
    data["audit_trail"] = [_plain(entry) for entry in await uow.audit_of(person_id)]
    data["messages_to_you"] = [
        {"purpose": m.purpose, "created_at": _jsonable(m.created_at), "status": m.status.value}
        for m in await uow.outbox_of(person_id)
    ]
    return data


async def my_data(turn: Turn, command: Command) -> None:
    data = await collect(turn)
    turn.audit("my_data.exported")
    await turn.say(
        "privacy.my_data",
        data=data,
        data_json=json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
    )


async def forget_me(turn: Turn, command: Command) -> None:
    await turn.say(
        "privacy.forget_confirm",
        lifetime=CONFIRMATION_LIFETIME,
        choices=(
            await turn.choice("labels.forget_yes", "forget:yes"),
            await turn.choice("labels.cancel", "forget:no"),
        ),
    )


async def on_forget_choice(turn: Turn, answer: str) -> None:
    if answer != "yes":
        await turn.say("privacy.forget_cancelled", replaces_prompt=True)
        return
    uow, person = turn.uow, turn.person
    kept_sessions = 0
    for enrollment in await uow.enrollments_of_person(turn.person_id):
        assert enrollment.id is not None
        for pair in await uow.pairs_of_enrollment(enrollment.id):
            assert pair.id is not None
            kept_sessions += len(await uow.session_logs(pair.id))
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
    for message in await uow.outbox_of(turn.person_id):
        await uow.delete(message)
    audit_rows = await uow.forget_audit_actor(turn.person_id)
    await turn.uow.flush()
    # Enrollments, profiles, invitations, conversations and ownerships follow by cascade, and
    # with the enrollments their skill assessments and end evaluation (words included), as the
    # post-session feedback they gave goes with the person.
    reply_locale = await turn.locale_of(person)
    await uow.delete(person)
    await uow.flush()
    turn.replies.append(
        _farewell(turn, reply_locale, kept_sessions=kept_sessions, audit_rows=audit_rows)
    )


def _farewell(turn: Turn, locale: str, **variables: Any) -> Message:
    return Message(
        text=turn.renderer.render(locale, "privacy.forgotten", **variables), replaces_prompt=True
    )
