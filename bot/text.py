"""What people type, made safe once, where it enters the engine.

Every free text of an inbound event (a command or message, a button's value, a form's fields)
is normalised to Unicode NFC, its line ends unified, and refused when it carries characters no
person means to send (NUL and other control characters, terminal escapes, bidirectional
overrides, which would break storage or make an echo lie about what it shows) or when it is
longer than any answer Tandem asks for. Below the edge, handlers see clean text only.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from bot.errors import UserError
from bot.events import InboundEvent

# Longer than any answer or command Tandem asks for; each field has its own, smaller limit.
MAX_TEXT = 2000
# Echoed back in an error, a value is cut to this many characters.
MAX_ECHO = 60
_ALLOWED_CONTROLS = {"\n", "\t"}
# Explicit embeddings, overrides and isolates: they reorder what a reader sees.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def clean(text: str) -> str:
    """``text`` in NFC with ``\\n`` line ends; refused if it holds control characters or is
    longer than ``MAX_TEXT``."""
    if not text:
        return text
    normalized = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    for character in normalized:
        if character in _BIDI_CONTROLS or (
            unicodedata.category(character) == "Cc" and character not in _ALLOWED_CONTROLS
        ):
            raise UserError("errors.text_control_characters", code=f"U+{ord(character):04X}")
    if len(normalized) > MAX_TEXT:
        raise UserError("errors.text_too_long", maximum=MAX_TEXT, length=len(normalized))
    return normalized


def cleaned_event(event: InboundEvent) -> InboundEvent:
    """The event with every text people could have typed or forged cleaned (see ``clean``)."""
    return dataclasses.replace(
        event,
        text=clean(event.text),
        value=clean(event.value),
        form_id=clean(event.form_id),
        values={clean(key): clean(value) for key, value in event.values.items()},
    )


def shortened(value: object) -> object:
    """A value echoed back in an answer, cut to a readable length (strings and their lists)."""
    if isinstance(value, str):
        return value if len(value) <= MAX_ECHO else value[: MAX_ECHO - 1] + "…"
    if isinstance(value, list | tuple):
        return [shortened(item) for item in value]
    return value
