"""Which guide a pair needs: its topic (what the mentee wants and the mentor teaches) and its
stage (first meeting, middle, last), with the program's own guides before the defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain import Charter, Profile, Program
from bot.guides.library import GuideLibrary, topic_words
from bot.guides.model import MAX_RESOURCES, Guide, OwnerGuide, Resource, Stage
from bot.scheduling.assessments import program_end

# A session in the program's last two weeks closes the tandem, whatever its number.
LAST_WEEKS = timedelta(weeks=2)


def pair_topics(program: Program, mentor: Profile | None, mentee: Profile | None) -> list[str]:
    """The pair's topics, best first: what the mentee wants and the mentor teaches (the
    mentee's priority first, then the mentor's level), else what the mentee wants, else what
    the mentor teaches; only topics of the program's catalogue, as the program spells them."""
    wants = dict(mentee.wants) if mentee is not None else {}
    teaches = dict(mentor.teaches) if mentor is not None else {}
    listed = {topic_words(t): t for t in (*program.topics, *program.reciprocal_topics)}

    def known(topics: dict[str, int]) -> dict[str, int]:
        return {
            listed[topic_words(t)]: int(v) for t, v in topics.items() if topic_words(t) in listed
        }

    wants, teaches = known(wants), known(teaches)
    common = [t for t in wants if t in teaches]
    if common:
        return sorted(common, key=lambda t: (-wants[t], -teaches[t], t))
    chosen = wants or teaches
    return sorted(chosen, key=lambda t: (-chosen[t], t))


def sessions_target(program: Program, charter: Charter | None) -> int:
    """How many sessions the pair planned: its charter's number, else the program's."""
    return (charter.meetings if charter and charter.meetings else None) or program.sessions_planned


def stage_of(program: Program, sessions_done: int, target: int, on: date) -> Stage:
    """The stage of the pair's next session, held on ``on``: the first when none was logged,
    the last when it reaches the planned number or falls in the program's last weeks."""
    if sessions_done == 0:
        return Stage.FIRST
    if sessions_done + 1 >= target or on > program_end(program) - LAST_WEEKS:
        return Stage.LAST
    return Stage.MIDDLE


@dataclass(frozen=True)
class GuideBook:
    """The guides one program's people may see: its owners' first, then the defaults."""

    library: GuideLibrary
    owner_guides: Sequence[OwnerGuide] = ()

    def guide(self, topic: str, stage: Stage, locale: str) -> Guide | None:
        """The guide for ``topic`` at ``stage`` in ``locale``: an owner's guide with the parts
        it leaves out taken from the default one, and its resources listed first."""
        default_topic = self.library.topic(self.library.key_of(topic), locale)
        # A catalogue topic is named in the reader's language, whatever the program's.
        shown_name = default_topic.name if default_topic is not None else topic
        default = default_topic.guide(stage) if default_topic is not None else None
        own = self._owner_guide(topic, stage, locale)
        if own is None:
            return default
        resources = [Resource.from_data(item) for item in own.resources]
        if default is not None:
            resources += [r for r in default.resources if r not in resources]
        return Guide(
            topic=shown_name,
            stage=stage,
            goal=own.goal,
            questions=tuple(own.questions) or (default.questions if default else ()),
            exercise=own.exercise or (default.exercise if default else ""),
            prepare=own.prepare or (default.prepare if default else ""),
            resources=tuple(resources[:MAX_RESOURCES]),
            from_owners=True,
        )

    def real_case(self, topic: str, locale: str) -> str:
        """An example of the real case a mentee could bring, for a catalogue topic."""
        default_topic = self.library.topic(self.library.key_of(topic), locale)
        return default_topic.real_case if default_topic is not None else ""

    def topic_name(self, topic: str, locale: str) -> str:
        """The topic in the reader's language when it is a catalogue topic."""
        default_topic = self.library.topic(self.library.key_of(topic), locale)
        return default_topic.name if default_topic is not None else topic

    def has_guide(self, topic: str) -> bool:
        return self.library.key_of(topic) is not None or any(
            topic_words(g.topic) == topic_words(topic) for g in self.owner_guides
        )

    def _owner_guide(self, topic: str, stage: Stage, locale: str) -> OwnerGuide | None:
        """The most precise owner guide: for this stage before every stage, in the reader's
        language before one for everyone; the first of the file among equals."""
        wanted = topic_words(topic)
        candidates = [
            g
            for g in self.owner_guides
            if topic_words(g.topic) == wanted
            and g.stage in (None, stage.value)
            and g.locale in (None, locale)
        ]
        candidates.sort(key=lambda g: (g.stage is None, g.locale is None, g.line))
        return candidates[0] if candidates else None
