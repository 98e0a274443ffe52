"""Logging setup: one line per handled event, as text or JSON lines (TANDEM_LOG_FORMAT=json).

What people type never reaches the log at INFO: handlers log event kinds, command names and
durations, never message text or secrets.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s %(context)s"


class _ContextFilter(logging.Filter):
    """Appends the ``extra=`` fields of a record to the text format as key=value pairs."""

    _standard = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
        "message",
        "asctime",
        "context",
        "taskName",
    }

    def filter(self, record: logging.LogRecord) -> bool:
        extras = {k: v for k, v in record.__dict__.items() if k not in self._standard}
        record.context = " ".join(f"{k}={v}" for k, v in extras.items())
        return True


def configure_logging(log_format: str = "text", level: str = "INFO", stream: object = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    if log_format == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.addFilter(_ContextFilter())
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library chatter (SQL statements, HTTP access lines) stays out of the product's log.
    for noisy in ("sqlalchemy", "aiosqlite", "asyncio", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
