"""The quiz leaves the turn that logs a session (bot.follow_ups) yet reaches the mentee at once:
the speaker's answer comes first and alone, then the quiz through the delivery round, even
outside the mentee's working hours when the mentee is the one who just spoke."""

from __future__ import annotations

from datetime import timedelta

from .conftest import ConsoleFactory, run_script


async def test_the_mentee_who_logs_in_the_evening_gets_the_quiz_right_after_the_answer(
    make_console: ConsoleFactory,
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    # 21:00 in Paris: outside bob's working hours; he is at his desk all the same.
    await console.advance(timedelta(hours=6))
    assert console.clock.now().hour == 20  # UTC

    said = await console.run_line('@bob /session log 45m "LinkedIn basics, privacy settings"')

    to_bob = [d for d in said if d.recipient == "bob"]
    assert [d.kind for d in to_bob][:1] == ["reply"]
    assert "Session logged" in to_bob[0].text
    (reply,) = [d for d in to_bob if d.kind == "reply"]
    assert "Quiz" not in reply.text
    (quiz,) = [d for d in to_bob if "Quiz 1/3" in d.text]
    assert quiz.kind == "push"
    assert quiz.message is not None and quiz.message.choices[-1].label == "Skip"
