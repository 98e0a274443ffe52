"""A roster file's bytes to a table of text cells: CSV (any usual encoding and separator) or
XLSX. Whatever cannot be read as one of those is refused as a whole, with what to do instead."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.errors import UserError

# A roster of 20,000 people with eight columns weighs about 2 MB as CSV: 5 MB leaves room,
# and refuses a file that is not a roster before it is read whole.
MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 20_000
SEPARATORS = (",", ";", "\t")
_ZIP = b"PK\x03\x04"
# The old binary Excel format (.xls), which only Excel itself reads reliably.
_OLE = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class Table:
    """The header cells, and each following row with its line number in the file (from 2)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    kind: str


def read_path(path: Path) -> bytes:
    """The file's bytes, refused unread when it is larger than a roster can be."""
    try:
        size = path.stat().st_size
    except OSError:
        raise UserError("roster.file_missing", path=str(path)) from None
    if not path.is_file():
        raise UserError("roster.file_missing", path=str(path))
    if size > MAX_BYTES:
        raise UserError("roster.too_big", size=size, maximum=MAX_BYTES)
    with path.open("rb") as file:
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UserError("roster.too_big", size=len(data), maximum=MAX_BYTES)
    return data


def read_table(name: str, data: bytes) -> Table:
    """The cells of a CSV or XLSX roster; a UserError says why a file is not one."""
    if len(data) > MAX_BYTES:
        raise UserError("roster.too_big", size=len(data), maximum=MAX_BYTES)
    if data.startswith(_OLE) or name.lower().endswith(".xls"):
        raise UserError("roster.old_excel", name=name)
    if data.startswith(_ZIP):
        return _xlsx_table(name, data)
    if b"\x00" in data[:4096] or name.lower().endswith((".pdf", ".docx", ".png", ".jpg")):
        raise UserError("roster.not_a_table", name=name)
    return _csv_table(name, _decoded(data))


def _decoded(data: bytes) -> str:
    """UTF-8 (with or without a BOM) first; else Windows' Western code page, which Excel
    writes in France and which, unlike Latin-1, has the euro sign and typographic quotes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _separator(header_line: str) -> str:
    counts = {separator: header_line.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: counts[separator])
    return best if counts[best] else ","


def _csv_table(name: str, text: str) -> Table:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(first_line))
    try:
        return _table(_numbered(reader), "csv", name)
    except csv.Error:
        raise UserError("roster.not_a_table", name=name) from None


def _numbered(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    for row in reader:
        yield reader.line_num, row  # type: ignore[attr-defined]


def _xlsx_table(name: str, data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UserError("roster.not_a_table", name=name) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise UserError("roster.empty", name=name)
        rows = (
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        return _table(rows, "xlsx", name)
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _table(rows: Iterator[tuple[int, list[str]]], kind: str, name: str) -> Table:
    headers: list[str] | None = None
    body: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if headers is None:
            headers = [cell.strip() for cell in cells]
            continue
        if len(body) >= MAX_LINES:
            raise UserError("roster.too_many_lines", maximum=MAX_LINES)
        body.append((number, cells))
    if headers is None or not body:
        raise UserError("roster.empty", name=name)
    return Table(headers, body, kind)
