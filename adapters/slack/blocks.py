"""Engine messages as Slack Block Kit: escaped mrkdwn text and buttons for choices; a message
with sections (the digest, the report) as a header, one section block each, dividers and
context lines, kept within Block Kit's limits by splitting and, at worst, cutting. A text longer
than Slack advises for one message (4,000 characters) goes out as several messages
(``slack_messages``), cut at line breaks where it can be; an empty message is not sent."""

from __future__ import annotations

from dataclasses import dataclass
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
# chat.postMessage: Slack advises at most 4,000 characters of text in one message.
MESSAGE_TEXT_LIMIT = 4000
ELLIPSIS = "…"


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage's worth: the text (notifications, screen readers) and its blocks."""

    text: str
    blocks: list[dict[str, Any]]


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


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut after a line break where there
    is one in the second half of a piece, else after a space, else anywhere."""
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = window.rfind("\n") + 1
        if cut <= limit // 2:
            cut = window.rfind(" ") + 1
        if cut <= limit // 2:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:]
    if text or not pieces:
        pieces.append(text)
    return pieces


def _text_blocks(text: str) -> list[dict[str, Any]]:
    """Section blocks for plain text: escaping may lengthen it, so it is split once escaped,
    on the raw text's line breaks where possible."""
    blocks: list[dict[str, Any]] = []
    for piece in split_text(text, SECTION_TEXT_LIMIT // 2):
        escaped = escape(piece)
        if blocks and len(blocks[-1]["text"]["text"]) + len(escaped) <= SECTION_TEXT_LIMIT:
            blocks[-1]["text"]["text"] += escaped
        else:
            blocks.extend(_section_block(chunk) for chunk in _chunks(escaped, SECTION_TEXT_LIMIT))
    return [block for block in blocks if block["text"]["text"].strip()]


def slack_messages(message: Message) -> list[SlackMessage]:
    """The messages that carry ``message`` on Slack, in order (none when it says nothing): a
    long text in several, its buttons under the last; a structured message in one, its text
    (only the notification's) cut to what Slack advises."""
    if message.sections:
        return [SlackMessage(_cut(message.text, MESSAGE_TEXT_LIMIT), message_blocks(message))]
    if not message.text.strip():
        buttons = _choice_blocks(message)
        return [SlackMessage("", buttons)] if buttons else []
    parts = split_text(message.text, MESSAGE_TEXT_LIMIT)
    sent = [SlackMessage(part, _text_blocks(part)) for part in parts if part.strip()]
    last = sent[-1]
    sent[-1] = SlackMessage(last.text, [*last.blocks, *_choice_blocks(message)])
    return sent


def message_blocks(message: Message) -> list[dict[str, Any]]:
    """One message's blocks, within 50 whatever the number of sections and buttons."""
    buttons = _choice_blocks(message)
    if message.sections:
        blocks = structured_blocks(message)
        room = MAX_BLOCKS - min(len(buttons), MAX_BLOCKS - 1)
        if len(blocks) > room:
            blocks = blocks[: room - 1]
            ellipsis = {"type": "mrkdwn", "text": ELLIPSIS}
            blocks.append({"type": "context", "elements": [ellipsis]})
    else:
        blocks = _text_blocks(message.text)
    return [*blocks, *buttons][:MAX_BLOCKS]


def _choice_blocks(message: Message) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
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


def single_message(message: Message) -> SlackMessage:
    """``message`` in one message (an update in place): text cut, blocks within limits."""
    return SlackMessage(_cut(message.text, MESSAGE_TEXT_LIMIT), message_blocks(message))
