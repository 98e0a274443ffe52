"""Errors a person caused and can fix: the engine answers them with a localized message."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Raised with a message id from ``prompts/`` and its variables; nothing of the turn is kept."""

    def __init__(self, message_id: str, **variables: Any) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.variables = variables
