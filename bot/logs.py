"""Logging setup: one line per handled event, as text or JSON lines (TANDEM_LOG_FORMAT=json).

What people type never reaches the log: handlers log event kinds, command names and
durations, never message text or secrets; and a traceback is written with its frames and the
exceptions' types only, since an exception's message can quote what was typed (a database error
quotes the statement's parameters).
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from pythonjsonlogger.json import JsonFormatter

_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s %(context)s"


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def redacted_traceback(error: BaseException) -> str:
    """Where an exception (and those it came from) was raised, with types and no messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        lines = [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames]
        parts.append("\n".join([*lines, f"{type(current).__qualname__} (message withheld)"]))
        current = current.__cause__ or current.__context__
    return "\n-- raised while handling --\n".join(reversed(parts))


def _format_exception(exc_info: ExcInfo) -> str:
    error = exc_info[1]
    return "Traceback:\n" + redacted_traceback(error) if error is not None else ""


class _RedactingFormatter(logging.Formatter):
    def formatException(self, ei: ExcInfo) -> str:  # type: ignore[override]
        return _format_exception(ei)


class _RedactingJsonFormatter(JsonFormatter):
    def formatException(self, ei: ExcInfo) -> str:  # type: ignore[override]
        return _format_exception(ei)


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
        handler.setFormatter(
            _RedactingJsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
        )
    else:
        handler.addFilter(_ContextFilter())
        handler.setFormatter(_RedactingFormatter(_TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library chatter (SQL statements, HTTP access lines) stays out of the product's log.
    for noisy in ("sqlalchemy", "aiosqlite", "asyncio", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
