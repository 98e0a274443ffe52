"""``tandem quiz import``: every kind of bad line is named with its line, and a file with one
bad line stores nothing; a good file is stored whole."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from bot.domain import Program
from bot.i18n import Renderer
from bot.quiz.importing import import_questions
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.bot.test_cli import tandem

LONG = "x" * 76
BAD_YAML = f"""\
- topic: Negotiation
  question: What is a BATNA?
  choices: ["Your opening price", "A clause"]
  explanation: Your best alternative.
- topic: Negotiation
  question: Which is an interest?
  choices: ["*Delivery before launch", "*A 20% discount", "Take it or leave it"]
  explanation: Interests say why.
- topic: Chatbots
  question: Pick one
  choices: ["*a", "b", "c", "d", "e", "f"]
  explanation: Too many.
- topic: Chatbots
  question: Long one
  choices: ["*short", "{LONG}"]
  explanation: Too long for a button.
- topic: Knitting
  question: Which stitch?
  choices: ["*Purl", "Glue"]
  explanation: Not a topic here.
- topic: Public speaking
  question: Fine one
  choices: ["*Rehearse aloud", "Read the slides"]
  explanation: Practice helps.
"""
GOOD_CSV = (
    "topic,question,choice_1,choice_2,choice_3,explanation,language\n"
    "Négociation,Qu'est-ce qu'une concession ?,*Un geste fait contre autre chose,Un cadeau,"
    "Une clause,On échange.,fr\n"
    "Onboarding,What comes first on day one?,*A buddy and a clear plan,A 300-page wiki,,"
    "People before documents.,en\n"
)


async def _program(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        uow.add(
            Program(
                name="Pilot",
                starts_on=date(2026, 11, 2),
                created_at=datetime(2026, 11, 1, tzinfo=UTC),
                locale="en",
                timezone="Europe/Paris",
                topics=["Chatbots", "Onboarding"],
                reciprocal_topics=["Negotiation", "Public speaking"],
            )
        )
        await uow.commit()


async def _stored(uow_factory: SqlUnitOfWorkFactory) -> list[tuple[str, str, str]]:
    async with uow_factory() as uow:
        columns = tables.quiz_question.c
        result = await uow.session.execute(
            sa.select(columns.locale, columns.topic, columns.text).order_by(columns.id)
        )
        return [tuple(row) for row in result]


async def test_each_bad_line_is_named_and_nothing_is_stored(
    uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    await _program(uow_factory)
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_YAML, encoding="utf-8")
    renderer = Renderer(default_locale="en")

    result = await import_questions(uow_factory, renderer, "en", bad, "Pilot")

    assert not result.ok
    assert result.lines[0].startswith("Nothing was imported: 5 lines to fix in")
    assert result.lines[1:] == [
        'Line 1: no right answer: mark the right choice with a "*" in front of it',
        'Line 5: 2 right answers marked with "*", mark only one',
        "Line 9: 6 choices, give 5 at most",
        f'Line 13: the choice "{LONG}" has 76 characters, 75 at most fit on a button',
        'Line 17: unknown topic "Knitting": use a topic of the program '
        "(Chatbots, Onboarding, Negotiation, Public speaking)",
    ]
    assert await _stored(uow_factory) == []

    french = await import_questions(uow_factory, Renderer(), "fr", bad, "Pilot")
    assert french.lines[1] == (
        "Ligne 1 : aucune bonne réponse : marquez le bon choix d'une « * » devant"
    )

    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    result = await import_questions(uow_factory, renderer, "en", good, "Pilot")
    assert result.ok and result.imported == 2
    assert result.lines == [
        '2 questions imported for "Pilot". They come before the default questions on their topics.'
    ]
    assert await _stored(uow_factory) == [
        ("fr", "negotiation", "Qu'est-ce qu'une concession ?"),
        ("en", "Onboarding", "What comes first on day one?"),
    ]


def test_the_command_refuses_a_bad_csv_line_and_exits_non_zero(tmp_path: Path) -> None:
    script = tmp_path / "setup.txt"
    script.write_text('@hr /tandem program new "Pilot"\n', encoding="utf-8")
    assert tandem("console", "--script", str(script), tmp_path=tmp_path).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "topic,question,choice_1,choice_2,explanation\n"
        "Chatbots,Who answers?,*A person,A bot,Hand over.\n"
        "Chatbots,No answer marked?,A person,A bot,Oops.\n",
        encoding="utf-8",
    )
    result = tandem(
        "quiz", "import", str(bad), "--program", "Pilot", tmp_path=tmp_path, TANDEM_LOCALE="en"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Nothing was imported: 1 line to fix" in result.stdout
    assert "Line 3: no right answer" in result.stdout

    result = tandem(
        "quiz", "import", str(bad), "--program", "Nope", tmp_path=tmp_path, TANDEM_LOCALE="en"
    )
    assert result.returncode == 1
    assert 'There is no program called "Nope"' in result.stdout
