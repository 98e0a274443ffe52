"""The Slack Web API client the inbound side answers with, and which mode Slack runs in."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

SlackMode = Literal["http", "socket"]
RATE_LIMIT_RETRIES = 5


class RetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """On a 429, waits what Slack's ``Retry-After`` says (seconds), and no more, then retries."""

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            assert error is not None
            raise error
        state.next_attempt_requested = True
        wait = 1.0
        for name, value in response.headers.items():
            if name.lower() == "retry-after":
                text = value[0] if isinstance(value, list) else value
                with contextlib.suppress(ValueError):
                    wait = max(0.0, float(text))
        await asyncio.sleep(wait)
        state.increment_current_attempt()


def slack_mode(settings: Settings) -> SlackMode | None:
    """Socket Mode when an app-level token is set, HTTP with a signing secret, else no Slack
    (neither one bot token nor OAuth configured)."""
    if settings.slack_bot_token is None and not settings.slack_oauth_enabled:
        return None
    if settings.slack_app_token is not None:
        return "socket"
    if settings.slack_signing_secret is not None:
        return "http"
    return None


def reply_client(settings: Settings) -> AsyncWebClient:
    """The Web API client for replies: waits out a 429's Retry-After and tries again. With
    several workspaces (OAuth) it has no token: each workspace's client is made from it."""
    token = None
    if settings.slack_bot_token is not None and not settings.slack_oauth_enabled:
        token = settings.slack_bot_token.get_secret_value()
    client = AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        session=aiohttp.ClientSession(),
    )
    client.retry_handlers.append(RetryAfterHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client
