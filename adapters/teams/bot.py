"""Teams' inbound side: each activity becomes one engine event, each reply a Teams activity.

- A message in the personal chat is read like a command or an answer (no slash needed); in a
  channel, the text after the bot's mention is a command.
- A card's button or form (``adaptiveCard/action`` invoke, or the ``Action.Submit`` fallback as
  a message with a value) becomes a choice or a form; the card is then replaced by what was
  answered, or by the form again with its errors, so that nobody answers it twice.
- ``conversationUpdate`` and ``installationUpdate`` record the people and how to reach them;
  someone removed from a team, or who removes Tandem from their chat, has left (bot.leaving).
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse

from adapters.teams import activities, cards
from adapters.teams.directory import TenantDirectory
from adapters.teams.member_emails import MemberEmails
from adapters.teams.proactive import Proactive
from adapters.teams.replies import Replies
from adapters.teams.sending import ATTEMPTS, with_retries
from bot.engine import Engine
from bot.events import EventKind, InboundEvent, Sender
from bot.messages import Message

logger = logging.getLogger("tandem.teams")

# The activity as Teams posted it: the SDK's models drop fields the engine needs (the tenant,
# the entities' time zone and mentions), so the adapter reads the JSON itself.
raw_activity: ContextVar[dict[str, Any]] = ContextVar("raw_activity")
# The HTTP request of a card action, still waiting for the card to answer with; None (or done)
# once it gave up waiting, or when the turn was recovered from the inbox after a restart.
invoke_answer: ContextVar[asyncio.Future[dict[str, Any]] | None] = ContextVar(
    "invoke_answer", default=None
)
CARD_ACTION = "adaptiveCard/action"
CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"


class TandemTeamsBot:
    def __init__(
        self,
        engine: Engine,
        replies: Replies,
        directory: TenantDirectory,
        proactive: Proactive,
        emails: MemberEmails | None = None,
    ) -> None:
        self.engine = engine
        self.replies = replies
        self.directory = directory
        # How to write to someone privately, outside the current conversation.
        self.proactive = proactive
        # People's work e-mails, looked up only when a calendar is connected (None: never).
        self.emails = emails

    async def on_turn(self, context: TurnContext) -> None:
        activity = raw_activity.get()
        self.directory.learn(activity)
        kind = activity.get("type")
        if kind == ActivityTypes.message:
            value = activity.get("value")
            submission = cards.submission_of(value) if isinstance(value, dict) else None
            if submission is not None:
                await self._submission(context, activity, submission, invoked=False)
            elif activity.get("text"):
                await self._text(context, activity)
            elif value is not None:
                # An Action.Submit from a card we do not know (an old version's, another app's).
                await self._stale(context, activity, "submit")
        elif kind == ActivityTypes.invoke and activity.get("name") == CARD_ACTION:
            submission = cards.submission_of(_action_data(activity.get("value")))
            if submission is None:
                logger.warning("unknown card action", extra={"how": "execute"})
                await self._invoke_answer(context, activity, None)
                return
            await self._submission(context, activity, submission, invoked=True)
        elif kind in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
            await self._membership(context, activity)
        elif kind == ActivityTypes.invoke:
            # An invoke of a kind the bot does not handle: acknowledged at once, and logged.
            logger.warning("unknown invoke", extra={"invoke": str(activity.get("name"))[:100]})
            waiting = invoke_answer.get()
            if waiting is not None and not waiting.done():
                waiting.set_result({})

    # Activities
    async def _stale(self, context: TurnContext, activity: dict[str, Any], how: str) -> None:
        logger.warning("unknown card action", extra={"how": how})
        sender = activities.sender_of(activity)
        stale = Message(text=self.replies.text(sender.locale, "errors.stale_choice"))
        await self._send_all(context, sender, [stale])

    async def _text(self, context: TurnContext, activity: dict[str, Any]) -> None:
        sender = await self._sender(context, activity)
        personal = activities.is_personal(activity)
        event = InboundEvent(
            EventKind.MESSAGE if personal else EventKind.COMMAND,
            sender,
            text=activities.command_text(activity),
            channel=activities.channel_of(activity),
            delivery_id=f"teams:{activity.get('id')}",
            mentions=activities.mentioned_names(activity),
        )
        replies = await self.engine.handle(event)
        if personal:
            await self._send_all(context, sender, replies)
            return
        # Answers to a command typed in a channel are private, as a slash command's are on
        # Slack: status, data and errors are nobody else's business.
        for reply in replies:
            await self.proactive.to_person(
                sender.workspace, sender.user_id, None, reply, attempts=ATTEMPTS
            )

    async def _submission(
        self,
        context: TurnContext,
        activity: dict[str, Any],
        submission: cards.Submission,
        *,
        invoked: bool,
    ) -> None:
        sender = await self._sender(context, activity)
        event = _event_for(submission, sender)
        replies = await self.engine.handle(event)
        replacement, rest = self._replacement(sender, submission, replies)
        if invoked:
            await self._invoke_answer(context, activity, replacement)
        elif replacement is not None and activity.get("replyToId"):
            update = Activity(
                type=ActivityTypes.message,
                id=str(activity["replyToId"]),
                attachments=[cards.attachment(replacement)],  # type: ignore[list-item]
            )
            await with_retries(lambda: context.update_activity(update), what="update")
        await self._send_all(context, sender, rest)

    async def _membership(self, context: TurnContext, activity: dict[str, Any]) -> None:
        # Someone removed from a team, or who removed Tandem: they left (bot.leaving); someone
        # added again, or who installs Tandem again, is back.
        for member in activities.members_removed(activity):
            await self.engine.person_left(
                activities.sender_of(activity, member), "removed_from_team"
            )
        if activities.app_removed_by_person(activity):
            await self.engine.person_left(activities.sender_of(activity), "app_removed")
            return
        added = activities.members_added(activity)
        for member in added:
            await self.engine.person_returned(activities.sender_of(activity, member))
        if not activities.is_personal(activity):
            return
        # Only here, in a personal chat (the person and the bot), is the e-mail looked up for
        # members added: a team's conversationUpdate can add hundreds at once, and they are
        # only checked for a return above; each is looked up when they first write instead.
        for member in added:
            await self.engine.remember(await self._sender(context, activity, member))
        if activity.get("type") == ActivityTypes.installation_update or not added:
            await self.engine.remember(await self._sender(context, activity))
        if activities.bot_was_added(activity):
            sender = activities.sender_of(activity)
            await self.engine.person_returned(sender)
            welcome = Message(text=self.replies.text(sender.locale, "teams.welcome"))
            await self._send_all(context, sender, [welcome])

    async def _sender(
        self, context: TurnContext, activity: dict[str, Any], account: dict[str, Any] | None = None
    ) -> Sender:
        """Who the activity is from (or ``account``, a member added), with their work e-mail
        when a calendar needs it and the Bot Connector gave it (see member_emails)."""
        email = None
        if self.emails is not None:
            email = await self.emails.email_of(context, activity, account)
        return activities.sender_of(activity, account, email)

    # Replies
    def _replacement(
        self, sender: Sender, submission: cards.Submission, replies: list[Message]
    ) -> tuple[dict[str, Any] | None, list[Message]]:
        """The card that takes the answered card's place (None: the card stays, the answer was
        refused and nothing changed), and the replies left to send."""
        if any(reply.refused for reply in replies):
            return None, replies
        with_errors = next((r for r in replies if r.form is not None and r.form.errors), None)
        replacing = with_errors or next((r for r in replies if r.replaces_prompt), None)
        if replacing is not None:
            rest = [reply for reply in replies if reply is not replacing]
            return self.replies.card(replacing, sender.locale), rest
        if submission.kind == "choice":
            text = self.replies.text(sender.locale, "teams.chosen", label=submission.label)
        elif submission.kind == "form":
            text = self.replies.text(sender.locale, "teams.submitted")
        else:
            text = self.replies.text(sender.locale, "teams.cancelled")
        return cards.answered_card(text), replies

    async def _invoke_answer(
        self, context: TurnContext, activity: dict[str, Any], card: dict[str, Any] | None
    ) -> None:
        """The invoke's HTTP answer: the card that takes the answered one's place. When the
        request stopped waiting (a slow turn, or one run again after a restart), the card is
        replaced by an update instead."""
        if card is None:
            locale = activities.sender_of(activity).locale
            body = message_answer(self.replies.text(locale, "errors.stale_choice"))
        else:
            body = AdaptiveCardInvokeResponse(
                status_code=200, type=CARD_RESPONSE, value=card
            ).serialize()
        waiting = invoke_answer.get()
        if waiting is not None and not waiting.done():
            waiting.set_result(body)
            return
        if card is None:
            return
        message = Activity(type=ActivityTypes.message, attachments=[cards.attachment(card)])  # type: ignore[list-item]
        if activity.get("replyToId"):
            message.id = str(activity["replyToId"])
            await with_retries(lambda: context.update_activity(message), what="update")
        else:
            await send_with_retries(context, message)

    async def _send_all(self, context: TurnContext, sender: Sender, replies: list[Message]) -> None:
        for reply in replies:
            for activity in self.replies.activities(reply, sender.locale):
                await send_with_retries(context, activity)


def message_answer(text: str) -> dict[str, Any]:
    """An invoke's answer that shows a short text (``value`` is the text, a string)."""
    return {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": text}


async def send_with_retries(context: TurnContext, activity: Activity) -> None:
    await with_retries(lambda: context.send_activity(activity))


def _event_for(submission: cards.Submission, sender: Sender) -> InboundEvent:
    # One card is answered once: a second click or submission carries the same card id.
    delivery_id = f"teams:card:{submission.card_id}" if submission.card_id else None
    if submission.kind == "choice":
        return InboundEvent(
            EventKind.CHOICE, sender, value=submission.value, delivery_id=delivery_id
        )
    if submission.kind == "form":
        return InboundEvent(
            EventKind.FORM,
            sender,
            form_id=submission.form_id,
            values=submission.values,
            delivery_id=delivery_id,
        )
    return InboundEvent(
        EventKind.FORM_CANCELLED, sender, form_id=submission.form_id, delivery_id=delivery_id
    )


def _action_data(value: Any) -> dict[str, Any]:
    """``value.action.data`` of an Action.Execute invoke, or {} when any of them is not an
    object (a forged or malformed invoke is answered as an unknown card action)."""
    action = value.get("action") if isinstance(value, dict) else None
    data = action.get("data") if isinstance(action, dict) else None
    return data if isinstance(data, dict) else {}
