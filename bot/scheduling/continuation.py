"""At closing, the pairs who said they would go on as reciprocal mentoring are offered to.

A pair is offered when it is still active and at least one of them answered "continue as
reciprocal mentoring" in the end-of-program evaluation. Each of the two gets three buttons: go
on with the same roles, go on with the roles swapped, or not (``bot.commands.reciprocal``).
"""

from __future__ import annotations

from bot.domain import PairStatus, Program
from bot.scheduling.cohort import Cohort

CHOICES = ("keep", "swap", "no")
LABELS = {
    "keep": "labels.continue_keep",
    "swap": "labels.continue_swap",
    "no": "labels.continue_stop",
}


async def offer(cohort: Cohort, program: Program) -> None:
    """Queue the offer to each member of the program's pairs who would continue, once."""
    assert program.id is not None
    pairs = list(await cohort.uow.pairs_in_program(program.id))
    await cohort.include_members_of(pairs)
    for pair in pairs:
        if pair.status != PairStatus.ACTIVE or pair.id is None:
            continue
        members = cohort.pair_members(pair)
        if len(members) != 2:
            continue  # someone left: there is no pair to go on with
        evaluations = [await cohort.uow.evaluation_of(e.id) for e, _ in members if e.id]
        if not any(e is not None and e.continue_reciprocal for e in evaluations):
            continue
        for enrollment, person in members:
            partner = next(p for _, p in members if p.id != person.id)
            cohort.queue(
                person,
                program,
                "closing.continue_offer",
                key=f"continue_offer:{pair.id}:{person.id}",
                purpose="continue_offer",
                choices=tuple(
                    cohort.label(person, program, LABELS[c], f"reciprocal:{pair.id}:{c}")
                    for c in CHOICES
                ),
                program=program.name,
                partner=partner.display_name,
                role=enrollment.role.value,
            )
