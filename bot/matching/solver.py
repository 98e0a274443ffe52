"""The whole-cohort assignment: the maximum total score under the hard constraints.

Each mentor stands for ``capacity`` identical rows (their places), the mentees are the columns,
and ``scipy.optimize.linear_sum_assignment`` picks the assignment of maximum total weight.
Forbidden pairs weigh 0 — exactly what leaving both people apart is worth — and are rejected
after solving, so the result is the best set of allowed pairs. Allowed pairs weigh their score
plus a hair (``TIE``), so that between two equal totals the one with more pairs wins. People with
no allowed partner at all are left out of the matrix before solving.

``greedy`` and ``random_valid`` are the baselines the benchmark compares against.
"""

from __future__ import annotations

import numpy as np

from bot.matching.scoring import BoolMatrix, FloatMatrix

TIE = 1e-6

Assignment = list[tuple[int, int]]


def solve(score: FloatMatrix, allowed: BoolMatrix, capacity: int = 1) -> Assignment:
    """(mentor, mentee) index pairs maximising the total score; each mentee at most once, each
    mentor at most ``capacity`` times; never a pair that is not allowed."""
    rows = np.flatnonzero(allowed.any(axis=1))
    cols = np.flatnonzero(allowed.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return []
    if rows.size == allowed.shape[0] and cols.size == allowed.shape[1]:
        sub_allowed, sub_score = allowed, score
    else:
        sub_allowed, sub_score = allowed[np.ix_(rows, cols)], score[np.ix_(rows, cols)]
    weights = np.where(sub_allowed, sub_score + TIE, 0.0)
    # A mentor never needs more places than there are mentees they could take.
    places = int(min(capacity, cols.size))
    if places > 1:
        weights = np.repeat(weights, places, axis=0)
    # Imported here: scipy costs a noticeable part of every process start and only a matching
    # run needs it.
    from scipy.optimize import linear_sum_assignment

    picked_rows, picked_cols = linear_sum_assignment(weights, maximize=True)
    mentors = rows[picked_rows // places]
    mentees = cols[picked_cols]
    keep = allowed[mentors, mentees]
    return sorted(zip(mentors[keep].tolist(), mentees[keep].tolist(), strict=True))


def greedy(score: FloatMatrix, allowed: BoolMatrix, capacity: int = 1) -> Assignment:
    """The best remaining allowed pair first, until nobody can be paired any more."""
    return _in_order(score, allowed, capacity, -score)


def random_valid(
    score: FloatMatrix, allowed: BoolMatrix, capacity: int = 1, seed: int = 0
) -> Assignment:
    """Allowed pairs taken in a random order: a pairing that ignores the scores."""
    keys = np.random.default_rng(seed).random(score.shape)
    return _in_order(score, allowed, capacity, keys)


def _in_order(
    score: FloatMatrix, allowed: BoolMatrix, capacity: int, keys: FloatMatrix
) -> Assignment:
    n, m = score.shape
    flat = np.flatnonzero(allowed.ravel())
    order = flat[np.argsort(keys.ravel()[flat], kind="stable")]
    load = np.zeros(n, dtype=np.int64)
    taken = np.zeros(m, dtype=np.bool_)
    full_mentors, paired_mentees = 0, 0
    result: Assignment = []
    for position in order.tolist():
        mentor, mentee = divmod(position, m)
        if taken[mentee] or load[mentor] >= capacity:
            continue
        taken[mentee] = True
        load[mentor] += 1
        result.append((mentor, mentee))
        paired_mentees += 1
        full_mentors += int(load[mentor] == capacity)
        if paired_mentees == m or full_mentors == n:
            break
    return sorted(result)


def total(score: FloatMatrix, assignment: Assignment) -> float:
    if not assignment:
        return 0.0
    mentors, mentees = zip(*assignment, strict=True)
    return float(score[list(mentors), list(mentees)].sum())
