"""A local fake of the Bot Connector service Teams exposes at an activity's ``serviceUrl``.

It speaks the Bot Framework v3 REST wire format: activities sent to a conversation or in reply
to one, activities updated in place, 1:1 conversations created for people the bot has not
talked to yet, and one member of a conversation read ("get member", a TeamsChannelAccount with
the e-mail and user principal name seeded with ``add_member``; 404
``MemberNotFoundInConversation`` for anyone else). Every call is recorded (with the activity as
sent), and the next calls can be told to fail with 429 (and a ``Retry-After``), 403
``MessageWritesBlocked``, 412, 502 or 504, or only the next member lookups (``call="member"``),
which can also be made slow (``member_delays``).

It also holds the bot to what the service defines: every Adaptive Card it receives must pass
the official Adaptive Card 1.5 schema, a tenant goes in ``tenantId`` (the SDK's ``tenantID`` is
not a field of the Connector API), and a message over Teams' documented size (about 100 KB,
counted in UTF-16, base64 images left out) is refused with 413 ``MessageSizeTooBig``. What it
finds wrong is kept in ``violations`` and raised by ``stop()``, so that the test which produced
it fails even when the bot only logged a refusal.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.conformance.schemas import card_problems

TENANT = "tenant-0001"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
# https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages
MESSAGE_LIMIT_UTF16 = 100 * 1024
_DATA_URL = re.compile(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+")


def message_size(raw: str) -> int:
    """What Teams counts of a message: UTF-16 bytes, base64 images left out."""
    return len(_DATA_URL.sub("", raw).encode("utf-16-le"))


def activity_problems(activity: dict[str, Any]) -> list[str]:
    problems = []
    for attachment in activity.get("attachments") or ():
        if attachment.get("contentType") == ADAPTIVE_CARD:
            problems += card_problems(attachment.get("content"))
    if "tenantID" in (activity.get("conversation") or {}):
        problems.append("conversation.tenantID instead of tenantId")
    return problems


@dataclass(frozen=True)
class Sent:
    """One activity the bot sent: to which conversation, how (``send``, ``reply``, ``update``)."""

    conversation_id: str
    how: str
    activity: dict[str, Any]
    # The activity replied to or updated, when there is one.
    target_id: str | None = None
    # The id the service gave it (an update keeps the id of the activity it changes).
    activity_id: str = ""
    # When it arrived (time.monotonic, which every process on the machine shares).
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        return str(self.activity.get("text") or "")

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments") or ():
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                content: dict[str, Any] = attachment["content"]
                return content
        return None


@dataclass(frozen=True)
class Failure:
    status: int
    code: str
    retry_after: str | None = None
    # Only requests on this conversation fail (None: any request).
    conversation_id: str | None = None
    # Only calls of this kind fail ("member": get member; None: any call).
    call: str | None = None
    # The error's message (None: "fake <status>").
    message: str | None = None


@dataclass
class FakeBotConnector:
    url: str = ""
    sent: list[Sent] = field(default_factory=list)
    # Conversations created with POST /v3/conversations: (conversation id, parameters sent).
    created: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Status answered to every call that was refused, and calls made, by kind.
    rejected: Counter[int] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    # Users who blocked the bot: every send to their conversations is refused with 403.
    blocked_conversations: set[str] = field(default_factory=set)
    # Authorization headers seen (None when absent), to check what the bot presents.
    authorizations: list[str | None] = field(default_factory=list)
    _failures: list[Failure] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # Personal conversations by user, so that creating one again returns the same id, as Teams.
    _personal: dict[str, str] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    # What the real service would have refused or misread; raised by ``stop()``.
    violations: list[str] = field(default_factory=list)
    # Bytes of each request body received, as sent on the wire.
    body_sizes: list[int] = field(default_factory=list)
    # The tenant's people the service can describe, by user id (TeamsChannelAccount JSON).
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Every get member asked: (conversation id, user id), as received.
    member_lookups: list[tuple[str, str]] = field(default_factory=list)
    # Seconds a get member of these user ids waits before answering (a slow service).
    member_delays: dict[str, float] = field(default_factory=dict)
    # Whether each card is checked against the Adaptive Card schema as it arrives: the tests'
    # conformance; a benchmark turns it off, as it would cost the bot's replies milliseconds
    # the real service does not.
    check_schemas: bool = True

    def check_card(self, content: Any, where: str) -> None:
        """Keeps what is wrong with a card the bot produced (e.g. in an invoke response)."""
        self.violations += [f"{where}: {problem}" for problem in card_problems(content)]

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        code: str = "",
        retry_after: str | None = None,
        conversation_id: str | None = None,
        call: str | None = None,
    ) -> None:
        failure = Failure(status, code or _default_code(status), retry_after, conversation_id, call)
        self._failures.extend([failure] * times)

    def add_member(
        self,
        user_id: str,
        name: str,
        *,
        email: str | None = None,
        user_principal_name: str | None = None,
        tenant_id: str = TENANT,
    ) -> None:
        """Someone the service describes on a get member, as Teams does (a TeamsChannelAccount;
        ``email`` and ``userPrincipalName`` left out when not given, as for a guest)."""
        given, _, surname = name.partition(" ")
        account: dict[str, Any] = {
            "id": user_id,
            "name": name,
            "aadObjectId": f"aad-{user_id}",
            "givenName": given,
            "surname": surname,
            "tenantId": tenant_id,
            "userRole": "user",
        }
        if email is not None:
            account["email"] = email
        if user_principal_name is not None:
            account["userPrincipalName"] = user_principal_name
        self.members[user_id] = account

    def personal_conversation(self, user_id: str) -> str:
        """The 1:1 conversation of the bot with ``user_id`` (the same one Teams always uses)."""
        if user_id not in self._personal:
            self._personal[user_id] = f"a:personal-{next(self._ids)}"
        return self._personal[user_id]

    def to(self, conversation_id: str) -> list[Sent]:
        return [item for item in self.sent if item.conversation_id == conversation_id]

    def texts_to(self, conversation_id: str) -> list[str]:
        return [item.text for item in self.to(conversation_id) if item.how != "update"]

    async def wait_for(self, count: int, within: float = 5.0) -> list[Sent]:
        """Returns once at least ``count`` activities were recorded."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.sent) >= count)

        await asyncio.wait_for(enough(), within)
        return list(self.sent)

    async def start(self) -> None:
        application = web.Application()
        application.router.add_post("/v3/conversations", self._create_conversation)
        application.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        application.router.add_post(
            "/v3/conversations/{conversation}/activities/{activity}", self._reply
        )
        application.router.add_put(
            "/v3/conversations/{conversation}/activities/{activity}", self._update
        )
        application.router.add_get(
            "/v3/conversations/{conversation}/members/{member}", self._get_member
        )
        self._runner = web.AppRunner(application, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.violations:
            found, self.violations = self.violations, []
            raise AssertionError("the Bot Connector would have refused: " + "; ".join(found))

    # Handlers
    async def _create_conversation(self, request: web.Request) -> web.Response:
        self.calls["create"] += 1
        refused = self._refusal(request, None)
        if refused is not None:
            return refused
        parameters: dict[str, Any] = await request.json()
        if "tenantID" in parameters or parameters.get("tenantId") is None:
            self.violations.append("conversation parameters without tenantId")
        members = parameters.get("members") or [{}]
        user = str(members[0].get("id", ""))
        conversation_id = self.personal_conversation(user)
        self.created.append((conversation_id, parameters))
        return web.json_response({"id": conversation_id}, status=201)

    async def _get_member(self, request: web.Request) -> web.Response:
        self.calls["member"] += 1
        conversation_id = request.match_info["conversation"]
        user_id = request.match_info["member"]
        self.member_lookups.append((conversation_id, user_id))
        if self.member_delays.get(user_id):
            await asyncio.sleep(self.member_delays[user_id])
        refused = self._refusal(request, conversation_id, "member")
        if refused is not None:
            return refused
        account = self.members.get(user_id)
        if account is None:
            return self._error(MEMBER_NOT_FOUND)
        return web.json_response(account)

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, "send", None)

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._record(request, "reply", request.match_info["activity"])

    async def _update(self, request: web.Request) -> web.Response:
        return await self._record(request, "update", request.match_info["activity"])

    async def _record(self, request: web.Request, how: str, target: str | None) -> web.Response:
        self.calls[how] += 1
        conversation_id = request.match_info["conversation"]
        refused = self._refusal(request, conversation_id)
        if refused is not None:
            return refused
        raw = await request.text()
        self.body_sizes.append(len(raw.encode()))
        if message_size(raw) > MESSAGE_LIMIT_UTF16:
            self.violations.append(f"a message of {message_size(raw)} bytes in UTF-16")
            return self._error(Failure(413, "MessageSizeTooBig"))
        activity: dict[str, Any] = json.loads(raw)
        if self.check_schemas:
            self.violations += [f"{how}: {problem}" for problem in activity_problems(activity)]
        activity_id = target if how == "update" else str(next(self._ids))
        async with self._changed:
            self.sent.append(Sent(conversation_id, how, activity, target, activity_id or ""))
            self._changed.notify_all()
        return web.json_response({"id": activity_id}, status=200 if how == "update" else 201)

    def _refusal(
        self, request: web.Request, conversation_id: str | None, call: str | None = None
    ) -> web.Response | None:
        self.authorizations.append(request.headers.get("Authorization"))
        if call is None and conversation_id in self.blocked_conversations:
            return self._error(Failure(403, "MessageWritesBlocked"))
        for index, failure in enumerate(self._failures):
            if failure.conversation_id in (None, conversation_id) and failure.call in (None, call):
                del self._failures[index]
                return self._error(failure)
        return None

    def _error(self, failure: Failure) -> web.Response:
        self.rejected[failure.status] += 1
        headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
        message = failure.message or f"fake {failure.status}"
        body = {"error": {"code": failure.code, "message": message}}
        return web.json_response(body, status=failure.status, headers=headers)


# What the service answers for a user id that is not a member of the conversation.
MEMBER_NOT_FOUND = Failure(
    404, "MemberNotFoundInConversation", message="Member not found in conversation."
)


def _default_code(status: int) -> str:
    return {
        403: "MessageWritesBlocked",
        412: "PreconditionFailed",
        429: "TooManyRequests",
        502: "BadGateway",
        504: "GatewayTimeout",
    }.get(status, "ServiceError")
