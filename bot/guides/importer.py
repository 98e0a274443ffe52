"""``tandem guides import FILE --program NAME``: an owner's own guides, from YAML or CSV.

Every line is checked before anything is stored: one mistake anywhere and nothing changes, and
each mistake is reported with its line. A file that passes replaces the guides imported before
for that program (the file is the program's set of guides), in one transaction."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.commands.vocabulary import plain
from bot.domain import Program
from bot.errors import UserError
from bot.guides.library import GuideLibrary, default_library, topic_words
from bot.guides.model import MAX_QUESTIONS, MAX_RESOURCES, OwnerGuide, Resource
from bot.guides.topics import matching_topics
from bot.ports import UnitOfWorkFactory
from bot.settings import SUPPORTED_LOCALES

FIELDS = ("topic", "stage", "language", "goal", "questions", "exercise", "prepare", "resources")
# Longest accepted text per field: a guide is read in a chat message.
LONGEST = {"topic": 200, "goal": 600, "question": 300, "exercise": 800, "prepare": 600}
LONGEST_RESOURCE = 400
STAGE_WORDS = {
    "first": "first",
    "premiere": "first",
    "middle": "middle",
    "milieu": "middle",
    "last": "last",
    "derniere": "last",
}
EVERY_STAGE = {"", "all", "any", "every", "toutes", "tous"}
_NUMBERED = re.compile(r"^(question|resource)_?(\d+)$")


@dataclass(frozen=True)
class LineError:
    """One thing to fix, rendered by ``guides.import_error``."""

    line: int
    kind: str
    value: Any = ""
    maximum: int = 0
    topics: tuple[str, ...] = ()


class GuideImportError(Exception):
    def __init__(self, errors: Sequence[LineError]) -> None:
        super().__init__(f"{len(errors)} lines to fix")
        self.errors = list(errors)


@dataclass(frozen=True)
class ImportResult:
    program: str
    imported: int
    replaced: int


@dataclass
class _Row:
    line: int
    values: dict[str, Any] = field(default_factory=dict)


async def import_guides(
    uow_factory: UnitOfWorkFactory,
    program_name: str,
    path: Path,
    now: datetime,
    library: GuideLibrary | None = None,
) -> ImportResult:
    """Read, check and store; raises ``UserError`` (file or program) or ``GuideImportError``."""
    rows = read_rows(path)
    async with uow_factory() as uow:
        programs = await uow.programs_named(program_name.strip())
        if not programs:
            open_programs = await uow.open_programs()
            raise UserError(
                "errors.unknown_program",
                name=program_name,
                programs=[p.name for p in open_programs],
            )
        program = programs[-1]
        assert program.id is not None
        guides = checked_guides(rows, program, library or default_library())
        for guide in guides:
            guide.imported_at = now
        replaced = await uow.replace_owner_guides(program.id, guides)
        await uow.commit()
    return ImportResult(program.name, len(guides), replaced)


def read_rows(path: Path) -> list[_Row]:
    """The file's guides with their line numbers; a file that cannot be read is a UserError."""
    kind = "csv" if path.suffix.lower() == ".csv" else "yaml"
    if not path.is_file():
        raise UserError("guides.import_no_file", path=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(
            "guides.import_unreadable", path=str(path), kind=kind, reason=type(error).__name__
        ) from error
    rows = _csv_rows(text, path) if kind == "csv" else _yaml_rows(text, path)
    if not rows:
        raise UserError("guides.import_empty", path=str(path))
    return rows


def _yaml_rows(text: str, path: Path) -> list[_Row]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = f"line {mark.line + 1}" if mark is not None else "invalid YAML"
        raise UserError(
            "guides.import_unreadable", path=str(path), kind="yaml", reason=reason
        ) from error
    finally:
        loader.dispose()
    if root is None or data is None:
        return []
    if isinstance(root, yaml.MappingNode) and isinstance(data, dict) and "guides" in data:
        # {guides: [...]}: the list under it.
        root = next(value for key, value in root.value if key.value == "guides")
        data = data["guides"]
    if not isinstance(root, yaml.SequenceNode) or not isinstance(data, list):
        raise UserError(
            "guides.import_unreadable", path=str(path), kind="yaml", reason="not a list of guides"
        )
    return [
        _Row(node.start_mark.line + 1, item if isinstance(item, dict) else {"": item})
        for node, item in zip(root.value, data, strict=True)
    ]


def _csv_rows(text: str, path: Path) -> list[_Row]:
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [plain(name.strip()) for name in next(reader)]
    except StopIteration:
        return []
    except csv.Error as error:
        raise UserError(
            "guides.import_unreadable", path=str(path), kind="csv", reason=str(error)
        ) from error
    rows = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append(_Row(start, _csv_values(header, cells)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise UserError(
            "guides.import_unreadable", path=str(path), kind="csv", reason=f"line {start}: {error}"
        ) from error
    return rows


def _csv_values(header: list[str], cells: list[str]) -> dict[str, Any]:
    """A CSV row as a YAML guide would be: numbered columns become lists."""
    values: dict[str, Any] = {}
    numbered: dict[str, list[tuple[int, str]]] = {"question": [], "resource": []}
    for name, cell in zip(header, cells, strict=False):
        cell = cell.strip()
        found = _NUMBERED.match(name)
        if found:
            if cell:
                numbered[found.group(1)].append((int(found.group(2)), cell))
        elif name in ("questions", "resources"):
            values[name] = [part.strip() for part in cell.split("|") if part.strip()]
        else:
            values[name] = cell
    for kind, items in numbered.items():
        if items:
            values.setdefault(f"{kind}s", []).extend(text for _, text in sorted(items))
    return values


def checked_guides(
    rows: Sequence[_Row], program: Program, library: GuideLibrary
) -> list[OwnerGuide]:
    """The guides of ``rows`` for ``program``; raises GuideImportError listing every mistake."""
    assert program.id is not None
    topics = [*program.topics, *program.reciprocal_topics]
    errors: list[LineError] = []
    guides: list[OwnerGuide] = []
    first_line: dict[tuple[str, str | None, str | None], int] = {}
    for row in rows:
        row_errors = list(_row_errors(row, topics, library))
        if row_errors:
            errors.extend(row_errors)
            continue
        guide = _guide(row, program.id, topics, library)
        same = (topic_words(guide.topic), guide.stage, guide.locale)
        if same in first_line:
            errors.append(LineError(row.line, "duplicate", first_line[same]))
            continue
        first_line[same] = row.line
        guides.append(guide)
    if errors:
        raise GuideImportError(errors)
    return guides


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _row_errors(row: _Row, topics: list[str], library: GuideLibrary) -> Iterator[LineError]:
    values, line = row.values, row.line
    if "" in values:
        yield LineError(line, "not_a_guide")
        return
    for name in values:
        if name not in FIELDS and name != "locale":
            yield LineError(line, "unknown_field", name)
    topic = _text(values.get("topic"))
    if not topic:
        yield LineError(line, "missing_topic")
    elif len(matching_topics(topic, topics, library)) != 1:
        yield LineError(line, "unknown_topic", topic, topics=tuple(topics))
    if not _text(values.get("goal")):
        yield LineError(line, "missing_goal")
    stage = plain(_text(values.get("stage")))
    if stage not in STAGE_WORDS and stage not in EVERY_STAGE:
        yield LineError(line, "bad_stage", _text(values.get("stage")))
    language = _text(values.get("language", values.get("locale"))).lower()
    if language and language not in SUPPORTED_LOCALES:
        yield LineError(line, "bad_language", language)
    questions = [_text(q) for q in _list(values.get("questions")) if _text(q)]
    if len(questions) > MAX_QUESTIONS:
        yield LineError(line, "too_many_questions", len(questions), MAX_QUESTIONS)
    elif not questions:
        yield LineError(line, "no_question")
    resources = _list(values.get("resources"))
    if len(resources) > MAX_RESOURCES:
        yield LineError(line, "too_many_resources", len(resources), MAX_RESOURCES)
    for item in resources:
        resource = Resource.from_data(item)
        if not resource.title or len(resource.title) + len(resource.url or "") > LONGEST_RESOURCE:
            yield LineError(line, "bad_resource")
            break
    for name in ("topic", "goal", "exercise", "prepare"):
        if len(_text(values.get(name))) > LONGEST[name]:
            yield LineError(line, "too_long", name, LONGEST[name])
    if any(len(q) > LONGEST["question"] for q in questions):
        yield LineError(line, "too_long", "questions", LONGEST["question"])


def _guide(row: _Row, program_id: int, topics: list[str], library: GuideLibrary) -> OwnerGuide:
    values = row.values
    stage = STAGE_WORDS.get(plain(_text(values.get("stage"))))
    language = _text(values.get("language", values.get("locale"))).lower() or None
    return OwnerGuide(
        program_id=program_id,
        topic=matching_topics(_text(values["topic"]), topics, library)[0],
        goal=_text(values["goal"]),
        questions=[_text(q) for q in _list(values.get("questions")) if _text(q)],
        exercise=_text(values.get("exercise")),
        prepare=_text(values.get("prepare")),
        resources=[Resource.from_data(item).to_data() for item in _list(values.get("resources"))],
        stage=stage,
        locale=language,
        line=row.line,
    )
