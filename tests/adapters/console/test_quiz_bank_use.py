"""Which questions a person gets: the program's own before the default bank, and none again
before every question of its topic was asked."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from adapters.console.session import ConsoleSession
from bot.i18n import Renderer
from bot.quiz.importing import import_questions
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory, run_script

OWN = (
    "topic,question,choice_1,choice_2,explanation\n"
    "Negotiation,Who speaks first at our yearly supplier talks?,*The buyer,The supplier,"
    "Our buyers open with the volume forecast.\n"
)


async def asked(uow_factory: SqlUnitOfWorkFactory) -> list[str]:
    async with uow_factory() as uow:
        item = tables.quiz_item.c
        rows = await uow.session.execute(
            sa.select(item.question_ref).order_by(item.attempt_id, item.position)
        )
        return [ref for (ref,) in rows]


async def skip_quiz(console: ConsoleSession) -> None:
    """bob skips the three questions of his latest quiz (typing the Skip button's number): a
    question counts as asked once shown."""
    for number in (1, 2, 3):
        question = [d for d in console.transcript if d.recipient == "bob" and d.message.choices][-1]
        assert f"Quiz {number}/3" in question.text
        await console.run_line(f"@bob {len(question.message.choices)}")


async def test_own_questions_first_and_no_repeat_before_the_topic_is_exhausted(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    own = tmp_path / "own.csv"
    own.write_text(OWN, encoding="utf-8")
    result = await import_questions(uow_factory, Renderer(), "en", own, "Pilot")
    assert result.ok

    logged = await console.run_line('@alice /session log 1h "Negotiation: anchoring"')
    (first,) = [d for d in logged if d.recipient == "bob" and "Quiz 1/3" in d.text]
    assert "Who speaks first at our yearly supplier talks?" in first.text
    await skip_quiz(console)
    for _ in range(3):
        await console.run_line('@alice /session log 1h "Negotiation again"')
        await skip_quiz(console)

    refs = await asked(uow_factory)
    assert len(refs) == 12
    # 1 own question and 8 default ones on the topic: the first nine are all different...
    assert refs[0].startswith("imported:") and len(set(refs[:9])) == 9
    assert sorted(refs[1:9]) == sorted(f"default:negotiation:{n}" for n in range(1, 9))
    # ...and only then do questions come back, each once more.
    assert set(refs[9:]) <= set(refs[:9]) and len(set(refs[9:])) == 3
