"""Bot Framework tokens: what is accepted, and the signing keys fetched without ever holding up
the server, even when the host that publishes them hangs."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from botbuilder.schema import Activity

from adapters.teams.auth import (
    REFRESH_AFTER_SECONDS,
    RETRY_AFTER_FAILURE_SECONDS,
    UNKNOWN_KEY_REFRESH_SECONDS,
    BotTokenValidator,
    TokenRefused,
)
from adapters.teams.connectors import PooledBotFrameworkAuthentication, ReusedConnectors
from tests.adapters.endpoints import (
    APP_ID,
    JSON,
    Endpoints,
    credentials,
    running_fakes,
    serving,
)
from tests.adapters.teams.world import MENTOR
from tests.fakes.graph_calendar import CLIENT_ID as GRAPH_CLIENT_ID
from tests.fakes.graph_calendar import FakeGraph
from tests.fakes.openid import EMULATOR_ISSUER, FakeOpenId, HangingHost, new_key

SERVICE_URL = "https://smba.trafficmanager.net/emea/"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def openid() -> AsyncIterator[FakeOpenId]:
    fake = FakeOpenId()
    await fake.start()
    yield fake
    await fake.stop()


def authentication(
    openid: FakeOpenId, clock: Clock | None = None
) -> PooledBotFrameworkAuthentication:
    from adapters.teams.app import BotFrameworkConfiguration

    validator = BotTokenValidator(
        APP_ID, channel_metadata_url=openid.metadata_url, emulator_metadata_url=openid.metadata_url
    )
    if clock is not None:
        validator.channel_keys.now = clock
    configuration = BotFrameworkConfiguration(APP_ID, "secret", "", "MultiTenant")
    return PooledBotFrameworkAuthentication(configuration, validator)


def activity(channel: str = "msteams") -> Activity:
    return Activity(type="message", channel_id=channel, service_url=SERVICE_URL)


async def test_a_bot_connector_token_gives_what_the_cloud_adapter_needs(
    openid: FakeOpenId,
) -> None:
    auth = authentication(openid)
    token = openid.token(APP_ID, SERVICE_URL)
    result = await auth.authenticate_request(activity(), f"Bearer {token}")
    assert result.claims_identity.is_authenticated
    assert result.claims_identity.get_claim_value("aud") == APP_ID
    assert result.audience == "https://api.botframework.com"
    assert result.caller_id == "urn:botframework:azure"
    assert isinstance(result.connector_factory, ReusedConnectors)
    # The claims carry the app id botbuilder's connector factory creates credentials for.
    assert result.connector_factory.inner._app_id == APP_ID


@pytest.mark.parametrize(
    "claims",
    [{"ver": "1.0", "appid": APP_ID}, {"ver": "2.0", "azp": APP_ID}],
    ids=["version 1.0", "version 2.0"],
)
async def test_emulator_tokens_for_this_app_are_accepted(
    openid: FakeOpenId, claims: dict[str, Any]
) -> None:
    auth = authentication(openid)
    token = openid.token(APP_ID, SERVICE_URL, iss=EMULATOR_ISSUER, serviceurl=None, **claims)
    result = await auth.authenticate_request(activity("emulator"), f"Bearer {token}")
    assert result.claims_identity.get_claim_value("iss") == EMULATOR_ISSUER


async def test_unknown_key_ids_fetch_the_keys_once_however_many_arrive(
    openid: FakeOpenId,
) -> None:
    auth = authentication(openid)
    forged = [openid.token(APP_ID, SERVICE_URL, key_id=f"made-up-{n}") for n in range(20)]
    results = await asyncio.gather(
        *(auth.authenticate_request(activity(), f"Bearer {t}") for t in forged),
        return_exceptions=True,
    )
    assert all(isinstance(result, TokenRefused) for result in results)
    # One fetch of the metadata and its keys, shared by every request; none after.
    assert openid.requests == ["metadata", "keys"]


async def test_a_rotated_key_is_fetched_once_the_rate_limit_allows(openid: FakeOpenId) -> None:
    clock = Clock()
    auth = authentication(openid, clock)
    await auth.authenticate_request(activity(), f"Bearer {openid.token(APP_ID, SERVICE_URL)}")
    openid.key, openid.key_id = new_key(), "fake-key-2"
    rotated = f"Bearer {openid.token(APP_ID, SERVICE_URL)}"
    with pytest.raises(TokenRefused):
        # Less than the interval since the last fetch: refused without asking again.
        await auth.authenticate_request(activity(), rotated)
    assert openid.requests == ["metadata", "keys"]
    clock.now += UNKNOWN_KEY_REFRESH_SECONDS + 1
    result = await auth.authenticate_request(activity(), rotated)
    assert result.claims_identity.is_authenticated
    assert openid.requests == ["metadata", "keys"] * 2


async def test_aged_keys_keep_serving_while_they_are_refreshed_in_the_background(
    openid: FakeOpenId,
) -> None:
    clock = Clock()
    auth = authentication(openid, clock)
    token = f"Bearer {openid.token(APP_ID, SERVICE_URL)}"
    await auth.authenticate_request(activity(), token)
    clock.now += REFRESH_AFTER_SECONDS + 1
    started = time.perf_counter()
    await auth.authenticate_request(activity(), token)
    assert time.perf_counter() - started < 0.05
    keys = auth.tokens.channel_keys
    assert keys._fetch is not None
    await keys._fetch
    assert openid.requests == ["metadata", "keys"] * 2
    assert keys.fetched_at == clock.now


async def _timed(coroutine: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await coroutine
    return time.perf_counter() - started, result


# The SQLite run is enough: the database plays no part in this.
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_a_key_host_that_never_answers_holds_up_nothing_else(migrated_url: str) -> None:
    hanging = HangingHost()
    await hanging.start()
    timeout = 0.5
    settings = credentials(f"{hanging.url}/metadata", microsoft_openid_timeout_seconds=timeout)
    try:
        async with running_fakes() as fakes, serving(migrated_url, fakes, **settings) as ep:
            await _check_responsive(ep, hanging, timeout)
    finally:
        await hanging.stop()


async def _check_responsive(ep: Endpoints, hanging: HangingHost, key_timeout: float) -> None:
    # Warm paths first: the timings below are of a server that has served before.
    assert (await ep.http.get("/healthz")).status == 200
    assert (await ep.slack_command("UALICE", "help", "trig-warm")).status == 200
    assert ep.runtime.slack is not None
    await ep.runtime.slack.settled()

    def post_forged() -> Any:
        forged = ep.token(key_id="made-up")
        body = json.dumps(ep.teams.activity(MENTOR, "message", text="status"))
        headers = {"Content-Type": JSON, "Authorization": f"Bearer {forged}"}
        return _timed(ep.activity(body, headers))

    pending = asyncio.create_task(post_forged())
    await asyncio.wait_for(hanging.connected.wait(), 1)
    timings = []
    for n in range(5):
        health, response = await _timed(ep.http.get("/healthz"))
        assert response.status == 200
        ack, response = await _timed(ep.slack_command("UALICE", "help", f"trig-{n}"))
        assert response.status == 200
        timings += [health, ack]
        assert not pending.done()
        # The engine's work for that command runs on this loop too: let it finish, so that
        # the next timings measure the server's answers, not that work.
        assert ep.runtime.slack is not None
        await ep.runtime.slack.settled()
    assert max(timings) < 0.05, [f"{t * 1000:.1f} ms" for t in timings]

    elapsed, response = await pending
    # No key could be had: refused (503, try later) once the fetch's timeout is spent.
    assert response.status == 503
    assert key_timeout * 0.8 < elapsed < key_timeout + 0.3
    # The next one is refused at once, without knocking at the host again.
    elapsed, response = await post_forged()
    assert response.status == 503 and elapsed < 0.1
    assert hanging.connections == 1
    assert RETRY_AFTER_FAILURE_SECONDS > 1


async def test_an_authenticated_bot_answers_with_its_entra_id_token_fetched_once(
    migrated_url: str,
) -> None:
    """Teams refuses a reply without the bot's own token: each reply carries one that Entra ID
    (a local fake of its token endpoint) issued for the bot's app id and secret, asked once for
    all of them."""
    login = FakeGraph()
    await login.start()
    try:
        async with running_fakes() as fakes:
            settings = credentials(
                fakes[2].metadata_url,
                microsoft_app_id=GRAPH_CLIENT_ID,
                microsoft_app_password=login.client_secret,
                graph_login_url=login.url,
            )
            async with serving(migrated_url, fakes, **settings) as ep:
                assert ep.runtime.teams is not None
                for n in range(3):
                    token = ep.openid.token(GRAPH_CLIENT_ID, ep.teams.fake.url)
                    body = json.dumps(ep.teams.activity(MENTOR, "message", text="help"))
                    headers = {"Content-Type": JSON, "Authorization": f"Bearer {token}"}
                    assert (await ep.activity(body, headers)).status == 200
                    await ep.runtime.teams.settled()
                    assert len(ep.teams.fake.to(ep.teams.conversation(MENTOR))) == n + 1
                presented = set(ep.teams.fake.authorizations)
                issued = {f"Bearer {token}" for token in login._tokens}
                assert len(presented) == 1 and presented <= issued
                assert login.tokens_issued == 1
    finally:
        await login.stop()
