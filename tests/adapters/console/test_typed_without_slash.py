"""Commands typed without slash, as in Teams and the console: a lone "status" or "help" is
answered even while the bot waits for an answer, and the question stays open."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from tests.console_support import said


async def test_status_alone_in_the_middle_of_the_intake_answers_and_keeps_the_question(
    console: ConsoleSession,
) -> None:
    await console.run_line('@hr /tandem program new "Pilot"')
    await console.run_line("@hr /tandem invite @zoe")
    await console.run_line("@zoe /tandem language en")
    question = await said(console, "@zoe 2")
    assert "Question 2/7" in question or "1/7" in question
    status = await said(console, "@zoe status")
    assert 'program "Pilot"' in status
    assert "I couldn't read" not in status
    # The intake goes on where it was: the next answer is read as the answer to that question.
    after = await said(console, "@zoe none")
    assert "Question" in after and "I couldn't read" not in after


async def test_a_word_that_is_not_a_lone_query_still_answers_the_question(
    console: ConsoleSession,
) -> None:
    await console.run_line('@hr /tandem program new "Pilot"')
    await console.run_line("@hr /tandem invite @zoe")
    await console.run_line("@zoe /tandem language en")
    await console.run_line("@zoe 2")
    reply = await said(console, "@zoe pause")
    assert "I couldn't read" in reply
