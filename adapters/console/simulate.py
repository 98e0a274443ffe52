"""``tandem simulate``: a whole program on the virtual clock, with people of different habits.

Everyone goes through the real engine and the console adapter: they are invited, fill in their
profile, get paired and set their charter; then week after week the scheduler speaks first and
each simulated person reacts according to their habit. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from adapters.console.port import Delivery
from adapters.console.session import ConsoleSession

# A Monday at 14:00 UTC: working hours in Paris, London and New York alike.
START = datetime(2027, 1, 4, 14, 0, tzinfo=UTC)
ZONES = ("Europe/Paris", "Europe/Paris", "Europe/London", "America/New_York")
OWNER = "owner"


class Habit(StrEnum):
    DILIGENT = "diligent"
    IRREGULAR = "irregular"
    SILENT = "silent"
    PAUSING = "pausing"


@dataclass
class Participant:
    name: str
    role: str
    habit: Habit
    zone: str
    has_paused: bool = False


@dataclass
class WeekReport:
    week: int
    messages: Counter[str] = field(default_factory=Counter)
    checkins_answered: int = 0
    sessions_logged: int = 0
    pauses: int = 0

    @property
    def quiet_pairs_nudged(self) -> int:
        return self.messages["quiet"] // 2


@dataclass
class Simulation:
    console: ConsoleSession
    participants: int
    weeks: int
    seed: int
    # Told (hours lived, hours in all) after each simulated hour: a long run shows progress.
    on_progress: Callable[[int, int], None] | None = None
    people: list[Participant] = field(default_factory=list)
    reports: list[WeekReport] = field(default_factory=list)
    # Actions waiting for their moment: (when, order, person, line or choice value).
    _agenda: list[tuple[datetime, int, str, str]] = field(default_factory=list)
    _order: int = 0

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    async def run(self) -> list[WeekReport]:
        await self._set_up()
        total, lived = self.weeks * 7 * 24, 0
        for week in range(1, self.weeks + 1):
            report = WeekReport(week)
            self.reports.append(report)
            for _ in range(7 * 24):
                before = len(self.console.transcript)
                await self.console.advance(timedelta(hours=1))
                await self._do_what_is_due(report)
                self._react(self.console.transcript[before:], report)
                lived += 1
                if self.on_progress is not None:
                    self.on_progress(lived, total)
        return self.reports

    # Setting up: program, invitations, intake, pairs, charters
    async def _set_up(self) -> None:
        habits = list(Habit)
        for index in range(self.participants):
            role = "mentor" if index % 2 == 0 else "mentee"
            self.people.append(
                Participant(
                    name=f"p{index + 1:03d}",
                    role=role,
                    habit=habits[self.random.randrange(len(habits))],
                    zone=ZONES[self.random.randrange(len(ZONES))],
                )
            )
        await self._say(OWNER, "/tandem language en")
        await self._say(OWNER, '/tandem program new "Simulation" sessions: 6 every: 2w')
        names = " ".join(f"@{p.name}" for p in self.people)
        await self._say(OWNER, f"/tandem invite {names}")
        for person in self.people:
            await self._intake(person)
        mentors = [p for p in self.people if p.role == "mentor"]
        mentees = [p for p in self.people if p.role == "mentee"]
        for mentor, mentee in zip(mentors, mentees, strict=False):
            await self._say(OWNER, f"/tandem pair @{mentor.name} @{mentee.name}")
            await self._charter(mentor, mentee)
            self._plan_next_log(mentor, self.console.clock.now())

    async def _intake(self, person: Participant) -> None:
        topics = self.random.sample(range(1, 17), 2)
        await self._say(person.name, "/tandem language en")
        await self._say(person.name, "1" if person.role == "mentor" else "2")
        ratings = " ".join(f"{topic}:{self.random.randint(2, 5)}" for topic in topics)
        answers = [ratings, "none"] if person.role == "mentor" else ["none", ratings]
        answers += ["Grow", "en", "Dept", "Mornings", person.zone]
        for answer in answers:
            await self._say(person.name, answer)

    async def _charter(self, mentor: Participant, mentee: Participant) -> None:
        for name, answer in (
            (mentor.name, "1"),
            (mentee.name, "2"),
            (mentee.name, "ok"),
            (mentee.name, "ok"),
            (mentee.name, "2"),
            (mentee.name, "none"),
            (mentor.name, "1"),
            (mentee.name, "1"),
        ):
            await self._say(name, answer)

    # Living the weeks
    def _react(self, deliveries: list[Delivery], report: WeekReport) -> None:
        for delivery in deliveries:
            if delivery.key is None:
                continue
            purpose = delivery.key.split(":")[0]
            report.messages[purpose] += 1
            person = self._person(delivery.recipient)
            if person is None or purpose not in ("checkin", "checkin_reminder"):
                continue
            delay = self._answer_delay(person.habit)
            if delay is not None:
                mood = self.random.randint(2, 5)
                choice = next(
                    (c.value for c in delivery.message.choices if c.value.endswith(f":{mood}")),
                    None,
                )
                if choice is not None:
                    self._schedule(delay, person.name, f"choice {choice}")
        for person in self.people:
            if (
                person.habit is Habit.PAUSING
                and report.week == max(2, self.weeks // 3)
                and not person.has_paused
            ):
                person.has_paused = True
                until = (self.console.clock.now() + timedelta(days=21)).date().isoformat()
                self._schedule(timedelta(hours=3), person.name, f"/tandem pause until {until}")
                report.pauses += 1

    def _answer_delay(self, habit: Habit) -> timedelta | None:
        if habit is Habit.SILENT:
            return None
        if habit is Habit.IRREGULAR and self.random.random() < 0.5:
            return None
        hours = self.random.randint(1, 6 if habit is not Habit.IRREGULAR else 40)
        return timedelta(hours=hours)

    def _plan_next_log(self, mentor: Participant, after: datetime) -> None:
        weeks = {
            Habit.DILIGENT: 2,
            Habit.PAUSING: 2,
            Habit.IRREGULAR: self.random.randint(3, 5),
            Habit.SILENT: None,
        }[mentor.habit]
        if weeks is None:
            return
        delay = after - self.console.clock.now() + timedelta(weeks=weeks)
        if mentor.habit is Habit.DILIGENT:
            # Diligent mentors put the next meeting in both agendas (and get reminded of it).
            day = (self.console.clock.now() + delay).date()
            while day.weekday() >= 5:
                day += timedelta(days=1)
            # "anyway": 15:00 on the mentor's clock, even when it is evening for the mentee.
            plan = f"/session plan {day.isoformat()} 15:00 anyway"
            self._schedule(timedelta(0), mentor.name, plan)
            # They log it the evening of the meeting.
            evening = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=20)
            delay = evening - self.console.clock.now()
        self._schedule(delay, mentor.name, '/session log 1h "Practice on real cases"')

    async def _do_what_is_due(self, report: WeekReport) -> None:
        now = self.console.clock.now()
        due = sorted(item for item in self._agenda if item[0] <= now)
        self._agenda = [item for item in self._agenda if item[0] > now]
        for _, _, name, action in due:
            if action.startswith("choice "):
                await self.console.choose(name, action.removeprefix("choice "))
                await self._say(name, "none")
                await self._say(name, "none")
                report.checkins_answered += 1
            else:
                deliveries = await self.console.run_line(f"@{name} {action}")
                if action.startswith("/session log") and any(
                    d.recipient == name
                    and d.kind == "reply"
                    and d.message.choices == ()
                    and "Session logged" in d.text
                    for d in deliveries
                ):
                    report.sessions_logged += 1
                    person = self._person(name)
                    if person is not None:
                        self._plan_next_log(person, now)

    def _schedule(self, delay: timedelta, name: str, action: str) -> None:
        self._order += 1
        self._agenda.append((self.console.clock.now() + delay, self._order, name, action))

    def _person(self, name: str) -> Participant | None:
        return next((p for p in self.people if p.name == name), None)

    async def _say(self, name: str, text: str) -> None:
        await self.console.run_line(f"@{name} {text}")
