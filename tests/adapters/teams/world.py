"""A Teams tenant around the real web app: Bot Framework activities in, the fake connector out.

Activities are shaped like the ones Teams posts (``serviceUrl`` pointing at the fake Bot
Connector); what the bot sends comes back from the fake, and the cards it answers card actions
with (an invoke's response) are kept here, per person.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.main import Runtime
from tests import pairs
from tests.fakes.bot_connector import TENANT, FakeBotConnector

BOT = {"id": "28:tandem-bot", "name": "Tandem"}
MENTOR, MENTEE, HR = "29:mentor-lea", "29:mentee-marc", "29:hr-owner"
NAMES = {MENTOR: "Léa Martin", MENTEE: "Marc Dubois", HR: "Hélène RH"}
ZONES = {MENTOR: "America/New_York", MENTEE: "Europe/Paris", HR: "Europe/Paris"}
CHANNEL = "19:owners-channel@thread.tacv2"

_ids = itertools.count(1_700_000_000_000)


def card_texts(card: dict[str, Any]) -> str:
    return "\n".join(
        str(element.get("text", ""))
        for element in card.get("body", [])
        if element.get("type") == "TextBlock"
    )


def card_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(card.get("actions") or [])
    for element in card.get("body", []):
        if element.get("type") == "ActionSet":
            found += element["actions"]
    return found


@dataclass
class TeamsWorld:
    http: TestClient
    fake: FakeBotConnector
    runtime: Runtime
    locales: dict[str, str] = field(default_factory=dict)
    # The cards that replaced answered cards (invoke responses), per person, in order, each with
    # how many activities the connector had recorded by then (to tell what came first) and the
    # id of the activity whose card it replaced.
    answered: dict[str, list[tuple[int, str, dict[str, Any]]]] = field(default_factory=dict)

    def conversation(self, user: str) -> str:
        return self.fake.personal_conversation(user)

    def account(self, user: str) -> dict[str, Any]:
        return {"id": user, "name": NAMES.get(user, user), "aadObjectId": f"aad-{user}"}

    def activity(self, user: str, kind: str, **fields: Any) -> dict[str, Any]:
        """An activity from ``user`` in their personal chat with the bot, as Teams posts it."""
        locale = self.locales.get(user, "en-US")
        zone = ZONES.get(user, "Europe/Paris")
        return {
            "type": kind,
            "id": str(next(_ids)),
            "timestamp": "2026-11-22T10:00:00.000Z",
            "localTimestamp": "2026-11-22T11:00:00.000+01:00",
            "localTimezone": zone,
            "serviceUrl": self.fake.url,
            "channelId": "msteams",
            "from": self.account(user),
            "conversation": {
                "conversationType": "personal",
                "tenantId": TENANT,
                "id": self.conversation(user),
            },
            "recipient": dict(BOT),
            "locale": locale,
            "entities": [
                {
                    "type": "clientInfo",
                    "locale": locale,
                    "country": "FR",
                    "platform": "Web",
                    "timezone": zone,
                },
            ],
            "channelData": {"tenant": {"id": TENANT}},
            **fields,
        }

    async def post(self, activity: dict[str, Any], **headers: str) -> ClientResponse:
        return await self.http.post("/api/messages", json=activity, headers=headers)

    async def say(self, user: str, text: str) -> ClientResponse:
        mentions = [
            {
                "type": "mention",
                "text": f"<at>{NAMES.get(u, u)}</at>",
                "mentioned": {"id": u, "name": NAMES.get(u, u)},
            }
            for u in NAMES
            if f"<at>{NAMES[u]}</at>" in text
        ]
        activity = self.activity(user, "message", text=text, textFormat="plain")
        activity["entities"] += mentions
        return await self.post(activity)

    async def in_channel(self, user: str, text: str) -> ClientResponse:
        """``@Tandem text`` typed in the owners' team channel (a new thread)."""
        thread = f"{CHANNEL};messageid={next(_ids)}"
        activity = self.activity(
            user,
            "message",
            text=f"<at>Tandem</at> {text}",
            conversation={
                "conversationType": "channel",
                "isGroup": True,
                "tenantId": TENANT,
                "id": thread,
            },
            channelData={
                "tenant": {"id": TENANT},
                "team": {"id": "19:team@thread.tacv2"},
                "channel": {"id": CHANNEL, "name": "HR owners"},
                "teamsChannelId": CHANNEL,
            },
        )
        activity["entities"].append(
            {"type": "mention", "text": "<at>Tandem</at>", "mentioned": dict(BOT)}
        )
        return await self.post(activity)

    async def act(
        self, user: str, data: dict[str, Any], reply_to: str, *, execute: bool = True
    ) -> ClientResponse:
        """A card's button: ``Action.Execute`` (an invoke) or its ``Action.Submit`` fallback."""
        if not execute:
            return await self.post(self.activity(user, "message", value=data, replyToId=reply_to))
        activity = self.activity(
            user,
            "invoke",
            name="adaptiveCard/action",
            value={
                "action": {"type": "Action.Execute", "verb": data.get("tandem"), "data": data},
                "trigger": "manual",
            },
            replyToId=reply_to,
        )
        # The answered card is replaced where it stands: before the replies of this turn.
        position = len(self.fake.sent)
        response = await self.post(activity)
        if response.status == 200:
            body = await response.json()
            # For a message answer, the value is the text Teams shows.
            if body.get("type") == "application/vnd.microsoft.activity.message" and not isinstance(
                body.get("value"), str
            ):
                self.fake.violations.append(f"invoke message answer {body!r:.200}")
            if body.get("type") == "application/vnd.microsoft.card.adaptive":
                self.fake.check_card(body["value"], "invoke response")
                entry = (position, reply_to, body["value"])
                self.answered.setdefault(user, []).append(entry)
        return response

    def cards_to(self, user: str) -> list[tuple[str, dict[str, Any]]]:
        """(activity id, card) of every card ``user`` was shown, oldest first: those sent, and
        those that replaced an answered card in place (under that card's activity id)."""
        conversation = self.conversation(user)
        shown = [
            (float(position), sent.activity_id, sent.card)
            for position, sent in enumerate(self.fake.sent)
            if sent.conversation_id == conversation and sent.card is not None
        ]
        # A replacement comes before the replies of its turn (see ``act``).
        shown += [
            (position - 0.5, reply_to, card)
            for position, reply_to, card in self.answered.get(user, [])
        ]
        return [(activity_id, card) for _, activity_id, card in sorted(shown, key=lambda s: s[0])]

    def latest_card(self, user: str, *, with_inputs: bool = False) -> tuple[str, dict[str, Any]]:
        for activity_id, card in reversed(self.cards_to(user)):
            inputs = [e for e in card["body"] if str(e.get("type", "")).startswith("Input.")]
            if inputs if with_inputs else card_actions(card):
                return activity_id, card
        raise AssertionError(f"no card{' with inputs' if with_inputs else ''} sent to {user}")


def received(world: TeamsWorld, user: str) -> list[str]:
    """Every text ``user`` saw: messages, cards, and cards that replaced answered ones."""
    conversation = world.conversation(user)
    answered = list(world.answered.get(user, []))
    texts = []
    for position, sent in enumerate(world.fake.sent):
        while answered and answered[0][0] <= position:
            texts.append(card_texts(answered.pop(0)[2]))
        if sent.conversation_id == conversation:
            texts.append(card_texts(sent.card) if sent.card is not None else sent.text)
    return texts + [card_texts(card) for _, _, card in answered]


def answered_cards(world: TeamsWorld, user: str) -> list[dict[str, Any]]:
    return [card for _, _, card in world.answered.get(user, [])]


async def settle(world: TeamsWorld) -> None:
    """Every acknowledged activity handled, and the outbox sent."""
    assert world.runtime.teams is not None
    await world.runtime.teams.settled()
    while await world.runtime.deliverer.drain():
        pass


async def play(world: TeamsWorld, steps: list[tuple[str, str]], *, execute: bool = True) -> None:
    """Plays ``(user, action)`` steps, each settled before the next.

    ``click:LABEL``: the button whose title contains LABEL (``#N``: the Nth) on the latest card
    with buttons; ``form:V1|V2…``: the latest form card submitted with its inputs filled in
    order (``-`` leaves one empty); ``#channel TEXT``: TEXT typed at @Tandem in the owners'
    channel; anything else: typed in the personal chat.
    """
    for user, step in steps:
        if step.startswith("click:"):
            label = step.removeprefix("click:")
            reply_to, card = world.latest_card(user)
            actions = card_actions(card)
            if label.startswith("#"):
                chosen = actions[int(label[1:]) - 1]
            else:
                chosen = next(a for a in actions if label in a["title"])
            response = await world.act(user, dict(chosen["data"]), reply_to, execute=execute)
        elif step.startswith("form:"):
            reply_to, card = world.latest_card(user, with_inputs=True)
            inputs = [e for e in card["body"] if str(e.get("type", "")).startswith("Input.")]
            values = step.removeprefix("form:").split("|")
            data = dict(card_actions(card)[0]["data"])
            for element, value in zip(inputs, values, strict=False):
                data[element["id"]] = "" if value == "-" else value
            response = await world.act(user, data, reply_to, execute=execute)
        elif step.startswith("#channel "):
            response = await world.in_channel(user, step.removeprefix("#channel "))
        else:
            response = await world.say(user, step)
        assert response.status in (200, 201), (user, step, response.status)
        await settle(world)


async def seed_pair(world: TeamsWorld, program_name: str = "Pilot") -> int:
    """A program with MENTOR and MENTEE enrolled and paired (never talked to the bot yet)."""
    return await pairs.seed_pair(
        world.runtime,
        platform="teams",
        workspace=TENANT,
        mentor=(MENTOR, NAMES[MENTOR]),
        mentee=(MENTEE, NAMES[MENTEE]),
        program_name=program_name,
    )
