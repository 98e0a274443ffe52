"""What people type is cleaned where it enters the engine, and never reaches the log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.errors import UserError
from bot.logs import configure_logging
from bot.text import MAX_TEXT, clean, shortened
from storage.database import create_engine

SECRET = "my manager is impossible"


def test_text_is_normalised_to_nfc_with_plain_line_ends() -> None:
    decomposed = "e\u0301quipe"  # "équipe" typed with a combining accent
    assert clean(decomposed) == "\u00e9quipe"
    assert clean("line one\r\nline two\rthree\tend") == "line one\nline two\nthree\tend"
    # Right-to-left text and its marks are ordinary writing, not an attack.
    assert clean("שלום \u200f123") == "שלום \u200f123"


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2067"])
def test_control_characters_and_overrides_are_refused(character: str) -> None:
    with pytest.raises(UserError) as refused:
        clean(f"hello{character}world")
    assert refused.value.message_id == "errors.text_control_characters"


def test_overlong_text_is_refused_with_the_limit() -> None:
    assert clean("a" * MAX_TEXT) == "a" * MAX_TEXT
    with pytest.raises(UserError) as refused:
        clean("a" * (MAX_TEXT + 1))
    assert refused.value.variables == {"maximum": MAX_TEXT, "length": MAX_TEXT + 1}


def test_an_echo_is_cut_short() -> None:
    assert shortened("x" * 1000) == "x" * 59 + "…"
    assert shortened(["ok", "y" * 100]) == ["ok", "y" * 59 + "…"]
    assert shortened(42) == 42


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def _fail_with_user_text() -> None:
    try:
        raise ValueError(f"could not store {SECRET!r}")
    except ValueError as error:
        raise RuntimeError(f"turn failed on {SECRET}") from error


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_logged_traceback_keeps_its_frames_and_types_but_not_the_messages(
    log_stream: io.StringIO, log_format: str
) -> None:
    configure_logging(log_format, stream=log_stream)
    try:
        _fail_with_user_text()
    except RuntimeError:
        logging.getLogger("tandem.engine").exception("event failed")
    written = log_stream.getvalue()
    assert SECRET not in written
    text = json.loads(written)["exc_info"] if log_format == "json" else written
    assert "_fail_with_user_text" in text
    assert "ValueError (message withheld)" in text
    assert "RuntimeError (message withheld)" in text


async def test_database_errors_do_not_quote_what_was_typed(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.connect() as connection:
            with pytest.raises(sa.exc.DBAPIError) as failed:
                await connection.execute(
                    sa.text("INSERT INTO missing_table VALUES (:words)"), {"words": SECRET}
                )
    finally:
        await engine.dispose()
    assert SECRET not in str(failed.value)
