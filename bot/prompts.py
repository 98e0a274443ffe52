"""Prompts: the buttons and forms the bot showed a person, so that only those can be answered.

Every choice and every form the bot puts in front of someone is recorded as a ``Prompt``, in the
same transaction as what shows it: the turn's replies, or the outbox row of a message sent
later (check-ins, feedback requests, invitations, a partner's charter question). A prompt holds
an unguessable token (96 random bits), the person it was shown to, what it offers (each
choice's value, or the form's id) and, for destructive confirmations, when it expires.

The token travels inside the value the platform hands back: a button's value becomes
``<token>|<value>`` and a form's id ``<token>|<form id>``. Slack carries them in the button
value and the modal's ``private_metadata``, Teams in the card's action data, the console in the
buttons it remembers; no adapter needs to know about prompts.

When an answer arrives, the engine checks it before any handler runs (``accept``): the prompt
must exist, have been shown to the person answering, offer the value answered, and not have
expired. Answering deletes the prompt (it is good once), inside the turn's transaction: a turn
that is refused or fails leaves it answerable. Anything else is refused with
``errors.stale_choice`` and the turn changes nothing: no data, no audit, no outbox row.

Why a table rather than a signed value: a signature proves that the bot made a value, not that
it was shown to this person and not answered already; "once" needs state anyway, and one row
gives the binding to the person, the single use and the expiry in one lookup by primary key.
Why a token in the value rather than the platform's message id: every platform hands back the
value the bot set, for buttons, modals and cards alike, while message ids differ by platform and
the console has none.

Destructive confirmations (forget-me, leave, closing a program) live ``CONFIRMATION_LIFETIME``,
and less when the person does anything else first (``bot.questions``): their expiry is then set
to that moment, and the row kept ``EXPIRED_EXPLAINED`` so that a late answer is told it expired
and how to ask again (``errors.confirmation_expired``) rather than that it is unknown. Other
prompts do not expire on their own: each handler still checks that its subject is current (the open
conversation at that step, a pending invitation, an unanswered feedback request). A form sent
back with errors keeps its prompt (Slack shows the errors in the same modal, which submits the
same token again). Free text and typed commands are not prompts.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.errors import UserError
from bot.messages import Choice, Form

# Long enough to read and click, short enough that an old confirmation cannot erase anything.
CONFIRMATION_LIFETIME = timedelta(minutes=5)
# How long an expired confirmation is kept to explain a late answer, before the purge.
EXPIRED_EXPLAINED = timedelta(days=1)
# A button nobody clicked in half a year belongs to a check-in or a request long gone.
UNANSWERED_KEPT = timedelta(days=180)
SEPARATOR = "|"
CHOICE = "choice"
FORM = "form"
STALE = "errors.stale_choice"
EXPIRED = "errors.confirmation_expired"


@dataclass(frozen=True)
class Prompt:
    token: str
    person_id: int
    # What may be answered: "choice:<value>" or "form:<form id>".
    offers: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None = None


class PromptStore(Protocol):
    """Where prompts are kept: in the same transaction as the turn or the outbox rows."""

    async def add_prompts(self, prompts: Sequence[Prompt]) -> None: ...

    async def take_prompt(self, token: str) -> Prompt | None:
        """Remove the prompt and return it (None when there is none): of two answers racing
        for one prompt, only one gets it."""
        ...

    async def purge_prompts(self, expired_before: datetime, shown_before: datetime) -> int:
        """Remove prompts that expired before ``expired_before``, or were shown before
        ``shown_before`` and never answered; returns how many."""
        ...

    async def prompts_of(self, person_id: int) -> Sequence[Prompt]:
        """The prompts shown to the person and not answered, expired ones included, oldest
        first."""
        ...

    async def expire_prompts(self, person_id: int, now: datetime, keep: str = "") -> int:
        """End now the person's confirmations still running, but the one of token ``keep``;
        returns how many."""
        ...


def new_token() -> str:
    return secrets.token_urlsafe(12)


def bound_choices(choices: tuple[Choice, ...], token: str) -> tuple[Choice, ...]:
    return tuple(Choice(f"{token}{SEPARATOR}{c.value}", c.label) for c in choices)


def bound_form(form: Form, token: str) -> Form:
    return dataclasses.replace(form, form_id=f"{token}{SEPARATOR}{form.form_id}")


def offers_of(choices: tuple[Choice, ...], form: Form | None) -> tuple[str, ...]:
    offered = tuple(f"{CHOICE}:{c.value}" for c in choices)
    return offered + ((f"{FORM}:{form.form_id}",) if form is not None else ())


def kind_of(prompt: Prompt) -> str:
    """What a prompt's buttons are about: the handler prefix of their values (``forget``,
    ``invite``, ``feedback``, ``conv``…); "" for a form alone."""
    for offer in prompt.offers:
        kind, _, value = offer.partition(":")
        if kind == CHOICE:
            return value.partition(":")[0]
    return ""


def choice_values(prompt: Prompt) -> list[str]:
    """The values of the prompt's buttons, in the order they were shown."""
    return [value for kind, _, value in (o.partition(":") for o in prompt.offers) if kind == CHOICE]


def expired(prompt: Prompt, now: datetime) -> bool:
    return prompt.expires_at is not None and prompt.expires_at <= now


def split(answered: str) -> tuple[str, str]:
    """``<token>|<value>`` -> (token, value); ("", answered) when it carries no token."""
    token, separator, value = answered.partition(SEPARATOR)
    return (token, value) if separator else ("", answered)


async def accept(
    store: PromptStore, person_id: int, kind: str, answered: str, now: datetime
) -> tuple[Prompt, str]:
    """Takes the prompt answered (it is good once) and returns it with the value it offered.

    Raises ``UserError`` when the answer is not one the bot asked this person for, or no longer;
    the turn's rollback then puts back what was taken.
    """
    token, value = split(answered)
    prompt = await store.take_prompt(token) if token else None
    if prompt is None or prompt.person_id != person_id or f"{kind}:{value}" not in prompt.offers:
        raise UserError(STALE)
    if expired(prompt, now):
        # A confirmation the person let lapse, or left by doing something else: say so.
        raise expired_error(kind_of(prompt))
    return prompt, value


def expired_error(action: str) -> UserError:
    """The answer to a confirmation that ran out: how to ask again (``action`` is its kind)."""
    minutes = int(CONFIRMATION_LIFETIME.total_seconds() // 60)
    return UserError(EXPIRED, action=action, minutes=minutes)
