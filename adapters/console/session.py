"""The console adapter: act as any named person, line by line, on the real engine.

Lines look like ``@alice /tandem join mentor`` (``@alice`` alone switches who speaks; later lines
without ``@`` are said by the same person). A bare number is said to the bot as typed: the
engine answers with it the most recent question shown to the speaker (``bot.questions``), as a
chat user typing "1" would. A form is asked field by field; a line starting with ``/`` is always
a command and abandons the form. ``:advance 3d``, ``:now`` and ``:expect @alice some words``
drive the virtual clock and check a script. ``#`` starts a comment: a whole line, or the end of
one after a space (``@alice 1   # she joins``); a ``#`` inside quotes, or glued to a name
(``#owners``), is kept.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from adapters.console.directory import ConsoleDirectory, shared_files
from adapters.console.port import PLATFORM, WORKSPACE, ConsoleChatPort, Delivery
from bot.clock import VirtualClock
from bot.delivery import Deliverer
from bot.engine import Engine
from bot.events import EventKind, InboundEvent, Sender
from bot.i18n import Renderer
from bot.messages import Form, Message

_SPEAKER = re.compile(r"^@(?P<name>[\w.\-]+)\s*(?P<rest>.*)$")
_ADVANCE = re.compile(r"^(?P<count>\d+)\s*(?P<unit>d|h|m|w)$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}
_QUOTES = {'"': '"', "“": "”", "«": "»"}


def without_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` after a space, outside quotes, followed
    by a space or nothing): a channel such as ``#owners`` and a quoted ``"#1 topic"`` stay."""
    closing: str | None = None
    for index, char in enumerate(line):
        if closing is not None:
            if char == closing:
                closing = None
        elif char in _QUOTES:
            closing = _QUOTES[char]
        elif (
            char == "#"
            and (index == 0 or line[index - 1].isspace())
            and (index + 1 == len(line) or line[index + 1].isspace())
        ):
            return line[:index].rstrip()
    return line


@dataclass
class FormInProgress:
    form: Form
    pending: list[str]
    values: dict[str, str] = field(default_factory=dict)


class ConsoleLineError(Exception):
    """A console line that could not be run (not a person's message: a malformed line)."""


@dataclass
class ConsoleSession:
    engine: Engine
    deliverer: Deliverer
    clock: VirtualClock
    renderer: Renderer
    locale: str = "fr"
    on_delivery: Callable[[Delivery], None] | None = None
    # The scheduler's tick: what fell due is queued before each delivery round.
    on_tick: Callable[[], Awaitable[object]] | None = None
    transcript: list[Delivery] = field(default_factory=list)
    speaker: str | None = None
    _forms: dict[str, FormInProgress] = field(default_factory=dict)
    _since_last_line: list[Delivery] = field(default_factory=list)
    # What the last person's line (or clock move) made the bot say: what :expect looks at.
    _last_turn: list[Delivery] = field(default_factory=list)
    _advancing: bool = False

    def __post_init__(self) -> None:
        # What turns defer (bot.follow_ups) is carried out by this console's delivery round.
        if self.deliverer.follow_ups is None:
            self.deliverer.follow_ups = self.engine.follow_ups
        self.engine.directories.setdefault(PLATFORM, ConsoleDirectory())

    def port(self) -> ConsoleChatPort:
        return ConsoleChatPort(self._record)

    def _record(self, delivery: Delivery) -> None:
        delivery = dataclasses.replace(delivery, at=self.clock.now(), timed=self._advancing)
        self.transcript.append(delivery)
        self._since_last_line.append(delivery)
        if self.on_delivery:
            self.on_delivery(delivery)
        if delivery.message.form is not None:
            self._start_form(delivery.recipient, delivery.message.form)

    def received_by(self, name: str) -> list[str]:
        """Every text a person (or ``#channel``) has received so far."""
        return [d.text for d in self.transcript if d.recipient == name]

    async def run_line(self, line: str) -> list[Delivery]:
        """Run one console line; returns what it made the bot say, to anyone."""
        self._since_last_line = []
        stripped = line.strip()
        if stripped.startswith("#"):
            return []
        stripped = without_comment(stripped)
        if not stripped and self.speaker in self._forms:
            # An empty line keeps a form field's default (or leaves an optional field empty).
            stripped = "-"
        if not stripped or stripped.startswith("#"):
            return []
        if stripped.startswith(":"):
            await self._directive(stripped[1:])
            return list(self._since_last_line)
        self._last_turn = self._since_last_line
        match = _SPEAKER.match(stripped)
        if match:
            self.speaker = match.group("name")
            stripped = match.group("rest").strip()
            if not stripped:
                return []
        if self.speaker is None:
            raise ConsoleLineError(self.renderer.render(self.locale, "console.who_speaks"))
        await self._speak(self.speaker, stripped)
        return list(self._since_last_line)

    async def choose(self, name: str, value: str) -> list[Delivery]:
        """Click a button by its value, as a platform would report it (used by simulations)."""
        self._since_last_line = []
        self.speaker = name
        await self._send(name, EventKind.CHOICE, value=value)
        return list(self._since_last_line)

    async def _speak(self, name: str, text: str) -> None:
        form = self._forms.get(name)
        if text.startswith("/"):
            if form is not None:
                del self._forms[name]
                await self._send(name, EventKind.FORM_CANCELLED, form_id=form.form.form_id)
            await self._send(name, EventKind.COMMAND, text=text, files=shared_files(text))
        elif form is not None:
            await self._answer_field(name, form, text)
        else:
            await self._send(name, EventKind.MESSAGE, text=text)

    async def _send(self, name: str, kind: EventKind, **fields: object) -> list[Message]:
        sender = Sender(platform=PLATFORM, workspace=WORKSPACE, user_id=name, display_name=name)
        event = InboundEvent(kind=kind, sender=sender, **fields)  # type: ignore[arg-type]
        failures = self.engine.failures
        replies = await self.engine.handle(event)
        for reply in replies:
            self._record(Delivery(name, reply, "reply"))
        await self.deliver()
        if self.engine.failures != failures:
            raise ConsoleLineError(self.renderer.render(self.locale, "console.engine_failed"))
        return replies

    async def deliver(self) -> None:
        if self.on_tick is not None:
            await self.on_tick()
        await self.deliverer.drain()

    async def advance(self, delta: timedelta) -> None:
        """Live through ``delta`` hour by hour, running what falls due at each step."""
        target = self.clock.now() + delta
        self._advancing = True
        try:
            while self.clock.now() < target:
                now = self.clock.now()
                next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
                self.clock.set(min(next_hour, target))
                await self.deliver()
        finally:
            self._advancing = False

    # Forms, field by field
    def _start_form(self, name: str, form: Form) -> None:
        pending = [f.name for f in form.fields if not form.errors or f.name in form.errors]
        self._forms[name] = FormInProgress(form, pending, dict(form.values))

    def current_field_prompt(self, name: str) -> str | None:
        form = self._forms.get(name)
        if form is None or not form.pending:
            return None
        spec = next(f for f in form.form.fields if f.name == form.pending[0])
        parts = [spec.label]
        if spec.hint:
            parts.append(f"({spec.hint})")
        default = form.values.get(spec.name) or spec.initial
        if default:
            parts.append(f"[{default}]")
        if spec.name in form.form.errors:
            parts.insert(0, f"⚠ {form.form.errors[spec.name]}\n")
        return " ".join(parts)

    async def _answer_field(self, name: str, form: FormInProgress, text: str) -> None:
        field_name = form.pending[0]
        spec = next(f for f in form.form.fields if f.name == field_name)
        answer = text.strip()
        if answer in ("", "-"):
            answer = form.values.get(field_name) or spec.initial
        # Each field is checked as it is answered: a wrong one is asked again at once (with
        # what is wrong), so the next line never lands in the field after it.
        replies = await self._send(
            name,
            EventKind.FORM,
            form_id=form.form.form_id,
            values={field_name: answer},
            checking=True,
        )
        if any(reply.refused for reply in replies):
            return
        form.pending.pop(0)
        form.values[field_name] = answer
        if form.pending:
            return
        del self._forms[name]
        await self._send(name, EventKind.FORM, form_id=form.form.form_id, values=form.values)

    async def _directive(self, directive: str) -> None:
        verb, _, argument = directive.partition(" ")
        if verb == "advance":
            match = _ADVANCE.match(argument.strip())
            if not match:
                raise ConsoleLineError(self.renderer.render(self.locale, "console.bad_advance"))
            delta = timedelta(**{_UNITS[match.group("unit")]: int(match.group("count"))})
            self._last_turn = self._since_last_line
            await self.advance(delta)
            self._record(Delivery(":", self._clock_message(), "clock"))
        elif verb == "now":
            self._record(Delivery(":", self._clock_message(), "clock"))
        elif verb == "expect":
            self._expect(argument)
        else:
            raise ConsoleLineError(self.renderer.render(self.locale, "console.bad_directive"))

    def _clock_message(self) -> Message:
        return Message(text=self.renderer.render(self.locale, "console.now", now=self.clock.now()))

    def _expect(self, argument: str) -> None:
        target, _, words = argument.strip().partition(" ")
        name = target.lstrip("@")
        if not name or not words.strip():
            raise ConsoleLineError(self.renderer.render(self.locale, "console.bad_expect"))
        needle = words.strip().strip('"').lower()
        seen = (
            " ".join([d.text, *(c.label for c in d.message.choices)]).lower()
            for d in self._last_turn
            if d.recipient == name
        )
        if not any(needle in text for text in seen):
            raise ConsoleLineError(
                self.renderer.render(
                    self.locale, "console.expectation_failed", name=name, words=needle
                )
            )
