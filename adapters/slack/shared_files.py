"""A file shared in the direct conversation with the bot (a roster dropped with
``/tandem roster import``), downloaded with the bot token (scope ``files:read``), no further
than a roster may weigh: a larger one is refused by the engine from the size Slack gives."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.events import SharedFile
from bot.roster.reading import MAX_BYTES

logger = logging.getLogger("tandem.slack")
DOWNLOAD_SECONDS = 20


async def shared_files(client: AsyncWebClient, event: dict[str, Any]) -> tuple[SharedFile, ...]:
    for file in event.get("files") or []:
        url = file.get("url_private_download") or file.get("url_private")
        if not url:
            continue
        name = str(file.get("name") or file.get("title") or "roster")
        size = int(file.get("size") or 0)
        if size > MAX_BYTES:
            return (SharedFile(name, b"", size),)
        try:
            data = await _download(str(url), client.token or "")
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.warning("shared file not downloaded: %r", error)
            return ()
        return (SharedFile(name, data, max(size, len(data))),)
    return ()


async def _download(url: str, token: str) -> bytes:
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(url, headers=headers) as response,
    ):
        response.raise_for_status()
        return await response.content.read(MAX_BYTES + 1)
