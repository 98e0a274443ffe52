"""Block Kit payloads checked the way Slack would: every block parsed and validated with
``slack_sdk.models`` (which knows each element's field limits), plus the limits Slack documents
for whole messages and views (https://api.slack.com/reference/block-kit/blocks,
https://api.slack.com/methods/chat.postMessage, https://api.slack.com/reference/surfaces/views).
The fake Slack runs these on every call, so an invalid payload fails the test that made it."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
# chat.postMessage: Slack advises at most 4,000 characters of text (and truncates past 40,000).
MESSAGE_TEXT = 4000
PRIVATE_METADATA = 3000
VIEW_METHODS = {"views.open", "views.publish", "views.update", "views.push"}
MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral"}


def block_problems(blocks: Any, limit: int) -> list[str]:
    if not isinstance(blocks, list):
        return [f"blocks is not a list: {type(blocks).__name__}"]
    problems = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks, more than {limit}")
    for index, raw in enumerate(blocks):
        parsed = Block.parse(raw) if isinstance(raw, dict) else None
        if parsed is None:
            problems.append(f"block {index} is not a known block: {raw!r:.200}")
            continue
        try:
            parsed.validate_json()
        except SlackObjectFormationError as error:
            problems.append(f"block {index} ({raw.get('type')}): {error}")
    return problems


def view_problems(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return ["view is not an object"]
    problems = block_problems(view.get("blocks", []), VIEW_BLOCKS)
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA:
        problems.append("private_metadata longer than 3,000 characters")
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError) as error:
        problems.append(f"view: {error}")
    return problems


def message_problems(arguments: dict[str, Any]) -> list[str]:
    text = arguments.get("text")
    blocks = arguments.get("blocks")
    if not text and not blocks:
        return ["no_text: neither text nor blocks"]
    problems = []
    if text is not None and len(str(text)) > MESSAGE_TEXT:
        problems.append(f"text of {len(str(text))} characters, more than {MESSAGE_TEXT}")
    if blocks is not None:
        if blocks == []:
            problems.append("an empty list of blocks")
        problems += block_problems(blocks, MESSAGE_BLOCKS)
    return problems


def payload_problems(method: str, arguments: dict[str, Any]) -> list[str]:
    """What is wrong with the Block Kit of one Web API call (nothing for other methods)."""
    if method in MESSAGE_METHODS:
        return message_problems(arguments)
    if method in VIEW_METHODS:
        return view_problems(arguments.get("view"))
    return []
