"""Everything one turn needs: the transaction, the person, the clock, and ways to speak."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import AuditEntry, Enrollment, OutboxMessage, Person, Program
from bot.events import InboundEvent
from bot.i18n import Renderer
from bot.inbox import SenderRequests
from bot.messages import Attachment, Choice, Form, Message
from bot.ports import UnitOfWork
from bot.prompts import FORM, Prompt, bound_choices, bound_form, new_token, offers_of
from bot.roster.directory import DirectoryPort
from bot.scheduling.working_hours import WorkingHours

if TYPE_CHECKING:
    from bot.calendar.mailbox import MailboxCalendar


@dataclass(frozen=True)
class EngineConfig:
    default_locale: str = "fr"
    default_timezone: str = "Europe/Paris"
    admins: tuple[str, ...] = ()
    # Where the bot's own web server is reached from a browser (links to the dashboard).
    public_url: str = "http://localhost:3000"
    # The connected calendar (Microsoft Graph, Google) when one is configured; None: .ics.
    calendar: MailboxCalendar | None = None


@dataclass(frozen=True)
class Unseen:
    """The questions held for the person's working hours when the turn began (bot.questions):
    their buttons' tokens and their conversations. They were not shown, so not answerable."""

    tokens: frozenset[str] = frozenset()
    conversations: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.tokens or self.conversations)


@dataclass
class Turn:
    uow: UnitOfWork
    clock: Clock
    renderer: Renderer
    config: EngineConfig
    event: InboundEvent
    person: Person
    replies: list[Message] = field(default_factory=list)
    # The prompt this turn answers (a choice or a form), taken by the engine before the handler.
    answering: Prompt | None = None
    unseen: Unseen = field(default_factory=Unseen)
    # The kind of a confirmation that ran out, which this turn's number answers too late.
    lapsed: str = ""
    # The speaker's requests in the durable inbox, when the turn runs from it.
    requests: SenderRequests | None = None
    # Run once the turn has committed (what lives outside its transaction, like the inbox).
    after_commit: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    # False in a follow-up (bot.follow_ups): it runs after the reply was sent, so what it has
    # for the speaker goes through the outbox.
    speaking: bool = True
    # How many follow-ups this turn deferred (the engine then wakes the deliverer).
    deferred: int = 0
    # Each platform's directory (who an e-mail is), for roster imports.
    directories: dict[str, DirectoryPort] = field(default_factory=dict)
    _locales: dict[int, str] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def person_id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    # Locale and time of a person
    async def locale_of(self, person: Person) -> str:
        if person.locale:
            return self.renderer.locale_for(person.locale)
        assert person.id is not None
        if person.id not in self._locales:
            program_locale = None
            enrollments = await self.uow.enrollments_of_person(person.id)
            if enrollments:
                program = await self.uow.program(enrollments[0].program_id)
                program_locale = program.locale if program else None
            self._locales[person.id] = self.renderer.locale_for(
                program_locale, self.config.default_locale
            )
        return self._locales[person.id]

    def timezone_of(self, person: Person) -> str:
        return person.timezone or self.config.default_timezone

    def today_for(self, person: Person) -> date:
        return self.now.astimezone(ZoneInfo(self.timezone_of(person))).date()

    # Speaking
    async def text(self, message_id: str, **variables: Any) -> str:
        return self.renderer.render(await self.locale_of(self.person), message_id, **variables)

    async def say(
        self,
        message_id: str,
        /,
        *,
        choices: tuple[Choice, ...] = (),
        form: Form | None = None,
        replaces_prompt: bool = False,
        lifetime: timedelta | None = None,
        attachment: Attachment | None = None,
        **variables: Any,
    ) -> None:
        """Reply to the speaker. Choices and a form become a prompt only they can answer, within
        ``lifetime`` when given (destructive confirmations)."""
        assert self.speaking, "a follow-up has no reply: it notifies the speaker"
        choices, form, prompt = self._prompt(self.person_id, choices, form, lifetime)
        if prompt is not None:
            await self.uow.add_prompts([prompt])
        self.replies.append(
            Message(
                text=await self.text(message_id, **variables),
                choices=choices,
                form=form,
                replaces_prompt=replaces_prompt,
                attachment=attachment,
            )
        )

    def _prompt(
        self,
        person_id: int,
        choices: tuple[Choice, ...],
        form: Form | None,
        lifetime: timedelta | None,
    ) -> tuple[tuple[Choice, ...], Form | None, Prompt | None]:
        """The choices and form bound to a new prompt for ``person_id``, and that prompt."""
        if not choices and form is None:
            return choices, form, None
        answering = self.answering
        if (
            form is not None
            and not choices
            and answering is not None
            and answering.person_id == person_id
            and f"{FORM}:{form.form_id}" in answering.offers
        ):
            # The form answered, sent back with errors: the same prompt again, because Slack
            # shows the errors in the modal already open, which submits the same token.
            self.answering = None
            return choices, bound_form(form, answering.token), answering
        token = new_token()
        prompt = Prompt(
            token=token,
            person_id=person_id,
            offers=offers_of(choices, form),
            created_at=self.now,
            expires_at=self.now + lifetime if lifetime is not None else None,
        )
        bound = bound_form(form, token) if form is not None else None
        return bound_choices(choices, token), bound, prompt

    async def choice(
        self, label_id: str, value: str, person: Person | None = None, **variables: Any
    ) -> Choice:
        locale = await self.locale_of(person or self.person)
        return Choice(value=value, label=self.renderer.render(locale, label_id, **variables))

    async def notify(
        self,
        recipient: Person,
        message_id: str,
        /,
        *,
        key: str,
        purpose: str,
        choices: tuple[Choice, ...] = (),
        attachment: Attachment | None = None,
        at_once: bool = False,
        **variables: Any,
    ) -> bool:
        """Queue a message to someone else, in their language, sent after this turn commits.

        It goes out at once when the recipient is in their working hours, else at the start of
        their next working slot; ``at_once``: whatever the hours (the speaker of a follow-up,
        who has just spoken). ``attachment``: a file that goes with it (an invitation).
        """
        assert recipient.id is not None
        locale = await self.locale_of(recipient)
        text = self.renderer.render(locale, message_id, **variables)
        zone = ZoneInfo(self.timezone_of(recipient))
        not_before = (
            self.now
            if at_once
            # Not on a public holiday of their country either (their program's closures are
            # the scheduler's to keep: a notice answers someone, in no one program).
            else WorkingHours.of(recipient).next_working_moment(self.now, zone)
        )
        choices, _, prompt = self._prompt(recipient.id, choices, None, None)
        added = await self.uow.enqueue(
            OutboxMessage(
                key=key,
                purpose=purpose,
                platform=recipient.platform,
                person_id=recipient.id,
                payload=Message(text=text, choices=choices, attachment=attachment).to_payload(),
                created_at=self.now,
                not_before=not_before,
            )
        )
        if added and prompt is not None:
            # With the outbox row, in its transaction: the buttons work once the message is out.
            await self.uow.add_prompts([prompt])
        return added

    async def post_to_channel(
        self, program: Program, message_id: str, /, *, key: str, purpose: str, **variables: Any
    ) -> bool:
        channel = program.digest_channel
        if not channel:
            return False
        text = self.renderer.render(
            self.renderer.locale_for(program.locale), message_id, **variables
        )
        return await self.uow.enqueue(
            OutboxMessage(
                key=key,
                purpose=purpose,
                platform=str(channel["platform"]),
                channel=dict(channel),
                payload=Message(text=text).to_payload(),
                created_at=self.now,
                not_before=self.now,
            )
        )

    async def notify_owners(
        self, program: Program, message_id: str, /, *, key: str, purpose: str, **variables: Any
    ) -> None:
        assert program.id is not None
        for owner in await self.uow.owners_of(program.id):
            # Never the speaker, nor an owner who left the company.
            if owner.id != self.person.id and owner.left_at is None:
                await self.notify(
                    owner, message_id, key=f"{key}:{owner.id}", purpose=purpose, **variables
                )

    def audit(
        self,
        action: str,
        *,
        program_id: int | None = None,
        subject: str | None = None,
        **details: Any,
    ) -> None:
        self.uow.add(
            AuditEntry(
                at=self.now,
                actor_id=self.person.id,
                action=action,
                program_id=program_id,
                subject=subject,
                details=details,
            )
        )

    # Lookups every handler needs
    async def current_enrollment(self) -> Enrollment | None:
        """The person's most recent enrollment that has not been left."""
        for enrollment in await self.uow.enrollments_of_person(self.person_id):
            if enrollment.status != "left":
                return enrollment
        return None

    async def person_of(self, enrollment_id: int | None) -> Person | None:
        if enrollment_id is None:
            return None
        return await self.uow.person_of_enrollment(enrollment_id)
