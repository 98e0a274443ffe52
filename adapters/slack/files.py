"""A message's chart as a PNG file, or the file it carries (a data export), in a Slack
conversation after the message's text.

``files_upload_v2`` takes three calls: files.getUploadURLExternal, the bytes posted to the URL
it returns, then files.completeUploadExternal, which shares the file in the conversation.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.digest.chart import render_png
from bot.messages import Attachment, Chart

CHART_FILE = "chart.png"
# files.getUploadURLExternal's alt text limit.
ALT_TEXT_LIMIT = 1000
logger = logging.getLogger(__name__)


async def upload_chart(client: AsyncWebClient, channel: str, chart: Chart) -> None:
    """Upload the chart, best effort: the text is already posted and is what counts.

    A failure is logged and not raised: raising would have the deliverer send the text again.
    A crash between the two leaves the text without its chart, never the text twice.
    """
    try:
        # Drawing takes a tenth of a second of CPU: off the event loop that acknowledges Slack.
        png = await asyncio.to_thread(render_png, chart)
        await client.files_upload_v2(
            channel=channel,
            content=png,
            filename=CHART_FILE,
            title=chart.title,
            alt_txt=chart.alt_text[:ALT_TEXT_LIMIT] or None,
        )
    # Whatever went wrong (the API, the network, drawing), the text stays sent.
    except Exception as error:
        logger.warning(
            "chart upload failed", extra={"channel": channel, "error": type(error).__name__}
        )


async def upload_attachment(client: AsyncWebClient, channel: str, attachment: Attachment) -> None:
    """Share the message's file in the conversation, best effort as for a chart: the text is
    posted already, and a person who gets no file can ask again."""
    try:
        await client.files_upload_v2(
            channel=channel,
            content=attachment.content.encode("utf-8"),
            filename=attachment.filename,
            title=attachment.title or attachment.filename,
        )
    except Exception as error:
        logger.warning(
            "file upload failed", extra={"channel": channel, "error": type(error).__name__}
        )
