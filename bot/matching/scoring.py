"""Scores and hard constraints of every (mentor, mentee) of a cohort, as numpy matrices.

Everything is vectorised: topics, languages and working hours become one row per person, and
each figure for all pairs comes out of one matrix product or one broadcast comparison.

The score of a pair, between 0 and 1, is the weighted mean (``MatchSettings.weights``) of:

``topics``
    how well the mentor's levels cover what the mentee wants: the mean over the mentee's
    wanted topics, weighted by priority, of (mentor's level / 5) — 0 for a topic they do not
    teach.
``goal``
    the mentee's goal weighed against the mentor's levels. *Skill up* asks for depth: the
    same mean of (level / 5)², so that an expert counts far more than a beginner. *Speak the
    same language* asks for breadth: the same mean of min(level, 3) / 3, so that a fair level
    on every wanted topic is enough. The goal is read from the intake (``mentee_goals``) unless
    the program fixes it.
``language``
    1 when they share a second language (one is required anyway), else 0.
``hours``
    the working hours a week they share, counted up to ``GOOD_SHARED_HOURS``.
``reciprocal``
    what the mentee can teach that the mentor wants to learn: the same mean as ``topics``,
    from the mentor's wishes and the mentee's levels (0 when the mentor wants nothing).

Hard constraints (``HARD_CONSTRAINTS``), never violated by a proposal: a shared language; an
unbroken stretch of shared working time of at least ``min_overlap_hours``; different
departments (unless the program allows the same); different reporting lines when managers are
known (the same manager, or one manages the other); no private avoidance asked by either; never
paired together before, in any program; and, unless the program turns it off, at least one
topic the mentee wants that the mentor teaches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.matching import hours as working_time
from bot.matching.cohort import Candidate, Cohort
from bot.matching.settings import MatchSettings

HARD_CONSTRAINTS = ("language", "hours", "department", "manager", "avoid", "history", "topics")
COMPONENTS = ("topics", "goal", "language", "hours", "reciprocal")
GOOD_SHARED_HOURS = 10.0
# The intake heuristic for a mentee's goal: few topics, ranked high, means "skill up".
SKILL_UP_MAX_TOPICS = 3
SKILL_UP_MIN_MEAN_PRIORITY = 4.0
TOP_TOPICS = 3

# Scores are float32: plenty for values between 0 and 1, and half the memory traffic.
FloatMatrix = npt.NDArray[np.floating[Any]]
BoolMatrix = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Matrices:
    """Mentors × mentees."""

    score: FloatMatrix
    allowed: BoolMatrix
    # constraint -> True where the pair satisfies it
    checks: dict[str, BoolMatrix]
    # topics, goal, hours, reciprocal: 0..1; language: True when a second language is shared.
    components: dict[str, npt.NDArray[Any]]
    shared_hours: npt.NDArray[np.float32]
    skill_up: npt.NDArray[np.bool_]


def mentee_goals(mentees: Sequence[Candidate], setting: str = "auto") -> npt.NDArray[np.bool_]:
    """True for each mentee read as "skill up", False for "speak the same language".

    With ``auto``: a mentee who ranks at most ``SKILL_UP_MAX_TOPICS`` topics with a mean
    priority of at least ``SKILL_UP_MIN_MEAN_PRIORITY`` wants depth on those (skill up); one
    who spreads over more topics, or ranks them lower, wants breadth (the same language).
    """
    if setting in ("skill_up", "same_language"):
        return np.full(len(mentees), setting == "skill_up", dtype=np.bool_)
    counts = np.array([len(m.wants) for m in mentees], dtype=np.float64)
    totals = np.array([sum(m.wants.values()) for m in mentees], dtype=np.float64)
    means = np.divide(totals, counts, out=np.zeros_like(totals), where=counts > 0)
    result: npt.NDArray[np.bool_] = (
        (counts > 0) & (counts <= SKILL_UP_MAX_TOPICS) & (means >= SKILL_UP_MIN_MEAN_PRIORITY)
    )
    return result


def _ratings(rows: Sequence[Mapping[str, int]], index: dict[str, int]) -> npt.NDArray[np.float32]:
    """One row per person, one column per topic: the level or priority (0 when not given)."""
    matrix = np.zeros((len(rows), max(len(index), 1)), dtype=np.float32)
    people: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, ratings in enumerate(rows):
        for topic, value in ratings.items():
            people.append(row)
            columns.append(index[topic])
            values.append(float(value))
    if values:
        matrix[people, columns] = values
    return matrix


def _topic_index(*groups: Iterable[Mapping[str, int]]) -> dict[str, int]:
    index: dict[str, int] = {}
    for group in groups:
        for ratings in group:
            for topic in ratings:
                index.setdefault(topic, len(index))
    return index


def _weighted_mean_rows(weights: FloatMatrix) -> FloatMatrix:
    """Each row divided by its sum (rows of zeros stay zeros)."""
    totals = weights.sum(axis=1, keepdims=True)
    result: FloatMatrix = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    return result


def _codes(values: Sequence[str | None], table: dict[str, int]) -> npt.NDArray[np.int64]:
    """Strings as integer codes (shared table), -1 for none."""
    return np.array([table.setdefault(v, len(table)) if v else -1 for v in values], dtype=np.int64)


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def _pair_mask(
    pairs: frozenset[tuple[int, int]], mentors: Sequence[Candidate], mentees: Sequence[Candidate]
) -> BoolMatrix:
    """True where the mentor and mentee (by person id, either order) are among ``pairs``."""
    mask = np.zeros((len(mentors), len(mentees)), dtype=np.bool_)
    if not pairs:
        return mask
    mentor_rows: dict[int, int] = {c.person_id: i for i, c in enumerate(mentors)}
    mentee_cols: dict[int, int] = {c.person_id: j for j, c in enumerate(mentees)}
    rows: list[int] = []
    cols: list[int] = []
    for first, second in pairs:
        for a, b in ((first, second), (second, first)):
            if a in mentor_rows and b in mentee_cols:
                rows.append(mentor_rows[a])
                cols.append(mentee_cols[b])
    if rows:
        mask[rows, cols] = True
    return mask


def build(cohort: Cohort, settings: MatchSettings) -> Matrices:
    mentors, mentees = cohort.mentors, cohort.mentees
    n, m = len(mentors), len(mentees)

    # What mentees want from mentors, and what mentors want from mentees in return.
    topics = _topic_index((c.teaches for c in mentors), (c.wants for c in mentees))
    levels = _ratings([c.teaches for c in mentors], topics) / np.float32(5)
    wanted = _weighted_mean_rows(_ratings([c.wants for c in mentees], topics))
    coverage = levels @ wanted.T
    depth = np.square(levels) @ wanted.T
    breadth = (np.minimum(levels * np.float32(5), np.float32(3)) / np.float32(3)) @ wanted.T
    skill_up = mentee_goals(mentees, settings.mentee_goal)
    goal = np.where(skill_up[None, :], depth, breadth)
    back = _topic_index((c.wants for c in mentors), (c.teaches for c in mentees))
    mentor_wishes = _weighted_mean_rows(_ratings([c.wants for c in mentors], back))
    mentee_levels = _ratings([c.teaches for c in mentees], back) / np.float32(5)
    reciprocal = mentor_wishes @ mentee_levels.T
    taught = (levels > 0).astype(np.float32) @ (wanted > 0).astype(np.float32).T

    languages = _topic_index(
        ({code: 1 for code in c.languages} for c in mentors),
        ({code: 1 for code in c.languages} for c in mentees),
    )
    spoken_m = _ratings([{code: 1 for code in c.languages} for c in mentors], languages)
    spoken_e = _ratings([{code: 1 for code in c.languages} for c in mentees], languages)
    shared_languages = spoken_m @ spoken_e.T
    second_language = shared_languages >= 2

    slots_m = working_time.availability(mentors, cohort.week_start)
    slots_e = working_time.availability(mentees, cohort.week_start)
    shared = working_time.shared_hours(slots_m, slots_e)
    hours_score = np.minimum(shared / np.float32(GOOD_SHARED_HOURS), np.float32(1))

    components: dict[str, npt.NDArray[Any]] = {
        "topics": coverage,
        "goal": goal,
        "language": second_language,
        "hours": hours_score,
        "reciprocal": reciprocal,
    }
    weights = settings.normalised_weights()
    score = np.zeros((n, m), dtype=np.float32)
    for name in COMPONENTS:
        if weights[name]:
            score += np.float32(weights[name]) * components[name]

    departments: dict[str, int] = {}
    dept_m = _codes([_normalise(c.department) for c in mentors], departments)
    dept_e = _codes([_normalise(c.department) for c in mentees], departments)
    same_department = (dept_m[:, None] == dept_e[None, :]) & (dept_m[:, None] >= 0)

    users: dict[str, int] = {}
    user_m = _codes([c.user_id for c in mentors], users)
    user_e = _codes([c.user_id for c in mentees], users)
    boss_m = _codes([c.manager for c in mentors], users)
    boss_e = _codes([c.manager for c in mentees], users)
    same_line = (
        ((boss_m[:, None] == boss_e[None, :]) & (boss_m[:, None] >= 0))
        | ((boss_m[:, None] == user_e[None, :]) & (boss_m[:, None] >= 0))
        | ((user_m[:, None] == boss_e[None, :]) & (boss_e[None, :] >= 0))
    )

    checks = {
        "language": shared_languages > 0,
        "hours": working_time.share_a_stretch(slots_m, slots_e, settings.min_overlap_hours),
        "department": ~same_department
        if not settings.same_department
        else np.ones((n, m), dtype=np.bool_),
        "manager": ~same_line,
        "avoid": ~_pair_mask(cohort.avoid, mentors, mentees),
        "history": ~_pair_mask(cohort.history, mentors, mentees),
        "topics": taught > 0 if settings.common_topic else np.ones((n, m), dtype=np.bool_),
    }
    allowed = np.ones((n, m), dtype=np.bool_)
    for name in HARD_CONSTRAINTS:
        allowed &= checks[name]
    return Matrices(
        score=score,
        allowed=allowed,
        checks=checks,
        components=components,
        shared_hours=shared,
        skill_up=skill_up,
    )


def broken(matrices: Matrices, mentor: int, mentee: int) -> list[str]:
    """The hard constraints a pair breaks (empty when it may be proposed)."""
    return [name for name in HARD_CONSTRAINTS if not matrices.checks[name][mentor, mentee]]


def explain(
    cohort: Cohort, matrices: Matrices, settings: MatchSettings, mentor: int, mentee: int
) -> dict[str, Any]:
    """Why this pair: score and its parts, top topics with both levels, what was checked.

    Plain JSON data, stored with the proposal and rendered from ``prompts/*/matching.j2``.
    Nothing in it comes from a private avoidance beyond "checked".
    """
    teacher, learner = cohort.mentors[mentor], cohort.mentees[mentee]
    common = [t for t in learner.wants if t in teacher.teaches]
    common.sort(key=lambda t: (-learner.wants[t], -teacher.teaches[t], t))
    back = [t for t in teacher.wants if t in learner.teaches]
    back.sort(key=lambda t: (-teacher.wants[t], -learner.teaches[t], t))
    checked = ["language", "hours", "avoid", "history"]
    if not settings.same_department:
        checked.append("department")
    if teacher.manager or learner.manager:
        checked.append("manager")
    if settings.common_topic:
        checked.append("topics")
    return {
        "score": round(float(matrices.score[mentor, mentee]), 4),
        "components": {
            name: round(float(matrices.components[name][mentor, mentee]), 4) for name in COMPONENTS
        },
        "topics": [
            {"topic": t, "level": teacher.teaches[t], "priority": learner.wants[t]}
            for t in common[:TOP_TOPICS]
        ],
        "more_topics": max(len(common) - TOP_TOPICS, 0),
        "goal": "skill_up" if matrices.skill_up[mentee] else "same_language",
        "languages": [code for code in teacher.languages if code in learner.languages],
        "shared_hours": round(float(matrices.shared_hours[mentor, mentee]), 2),
        "reciprocal": [
            {"topic": t, "level": learner.teaches[t], "priority": teacher.wants[t]}
            for t in back[:TOP_TOPICS]
        ],
        "checked": [name for name in HARD_CONSTRAINTS if name in checked],
    }
