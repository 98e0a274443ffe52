"""Engine forms as Block Kit modals and back, the App Home view, answered prompts."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from adapters.slack.blocks import LABEL_LIMIT, escape, message_blocks
from bot.messages import Choice, FieldKind, Form, FormField, Message

FORM_CALLBACK = "tandem_form"
# Block Kit limits: a modal title and its buttons hold 24 characters, labels 2,000, hints 2,000.
TITLE_LIMIT = 24
TEXT_LIMIT = 2000
ELEMENT_ID = "value"


def _plain(text: str, limit: int = TEXT_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit] or " "}


def _option(choice: Choice) -> dict[str, Any]:
    return {"text": _plain(choice.label, LABEL_LIMIT), "value": choice.value}


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _element(spec: FormField, current: str) -> dict[str, Any]:
    if spec.kind is FieldKind.DATE:
        element: dict[str, Any] = {"type": "datepicker", "action_id": ELEMENT_ID}
        if _is_iso_date(current):
            element["initial_date"] = current
        return element
    if spec.kind is FieldKind.SELECT:
        element = {
            "type": "static_select",
            "action_id": ELEMENT_ID,
            "options": [_option(choice) for choice in spec.options],
        }
        chosen = next((c for c in spec.options if c.value == current), None)
        if chosen is not None:
            element["initial_option"] = _option(chosen)
        return element
    element = {
        "type": "plain_text_input",
        "action_id": ELEMENT_ID,
        "multiline": spec.kind is FieldKind.LONG_TEXT,
    }
    if current:
        element["initial_value"] = current
    return element


def form_view(form: Form, intro: str, close_label: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """A modal for an engine form; ``private_metadata`` carries the form id and where to reply."""
    blocks: list[dict[str, Any]] = []
    if intro:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": escape(intro)}})
    for spec in form.fields:
        current = form.values.get(spec.name) or spec.initial
        block: dict[str, Any] = {
            "type": "input",
            "block_id": spec.name,
            "optional": not spec.required,
            "label": _plain(spec.label),
            "element": _element(spec, current),
        }
        if spec.hint:
            block["hint"] = _plain(spec.hint)
        blocks.append(block)
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": json.dumps({"form_id": form.form_id, **metadata}),
        "title": _plain(form.title, TITLE_LIMIT),
        "submit": _plain(form.submit_label, TITLE_LIMIT),
        "close": _plain(close_label, TITLE_LIMIT),
        "notify_on_close": True,
        "blocks": blocks,
    }


def form_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """``view.state.values`` -> field name -> text, whatever the element type."""
    values: dict[str, str] = {}
    state: dict[str, dict[str, dict[str, Any]]] = (view.get("state") or {}).get("values") or {}
    for block_id, elements in state.items():
        element = elements.get(ELEMENT_ID) or next(iter(elements.values()), {})
        if "selected_date" in element:
            values[block_id] = element.get("selected_date") or ""
        elif "selected_option" in element:
            values[block_id] = (element.get("selected_option") or {}).get("value", "")
        else:
            values[block_id] = element.get("value") or ""
    return values


def answered_blocks(original: list[dict[str, Any]], confirmation: str) -> list[dict[str, Any]]:
    """The clicked message, its buttons replaced by what was chosen, so nobody clicks twice."""
    kept = [block for block in original if block.get("type") != "actions"]
    kept.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(confirmation)}]})
    return kept


def home_actions(commands: list[Choice]) -> list[dict[str, Any]]:
    """Buttons that run a command (the choice's value) as if it had been typed."""
    if not commands:
        return []
    return [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": f"home:{index}",
                    "text": _plain(choice.label, LABEL_LIMIT),
                    "value": choice.value,
                }
                for index, choice in enumerate(commands)
            ],
        }
    ]


def home_view(replies: list[Message], actions: list[Choice]) -> dict[str, Any]:
    """The App Home tab: the person's status, then buttons for the usual commands."""
    blocks: list[dict[str, Any]] = []
    for reply in replies:
        blocks.extend(message_blocks(reply))
    blocks.extend(home_actions(actions))
    return {"type": "home", "blocks": blocks}
