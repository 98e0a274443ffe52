"""Slack's side of the outbox: direct messages and channel posts through the Web API.

Each message carries its outbox key in Slack message metadata, so that after a crash the
deliverer can look in the conversation's history for messages it may already have sent: one
``conversations.history`` page per conversation, paced under the method's Tier 3 limit.
A channel post that carries a chart (the digest) is followed by the chart as a PNG file.
A channel the bot was never invited to (``not_in_channel``) is joined when it is public
(``conversations.join``) and the post made again; a private one, or an archived or deleted
one, refuses the post for good and the owners are told (``channel_refused``), since only a
person can let the bot in. With several workspaces installed, each call goes with the token of
the workspace of the person or channel (adapters/slack/workspaces.py); a workspace nothing
reaches any more (uninstalled) makes the person unreachable. A token refused while it was kept
in memory is looked up once more (another replica may have installed the workspace anew)
before anyone is given up on.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import slack_messages
from adapters.slack.files import upload_attachment, upload_chart
from adapters.slack.workspaces import NotInstalledError, OneWorkspace, WorkspaceClients, team_of
from bot.domain import Person
from bot.messages import Message
from bot.ports import DeliveryError, Pace
from bot.settings import Settings

PLATFORM = "slack"
logger = logging.getLogger("tandem.slack")
METADATA_EVENT = "tandem_outbox"
# The person cannot be written to at all: retrying would not help.
UNREACHABLE = {
    # The workspace's token was revoked or the app uninstalled there.
    "token_revoked",
    "user_not_found",
    "account_inactive",
    "cannot_dm_bot",
    "channel_not_found",
    "is_archived",
    "user_disabled",
}
# What Slack answers a token it no longer accepts.
STALE_TOKEN = {"token_revoked", "invalid_auth", "token_expired", "account_inactive"}
# A channel that does not take the bot's posts until a person does something about it.
CHANNEL_REFUSALS = {"not_in_channel", "channel_not_found", "is_archived"}
# Messages per conversations.history page (Slack allows up to 999, advises 200 at most).
HISTORY_PAGE = 200
# conversations.history is a Tier 3 method: about 50 calls a minute per workspace.
HISTORY_CALLS_PER_MINUTE = 50.0


class SlackChatPort:
    platform = PLATFORM

    @classmethod
    def from_settings(
        cls, settings: Settings, workspaces: WorkspaceClients | None = None
    ) -> SlackChatPort:
        """One bot token's client, or ``workspaces``: each installed workspace's (OAuth)."""
        client = None
        if workspaces is None:
            assert settings.slack_bot_token is not None
            # One HTTP session for every call: connections are reused instead of set up each time.
            client = AsyncWebClient(
                token=settings.slack_bot_token.get_secret_value(),
                base_url=settings.slack_api_url,
                session=aiohttp.ClientSession(),
            )
        pace = Pace(
            per_second=settings.slack_messages_per_second,
            burst=settings.slack_burst,
            per_conversation_per_second=1.0,
        )
        return cls(client, pace, settings.slack_history_calls_per_minute, workspaces=workspaces)

    def __init__(
        self,
        client: AsyncWebClient | None,
        pace: Pace,
        history_calls_per_minute: float = HISTORY_CALLS_PER_MINUTE,
        *,
        workspaces: WorkspaceClients | None = None,
    ) -> None:
        if workspaces is None:
            assert client is not None
            workspaces = OneWorkspace(client)
        self.workspaces = workspaces
        self.pace: Pace | None = pace
        # A whole minute's allowance may go at once (Slack tolerates bursts), then it refills.
        self._history_limiter = AsyncLimiter(history_calls_per_minute, 60)
        self.history_calls = 0
        # Direct-message channel ids, looked up once per person (workspace, user) and process.
        self._dm_channels: dict[tuple[str, str], str] = {}
        # The team found to reach a person whose team was unknown (Enterprise Grid).
        self._teams: dict[tuple[str, str], str] = {}

    async def _client(
        self, person: Person | None, channel: dict[str, Any] | None = None
    ) -> AsyncWebClient:
        """The client with the token of the workspace the person or channel belongs to."""
        where = channel if channel is not None else (person.address if person else None)
        workspace = str((channel or {}).get("workspace") or (person.workspace if person else ""))
        team = team_of(where)
        if person is not None and channel is None:
            team = team or self._teams.get((person.workspace, person.user_id))
        return await self._client_in(workspace, team)

    async def _client_in(self, workspace: str, team: str | None) -> AsyncWebClient:
        try:
            return await self.workspaces.client_for(workspace, team)
        except NotInstalledError as error:
            # Uninstalled or revoked there: nobody in that workspace can be written to.
            raise DeliveryError("slack not installed", transient=False, unreachable=True) from error

    async def _reach(self, person: Person) -> tuple[AsyncWebClient, str]:
        """The client and direct-message channel for a person. Someone named in a command of
        an Enterprise Grid organisation installed team by team, who never wrote, has no known
        team: each installed team is tried until one has them (then remembered)."""
        known = (person.workspace, person.user_id)
        if team_of(person.address) or known in self._teams:
            client = await self._client(person)
            return client, await self._dm_channel(client, person)
        teams: list[str | None] = [*await self.workspaces.teams_of(person.workspace)] or [None]
        for index, team in enumerate(teams):
            client = await self._client_in(person.workspace, team)
            try:
                channel = await self._dm_channel(client, person)
            except DeliveryError as refused:
                if refused.unreachable and index < len(teams) - 1:
                    continue
                raise
            if team is not None:
                self._teams[known] = team
            return client, channel
        raise DeliveryError("no recipient", transient=False)

    async def send_to_person(self, person: Person, message: Message, key: str) -> str:
        try:
            client, channel = await self._reach(person)
            ts = await self._post(client, channel, message, key)
        except DeliveryError as refused:
            if not self._stale_token(refused, person.workspace):
                raise
            # The token kept in memory was refused: another replica may have installed anew.
            client, channel = await self._reach(person)
            ts = await self._post(client, channel, message, key)
        if message.attachment is not None:
            # After the text, best effort (an invitation for the person's calendar).
            await upload_attachment(client, channel, message.attachment)
        return ts

    async def post_to_channel(self, channel: dict[str, Any], message: Message, key: str) -> str:
        try:
            return await self._post_to_channel(channel, message, key)
        except DeliveryError as refused:
            if not self._stale_token(refused, str(channel.get("workspace", ""))):
                raise
        return await self._post_to_channel(channel, message, key)

    def _stale_token(self, refused: DeliveryError, workspace: str) -> bool:
        """A token refusal, with a token kept in memory: worth looking up once more."""
        code = refused.reason.removeprefix("slack ").split(" ")[-1]
        return code in STALE_TOKEN and self.workspaces.forget(workspace)

    async def _post_to_channel(self, channel: dict[str, Any], message: Message, key: str) -> str:
        target = str(channel["channel"])
        client = await self._client(None, channel)
        try:
            ts = await self._post(client, target, message, key)
        except DeliveryError as refused:
            if refused.reason != "slack not_in_channel" or not await self._join(client, target):
                if refused.reason.removeprefix("slack ") in CHANNEL_REFUSALS:
                    raise DeliveryError(
                        refused.reason, transient=False, channel_refused=True
                    ) from refused
                raise
            ts = await self._post(client, target, message, key)
        if message.chart is not None:
            await upload_chart(client, target, message.chart)
        return ts

    async def find_sent(
        self,
        keys: Collection[str],
        person: Person | None,
        channel: dict[str, Any] | None,
        since: datetime,
    ) -> dict[str, str]:
        """One ``conversations.history`` page (more only when the window holds more) covering
        every message posted in the conversation since ``since``, paced under Tier 3."""
        wanted = set(keys)
        found: dict[str, str] = {}
        cursor: str | None = None
        try:
            if channel:
                client, target = await self._client(None, channel), str(channel["channel"])
            elif person is not None:
                client, target = await self._reach(person)
            else:
                raise DeliveryError("no recipient", transient=False)
            while wanted - found.keys():
                await self._history_limiter.acquire()
                self.history_calls += 1
                response = await client.conversations_history(
                    channel=target,
                    oldest=f"{since.timestamp():.6f}",
                    limit=HISTORY_PAGE,
                    include_all_metadata=True,
                    cursor=cursor,
                )
                messages: list[dict[str, Any]] = response.get("messages", [])
                for item in messages:
                    metadata = item.get("metadata") or {}
                    key = (metadata.get("event_payload") or {}).get("key")
                    if metadata.get("event_type") == METADATA_EVENT and key in wanted:
                        found[str(key)] = str(item["ts"])
                next_page = (response.get("response_metadata") or {}).get("next_cursor")
                if not response.get("has_more") or not next_page:
                    break
                cursor = str(next_page)
        except SlackApiError as error:
            raise _delivery_error(error) from error
        return found

    async def _join(self, client: AsyncWebClient, channel: str) -> bool:
        """Joins a public channel; False when the bot cannot (a private channel, a refusal)."""
        try:
            await client.conversations_join(channel=channel)
        except SlackApiError as error:
            code = error.response.data.get("error") if isinstance(error.response.data, dict) else ""
            logger.warning("cannot join the channel", extra={"channel": channel, "error": code})
            return False
        return True

    async def close(self) -> None:
        await self.workspaces.close()

    async def _dm_channel(self, client: AsyncWebClient, person: Person | None) -> str:
        if person is None:
            raise DeliveryError("no recipient", transient=False)
        address = person.address or {}
        if address.get("dm_channel"):
            return str(address["dm_channel"])
        known = (person.workspace, person.user_id)
        if known not in self._dm_channels:
            try:
                response = await client.conversations_open(users=person.user_id)
            except SlackApiError as error:
                raise _delivery_error(error) from error
            self._dm_channels[known] = str(response["channel"]["id"])
        return self._dm_channels[known]

    async def _post(self, client: AsyncWebClient, channel: str, message: Message, key: str) -> str:
        """A long message goes in several parts; only the last carries the outbox key, so a
        crash between parts has them all sent again (a part twice, rather than one lost)."""
        parts = slack_messages(message)
        if not parts:
            raise DeliveryError("slack empty message", transient=False)
        ts = ""
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                response = await client.chat_postMessage(
                    channel=channel,
                    text=part.text,
                    blocks=part.blocks,
                    metadata={"event_type": METADATA_EVENT, "event_payload": {"key": key}}
                    if last
                    else None,
                )
                ts = ts or str(response["ts"])
        except SlackApiError as error:
            raise _delivery_error(error) from error
        return ts


def _delivery_error(error: SlackApiError) -> DeliveryError:
    response = error.response
    status = response.status_code
    code = str(response.data.get("error", "")) if isinstance(response.data, dict) else ""
    if status == 429 or code == "ratelimited":
        retry_after = float(response.headers.get("Retry-After", "1"))
        return DeliveryError(f"slack 429 {code}", transient=True, retry_after=retry_after)
    if status >= 500:
        # Slack may have posted the message before failing to answer.
        return DeliveryError(f"slack {status}", transient=True, maybe_sent=True)
    if code in UNREACHABLE:
        return DeliveryError(f"slack {code}", transient=False, unreachable=True)
    if code in CHANNEL_REFUSALS:
        return DeliveryError(f"slack {code}", transient=False)
    return DeliveryError(f"slack {status} {code}", transient=False)
