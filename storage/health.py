"""Whether the database answers: the readiness probe's question (``GET /readyz``)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger("tandem.storage")


async def database_answers(engine: AsyncEngine, within_seconds: float) -> bool:
    """True when ``SELECT 1`` comes back within ``within_seconds``."""
    try:
        async with asyncio.timeout(within_seconds):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as error:  # whatever the reason (refused, timeout, auth), it is not ready
        logger.warning("database unreachable", extra={"error": type(error).__name__})
        return False
    return True
