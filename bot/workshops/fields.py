"""Reading a workshop's announcement: the same checks for one typed line and for the form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.commands.lookup import find_program
from bot.commands.values import parse_date, parse_duration, parse_time
from bot.commands.vocabulary import plain
from bot.domain import EnrollmentStatus, Program, Role
from bot.errors import UserError
from bot.turn import Turn

# The fields of the form, and the options of the typed line, by the same names.
FIELDS = ("title", "topic", "date", "time", "length", "place", "capacity", "audience")
MAX_CAPACITY = 500
MAX_TITLE = 200
MAX_TOPIC = 100
MAX_PLACE = 500
# Announced further ahead than this, a date is a typing mistake.
LONGEST_AHEAD = timedelta(days=366)
# What ``audience:`` may say for "everyone enrolled in my programs".
EVERYONE_WORDS = {"all", "everyone", "tous", "toutes", "tout-le-monde", "tout le monde"}


@dataclass(frozen=True)
class Announcement:
    title: str
    topic: str
    starts_at: datetime
    minutes: int
    place: str
    capacity: int
    programs: tuple[Program, ...]
    everyone: bool


async def hosted_programs(turn: Turn) -> tuple[list[Program], list[Program]]:
    """The open programs the speaker owns, and those where they are an active mentor."""
    owned = [p for p in await turn.uow.programs_owned_by(turn.person_id) if not p.closed]
    mentoring = []
    for enrollment in await turn.uow.enrollments_of_person(turn.person_id):
        if enrollment.role == Role.MENTOR and enrollment.status == EnrollmentStatus.ACTIVE:
            program = await turn.uow.program(enrollment.program_id)
            if program is not None and not program.closed:
                mentoring.append(program)
    if not owned and not mentoring:
        raise UserError("workshops.err_not_host")
    return owned, mentoring


async def checked(
    turn: Turn, values: dict[str, str], errors: dict[str, str] | None = None
) -> Announcement:
    """Every field checked; with ``errors`` given, what is wrong with each is written there
    (the form shows it under the field) before the first problem is raised."""
    parsed, problems = await _read(turn, values, set(FIELDS))
    if problems:
        if errors is not None:
            for name, refused in problems.items():
                errors[name] = await turn.text(refused.message_id, **refused.variables)
        raise next(iter(problems.values()))
    minutes, capacity = parsed["length"], parsed["capacity"]
    starts_at, audience = parsed["starts_at"], parsed["audience"]
    assert isinstance(minutes, int) and isinstance(capacity, int)
    assert isinstance(starts_at, datetime) and isinstance(audience, tuple)
    programs, everyone = audience
    return Announcement(
        title=str(parsed["title"]),
        topic=str(parsed["topic"]),
        starts_at=starts_at,
        minutes=minutes,
        place=str(parsed["place"]),
        capacity=capacity,
        programs=tuple(programs),
        everyone=everyone,
    )


async def check_some(turn: Turn, values: dict[str, str]) -> None:
    """The fields answered so far (the console asks one at a time): the first wrong one is
    refused, those not answered yet are not looked at."""
    _, problems = await _read(turn, values, set(values))
    if problems:
        raise next(iter(problems.values()))


async def _read(
    turn: Turn, values: dict[str, str], only: set[str]
) -> tuple[dict[str, object], dict[str, UserError]]:
    owned, mentoring = await hosted_programs(turn)
    zone = ZoneInfo(turn.timezone_of(turn.person))
    today = turn.today_for(turn.person)
    problems: dict[str, UserError] = {}
    parsed: dict[str, object] = {}
    checks: dict[str, Callable[[], object]] = {
        "title": lambda: _text(values.get("title", ""), "title", MAX_TITLE),
        "topic": lambda: _text(values.get("topic", ""), "topic", MAX_TOPIC),
        "date": lambda: _day(values.get("date", ""), today),
        "time": lambda: _time(values.get("time", "")),
        "length": lambda: parse_duration(_required(values.get("length", ""), "length")),
        "place": lambda: _text(values.get("place", ""), "place", MAX_PLACE),
        "capacity": lambda: _capacity(values.get("capacity", "")),
    }
    for name, check in checks.items():
        if name not in only:
            continue
        try:
            parsed[name] = check()
        except UserError as problem:
            problems[name] = problem
    if "audience" in only:
        try:
            parsed["audience"] = await _audience(turn, values.get("audience", ""), owned, mentoring)
        except UserError as problem:
            problems["audience"] = problem
    if "date" in parsed and "time" in parsed:
        day, at = parsed["date"], parsed["time"]
        assert isinstance(day, date) and isinstance(at, time)
        starts_at = datetime.combine(day, at, tzinfo=zone)
        if starts_at <= turn.now:
            shown = f"{values.get('date', '')} {values.get('time', '')}".strip()
            problems["time"] = UserError("workshops.err_past", value=shown)
        parsed["starts_at"] = starts_at
    return parsed, problems


def _required(value: str, name: str) -> str:
    if not value.strip():
        raise UserError("workshops.err_missing", field=name)
    return value.strip()


def _text(value: str, name: str, maximum: int) -> str:
    cleaned = _required(value, name)
    if len(cleaned) > maximum:
        raise UserError("workshops.err_too_long", field=name, maximum=maximum)
    return cleaned


def _day(value: str, today: date) -> date:
    day = parse_date(_required(value, "date"), today)
    if day < today:
        raise UserError("workshops.err_past", value=value)
    if day > today + LONGEST_AHEAD:
        raise UserError("workshops.err_too_far", value=value, latest=today + LONGEST_AHEAD)
    return day


def _time(value: str) -> time:
    return parse_time(_required(value, "time"))


def _capacity(value: str) -> int:
    text = _required(value, "capacity")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_CAPACITY:
        raise UserError("workshops.err_capacity", value=value, maximum=MAX_CAPACITY)
    return int(text)


async def _audience(
    turn: Turn, value: str, owned: list[Program], mentoring: list[Program]
) -> tuple[list[Program], bool]:
    """The programs invited, and whether that is "everyone in the host's programs"."""
    typed = value.strip()
    if plain(typed) in EVERYONE_WORDS or (not typed and len(owned) > 1):
        if not owned:
            raise UserError("workshops.err_everyone_owners_only")
        return owned, True
    if not typed:
        return [(owned or mentoring)[0]], False
    program = await find_program(turn, typed)
    if program.id not in {p.id for p in [*owned, *mentoring]}:
        raise UserError(
            "workshops.err_not_your_program",
            program=program.name,
            programs=[p.name for p in [*owned, *mentoring]],
        )
    return [program], False
