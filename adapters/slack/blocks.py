"""Engine messages as Slack Block Kit: escaped mrkdwn text and buttons for choices; a message
with sections (the digest, the report) as a header, one section block each, dividers and
context lines, kept within Block Kit's limits by splitting and, at worst, cutting."""

from __future__ import annotations

from typing import Any

from bot.messages import Message, Section

# Block Kit limits: a section text holds 3,000 characters, an actions block 25 elements,
# a button label 75 characters and its value 2,000; a message 50 blocks, a header 150
# characters, a context element's text 2,000 (documented lower than a section's).
SECTION_TEXT_LIMIT = 3000
BUTTONS_PER_BLOCK = 25
LABEL_LIMIT = 75
MAX_BLOCKS = 50
HEADER_LIMIT = 150
CONTEXT_LIMIT = 2000
ELLIPSIS = "…"


def escape(text: str) -> str:
    """Slack's three control characters; everything else is the text people should see."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _chunks(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)] or [""]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def _section_block(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _section_blocks(section: Section) -> list[dict[str, Any]]:
    """The title in bold and one bullet an item, split over as many blocks as the 3,000
    characters of a section text need (a very long item is itself cut in chunks)."""
    pieces = [f"*{escape(section.title)}*"] if section.title else []
    for line in section.lines:
        pieces.extend(_chunks(f"• {escape(line)}", SECTION_TEXT_LIMIT))
    blocks: list[dict[str, Any]] = []
    current = ""
    for piece in pieces:
        if current and len(current) + 1 + len(piece) > SECTION_TEXT_LIMIT:
            blocks.append(_section_block(current))
            current = ""
        current = f"{current}\n{piece}" if current else piece
    if current:
        blocks.append(_section_block(current))
    if section.note:
        note = _cut(escape(section.note), CONTEXT_LIMIT)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return blocks


def structured_blocks(message: Message) -> list[dict[str, Any]]:
    """A header, then each section (a divider between them), within 50 blocks."""
    blocks: list[dict[str, Any]] = []
    if message.title:
        title = _cut(message.title, HEADER_LIMIT)
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": title}})
    for index, section in enumerate(message.sections):
        if index:
            blocks.append({"type": "divider"})
        blocks.extend(_section_blocks(section))
    if len(blocks) > MAX_BLOCKS:
        # Dividers are the first thing to give up; then the tail, said to be cut (the whole
        # text is still in the message's notification text).
        blocks = [b for b in blocks if b["type"] != "divider"]
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": ELLIPSIS}]})
    return blocks


def message_blocks(message: Message) -> list[dict[str, Any]]:
    if message.sections:
        blocks = structured_blocks(message)
    else:
        blocks = [
            _section_block(chunk) for chunk in _chunks(escape(message.text), SECTION_TEXT_LIMIT)
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
