"""Owners' guide files, YAML or CSV: every mistake reported with its line, in the owner's
language, and nothing stored unless the whole file is right."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.domain import Program
from bot.errors import UserError
from bot.guides.importer import GuideImportError, checked_guides, read_rows
from bot.guides.library import default_library
from bot.i18n import Renderer
from storage.database import create_engine
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.bot.test_cli import tandem

renderer = Renderer()


def _program(locale: str = "en") -> Program:
    program = Program(
        name="Pilot",
        starts_on=date(2026, 11, 18),
        created_at=datetime(2026, 11, 18, tzinfo=UTC),
        locale=locale,
        timezone="Europe/Paris",
        topics=[*renderer.lines(locale, "catalogue.digital"), "Our CRM"],
        reciprocal_topics=renderer.lines(locale, "catalogue.reciprocal"),
    )
    program.id = 7
    return program


YAML_WITH_MISTAKES = """\
guides:
  - topic: Blockchain
    goal: Read our industry's announcements with a critical eye.
    questions: ["What did you read lately?"]
  - topic: Astrology
    goal: Read the stars.
    questions: ["Which sign are you?"]
  - topic: SEO
    stage: later
    language: de
    questions: ["a?", "b?", "c?", "d?"]
    colour: blue
  - topic: Our CRM
    goal: Find a customer's history in the CRM.
    questions: ["Where do you look first?"]
    resources: [a, b, c, d, e, f]
  - topic: Blockchain
    goal: Once more.
    questions: ["Again?"]
  - just a sentence
"""


def test_every_mistake_of_a_yaml_file_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "guides.yaml"
    path.write_text(YAML_WITH_MISTAKES, encoding="utf-8")
    with pytest.raises(GuideImportError) as failure:
        checked_guides(read_rows(path), _program(), default_library())
    assert [(e.line, e.kind) for e in failure.value.errors] == [
        (5, "unknown_topic"),
        (8, "unknown_field"),
        (8, "missing_goal"),
        (8, "bad_stage"),
        (8, "bad_language"),
        (8, "too_many_questions"),
        (13, "too_many_resources"),
        (17, "duplicate"),
        (20, "not_a_guide"),
    ]
    rendered = {
        locale: [
            renderer.render(
                locale,
                "guides.import_error",
                line=e.line,
                kind=e.kind,
                value=e.value,
                maximum=e.maximum,
                topics=list(e.topics),
            )
            for e in failure.value.errors
        ]
        for locale in ("en", "fr")
    }
    assert rendered["en"][0].startswith('Line 5: "Astrology" is not a topic of the program.')
    assert "Our CRM" in rendered["en"][0] and "Blockchain" in rendered["en"][0]
    assert rendered["fr"][0].startswith("Ligne 5 : « Astrology » n'est pas un thème du programme.")
    assert rendered["en"][5] == "Line 8: 4 questions, at most 3: keep the best three."
    assert rendered["fr"][5] == "Ligne 8 : 4 questions, 3 au plus : gardez les trois meilleures."
    assert rendered["en"][7].endswith("(line 2 has the first).")
    assert all(text.strip() for texts in rendered.values() for text in texts)


def test_a_csv_file_with_numbered_columns_and_topics_in_either_language(tmp_path: Path) -> None:
    path = tmp_path / "guides.csv"
    path.write_text(
        "Topic;Stage;Language;Goal;Question_1;Question_2;Exercise;Resource_1\n"
        "Bonnes pratiques de cybersécurité;première;fr;Activer la double authentification."
        ";Quel compte vous ferait le plus de tort ?;;Ensemble, sur son téléphone."
        ";Notre charte informatique — https://intranet.example/charte\n"
        '"Our CRM";;;"Find a customer\'s history,\nin two clicks.";Where do you look first?;;;\n',
        encoding="utf-8",
    )
    guides = checked_guides(read_rows(path), _program(), default_library())
    cyber, crm = guides
    # Stored as the program spells its topic.
    assert (cyber.topic, cyber.stage, cyber.locale, cyber.line) == (
        "Cybersecurity hygiene",
        "first",
        "fr",
        2,
    )
    assert cyber.questions == ["Quel compte vous ferait le plus de tort ?"]
    assert cyber.resources == [
        {"title": "Notre charte informatique", "url": "https://intranet.example/charte"}
    ]
    assert (crm.topic, crm.stage, crm.locale, crm.line) == ("Our CRM", None, None, 3)
    assert crm.goal == "Find a customer's history,\nin two clicks."


def test_an_unreadable_or_empty_file_is_explained(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("- topic: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError) as error:
        read_rows(broken)
    assert error.value.message_id == "guides.import_unreadable"
    text = renderer.render("fr", error.value.message_id, **error.value.variables)
    assert "Rien n'a été importé" in text and "topic,stage,language,goal" in text
    with pytest.raises(UserError) as error:
        read_rows(tmp_path / "missing.yaml")
    assert error.value.message_id == "guides.import_no_file"
    assert "missing.yaml" in renderer.render("en", error.value.message_id, **error.value.variables)
    empty = tmp_path / "empty.csv"
    empty.write_text("topic,goal\n", encoding="utf-8")
    with pytest.raises(UserError) as error:
        read_rows(empty)
    assert error.value.message_id == "guides.import_empty"


async def test_tandem_guides_import_on_the_command_line(
    sqlite_migrated_database: str, tmp_path: Path
) -> None:
    uow_factory = SqlUnitOfWorkFactory(create_engine(sqlite_migrated_database))
    try:
        async with uow_factory() as uow:
            uow.add(_program_row())
            await uow.commit()
    finally:
        await uow_factory.engine.dispose()
    database = {"DATABASE_URL": sqlite_migrated_database}

    bad = tmp_path / "bad.yaml"
    bad.write_text("- topic: Astrologie\n  goal: Lire les astres.\n  questions: ['Quoi ?']\n")
    result = tandem(
        "guides",
        "import",
        str(bad),
        "-p",
        "Pilot",
        tmp_path=tmp_path,
        TANDEM_LOCALE="fr",
        **database,
    )
    assert result.returncode == 1, result.stderr
    assert "Rien n'a été importé : 1 ligne est à corriger" in result.stdout
    assert "Ligne 1 : « Astrologie » n'est pas un thème du programme." in result.stdout

    good = tmp_path / "good.yaml"
    good.write_text("- topic: Blockchain\n  goal: Judge a proposal.\n  questions: ['Why?']\n")
    result = tandem(
        "guides",
        "import",
        str(good),
        "--program",
        "Pilot",
        tmp_path=tmp_path,
        TANDEM_LOCALE="en",
        **database,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '1 guide imported for "Pilot". It is shown before the default' in result.stdout


def _program_row() -> Program:
    program = _program()
    program.id = None
    return program
