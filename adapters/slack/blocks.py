"""Engine messages as Slack Block Kit: escaped mrkdwn text and buttons for choices."""

from __future__ import annotations

from typing import Any

from bot.messages import Message

# Block Kit limits: a section text holds 3,000 characters, an actions block 25 elements,
# a button label 75 characters and its value 2,000.
SECTION_TEXT_LIMIT = 3000
BUTTONS_PER_BLOCK = 25
LABEL_LIMIT = 75


def escape(text: str) -> str:
    """Slack's three control characters; everything else is the text people should see."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _chunks(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)] or [""]


def message_blocks(message: Message) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in _chunks(escape(message.text), SECTION_TEXT_LIMIT)
    ]
    choices = list(message.choices)
    for start in range(0, len(choices), BUTTONS_PER_BLOCK):
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"choice:{start + index}",
                        "text": {"type": "plain_text", "text": choice.label[:LABEL_LIMIT]},
                        "value": choice.value,
                    }
                    for index, choice in enumerate(choices[start : start + BUTTONS_PER_BLOCK])
                ],
            }
        )
    return blocks
