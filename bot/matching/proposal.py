"""A matching proposal: the pairs with their explanations, and everyone else with a reason.

Nobody is silently dropped: each candidate is in a pair, unmatched with a reason, or excluded
by the owner. Reasons for the unmatched:

``no_partner``
    no candidate of the other side satisfies every hard constraint with them;
``capacity``
    compatible partners exist, but all of them are taken (mentors: their places are full);
``not_placed``
    a compatible partner is still free, after the owner's changes (swap, exclude): a rerun
    places them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.domain import Role
from bot.matching import scoring, solver
from bot.matching.cohort import Candidate, Cohort
from bot.matching.settings import MatchSettings

# (mentor enrollment id, mentee enrollment id)
EnrollmentPairs = Sequence[tuple[int, int]]


@dataclass(frozen=True)
class ProposedPair:
    mentor: Candidate
    mentee: Candidate
    explanation: dict[str, Any]

    @property
    def score(self) -> float:
        return float(self.explanation["score"])


@dataclass(frozen=True)
class Unmatched:
    candidate: Candidate
    reason: str


@dataclass(frozen=True)
class BrokenPair:
    """A stored pair that no longer satisfies the hard constraints (a profile changed)."""

    mentor: Candidate
    mentee: Candidate
    constraints: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    pairs: tuple[ProposedPair, ...]
    unmatched: tuple[Unmatched, ...]
    excluded: tuple[Candidate, ...]
    capacity: int = 1
    # Enrollment ids of a stored proposal that are no longer candidates (left, paused, paired).
    gone: tuple[int, ...] = ()
    broken: tuple[BrokenPair, ...] = field(default=())
    # Candidates who were not in a stored proposal at all (they joined or came back since).
    arrived: tuple[Candidate, ...] = ()

    @property
    def total_score(self) -> float:
        return sum(pair.score for pair in self.pairs)

    @property
    def changed(self) -> bool:
        """True when a stored proposal could not be kept as it was."""
        return bool(self.gone or self.broken or self.arrived)

    def assignment(self) -> list[tuple[int, int]]:
        return [(p.mentor.enrollment_id, p.mentee.enrollment_id) for p in self.pairs]

    def stored_pairs(self) -> list[dict[str, Any]]:
        return [
            {
                "mentor": p.mentor.enrollment_id,
                "mentee": p.mentee.enrollment_id,
                "score": p.score,
                "explanation": p.explanation,
            }
            for p in self.pairs
        ]

    def stored_unmatched(self) -> list[dict[str, Any]]:
        return [
            {
                "enrollment": u.candidate.enrollment_id,
                "role": u.candidate.role.value,
                "reason": u.reason,
            }
            for u in self.unmatched
        ]

    def excluded_ids(self) -> list[int]:
        return [c.enrollment_id for c in self.excluded]


def _split(cohort: Cohort, excluded: Collection[int]) -> tuple[Cohort, tuple[Candidate, ...]]:
    left_out = tuple(c for c in (*cohort.mentors, *cohort.mentees) if c.enrollment_id in excluded)
    active = cohort.restricted(
        (c for c in cohort.mentors if c.enrollment_id not in excluded),
        (c for c in cohort.mentees if c.enrollment_id not in excluded),
    )
    return active, left_out


def propose(cohort: Cohort, settings: MatchSettings, excluded: Collection[int] = ()) -> Proposal:
    """The optimal proposal for the cohort, leaving the excluded people out."""
    active, left_out = _split(cohort, excluded)
    matrices = scoring.build(active, settings)
    assignment = solver.solve(matrices.score, matrices.allowed, settings.capacity)
    return _assemble(active, matrices, settings, assignment, left_out)


def revise(
    cohort: Cohort,
    settings: MatchSettings,
    pairs: EnrollmentPairs,
    excluded: Collection[int] = (),
    unmatched: Collection[int] = (),
) -> Proposal:
    """A stored proposal checked against today's cohort.

    Pairs whose people are still candidates and still satisfy every hard constraint are kept;
    people no longer candidates are reported in ``gone``, pairs that now break a constraint in
    ``broken`` (their people go back to the unmatched).
    """
    active, left_out = _split(cohort, excluded)
    matrices = scoring.build(active, settings)
    mentor_rows = {c.enrollment_id: i for i, c in enumerate(active.mentors)}
    mentee_cols = {c.enrollment_id: j for j, c in enumerate(active.mentees)}
    known = set(mentor_rows) | set(mentee_cols) | {c.enrollment_id for c in left_out}
    gone = sorted(
        {e for pair in pairs for e in pair if e not in known}
        | {e for e in unmatched if e not in known}
    )
    kept: list[tuple[int, int]] = []
    broken: list[BrokenPair] = []
    for mentor_id, mentee_id in pairs:
        if mentor_id not in mentor_rows or mentee_id not in mentee_cols:
            continue
        i, j = mentor_rows[mentor_id], mentee_cols[mentee_id]
        reasons = scoring.broken(matrices, i, j)
        if reasons:
            broken.append(BrokenPair(active.mentors[i], active.mentees[j], tuple(reasons)))
        else:
            kept.append((i, j))
    proposal = _assemble(active, matrices, settings, kept, left_out)
    return Proposal(
        pairs=proposal.pairs,
        unmatched=proposal.unmatched,
        excluded=proposal.excluded,
        capacity=proposal.capacity,
        gone=tuple(gone),
        broken=tuple(broken),
    )


def _assemble(
    cohort: Cohort,
    matrices: scoring.Matrices,
    settings: MatchSettings,
    assignment: Sequence[tuple[int, int]],
    excluded: tuple[Candidate, ...],
) -> Proposal:
    n, m = len(cohort.mentors), len(cohort.mentees)
    load = np.zeros(n, dtype=np.int64)
    taken = np.zeros(m, dtype=np.bool_)
    for i, j in assignment:
        load[i] += 1
        taken[j] = True
    allowed = matrices.allowed
    mentee_has_free_mentor: npt.NDArray[np.bool_] = np.any(
        allowed & (load < settings.capacity)[:, None], axis=0
    )
    mentor_has_free_mentee: npt.NDArray[np.bool_] = np.any(allowed & ~taken[None, :], axis=1)
    unmatched: list[Unmatched] = []
    for i, mentor in enumerate(cohort.mentors):
        if load[i] == 0:
            unmatched.append(
                Unmatched(mentor, _reason(bool(allowed[i].any()), bool(mentor_has_free_mentee[i])))
            )
    for j, mentee in enumerate(cohort.mentees):
        if not taken[j]:
            unmatched.append(
                Unmatched(
                    mentee, _reason(bool(allowed[:, j].any()), bool(mentee_has_free_mentor[j]))
                )
            )
    pairs = tuple(
        ProposedPair(
            cohort.mentors[i],
            cohort.mentees[j],
            scoring.explain(cohort, matrices, settings, i, j),
        )
        for i, j in sorted(assignment)
    )
    return Proposal(pairs, tuple(unmatched), excluded, settings.capacity)


def _reason(compatible: bool, free: bool) -> str:
    if not compatible:
        return "no_partner"
    return "not_placed" if free else "capacity"


def swapped(pairs: EnrollmentPairs, first: Candidate, second: Candidate) -> list[tuple[int, int]]:
    """The pairs with the partners of two mentors (or of two mentees) exchanged.

    Either may be unmatched: the other's partners then move to them. With a capacity above 1,
    two mentors exchange all their mentees.
    """
    a, b = first.enrollment_id, second.enrollment_id
    side = 0 if first.role == Role.MENTOR else 1
    result: list[tuple[int, int]] = []
    for pair in pairs:
        new = list(pair)
        if pair[side] == a:
            new[side] = b
        elif pair[side] == b:
            new[side] = a
        result.append((new[0], new[1]))
    return result


def without(pairs: EnrollmentPairs, enrollment_ids: Collection[int]) -> list[tuple[int, int]]:
    return [p for p in pairs if p[0] not in enrollment_ids and p[1] not in enrollment_ids]
