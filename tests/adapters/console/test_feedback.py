"""The other side of a logged session gets a short form; a mentee's answers debrief a mentor."""

from __future__ import annotations

from .conftest import ConsoleFactory, run_script


async def test_mentee_form_and_mentor_debrief(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line('@alice /session log 45m "LinkedIn basics"')
    deliveries = await console.run_line(":advance 2h")
    (ask,) = [d for d in deliveries if d.recipient == "bob" and d.key and "feedback" in d.key]
    assert "What your mentor will see: your rating and your tip" in ask.text
    assert ask.message.choices[0].label.startswith("1")

    reply = await console.run_line("@bob 4")
    assert "4/5, noted! What did you learn" in reply[-1].text
    reply = await console.run_line("@bob How to tune my LinkedIn privacy")
    assert "one thing alice could do even better" in reply[-1].text
    reply = await console.run_line("@bob Fewer acronyms please")
    assert "may the program owners see your name" in reply[-1].text
    reply = await console.run_line("@bob 1")
    assert "Your feedback (4/5) is saved, anonymously" in reply[0].text
    (debrief,) = [d for d in reply if d.recipient == "alice"]
    assert "your mentee found it 4/5 useful" in debrief.text
    assert "first rating" in debrief.text
    assert 'Their tip for next time: "Fewer acronyms please"' in debrief.text

    # A second session: the running average and the earlier tip show up.
    await console.run_line(":advance 1d")
    await console.run_line('@alice /session log 1h "Privacy settings"')
    # Logged at 17:00 in Paris: the request waits for bob's next working morning.
    await console.run_line(":advance 18h")
    await console.run_line("@bob 2")
    await console.run_line("@bob none")
    await console.run_line("@bob Slower demos")
    reply = await console.run_line("@bob 2")
    assert "with your name" in reply[0].text
    (debrief,) = [d for d in reply if d.recipient == "alice"]
    assert "running average is 3.0/5 over 2 sessions" in debrief.text
    assert 'Earlier tips: "Fewer acronyms please"' in debrief.text
    assert "keep going" in debrief.text

    # The rating buttons are spent once used.
    reply = await console.run_line("@bob 5")
    assert "noted" not in reply[-1].text


async def test_mentor_form_skips_the_tip(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line('@bob /session log 30m "Negotiation"')
    deliveries = await console.run_line(":advance 2h")
    (ask,) = [d for d in deliveries if d.recipient == "alice" and d.key and "feedback" in d.key]
    assert "What your mentee will see: nothing" in ask.text
    await console.run_line("@alice 5")
    reply = await console.run_line("@alice Anchoring a price first")
    assert "may the program owners see your name" in reply[-1].text
    reply = await console.run_line("@alice 1")
    assert [d.recipient for d in reply] == ["alice"]


async def test_thirteen_logs_in_a_day_ask_the_partner_once(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    for number in range(13):
        reply = await console.run_line(f'@alice /session log 30m "Topic {number}"')
        assert "Session logged" in reply[0].text
    deliveries = await console.run_line(":advance 2h")
    asks = [d for d in deliveries if d.key and d.key.startswith("feedback:")]
    assert [d.recipient for d in asks] == ["bob"]
    assert "about your last 13 sessions" in asks[0].text
    assert "how useful were they" in asks[0].text

    # The same day, answered or not, one more log asks nothing more.
    await console.run_line('@alice /session log 30m "Topic 14"')
    deliveries = await console.run_line(":advance 2h")
    assert not [d for d in deliveries if d.key and d.key.startswith("feedback:")]

    # Once answered and a day later, the next session is asked about again, on its own.
    await console.run_line("@bob 4")
    await console.run_line("@bob none")
    await console.run_line("@bob none")
    await console.run_line("@bob 1")
    await console.run_line(":advance 1d")
    await console.run_line('@alice /session log 30m "Topic 15"')
    deliveries = await console.run_line(":advance 18h")
    (ask,) = [d for d in deliveries if d.key and d.key.startswith("feedback:")]
    assert ask.recipient == "bob"
    assert "about your last session" in ask.text
    assert "how useful was it" in ask.text


async def test_one_french_request_covers_two_sessions(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@bob /tandem language fr")
    await console.run_line('@alice /session log 30m "LinkedIn"')
    await console.run_line('@alice /session log 45m "Privacy"')
    deliveries = await console.run_line(":advance 2h")
    (ask,) = [d for d in deliveries if d.key and d.key.startswith("feedback:")]
    assert "sur vos 2 dernières sessions" in ask.text
    assert "vous ont-elles été utiles" in ask.text
