"""Destructive confirmations (forget-me, leave, closing a program): one way to ask them.

The question is a prompt that lives ``CONFIRMATION_LIFETIME`` and ends earlier as soon as the
person does anything else (``bot.questions``, ``bot.prompts``); its buttons send
``<value>:yes`` or ``<value>:no``.
"""

from __future__ import annotations

from typing import Any

from bot.prompts import CONFIRMATION_LIFETIME
from bot.turn import Turn


async def ask_to_confirm(
    turn: Turn, message_id: str, /, *, yes_label: str, value: str, **variables: Any
) -> None:
    await turn.say(
        message_id,
        lifetime=CONFIRMATION_LIFETIME,
        choices=(
            await turn.choice(yes_label, f"{value}:yes"),
            await turn.choice("labels.cancel", f"{value}:no"),
        ),
        **variables,
    )
