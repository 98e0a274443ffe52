"""``tandem quiz import FILE --program NAME``: owners' own questions, used before the default bank.

A YAML file is a list of questions (``topic``, ``question``, ``choices``, ``explanation``, and
optionally ``language``); a CSV file has those columns, the choices in ``choice_1``,
``choice_2``… In both, the right choice starts with ``*``. Every question is checked first and
every problem reported with its line; the file is stored in one transaction only when nothing
is wrong, so a file with one mistake changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.errors import UserError
from bot.i18n import Renderer
from bot.ports import UnitOfWorkFactory
from bot.quiz.bank import topic_key
from bot.quiz.ports import ImportedQuestion
from bot.quiz.questions import Problem, problems_of
from bot.settings import SUPPORTED_LOCALES


@dataclass(frozen=True)
class RawQuestion:
    line: int
    topic: str
    text: str
    choices: tuple[str, ...]
    explanation: str
    language: str = ""


@dataclass
class ImportResult:
    imported: int = 0
    # What to tell the owner, one line each.
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.imported > 0


class UnreadableFile(Exception):
    pass


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def read_yaml(content: str) -> list[RawQuestion]:
    try:
        root = yaml.compose(content)
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise UnreadableFile(str(getattr(error, "problem", None) or error)) from error
    if isinstance(data, dict) and isinstance(data.get("questions"), list):
        data = data["questions"]
        assert root is not None
        root = next(v for k, v in root.value if k.value == "questions")
    if data is None:
        return []
    if not isinstance(data, list) or root is None:
        raise UnreadableFile("a list of questions")
    questions = []
    for node, item in zip(root.value, data, strict=True):
        line = node.start_mark.line + 1
        if not isinstance(item, dict):
            questions.append(RawQuestion(line, "", "", (), ""))
            continue
        choices = item.get("choices") or []
        if not isinstance(choices, list):
            choices = [choices]
        questions.append(
            RawQuestion(
                line=line,
                topic=_text(item.get("topic")),
                text=_text(item.get("question")),
                choices=tuple(_text(c) for c in choices),
                explanation=_text(item.get("explanation")),
                language=_text(item.get("language")),
            )
        )
    return questions


def read_csv(content: str) -> list[RawQuestion]:
    reader = csv.DictReader(io.StringIO(content))
    fields = [name.strip() for name in reader.fieldnames or ()]
    if "topic" not in fields or "question" not in fields:
        raise UnreadableFile("columns topic, question, choice_1…, explanation")
    choice_columns = [name for name in reader.fieldnames or () if name.strip().startswith("choice")]
    questions = []
    for row in reader:
        cells = {(k or "").strip(): v for k, v in row.items()}
        if not any(_text(v).strip() for v in row.values() if not isinstance(v, list)):
            continue
        # Cells past the header (a sixth choice without its column) are choices too.
        extra = [c for c in row.get(None) or [] if c and c.strip()]  # type: ignore[call-overload]
        questions.append(
            RawQuestion(
                line=reader.line_num,
                topic=_text(cells.get("topic")),
                text=_text(cells.get("question")),
                choices=tuple(_text(row.get(c)) for c in choice_columns) + tuple(extra),
                explanation=_text(cells.get("explanation")),
                language=_text(cells.get("language")),
            )
        )
    return questions


def read_file(path: Path) -> list[RawQuestion]:
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableFile(type(error).__name__) from error
    if path.suffix.lower() == ".csv":
        return read_csv(content)
    return read_yaml(content)


def checked(
    raw: list[RawQuestion], program_id: int, program_locale: str, program_topics: list[str]
) -> tuple[list[ImportedQuestion], list[tuple[int, list[Problem]]]]:
    """The questions ready to store, and the problems of each line that has some."""
    questions: list[ImportedQuestion] = []
    problems: list[tuple[int, list[Problem]]] = []
    for item in raw:
        found = problems_of(item.text, item.choices, item.explanation)
        key = topic_key(item.topic, program_topics) if item.topic.strip() else None
        if key is None:
            found.insert(
                0, Problem("unknown_topic", {"topic": item.topic, "topics": program_topics})
            )
        language = item.language.strip().lower() or program_locale
        if language not in SUPPORTED_LOCALES:
            found.append(Problem("unknown_language", {"language": item.language}))
        if found:
            problems.append((item.line, found))
            continue
        assert key is not None
        questions.append(
            ImportedQuestion(
                program_id=program_id,
                locale=language,
                topic=key,
                text=item.text.strip(),
                choices=tuple(c.strip() for c in item.choices if c.strip()),
                explanation=item.explanation.strip(),
            )
        )
    return questions, problems


async def import_questions(
    uow_factory: UnitOfWorkFactory, renderer: Renderer, locale: str, path: Path, program_name: str
) -> ImportResult:
    """Check the file, then store it whole or not at all; what to tell the owner."""
    result = ImportResult()
    async with uow_factory() as uow:
        programs = await uow.programs_named(program_name)
        if not programs:
            raise UserError("errors.unknown_program", name=program_name, programs=[])
        program = programs[0]
        assert program.id is not None
        try:
            raw = read_file(path)
        except UnreadableFile as error:
            result.lines.append(
                renderer.render(locale, "quiz.import_unreadable", file=str(path), reason=str(error))
            )
            return result
        if not raw:
            result.lines.append(renderer.render(locale, "quiz.import_empty", file=str(path)))
            return result
        topics = [*program.topics, *program.reciprocal_topics]
        questions, problems = checked(raw, program.id, program.locale, topics)
        if problems:
            result.lines.append(
                renderer.render(locale, "quiz.import_invalid", count=len(problems), file=str(path))
            )
            for line, found in problems:
                texts = [
                    renderer.render(locale, f"quiz.problem_{p.kind}", **p.variables) for p in found
                ]
                result.lines.append(
                    renderer.render(locale, "quiz.import_line", line=line, problems=texts)
                )
            return result
        result.imported = await uow.add_imported_questions(questions)
        await uow.commit()
    result.lines.append(
        renderer.render(locale, "quiz.imported", count=result.imported, program=program.name)
    )
    return result
