"""A local fake of Slack's Web API, speaking its wire format, for tests and benchmarks.

It checks the bot token, answers like Slack (``{"ok": ...}``), keeps every message posted (with
its metadata, for ``conversations.history``), enforces a rate limit (a token bucket overall and
one message per second per channel, answering 429 with ``Retry-After`` like Slack), and can be
told to fail the next calls with a status of our choosing. It also answers what the inbound
adapter calls (``auth.test``, ``users.info``, ``views.open``, ``views.publish``,
``chat.update``) and records every call with its arguments in ``requests``. Files go up the way
``files_upload_v2`` sends them: ``files.getUploadURLExternal`` hands out an upload URL on this
same server, the bytes are posted there, and ``files.completeUploadExternal`` shares them in a
channel (``shared_files``).

Like Slack, it refuses a call whose method needs a scope the app's manifest does not ask for
(``missing_scope``, see ``slack_scopes``), a message or view that is not valid Block Kit or
breaks Slack's limits (``invalid_blocks``, see ``tests/conformance/blockkit.py``), and a post
in a channel the bot is not a member of (``not_in_channel``; ``conversations.join`` makes it
one, in a public channel). Each such refusal is also kept in ``violations`` and ``stop()``
raises them, so that the test which produced one fails even if the app only logged it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.conformance.blockkit import payload_problems
from tests.fakes.slack_oauth import FakeOAuth, Grant, Issued
from tests.fakes.slack_scopes import manifest_scopes, missing_scope

TOKEN = "xoxb-test-token"


def _single_workspace() -> FakeOAuth:
    """The app installed in one workspace, T1, with the long-lived token ``TOKEN``."""
    oauth = FakeOAuth()
    oauth.tokens[TOKEN] = Issued(Grant(team={"id": "T1", "name": "Acme"}))
    return oauth


@dataclass
class Bucket:
    rate: float
    burst: float
    tokens: float = 0.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self) -> float:
        """0 when allowed, else seconds until a token is there."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class FakeSlack:
    rate_per_second: float = 1000.0
    burst: float = 1000.0
    per_channel_per_second: float | None = None
    posted: list[dict[str, Any]] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    rejected: Counter[int] = field(default_factory=Counter)
    failures: list[int] = field(default_factory=list)
    # People who left the workspace: users.info and conversations.open answer user_not_found,
    # a message to their direct-message channel account_inactive.
    unreachable_users: set[str] = field(default_factory=set)
    # Seconds chat.postMessage takes to answer (a real round trip to Slack).
    post_delay: float = 0.0
    # conversations.history calls allowed a minute (Slack's Tier 3: about 50); None: no limit.
    history_per_minute: float | None = None
    _history_bucket: Bucket | None = None
    # The Retry-After of the 429s asked for with ``fail_next`` (Slack sends whole seconds).
    retry_after: str = "1"
    url: str = ""
    _runner: web.AppRunner | None = None
    _overall: Bucket | None = None
    _channels: dict[str, Bucket] = field(default_factory=dict)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    _milestones: dict[int, asyncio.Event] = field(default_factory=dict)
    # Every call in order: (method, arguments); JSON-encoded arguments are decoded.
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # users.info answers: user id -> the fields Slack returns (tz, locale, real_name, profile).
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    _called: asyncio.Event = field(default_factory=asyncio.Event)
    # views.open answers expired_trigger_id for these (a trigger id is good for 3 seconds).
    expired_triggers: set[str] = field(default_factory=set)
    # Files by id: filename, length announced, bytes received (None until uploaded).
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Files shared in a channel by files.completeUploadExternal: channel, title, data, file id.
    shared_files: list[dict[str, Any]] = field(default_factory=list)
    # How many of the next uploads to the upload URL answer 500.
    failing_uploads: int = 0
    # Statuses the next calls to one method answer (``fail_next`` fails whatever comes next).
    method_failures: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # The bot's scopes: the manifest's, unless a test says otherwise.
    scopes: frozenset[str] = field(default_factory=manifest_scopes)
    # Private channels (conversations.history needs groups:history there); ids starting with D
    # are direct messages; every other channel is public.
    private_channels: set[str] = field(default_factory=set)
    # Channels the bot is not a member of: posting there answers not_in_channel.
    outside_channels: set[str] = field(default_factory=set)
    # What Slack would have refused as malformed or unauthorised, raised by ``stop()``.
    violations: list[str] = field(default_factory=list)
    # Block Kit checks may be turned off by a test that sends invalid payloads on purpose.
    check_payloads: bool = True
    # Installations, tokens and oauth.v2.access (tests/fakes/slack_oauth.py).
    oauth: FakeOAuth = field(default_factory=_single_workspace)
    # Files people shared in a conversation with the bot: file id -> bytes (url_private_download).
    shared_by_people: dict[str, bytes] = field(default_factory=dict)
    # Every authenticated call in order: (method, bearer token, arguments).
    sent_with: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [arguments for name, arguments in self.requests if name == method]

    async def wait_for(
        self, method: str, count: int = 1, within: float = 5.0
    ) -> list[dict[str, Any]]:
        """The arguments of the first ``count`` calls to ``method``, once they have come."""
        try:
            async with asyncio.timeout(within):
                while len(self.calls_to(method)) < count:
                    self._called.clear()
                    await self._called.wait()
        except TimeoutError:
            seen = len(self.calls_to(method))
            raise AssertionError(f"{method} called {seen} times, expected {count}") from None
        return self.calls_to(method)[:count]

    def when_posted(self, count: int) -> asyncio.Event:
        """An event set once ``count`` messages have been posted."""
        event = self._milestones.setdefault(count, asyncio.Event())
        if len(self.posted) >= count:
            event.set()
        return event

    def fail_next(self, *statuses: int) -> None:
        self.failures.extend(statuses)

    def keys_posted(self) -> Counter[str]:
        return Counter(
            message["metadata"]["event_payload"]["key"]
            for message in self.posted
            if message.get("metadata")
        )

    async def start(self) -> str:
        self._overall = Bucket(self.rate_per_second, self.burst)
        app = web.Application()
        app.router.add_get("/_stats", self._stats)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/download/{file_id}", self._download)
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.violations:
            found, self.violations = self.violations, []
            raise AssertionError("Slack would have refused: " + "; ".join(found))

    def kind_of(self, channel: str) -> str:
        if channel.startswith("D"):
            return "im"
        return "private" if channel in self.private_channels else "public"

    async def _stats(self, request: web.Request) -> web.Response:
        """What a benchmark in another process needs to count duplicates and losses."""
        return web.json_response(
            {
                "posted": len(self.posted),
                "keys": dict(self.keys_posted()),
                "rejected": {str(k): v for k, v in self.rejected.items()},
                "history_calls": self.calls["conversations.history"],
                "first_post": self.posted[0]["ts"] if self.posted else None,
                "last_post": self.posted[-1]["ts"] if self.posted else None,
            }
        )

    async def _arguments(self, request: web.Request) -> dict[str, Any]:
        arguments: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                arguments.update(await request.json())
            else:
                arguments.update(dict(await request.post()))
        return arguments

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] += 1
        if method == "oauth.v2.access":
            arguments = await self._arguments(request)
            self.requests.append((method, arguments))
            authorization = request.headers.get("Authorization", "")
            return web.json_response(self.oauth.access(authorization, arguments))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        refused = self.oauth.refusal(token)
        if refused is not None:
            self.sent_with.append((method, token, {}))
            return web.json_response({"ok": False, "error": refused})
        if self.failures or self.method_failures[method]:
            queue = self.method_failures[method] or self.failures
            status = queue.pop(0)
            self.rejected[status] += 1
            if status == 429:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": self.retry_after},
                )
            return web.Response(status=status, text="upstream trouble")
        arguments = await self._arguments(request)
        for name in ("view", "blocks", "metadata"):
            if isinstance(arguments.get(name), str):
                arguments[name] = json.loads(arguments[name])
        self.requests.append((method, arguments))
        self.sent_with.append((method, token, arguments))
        self._called.set()
        channel = str(arguments.get("channel") or arguments.get("channel_id") or "")
        user = arguments.get("users") or arguments.get("user") or arguments.get("user_id")
        if channel.startswith("D-"):
            user = channel.removeprefix("D-")
        if user and not self.oauth.reaches(token, str(user)):
            # Another workspace's person: this token's workspace has nobody of that id.
            error = "channel_not_found" if channel else "user_not_found"
            return web.json_response({"ok": False, "error": error})
        lacking = missing_scope(method, self.kind_of(channel), self.scopes)
        if lacking is not None:
            self.violations.append(f"{method} needs {lacking}")
            return web.json_response(
                {"ok": False, "error": "missing_scope", "needed": lacking}, status=200
            )
        problems = payload_problems(method, arguments) if self.check_payloads else []
        if problems:
            self.violations.append(f"{method}: " + "; ".join(problems))
            error = "no_text" if problems[0].startswith("no_text") else "invalid_blocks"
            return web.json_response({"ok": False, "error": error, "problems": problems})
        if method == "conversations.join":
            if self.kind_of(channel) != "public":
                return web.json_response(
                    {"ok": False, "error": "method_not_supported_for_channel_type"}
                )
            self.outside_channels.discard(channel)
            return web.json_response({"ok": True, "channel": {"id": channel}})
        if method == "auth.test":
            return web.json_response(self.oauth.auth_test(token))
        if method == "users.info":
            user = str(arguments.get("user", ""))
            if user in self.unreachable_users:
                return web.json_response({"ok": False, "error": "user_not_found"})
            details = self.users.get(user, {})
            return web.json_response({"ok": True, "user": {"id": user, "name": user, **details}})
        if method == "users.lookupByEmail":
            return self._lookup_by_email(str(arguments.get("email", "")))
        if method == "users.list":
            return self._users_list(arguments)
        if method == "views.open" and arguments.get("trigger_id") in self.expired_triggers:
            return web.json_response({"ok": False, "error": "expired_trigger_id"})
        if method == "views.open":
            return web.json_response({"ok": True, "view": {"id": f"V{len(self.requests)}"}})
        if method == "views.publish":
            return web.json_response({"ok": True, "view": {"id": f"V{len(self.requests)}"}})
        if method == "chat.update":
            return web.json_response(
                {"ok": True, "channel": arguments.get("channel"), "ts": arguments.get("ts")}
            )
        if method == "conversations.open":
            user = str(arguments.get("users", ""))
            if user in self.unreachable_users:
                return web.json_response({"ok": False, "error": "user_not_found"})
            return web.json_response({"ok": True, "channel": {"id": f"D-{user}"}})
        if method == "chat.postMessage":
            # Slack takes a moment to answer; the message is kept even if the caller is gone.
            await asyncio.sleep(self.post_delay)
            return self._post(arguments)
        if method == "conversations.history":
            return self._history(arguments)
        if method == "files.getUploadURLExternal":
            return self._upload_url(arguments)
        if method == "files.completeUploadExternal":
            return self._complete_upload(arguments)
        return web.json_response({"ok": False, "error": "unknown_method"})

    def share_file(self, name: str, data: bytes) -> dict[str, Any]:
        """A file a person shared, as a message event's ``files`` lists it."""
        file_id = f"F{len(self.shared_by_people) + 1:08}"
        self.shared_by_people[file_id] = data
        base = self.url.removesuffix("/api/")
        return {
            "id": file_id,
            "name": name,
            "size": len(data),
            "url_private_download": f"{base}/download/{file_id}",
        }

    async def _download(self, request: web.Request) -> web.Response:
        """A shared file's bytes, to the bot's token with files:read only, like Slack."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.requests.append(("files.download", {"file": request.match_info["file_id"]}))
        if self.oauth.refusal(token) is not None or "files:read" not in self.scopes:
            return web.Response(status=403, text="forbidden")
        data = self.shared_by_people.get(request.match_info["file_id"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    def _member(self, user_id: str) -> dict[str, Any]:
        """A user as users.list and users.lookupByEmail show them; the e-mail only with the
        ``users:read.email`` scope, like Slack."""
        details = self.users.get(user_id, {})
        member = {"id": user_id, "name": user_id, "deleted": False, "is_bot": False, **details}
        profile = dict(member.get("profile") or {})
        if "users:read.email" not in self.scopes:
            profile.pop("email", None)
        member["profile"] = profile
        return member

    def _lookup_by_email(self, email: str) -> web.Response:
        for user_id, details in self.users.items():
            if str((details.get("profile") or {}).get("email", "")).lower() == email.lower():
                return web.json_response({"ok": True, "user": self._member(user_id)})
        return web.json_response({"ok": False, "error": "users_not_found"})

    def _users_list(self, arguments: dict[str, Any]) -> web.Response:
        """Members by pages of ``limit`` (at most 1000, like Slack), paged with ``cursor``."""
        limit = min(int(arguments.get("limit") or 1000), 1000)
        start = int(arguments.get("cursor") or 0)
        ids = sorted(self.users)
        page = [self._member(user_id) for user_id in ids[start : start + limit]]
        following = str(start + limit) if start + limit < len(ids) else ""
        return web.json_response(
            {"ok": True, "members": page, "response_metadata": {"next_cursor": following}}
        )

    def _history(self, arguments: dict[str, Any]) -> web.Response:
        """Newest first, from ``oldest`` on, ``limit`` a page, paged with ``cursor``; a Tier 3
        limit (``history_per_minute``) answers 429 like Slack when it is exceeded."""
        if self.history_per_minute is not None:
            if self._history_bucket is None:
                self._history_bucket = Bucket(self.history_per_minute / 60, self.history_per_minute)
            wait = self._history_bucket.take()
            if wait:
                self.rejected[429] += 1
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(max(1, round(wait)))},
                )
        channel = str(arguments.get("channel"))
        oldest = float(arguments.get("oldest") or 0)
        newest_first = [m for m in self.history[channel][::-1] if float(m["ts"]) > oldest]
        start = int(arguments.get("cursor") or 0)
        limit = int(arguments.get("limit") or 100)
        page = newest_first[start : start + limit]
        more = start + limit < len(newest_first)
        return web.json_response(
            {
                "ok": True,
                "messages": page,
                "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""},
            }
        )

    def _upload_url(self, arguments: dict[str, Any]) -> web.Response:
        if not arguments.get("filename") or not str(arguments.get("length", "")).isdigit():
            return web.json_response({"ok": False, "error": "invalid_arguments"})
        file_id = f"F{len(self.uploads) + 1:04d}"
        self.uploads[file_id] = {
            "filename": arguments["filename"],
            "length": int(arguments["length"]),
            "alt_txt": arguments.get("alt_txt"),
            "data": None,
        }
        # Like Slack's files.slack.com URL: unauthenticated, good for this one file.
        root = self.url.removesuffix("api/")
        return web.json_response(
            {"ok": True, "upload_url": f"{root}upload/{file_id}", "file_id": file_id}
        )

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self.uploads:
            return web.Response(status=404, text="no such upload")
        if self.failing_uploads:
            self.failing_uploads -= 1
            return web.Response(status=500, text="upstream trouble")
        data = await request.read()
        if len(data) != self.uploads[file_id]["length"]:
            return web.Response(status=400, text="length mismatch")
        self.uploads[file_id]["data"] = data
        return web.Response(status=200, text=f"OK - {len(data)}")

    def _complete_upload(self, arguments: dict[str, Any]) -> web.Response:
        files = json.loads(str(arguments.get("files", "[]")))
        done = []
        for item in files:
            upload = self.uploads.get(str(item.get("id")))
            if upload is None or upload["data"] is None:
                return web.json_response({"ok": False, "error": "file_not_found"})
            done.append({"id": item["id"], "title": item.get("title"), "name": upload["filename"]})
            channel = arguments.get("channel_id")
            if channel:
                self.shared_files.append(
                    {
                        "channel": channel,
                        "file_id": item["id"],
                        "title": item.get("title"),
                        "alt_txt": upload["alt_txt"],
                        "data": upload["data"],
                    }
                )
        return web.json_response({"ok": True, "files": done})

    def _post(self, arguments: dict[str, Any]) -> web.Response:
        assert self._overall is not None
        channel = str(arguments["channel"])
        if channel.removeprefix("D-") in self.unreachable_users:
            return web.json_response({"ok": False, "error": "account_inactive"})
        if channel in self.outside_channels:
            return web.json_response({"ok": False, "error": "not_in_channel"})
        wait = self._overall.take()
        if not wait and self.per_channel_per_second:
            bucket = self._channels.setdefault(channel, Bucket(self.per_channel_per_second, 1.0))
            wait = bucket.take()
        if wait:
            self.rejected[429] += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        ts = f"{time.time():.6f}"
        metadata = arguments.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        stored = {
            "ts": ts,
            "channel": channel,
            "text": arguments.get("text"),
            "metadata": metadata,
            "blocks": arguments.get("blocks"),
        }
        self.posted.append(stored)
        self.history[channel].append(stored)
        for count, event in self._milestones.items():
            if len(self.posted) >= count:
                event.set()
        return web.json_response({"ok": True, "channel": channel, "ts": ts})


async def serve_forever(fake: FakeSlack) -> None:
    await fake.start()
    print(fake.url, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    # A fake Slack in a process of its own, as a benchmark needs: RATE [BURST]
    import sys

    rate = float(sys.argv[1])
    burst = float(sys.argv[2]) if len(sys.argv) > 2 else rate / 10
    asyncio.run(serve_forever(FakeSlack(rate, burst, per_channel_per_second=1)))
