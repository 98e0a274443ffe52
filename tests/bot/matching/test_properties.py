"""Properties of the matching on small random cohorts, checked against a plain-Python oracle.

The oracle knows nothing of numpy or of the solver: it checks every pair one by one from the
people's profiles, computes the score from its written definition, and finds the best total by
trying every assignment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import Role
from bot.matching.cohort import Candidate, Cohort, pair_key
from bot.matching.proposal import propose
from bot.matching.scoring import build
from bot.matching.settings import GOALS, WEIGHT_NAMES, MatchSettings
from bot.scheduling.working_hours import WorkingHours, at_local

TOPICS = ("a", "b", "c", "d")
BACK_TOPICS = ("x", "y")
ZONES = (
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
)
# Ordinary weeks and weeks in which clocks change (Europe, then the United States).
MONDAYS = (
    datetime(2026, 11, 16, tzinfo=UTC),
    datetime(2026, 3, 23, tzinfo=UTC),
    datetime(2026, 10, 19, tzinfo=UTC),
    datetime(2026, 3, 2, tzinfo=UTC),
)
WEEK = 7 * 24 * 60


@st.composite
def working_hours(draw: st.DrawFn) -> WorkingHours:
    start = draw(st.sampled_from([time(7, 0), time(8, 30), time(9, 0), time(10, 0), time(13, 0)]))
    length = draw(st.sampled_from([3, 5, 8, 9]))
    end = (datetime.combine(MONDAYS[0].date(), start) + timedelta(hours=length)).time()
    days = draw(st.sampled_from([(0, 1, 2, 3, 4), (0, 2, 4), (1,), (5, 6), (0, 1, 2, 3, 4, 5, 6)]))
    return WorkingHours(start=start, end=end, days=days)


@st.composite
def candidate(draw: st.DrawFn, role: Role, index: int) -> Candidate:
    own, other = (TOPICS, BACK_TOPICS) if role == Role.MENTOR else (BACK_TOPICS, TOPICS)
    ratings = st.dictionaries(st.sampled_from(own), st.integers(1, 5), max_size=len(own))
    wishes = st.dictionaries(
        st.sampled_from(other), st.integers(1, 5), min_size=role == Role.MENTEE, max_size=3
    )
    prefix = "m" if role == Role.MENTOR else "e"
    return Candidate(
        enrollment_id=index + (0 if role == Role.MENTOR else 100),
        person_id=index + (0 if role == Role.MENTOR else 100),
        user_id=f"{prefix}{index}",
        name=f"{prefix}{index}",
        role=role,
        teaches=draw(ratings),
        wants=draw(wishes),
        languages=tuple(
            draw(st.lists(st.sampled_from(["en", "fr", "de"]), min_size=1, max_size=3, unique=True))
        ),
        department=draw(st.sampled_from(["", "IT", " it ", "Sales"])),
        manager=draw(st.sampled_from([None, None, "boss", "m0", "e0", "m1"])),
        zone=draw(st.sampled_from(ZONES)),
        hours=draw(working_hours()),
    )


@dataclass(frozen=True)
class Case:
    cohort: Cohort
    settings: MatchSettings
    excluded: frozenset[int]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    mentors = tuple(draw(candidate(Role.MENTOR, i)) for i in range(draw(st.integers(0, 4))))
    mentees = tuple(draw(candidate(Role.MENTEE, i)) for i in range(draw(st.integers(0, 5))))
    pairs = [(a.person_id, b.person_id) for a in mentors for b in mentees]
    some_pairs = st.lists(st.sampled_from(pairs), max_size=3) if pairs else st.just([])
    cohort = Cohort(
        mentors=mentors,
        mentees=mentees,
        week_start=draw(st.sampled_from(MONDAYS)),
        avoid=frozenset(pair_key(*p) for p in draw(some_pairs)),
        history=frozenset(pair_key(*p) for p in draw(some_pairs)),
    )
    weights = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries({name: st.integers(0, 50) for name in WEIGHT_NAMES}).filter(
                lambda w: sum(w.values()) > 0
            ),
        )
    )
    overrides = {
        "capacity": draw(st.integers(1, 2)),
        "min_overlap_hours": draw(st.sampled_from([0, 1.5, 2, 4])),
        "same_department": draw(st.booleans()),
        "mentee_goal": draw(st.sampled_from(GOALS)),
        "common_topic": draw(st.booleans()),
        **({"weights": weights} if weights else {}),
    }
    everyone = [c.enrollment_id for c in (*mentors, *mentees)]
    excluded = (
        draw(st.frozensets(st.sampled_from(everyone), max_size=2)) if everyone else frozenset()
    )
    return Case(cohort, MatchSettings.from_overrides(overrides), excluded)


# The oracle


def intervals(person: Candidate, week_start: datetime) -> list[tuple[int, int]]:
    """Working time of the reference week, in minutes from its start (may fall outside it)."""
    zone = ZoneInfo(person.zone)
    result = []
    for offset in range(7):
        day = week_start.date() + timedelta(days=offset)
        if day.weekday() in person.hours.days:
            start = at_local(day, person.hours.start, zone) - week_start
            end = at_local(day, person.hours.end, zone) - week_start
            result.append((int(start.total_seconds()) // 60, int(end.total_seconds()) // 60))
    return result


def overlaps(a: Candidate, b: Candidate, week_start: datetime) -> Iterator[int]:
    """The length of every stretch both work, in minutes, the week wrapping around."""
    for start_a, end_a in intervals(a, week_start):
        for start_b, end_b in intervals(b, week_start):
            for shift in (-WEEK, 0, WEEK):
                common = min(end_a, end_b + shift) - max(start_a, start_b + shift)
                if common > 0:
                    yield common


def allowed(case: Case, mentor: Candidate, mentee: Candidate) -> bool:
    s, cohort = case.settings, case.cohort
    same_line = (
        (mentor.manager is not None and mentor.manager == mentee.manager)
        or mentor.manager == mentee.user_id
        or mentee.manager == mentor.user_id
    )
    department = " ".join(mentor.department.casefold().split())
    return (
        bool(set(mentor.languages) & set(mentee.languages))
        and max(overlaps(mentor, mentee, cohort.week_start), default=0) >= s.min_overlap_hours * 60
        and (
            s.same_department
            or not department
            or department != " ".join(mentee.department.casefold().split())
        )
        and not same_line
        and pair_key(mentor.person_id, mentee.person_id) not in cohort.avoid
        and pair_key(mentor.person_id, mentee.person_id) not in cohort.history
        and (not s.common_topic or bool(set(mentor.teaches) & set(mentee.wants)))
    )


def mean(weights: dict[str, int], values: dict[str, float]) -> float:
    total = sum(weights.values())
    return sum(w * values.get(t, 0.0) for t, w in weights.items()) / total if total else 0.0


def score(case: Case, mentor: Candidate, mentee: Candidate) -> float:
    levels = {t: level / 5 for t, level in mentor.teaches.items()}
    wanted = mentee.wants
    goal = case.settings.mentee_goal
    if goal == "auto":
        few = 0 < len(wanted) <= 3 and sum(wanted.values()) / len(wanted) >= 4
        goal = "skill_up" if few else "same_language"
    if goal == "skill_up":
        fit = mean(wanted, {t: v**2 for t, v in levels.items()})
    else:
        fit = mean(wanted, {t: min(v * 5, 3) / 3 for t, v in levels.items()})
    shared = sum(overlaps(mentor, mentee, case.cohort.week_start)) / 60
    parts = {
        "topics": mean(wanted, levels),
        "goal": fit,
        "language": float(len(set(mentor.languages) & set(mentee.languages)) >= 2),
        "hours": min(shared / 10, 1.0),
        "reciprocal": mean(mentor.wants, {t: v / 5 for t, v in mentee.teaches.items()}),
    }
    weights = case.settings.weights
    return sum(weights[name] * parts[name] for name in WEIGHT_NAMES) / sum(weights.values())


def best_total(case: Case, mentors: list[Candidate], mentees: list[Candidate]) -> float:
    """The maximum total score over every assignment (each mentee to one mentor or to none)."""
    capacity = case.settings.capacity
    options = [
        [i for i, mentor in enumerate(mentors) if allowed(case, mentor, mentee)]
        for mentee in mentees
    ]
    scores = {
        (i, j): score(case, mentors[i], mentees[j]) for j, opts in enumerate(options) for i in opts
    }

    def search(j: int, load: tuple[int, ...]) -> float:
        if j == len(mentees):
            return 0.0
        best = search(j + 1, load)
        for i in options[j]:
            if load[i] < capacity:
                taken = (*load[:i], load[i] + 1, *load[i + 1 :])
                best = max(best, scores[(i, j)] + search(j + 1, taken))
        return best

    return search(0, (0,) * len(mentors))


# The properties

SETTINGS = settings(max_examples=80, deadline=None)


@SETTINGS
@given(cases())
def test_pairs_respect_every_hard_constraint_and_the_capacity(case: Case) -> None:
    proposal = propose(case.cohort, case.settings, case.excluded)
    for pair in proposal.pairs:
        assert allowed(case, pair.mentor, pair.mentee), (pair.mentor, pair.mentee)
    loads: dict[int, int] = {}
    for pair in proposal.pairs:
        loads[pair.mentor.enrollment_id] = loads.get(pair.mentor.enrollment_id, 0) + 1
    assert all(load <= case.settings.capacity for load in loads.values())
    mentees = [pair.mentee.enrollment_id for pair in proposal.pairs]
    assert len(mentees) == len(set(mentees))


@SETTINGS
@given(cases())
def test_everyone_is_paired_or_listed_with_a_reason(case: Case) -> None:
    proposal = propose(case.cohort, case.settings, case.excluded)
    paired = {p.mentor.enrollment_id for p in proposal.pairs} | {
        p.mentee.enrollment_id for p in proposal.pairs
    }
    unmatched = [u.candidate.enrollment_id for u in proposal.unmatched]
    excluded = [c.enrollment_id for c in proposal.excluded]
    everyone = [c.enrollment_id for c in (*case.cohort.mentors, *case.cohort.mentees)]
    assert sorted([*paired, *unmatched, *excluded]) == sorted(everyone)
    assert set(excluded) == set(case.excluded)
    active_mentors = [c for c in case.cohort.mentors if c.enrollment_id not in case.excluded]
    active_mentees = [c for c in case.cohort.mentees if c.enrollment_id not in case.excluded]
    for line in proposal.unmatched:
        person = line.candidate
        others = active_mentees if person.role == Role.MENTOR else active_mentors
        compatible = any(
            allowed(case, person, other)
            if person.role == Role.MENTOR
            else allowed(case, other, person)
            for other in others
        )
        # An optimal proposal leaves nobody out who could still be placed.
        assert line.reason == ("capacity" if compatible else "no_partner"), line


@SETTINGS
@given(cases())
def test_total_score_is_the_brute_force_optimum(case: Case) -> None:
    proposal = propose(case.cohort, case.settings, case.excluded)
    mentors = [c for c in case.cohort.mentors if c.enrollment_id not in case.excluded]
    mentees = [c for c in case.cohort.mentees if c.enrollment_id not in case.excluded]
    achieved = sum(score(case, p.mentor, p.mentee) for p in proposal.pairs)
    assert abs(achieved - best_total(case, mentors, mentees)) < 1e-5


@SETTINGS
@given(cases())
def test_vectorised_scores_and_constraints_match_the_definitions(case: Case) -> None:
    matrices = build(case.cohort, case.settings)
    for i, mentor in enumerate(case.cohort.mentors):
        for j, mentee in enumerate(case.cohort.mentees):
            assert bool(matrices.allowed[i, j]) == allowed(case, mentor, mentee), (mentor, mentee)
            # float32 scores: about 7 significant digits.
            assert abs(matrices.score[i, j] - score(case, mentor, mentee)) < 1e-5
