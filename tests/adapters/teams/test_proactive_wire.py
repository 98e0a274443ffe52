"""What the bot writes first goes out as the Connector API defines it: the tenant as
``tenantId`` when a conversation is created and in every activity, and a proactive message
(to a person or the owners' channel) through SendToConversation, not as a reply to an id the
SDK invented."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import Person
from bot.messages import Message
from bot.ports import DeliveryError
from tests.adapters.teams.world import CHANNEL, TeamsWorld
from tests.fakes.bot_connector import TENANT


async def test_a_first_message_creates_the_conversation_with_tenant_id(teams: TeamsWorld) -> None:
    port = teams.runtime.ports["teams"]
    stranger = Person("teams", TENANT, "29:stranger", "Stranger", datetime.now(UTC))
    await port.send_to_person(stranger, Message(text="Bienvenue"), "welcome:1")
    ((conversation, parameters),) = teams.fake.created
    assert parameters["tenantId"] == TENANT and "tenantID" not in parameters
    (sent,) = teams.fake.to(conversation)
    assert sent.how == "send" and sent.text == "Bienvenue"
    assert sent.activity["conversation"]["tenantId"] == TENANT
    assert "tenantID" not in sent.activity["conversation"]


async def test_a_digest_goes_to_the_channel_with_send_to_conversation(teams: TeamsWorld) -> None:
    port = teams.runtime.ports["teams"]
    reference = {
        "channelId": "msteams",
        "serviceUrl": teams.fake.url,
        "conversation": {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
        "bot": {"id": "28:tandem"},
    }
    channel = {"platform": "teams", "workspace": TENANT, "reference": reference}
    await port.post_to_channel(channel, Message(text="Digest"), "digest:1")
    (sent,) = teams.fake.to(CHANNEL)
    assert sent.how == "send" and sent.target_id is None
    assert sent.activity["conversation"]["tenantId"] == TENANT
    assert "replyToId" not in sent.activity


async def test_a_channel_the_bot_was_removed_from_is_reported_as_such(teams: TeamsWorld) -> None:
    port = teams.runtime.ports["teams"]
    reference = {
        "serviceUrl": teams.fake.url,
        "conversation": {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
        "bot": {"id": "28:tandem"},
    }
    teams.fake.blocked_conversations.add(CHANNEL)
    channel = {"platform": "teams", "workspace": TENANT, "reference": reference}
    with pytest.raises(DeliveryError) as refused:
        await port.post_to_channel(channel, Message(text="Digest"), "digest:2")
    assert refused.value.channel_refused and not refused.value.unreachable
