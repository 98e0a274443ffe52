"""Engine messages as Adaptive Cards (1.5), and card submissions back as engine events.

Buttons are ``Action.Execute`` (Teams then answers in place and the card is replaced without a
new message) with an ``Action.Submit`` fallback for clients without universal actions. They sit
in an ``ActionSet`` in the card's body, never in the card's own ``actions``: a client that does
not know ``Action.Execute`` honours an element's ``fallback`` there, as Microsoft's Universal
Action Model guidance for older clients expects. A form's Cancel sends no inputs
(``associatedInputs: none``), so Teams does not ask for the required fields first. Every card
carries a fresh id in its actions' data: a card answered twice is recognised by it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from bot.messages import Choice, FieldKind, Form, FormField, Message

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
# Input ids are prefixed so that they never collide with the action's own data keys.
INPUT_PREFIX = "field_"
# Teams shows at most 6 actions in a row; more go to an overflow menu it draws itself.
ACTIONS_PER_SET = 6


@dataclass(frozen=True)
class Submission:
    """What a person did on a card: picked a choice, submitted or cancelled a form."""

    kind: str  # "choice", "form" or "cancel"
    card_id: str
    value: str = ""
    label: str = ""
    form_id: str = ""
    values: dict[str, str] = field(default_factory=dict)


def new_card_id() -> str:
    return uuid.uuid4().hex


def attachment(card: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": ADAPTIVE_CARD, "content": card}


def needs_card(message: Message) -> bool:
    return bool(message.choices) or message.form is not None


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
    }
    if actions:
        for start in range(0, len(actions), ACTIONS_PER_SET):
            body.append({"type": "ActionSet", "actions": actions[start : start + ACTIONS_PER_SET]})
    return content


def text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def action(
    title: str,
    verb: str,
    data: dict[str, Any],
    *,
    primary: bool = False,
    with_inputs: bool = True,
) -> dict[str, Any]:
    """An ``Action.Execute`` whose fallback is the same ``Action.Submit``; ``with_inputs``
    False: the card's inputs are neither validated nor sent (a Cancel)."""
    payload = {"tandem": verb, **data}
    submit: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": payload}
    execute: dict[str, Any] = {
        "type": "Action.Execute",
        "title": title,
        "verb": verb,
        "data": payload,
        "fallback": submit,
    }
    if primary:
        execute["style"] = submit["style"] = "positive"
    if not with_inputs:
        execute["associatedInputs"] = submit["associatedInputs"] = "none"
    return execute


def message_card(message: Message, card_id: str, cancel_label: str = "") -> dict[str, Any]:
    """A card for a message with choices (buttons) or a form (inputs and a submit button)."""
    if message.form is not None:
        return form_card(message.form, message.text, card_id, cancel_label)
    body: list[dict[str, Any]] = [text_block(message.text)]
    # Long lists (ratings 0–10) become rows of buttons instead of an overflow menu.
    return card(body, [_choice_action(choice, card_id) for choice in message.choices])


def form_card(form: Form, intro: str, card_id: str, cancel_label: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = [text_block(form.title, weight="Bolder", size="Medium")]
    if intro and intro != form.title:
        body.append(text_block(intro))
    for form_field in form.fields:
        body.append(_input(form_field, form.values.get(form_field.name, form_field.initial)))
        if form_field.hint:
            body.append(text_block(form_field.hint, isSubtle=True, size="Small", spacing="None"))
        error = form.errors.get(form_field.name)
        if error:
            body.append(text_block(error, color="Attention", spacing="None"))
    data = {"form": form.form_id, "card": card_id}
    actions = [action(form.submit_label, "form", data, primary=True)]
    if cancel_label:
        actions.append(action(cancel_label, "cancel", data, with_inputs=False))
    return card(body, actions)


def answered_card(text: str) -> dict[str, Any]:
    """What replaces a card once answered: no buttons left to press a second time."""
    return card([text_block(text)])


def submission_of(data: dict[str, Any]) -> Submission | None:
    """The submission in an ``Action.Execute`` or ``Action.Submit`` payload; None if not ours."""
    kind = data.get("tandem")
    # Anything may come here (a list, an object): only our own three words are ours.
    if not isinstance(kind, str) or kind not in {"choice", "form", "cancel"}:
        return None
    values = {
        key.removeprefix(INPUT_PREFIX): "" if value is None else str(value)
        for key, value in data.items()
        if key.startswith(INPUT_PREFIX)
    }
    return Submission(
        kind=str(kind),
        card_id=str(data.get("card", "")),
        value=str(data.get("value", "")),
        label=str(data.get("label", "")),
        form_id=str(data.get("form", "")),
        values=values,
    )


def _choice_action(choice: Choice, card_id: str) -> dict[str, Any]:
    data = {"value": choice.value, "label": choice.label, "card": card_id}
    return action(choice.label, "choice", data)


def _input(form_field: FormField, value: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "id": INPUT_PREFIX + form_field.name,
        "label": form_field.label,
        "isRequired": form_field.required,
    }
    if form_field.kind is FieldKind.DATE:
        element["type"] = "Input.Date"
    elif form_field.kind is FieldKind.SELECT:
        element["type"] = "Input.ChoiceSet"
        element["choices"] = [
            {"title": option.label, "value": option.value} for option in form_field.options
        ]
    else:
        element["type"] = "Input.Text"
        element["isMultiline"] = form_field.kind is FieldKind.LONG_TEXT
        element["maxLength"] = 500
    if value:
        element["value"] = value
    return element
