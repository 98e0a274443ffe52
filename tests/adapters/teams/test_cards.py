"""Cards as Teams and Microsoft's Universal Action Model define them: buttons in an ActionSet
with their Action.Submit fallback, a Cancel that sends no inputs, every card valid against the
Adaptive Card 1.5 schema."""

from __future__ import annotations

from typing import Any

from adapters.teams.cards import answered_card, message_card
from bot.messages import Choice, FieldKind, Form, FormField, Message
from tests.conformance.schemas import card_problems

FORM = Form(
    form_id="session_log",
    title="Log a session",
    fields=(
        FormField("minutes", "Minutes", FieldKind.TEXT, required=True),
        FormField("topics", "Topics", FieldKind.LONG_TEXT, required=True),
    ),
    submit_label="Save",
)


def _executes(node: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every Action.Execute with the kind of element that holds it."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for action in node.get("actions") or ():
            if action.get("type") == "Action.Execute":
                found.append((str(node.get("type")), action))
        for value in node.values():
            found += _executes(value)
    elif isinstance(node, list):
        for value in node:
            found += _executes(value)
    return found


def test_cancel_sends_no_inputs_so_an_empty_form_can_be_cancelled() -> None:
    card = message_card(Message(text="", form=FORM), "card1", "Cancel")
    actions = {action["verb"]: action for _, action in _executes(card)}
    cancel = actions["cancel"]
    assert cancel["associatedInputs"] == "none"
    assert cancel["fallback"]["associatedInputs"] == "none"
    # Save still checks and sends the fields.
    assert "associatedInputs" not in actions["form"]


def test_every_action_execute_sits_in_an_action_set_with_its_submit_fallback() -> None:
    choices = tuple(Choice(str(n), str(n)) for n in range(11))
    for card in (
        message_card(Message(text="", form=FORM), "card1", "Cancel"),
        message_card(Message(text="Mood?", choices=choices[:3]), "card2"),
        message_card(Message(text="Rate 0-10", choices=choices), "card3"),
    ):
        assert "actions" not in card
        found = _executes(card)
        assert found and all(holder == "ActionSet" for holder, _ in found)
        assert all(action["fallback"]["type"] == "Action.Submit" for _, action in found)
        assert card_problems(card) == []


def test_the_schema_check_finds_a_broken_card() -> None:
    card = answered_card("done")
    assert card_problems(card) == []
    card["body"].append({"type": "Input.Text", "id": "x", "isRequired": "yes"})
    assert card_problems(card)
