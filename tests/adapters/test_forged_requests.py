"""Forged, unsigned, malformed and oversized requests against both inbound endpoints.

Each case goes through real HTTP into the app ``make_app`` builds from real settings (Slack
with its signing secret, Teams with its credentials and its signing keys served by a local
fake), and must be refused with its 4xx within 100 ms, with no row written anywhere and
nothing like a traceback in the log. A key host that never answers must not slow anything
else down.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from aiohttp import ClientResponse
from cryptography.hazmat.primitives import serialization

from tests.adapters.endpoints import (
    FORM,
    JSON,
    Endpoints,
    credentials,
    row_counts,
    running_fakes,
    serving,
)
from tests.adapters.slack.payloads import (
    SIGNING_SECRET,
    block_actions,
    event_callback,
    interaction,
    signed_headers,
    slash_command,
    view_submission,
)
from tests.adapters.teams.world import MENTOR
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid import EMULATOR_ISSUER, FakeOpenId, new_key
from tests.fakes.slack_api import FakeSlack

# Refusals happen before any database or vendor call: a few milliseconds each.
BUDGET_SECONDS = 0.1
# The SQLite run is enough: nothing here reaches the database, which is what is asserted.
pytestmark = pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)


Fakes = tuple[FakeSlack, FakeBotConnector, FakeOpenId]


@pytest.fixture
async def fakes() -> AsyncIterator[Fakes]:
    async with running_fakes() as running:
        yield running


@pytest.fixture
async def endpoints(migrated_url: str, fakes: Fakes) -> AsyncIterator[Endpoints]:
    """Slack in HTTP mode and Teams with credentials, its keys served by the fake."""
    async with serving(migrated_url, fakes, **credentials(fakes[2].metadata_url)) as built:
        yield built


@pytest.fixture
async def local(migrated_url: str, fakes: Fakes) -> AsyncIterator[Endpoints]:
    """Teams without credentials (local use with the Emulator), Slack next to it."""
    async with serving(migrated_url, fakes, teams_enabled=True) as built:
        yield built


# The cases: (name, how to send it, the status expected).
Send = Callable[[Endpoints], Any]


# A timestamp header to be set to the moment of sending.
NOW = "<now>"


def _signed(
    body: bytes | str, content_type: str = FORM, *, skew: int | None = None, **kwargs: Any
) -> Send:
    """``skew``: the timestamp this many seconds away from the moment of sending (the suite
    may run long after this table was built)."""
    text_body = body.decode("latin-1") if isinstance(body, bytes) else body

    async def send(ep: Endpoints) -> ClientResponse:
        if skew is not None:
            kwargs["timestamp"] = int(time.time()) + skew
        headers = signed_headers(text_body, content_type, **kwargs)
        if isinstance(body, bytes):
            # Slack signs the bytes; the helper signs text, so sign the bytes here.
            stamp = headers["X-Slack-Request-Timestamp"]
            digest = hmac.new(
                SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256
            ).hexdigest()
            headers["X-Slack-Signature"] = f"v0={digest}"
        return await ep.slack(body, headers)

    return send


def _slack_raw(body: str, headers: dict[str, str]) -> Send:
    async def send(ep: Endpoints) -> ClientResponse:
        sent = dict(headers)
        if sent.get("X-Slack-Request-Timestamp") == NOW:
            sent["X-Slack-Request-Timestamp"] = str(int(time.time()))
        return await ep.slack(body, sent)

    return send


def _replayed() -> Send:
    async def send(ep: Endpoints) -> ClientResponse:
        original = slash_command("UALICE", "/tandem", "help", "trig-1")
        headers = signed_headers(original, FORM)
        changed = slash_command("UALICE", "/tandem", "forget-me", "trig-1")
        return await ep.slack(changed, headers)

    return send


COMMAND = slash_command("UALICE", "/tandem", "help", "trig-1")
BUTTON = {"action_id": "choice:0", "text": {"type": "plain_text", "text": "Yes"}, "value": "v"}
MESSAGE = {"ts": "1.0", "text": "t", "blocks": []}
VIEW = {"callback_id": "tandem_form", "private_metadata": "{}", "blocks": []}
NESTED = "[" * 100_000 + "]" * 100_000


def _actions(**changes: Any) -> str:
    payload = block_actions("UALICE", "trig", BUTTON, MESSAGE, "DALICE")
    payload.update(changes)
    return interaction(payload)


def _submission_without_user() -> str:
    payload = view_submission("UALICE", "trig", VIEW, {})
    del payload["user"]
    return interaction(payload)


SLACK_CASES: list[tuple[str, Send, int]] = [
    ("unsigned", _slack_raw(COMMAND, {"Content-Type": FORM}), 401),
    (
        "signature header missing",
        _slack_raw(COMMAND, {"Content-Type": FORM, "X-Slack-Request-Timestamp": "1"}),
        401,
    ),
    (
        "signature forged",
        _slack_raw(
            COMMAND,
            {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": NOW,
                "X-Slack-Signature": "v0=" + "0" * 64,
            },
        ),
        401,
    ),
    ("signed with another secret", _signed(COMMAND, secret="not-the-secret"), 401),
    ("timestamp ten minutes old", _signed(COMMAND, skew=-600), 401),
    ("timestamp ten minutes ahead", _signed(COMMAND, skew=600), 401),
    (
        "timestamp not a number",
        _slack_raw(
            COMMAND,
            {"Content-Type": FORM, "X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0="},
        ),
        401,
    ),
    ("signature replayed on a changed body", _replayed(), 401),
    ("unsigned and malformed", _slack_raw("payload=not-json", {"Content-Type": FORM}), 401),
    ("oversized", _signed("text=" + "a" * 600_000), 413),
    ("payload not JSON", _signed("payload=not-json"), 400),
    ("payload a JSON list", _signed(urlencode({"payload": "[1,2]"})), 400),
    ("invalid JSON", _signed("{not json", JSON), 400),
    ("JSON array", _signed("[1, 2]", JSON), 400),
    ("JSON nested 100,000 deep", _signed('{"a": ' + NESTED + "}", JSON), 400),
    (
        "payload nested 20,000 deep",
        _signed(urlencode({"payload": "[" * 20_000 + "]" * 20_000})),
        400,
    ),
    ("not UTF-8", _signed(b"text=\xff\xfe\xfd", FORM), 400),
    ("wrong content type", _signed(COMMAND, "text/plain"), 400),
    ("empty body", _signed("", FORM), 400),
    ("block actions without actions", _signed(_actions(actions=[])), 400),
    ("block action not an object", _signed(_actions(actions=["choice:0"])), 400),
    ("block actions user without id", _signed(_actions(user={"name": "x"})), 400),
    ("view submission without user", _signed(_submission_without_user()), 400),
    (
        "view closed with a string view",
        _signed(interaction({"type": "view_closed", "user": {"id": "U1"}, "view": "V1"})),
        400,
    ),
    (
        "slash command without user",
        _signed(urlencode({"command": "/tandem", "team_id": "T1", "trigger_id": "t"})),
        400,
    ),
    ("event without event", _signed(json.dumps({"type": "event_callback"}), JSON), 400),
    (
        "message event with a list as user",
        _signed(event_callback({"type": "message", "user": ["U1"], "channel": "D1"}, "Ev1"), JSON),
        400,
    ),
    ("type not a string", _signed(json.dumps({"type": 7}), JSON), 400),
]


def _teams(body: Callable[[Endpoints], Any], token: Callable[[Endpoints], str] | None) -> Send:
    async def send(ep: Endpoints) -> ClientResponse:
        content = body(ep)
        data = content if isinstance(content, bytes | str) else json.dumps(content)
        headers = {"Content-Type": JSON}
        if token is not None:
            headers["Authorization"] = token(ep)
        return await ep.activity(data, headers)

    return send


def _bearer(**overrides: Any) -> Callable[[Endpoints], str]:
    """Claims given as callables are worked out when the request is sent."""
    return lambda ep: (
        "Bearer "
        + ep.token(
            **{name: value() if callable(value) else value for name, value in overrides.items()}
        )
    )


def _public_key_pem(ep: Endpoints) -> bytes:
    return ep.openid.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _hs256(ep: Endpoints) -> str:
    # The classic confusion attack: the public key used as an HMAC secret.
    # (PyJWT refuses to sign that way: the token is put together by hand.)
    claims = jwt.decode(ep.token(), options={"verify_signature": False})
    header = {"alg": "HS256", "typ": "JWT", "kid": "fake-key-1"}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    mac = hmac.new(_public_key_pem(ep), signing_input.encode(), hashlib.sha256).digest()
    return f"Bearer {signing_input}.{_b64(mac)}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _alg_none(ep: Endpoints) -> str:
    claims = jwt.decode(ep.token(), options={"verify_signature": False})
    return "Bearer " + jwt.encode(claims, None, algorithm="none", headers={"kid": "fake-key-1"})


def _message(ep: Endpoints) -> dict[str, Any]:
    return ep.message()


def _invoke(ep: Endpoints) -> dict[str, Any]:
    data = {"tandem": "choice", "value": "forget:yes"}
    return ep.teams.activity(
        MENTOR,
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "choice", "data": data}},
        replyToId="1",
    )


def _changed(**fields: Any) -> Callable[[Endpoints], dict[str, Any]]:
    def body(ep: Endpoints) -> dict[str, Any]:
        activity = ep.message()
        for name, value in fields.items():
            if value is None:
                activity.pop(name, None)
            else:
                activity[name] = value
        return activity

    return body


GOOD = _bearer()
OTHER_KEY = new_key()

TEAMS_CASES: list[tuple[str, Send, int]] = [
    ("no token", _teams(_message, None), 401),
    ("not a JWT", _teams(_message, lambda ep: "Bearer forged"), 401),
    ("Basic scheme", _teams(_message, lambda ep: "Basic dXNlcjpwYXNz"), 401),
    ("Bearer without a token", _teams(_message, lambda ep: "Bearer "), 401),
    ("RS256 with an unknown key id", _teams(_message, _bearer(key_id="made-up")), 401),
    ("RS256 signed by another key", _teams(_message, _bearer(key=OTHER_KEY)), 401),
    ("HS256 with the public key as secret", _teams(_message, _hs256), 401),
    ("alg none", _teams(_message, _alg_none), 401),
    ("no issuer", _teams(_message, _bearer(iss=None)), 401),
    ("wrong issuer", _teams(_message, _bearer(iss="https://evil.example.com")), 401),
    ("expired", _teams(_message, _bearer(exp=lambda: int(time.time()) - 3600)), 401),
    ("not valid yet", _teams(_message, _bearer(nbf=lambda: int(time.time()) + 3600)), 401),
    ("no expiry", _teams(_message, _bearer(exp=None)), 401),
    ("token for another app", _teams(_message, _bearer(aud="another-app")), 401),
    ("no audience", _teams(_message, _bearer(aud=None)), 401),
    ("serviceurl of another host", _teams(_message, _bearer(serviceurl="https://evil/")), 401),
    ("no serviceurl claim", _teams(_message, _bearer(serviceurl=None)), 401),
    ("key not endorsed for the channel", _teams(_changed(channelId="skype"), GOOD), 401),
    (
        "emulator token for another app",
        _teams(_message, _bearer(iss=EMULATOR_ISSUER, ver="1.0", appid="another-app")),
        401,
    ),
    ("emulator token without version", _teams(_message, _bearer(iss=EMULATOR_ISSUER)), 401),
    ("card action with a forged token", _teams(_invoke, _bearer(aud="another-app")), 401),
    ("card action without token", _teams(_invoke, None), 401),
    ("from as a string", _teams(_changed(**{"from": "29:someone"}), GOOD), 400),
    ("conversation as a list", _teams(_changed(conversation=["a"]), GOOD), 400),
    ("entities as an object", _teams(_changed(entities={"type": "mention"}), GOOD), 400),
    ("recipient without id", _teams(_changed(recipient={"name": "Tandem"}), GOOD), 400),
    ("value as a string", _teams(_changed(value="forget:yes"), GOOD), 400),
    ("no type", _teams(_changed(type=None), GOOD), 400),
    ("type as a number", _teams(_changed(type=3), GOOD), 400),
    ("serviceUrl not http", _teams(_changed(serviceUrl="javascript:alert(1)"), GOOD), 400),
    ("id of 5,000 characters", _teams(_changed(id="x" * 5000), GOOD), 400),
    ("timestamp not a date", _teams(_changed(timestamp="yesterday"), GOOD), 400),
    ("suggestedActions as a string", _teams(_changed(suggestedActions="x"), GOOD), 400),
    ("body a JSON array", _teams(lambda ep: "[1, 2]", GOOD), 400),
    ("invalid JSON", _teams(lambda ep: "{not json", GOOD), 400),
    ("JSON nested 100,000 deep", _teams(lambda ep: NESTED, GOOD), 400),
    ("not UTF-8", _teams(lambda ep: b'{"type": "\xff"}', GOOD), 400),
    ("oversized", _teams(_changed(text="a" * 600_000), GOOD), 413),
]


def _local(**fields: Any) -> Send:
    return _teams(_changed(**fields), None)


def _clientinfo_zone(zone: str) -> Send:
    def body(ep: Endpoints) -> dict[str, Any]:
        activity = ep.message()
        activity["entities"] = [{"type": "clientInfo", "timezone": zone, "locale": "en-US"}]
        return activity

    return _teams(body, None)


LOCAL_CASES: list[tuple[str, Send, int]] = [
    ("id of 10,000 characters", _local(**{"from": {"id": "29:" + "a" * 10_000}}), 400),
    ("id with a line break", _local(**{"from": {"id": "29:a\nb", "name": "x"}}), 400),
    (
        "conversation id of 300 characters",
        _local(conversation={"id": "a:" + "b" * 300, "conversationType": "personal"}),
        400,
    ),
    ("name of 5,000 characters", _local(**{"from": {"id": "29:a", "name": "n" * 5000}}), 400),
    ("name with control characters", _local(**{"from": {"id": "29:a", "name": "a\x00b"}}), 400),
    ("time zone not IANA", _local(localTimezone="Mars/Olympus_Mons"), 400),
    ("time zone as an offset", _local(localTimezone="+01:00"), 400),
    ("client time zone a path", _clientinfo_zone("../../etc/passwd"), 400),
    ("locale of 100 letters", _local(locale="x" * 100), 400),
    ("tenant id of 1,000 characters", _local(channelData={"tenant": {"id": "t" * 1000}}), 400),
    ("a token sent to a bot without app id", _teams(_message, GOOD), 401),
]


async def _refused(
    ep: Endpoints, send: Send, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    before = await row_counts(ep.runtime)
    caplog.clear()
    started = time.perf_counter()
    response = await send(ep)
    elapsed = time.perf_counter() - started
    assert response.status == status, await response.text()
    assert elapsed < BUDGET_SECONDS, f"answered in {elapsed * 1000:.0f} ms"
    # Nothing that was refused leaves work behind.
    if ep.runtime.slack is not None:
        await ep.runtime.slack.settled()
    if ep.runtime.teams is not None:
        await ep.runtime.teams.settled()
    assert await row_counts(ep.runtime) == before
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "Traceback" not in caplog.text
    refusals = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(refusals) <= 1, [r.getMessage() for r in refusals]


@pytest.mark.parametrize(("case", "send", "status"), SLACK_CASES, ids=[c[0] for c in SLACK_CASES])
async def test_slack_refuses(
    endpoints: Endpoints, case: str, send: Send, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await _refused(endpoints, send, status, caplog)


@pytest.mark.parametrize(("case", "send", "status"), TEAMS_CASES, ids=[c[0] for c in TEAMS_CASES])
async def test_teams_refuses(
    endpoints: Endpoints, case: str, send: Send, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # The keys are fetched once, as the first genuine request would; then every case is timed.
    await endpoints.runtime.teams.adapter.bot_framework_authentication.tokens.channel_keys.key(
        "fake-key-1"
    )
    await _refused(endpoints, send, status, caplog)


@pytest.mark.parametrize(("case", "send", "status"), LOCAL_CASES, ids=[c[0] for c in LOCAL_CASES])
async def test_teams_without_credentials_refuses(
    local: Endpoints, case: str, send: Send, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await _refused(local, send, status, caplog)


async def test_what_slack_really_sends_goes_through(endpoints: Endpoints) -> None:
    """The gate lets Slack's own checks through: the URL check, the SSL check, a command."""
    challenge = json.dumps({"type": "url_verification", "token": "t", "challenge": "abc123"})
    response = await endpoints.slack(challenge, signed_headers(challenge, JSON))
    assert response.status == 200
    assert "abc123" in await response.text()
    ssl_check = urlencode({"ssl_check": "1", "token": "t"})
    response = await endpoints.slack(ssl_check, signed_headers(ssl_check, FORM))
    assert response.status == 200
    response = await endpoints.slack_command("UALICE", "help", "trig-genuine")
    assert response.status == 200
    assert endpoints.runtime.slack is not None
    await endpoints.runtime.slack.settled()
    assert (await row_counts(endpoints.runtime))["person"] == 1
