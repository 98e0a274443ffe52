"""A restart in the middle of a multi-step conversation resumes it where it was."""

from __future__ import annotations

from .conftest import ConsoleFactory, run_script


async def test_intake_resumes_after_a_restart(make_console: ConsoleFactory) -> None:
    before = make_console()
    await before.run_line('@hr /tandem program new "Pilot"')
    await before.run_line("@hr /tandem invite @zoe")
    await before.run_line("@zoe /tandem language en")
    await before.run_line("@zoe 2")
    await before.run_line("@zoe none")
    await before.run_line("@zoe 1:5 4:2")

    after = make_console()  # a new process: new engine, new console, same database
    deliveries = await after.run_line("@zoe Understand what my teams post")
    assert deliveries[-1].text.startswith("Question 4/7")
    for answer in ("fr, en", "Legal", "Friday mornings", "ok"):
        deliveries = await after.run_line(f"@zoe {answer}")
    summary, baseline = (d.text for d in deliveries)
    assert "your profile is complete" in summary
    assert baseline.startswith("One more thing before you start: where are you today?")
    assert "Cybersecurity hygiene (priority 2)" in summary

    # /tandem profile after a restart re-asks the current question instead of starting over.
    again = make_console()
    await again.run_line("@zoe /tandem profile")
    await again.run_line("@zoe 1:2")
    resumed = make_console()
    deliveries = await resumed.run_line("@zoe /tandem profile")
    assert deliveries[-1].text.startswith("Question 2/7")


async def test_charter_resumes_after_a_restart(make_console: ConsoleFactory) -> None:
    before = make_console()
    await run_script(before, "two_pairs_en.txt")
    # dan and erin are halfway through their charter when the bot restarts.
    await before.run_line("@dan 2")
    await before.run_line("@erin 1")
    await before.run_line("@erin 8")

    after = make_console()
    deliveries = await after.run_line("@erin 1h")
    assert deliveries[-1].text.startswith("Where will you meet?")
    await after.run_line("@erin 1")
    deliveries = await after.run_line("@erin a meeting room")
    to_dan = [d for d in deliveries if d.recipient == "dan"]
    assert to_dan and "Here is the charter" in to_dan[0].text
    await after.run_line("@erin 1")
    deliveries = await after.run_line("@dan 1")
    assert "confirmed by both of you" in deliveries[0].text
    assert "8 meetings of 1 h, in person, with a meeting room" in deliveries[0].text
