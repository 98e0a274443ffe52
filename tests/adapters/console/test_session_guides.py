"""Session guides in a console scenario on the virtual clock: sent with the reminder (the guide
to the mentor, a short note to the mentee), shown when a session is planned, and on demand."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.guides.importer import GuideImportError, import_guides
from bot.guides.library import default_library
from bot.guides.model import Stage
from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import START, ConsoleFactory, run_script, said

NOTE = {"en": "come with a real case", "fr": "venez simplement avec un cas réel"}
OWNERS_MARK = {"en": "from your program's owners", "fr": "des responsables de votre programme"}


async def _pilot(make_console: ConsoleFactory, locale: str):  # type: ignore[no-untyped-def]
    """alice (mentor) and bob (mentee) want and teach social networks first, then AI."""
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    for name in ("alice", "bob"):
        await console.run_line(f"@{name} /tandem language {locale}")
    return console


def _guide(locale: str, key: str, stage: Stage):  # type: ignore[no-untyped-def]
    topic = default_library().topic(key, locale)
    assert topic is not None
    return topic.guide(stage)


@pytest.mark.parametrize(
    ("locale", "unknown", "ambiguous"),
    [
        ("en", 'I don\'t know the topic "astrology"', "fits several topics"),
        ("fr", "Je ne connais pas le thème « astrology »", "correspond à plusieurs thèmes"),
    ],
)
async def test_guides_when_planning_with_the_reminder_and_on_demand(
    make_console: ConsoleFactory, locale: str, unknown: str, ambiguous: str
) -> None:
    console = await _pilot(make_console, locale)
    first = _guide(locale, "social_networks", Stage.FIRST)
    other_topic = default_library().topic("ai_assistants", locale).name  # type: ignore[union-attr]

    # Planning: the mentor sees the session's guide, with the tandem's other topic.
    planned = await said(console, "@alice /session plan 2026-11-20 15:00")
    assert first.goal in planned and first.questions[2] in planned and other_topic in planned
    # The mentee sees the light note instead.
    planned = await said(console, "@bob /session plan 2026-12-02 15:00")
    assert NOTE[locale].split()[-1] in planned and first.goal not in planned

    # On demand: without a topic, the pair's own; a word of a topic is enough, in either
    # language; a topic nobody knows is refused with the list of those that have a guide.
    assert first.goal in await said(console, "@alice /tandem guide")
    assert _guide(locale, "website_seo", Stage.FIRST).goal in await said(
        console, "@bob /tandem guide SEO"
    )
    assert _guide(locale, "cybersecurity", Stage.FIRST).goal in await said(
        console, "@bob /tandem guide cyber"
    )
    refused = await said(console, "@alice /tandem guide astrology")
    assert unknown in refused
    for key in ("blockchain", "negotiation"):
        assert default_library().topic(key, locale).name in refused  # type: ignore[union-attr]
    assert ambiguous in await said(console, "@alice /tandem guide tools")

    # The day before: the guide comes with the reminder, to the mentor; a note to the mentee.
    deliveries = await console.run_line(":advance 3d")

    def sent(name: str, prefix: str) -> list:  # type: ignore[type-arg]
        return [d for d in deliveries if d.recipient == name and d.key and d.key.startswith(prefix)]

    (reminder,) = [d for d in sent("alice", "session_reminder") if d.key.endswith(":86400")]
    (guide,) = sent("alice", "session_guide")
    assert guide.at == reminder.at and guide.at is not None
    assert guide.at.date() == START.date().replace(day=19)
    assert first.goal in guide.text and first.exercise in guide.text and first.prepare in guide.text
    assert all(question in guide.text for question in first.questions)
    assert all(resource.title in guide.text for resource in first.resources)
    assert first.topic in guide.text and "bob" in guide.text
    (note,) = sent("bob", "session_guide")
    assert NOTE[locale] in note.text and "alice" in note.text and first.goal not in note.text
    # Once: the one-hour reminder comes alone; the other pair has no planned session.
    assert len(sent("alice", "session_reminder")) == 2
    assert not sent("dan", "session_guide") and not sent("erin", "session_guide")

    # After a session, the guide is the one for the middle of the tandem.
    await console.run_line('@alice /session log 45m "LinkedIn profile"')
    assert _guide(locale, "social_networks", Stage.MIDDLE).goal in await said(
        console, "@alice /tandem guide"
    )


async def test_an_imported_guide_comes_before_the_default_one(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    console = await _pilot(make_console, "en")
    good = tmp_path / "guides.yaml"
    good.write_text(
        """
- topic: LinkedIn            # a word of the program's topic is enough
  stage: first
  goal: Set up the company page's showcase for your mentee's team.
  questions:
    - Who in your team already posts about our products?
  resources:
    - Our social media charter — https://intranet.example/social
""",
        encoding="utf-8",
    )
    result = await import_guides(uow_factory, "Pilot", good, START)
    assert (result.imported, result.replaced) == (1, 0)
    # Importing again replaces what the program had, rather than adding to it.
    result = await import_guides(uow_factory, "Pilot", good, START)
    assert (result.imported, result.replaced) == (1, 1)
    deliveries = await console.run_line("@alice /session plan 2026-11-20 15:00")
    planned = "\n".join(d.text for d in deliveries if d.recipient == "alice")
    default = _guide("en", "social_networks", Stage.FIRST)
    assert "Set up the company page's showcase" in planned and default.goal not in planned
    assert "Who in your team already posts" in planned
    # What the owner left out comes from the default guide; their resource is listed first.
    assert default.exercise in planned
    assert planned.index("Our social media charter") < planned.index(default.resources[0].title)
    assert OWNERS_MARK["en"] in planned
    deliveries = await console.run_line(":advance 3d")
    (guide,) = [
        d
        for d in deliveries
        if d.key and d.key.startswith("session_guide:") and d.recipient == "alice"
    ]
    assert "Set up the company page's showcase" in guide.text

    # A file with mistakes changes nothing: the imported guide stays in use.
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "topic,stage,goal,question_1,question_2,question_3,question_4\n"
        "Astrology,first,Read the stars,a?,,,\n"
        "SEO,later,,a?,b?,c?,d?\n",
        encoding="utf-8",
    )
    with pytest.raises(GuideImportError) as failure:
        await import_guides(uow_factory, "Pilot", bad, START)
    assert [(e.line, e.kind) for e in failure.value.errors] == [
        (2, "unknown_topic"),
        (3, "missing_goal"),
        (3, "bad_stage"),
        (3, "too_many_questions"),
    ]
    assert "Set up the company page's showcase" in await said(console, "@alice /tandem guide")
    # It was written for first meetings only: after one, the default guide is back.
    await console.run_line('@alice /session log 45m "LinkedIn profile"')
    shown = await said(console, "@alice /tandem guide")
    assert "Set up the company page's showcase" not in shown
    assert _guide("en", "social_networks", Stage.MIDDLE).goal in shown
