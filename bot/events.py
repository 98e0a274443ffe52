"""What adapters hand to the engine: one normalized event per user action."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    COMMAND = "command"
    """A command line such as ``/session log 45m "topics"``; the leading slash is optional."""
    MESSAGE = "message"
    """Free text typed in the direct conversation with the bot."""
    CHOICE = "choice"
    """A button clicked: ``value`` is the opaque value the engine put on the choice."""
    FORM = "form"
    """A form submitted: ``form_id`` and ``values`` (field name -> text)."""
    FORM_CANCELLED = "form_cancelled"
    """A form closed without submitting."""


@dataclass(frozen=True)
class Sender:
    platform: str
    workspace: str
    user_id: str
    display_name: str | None = None
    locale: str | None = None
    timezone: str | None = None
    # Opaque adapter data to reach this person later (DM channel, conversation reference...).
    address: dict[str, Any] | None = None
    # Their work e-mail, when the platform shares it (Slack's users:read.email).
    email: str | None = None
    # Their id in the company's directory when the platform's own id is another (Teams: the
    # Azure AD object id a roster import found them by, before they ever wrote).
    directory_id: str | None = None


@dataclass(frozen=True)
class SharedFile:
    """A file the person shared with their command (a roster): ``data`` holds at most what the
    engine accepts plus one byte, ``size`` the whole file's size."""

    name: str
    data: bytes = field(repr=False)
    size: int


@dataclass(frozen=True)
class InboundEvent:
    kind: EventKind
    sender: Sender
    text: str = ""
    value: str = ""
    form_id: str = ""
    values: dict[str, str] = field(default_factory=dict)
    # A form asked one field at a time (the console): True checks the fields in ``values``, the
    # ones answered so far, and keeps nothing; the form stays open for the rest.
    checking: bool = False
    # Where the event happened (a channel, for `/tandem digest channel here`), adapter-owned.
    channel: dict[str, Any] | None = None
    # The platform's own id of this delivery, used to drop platform retries.
    delivery_id: str | None = None
    # Names of the people mentioned in the text, by user id, when the platform gives them: a
    # person invited before they ever wrote is then called by their name, not their id.
    mentions: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    files: tuple[SharedFile, ...] = field(default=(), compare=False, repr=False)
