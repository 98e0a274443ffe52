"""A program's matching settings: hard-constraint options and score weights, with defaults.

They live in ``program.matching`` (a JSON object holding only what an owner changed, with
``/tandem match settings key=value``). The defaults:

``capacity`` = 1
    how many mentees one mentor may take (1 to ``MAX_CAPACITY``).
``min_overlap_hours`` = 2
    hard constraint: the longest stretch of working time the two share in the reference week
    (each in their own zone and working hours) must last at least this long, so that a
    session fits in it.
``same_department`` = False
    hard constraint unless True: never pair two people who gave the same department.
``mentee_goal`` = "auto"
    how each mentee's goal is read: ``skill_up`` (depth: the mentor's levels on the few topics
    that matter most), ``same_language`` (breadth: enough of every wanted topic to talk with the
    digital teams), or ``auto``: the intake heuristic of ``bot.matching.scoring.mentee_goals``
    (a mentee who ranks at most 3 topics with an average priority of 4 or more wants to skill up).
``common_topic`` = True
    hard constraint unless False: the mentor must teach at least one topic the mentee wants.
``weights``
    how much each part of the score counts; they are normalised, so only their ratios matter:
    ``topics`` 45 (how the mentor's levels cover the mentee's priorities), ``goal`` 25 (the
    mentee's goal against the mentor's levels), ``language`` 10 (a second shared language),
    ``hours`` 10 (how many working hours a week they share, up to 10 h), ``reciprocal`` 10
    (what the mentee can teach that the mentor wants to learn).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from bot.domain import Program

MAX_CAPACITY = 10
MAX_OVERLAP_HOURS = 12
GOALS = ("auto", "same_language", "skill_up")
WEIGHT_NAMES = ("topics", "goal", "language", "hours", "reciprocal")
DEFAULT_WEIGHTS = {
    "topics": 45.0,
    "goal": 25.0,
    "language": 10.0,
    "hours": 10.0,
    "reciprocal": 10.0,
}


@dataclass(frozen=True)
class MatchSettings:
    capacity: int = 1
    min_overlap_hours: float = 2.0
    same_department: bool = False
    mentee_goal: str = "auto"
    common_topic: bool = True
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @classmethod
    def for_program(cls, program: Program) -> MatchSettings:
        return cls.from_overrides(program.matching)

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None) -> MatchSettings:
        """The defaults with the stored overrides; a value that does not fit is ignored."""
        default = cls()
        if not overrides:
            return default
        values: dict[str, Any] = {}
        capacity = _number(overrides.get("capacity"), int)
        if capacity is not None and 1 <= capacity <= MAX_CAPACITY:
            values["capacity"] = capacity
        hours = _number(overrides.get("min_overlap_hours"), float)
        if hours is not None and 0 <= hours <= MAX_OVERLAP_HOURS:
            values["min_overlap_hours"] = hours
        for name in ("same_department", "common_topic"):
            if isinstance(overrides.get(name), bool):
                values[name] = overrides[name]
        if overrides.get("mentee_goal") in GOALS:
            values["mentee_goal"] = overrides["mentee_goal"]
        stored = overrides.get("weights")
        if isinstance(stored, dict):
            weights = dict(default.weights)
            for name in WEIGHT_NAMES:
                weight = _number(stored.get(name), float)
                if weight is not None and weight >= 0:
                    weights[name] = weight
            if sum(weights.values()) > 0:
                values["weights"] = weights
        return dataclasses.replace(default, **values)

    def normalised_weights(self) -> dict[str, float]:
        total = sum(self.weights.values())
        return {name: self.weights[name] / total for name in WEIGHT_NAMES}

    def overrides(self) -> dict[str, Any]:
        """What differs from the defaults, as stored in ``program.matching``."""
        default = MatchSettings()
        stored: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if value != getattr(default, item.name):
                stored[item.name] = dict(value) if isinstance(value, dict) else value
        return stored


def _number(value: Any, kind: type[int] | type[float]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if kind is int and value != int(value):
        return None
    return kind(value)
