"""A whole workspace the bot can no longer speak in (the app uninstalled, its token revoked):
everyone Tandem knows there is marked unreachable at once, instead of one failed message at a
time, and the owners of their programs are told, once per program, in their own language."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from bot.clock import Clock
from bot.domain import Person, Program
from bot.i18n import Renderer
from bot.ports import UnitOfWorkFactory
from bot.turn import EngineConfig
from bot.unreachable import tell_owner

logger = logging.getLogger("tandem")


async def workspace_lost(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    renderer: Renderer,
    config: EngineConfig,
    platform: str,
    workspace: str,
    still_reached: Callable[[str, dict[str, Any] | None], Awaitable[bool]],
) -> int:
    """Marks unreachable the workspace's people whom nothing reaches any more, as
    ``still_reached(workspace, address)`` tells (on Enterprise Grid, one team of an organisation
    may go while others stay), and queues the owners' notes in the transaction that marks
    them; returns how many people became unreachable."""
    now = clock.now()
    stamp = now.isoformat()
    # Asked before the transaction begins: the answer may need the database too.
    async with uow_factory() as uow:
        known = [
            (person.id, person.workspace, dict(person.address) if person.address else None)
            for person in await uow.people_in_workspace(platform, workspace)
            if not person.unreachable
        ]
    gone = {
        person_id for person_id, where, address in known if not await still_reached(where, address)
    }
    async with uow_factory() as uow:
        lost = [
            person
            for person in await uow.people_in_workspace(platform, workspace)
            if person.id in gone and not person.unreachable
        ]
        for person in lost:
            person.unreachable = True
        by_program: dict[int, list[Person]] = defaultdict(list)
        programs: dict[int, Program] = {}
        for person in lost:
            assert person.id is not None
            for enrollment in await uow.enrollments_of_person(person.id):
                program = programs.get(enrollment.program_id) or await uow.program(
                    enrollment.program_id
                )
                if program is None or program.id is None or program.closed:
                    continue
                programs[program.id] = program
                by_program[program.id].append(person)
        for program_id, people in by_program.items():
            program = programs[program_id]
            for owner in await uow.owners_of(program_id):
                if owner.id is None or owner.unreachable:
                    continue
                locale = renderer.locale_for(owner.locale or program.locale, config.default_locale)
                text = renderer.render(
                    locale,
                    "owner.workspace_lost",
                    program=program.name,
                    platform=platform,
                    names=[person.display_name for person in people],
                )
                key = f"workspace_lost:{platform}:{workspace}:{program_id}:{owner.id}:{stamp}"
                await tell_owner(uow, owner, program, text, key, "workspace_lost_owner", now)
        await uow.commit()
    logger.info(
        "workspace lost", extra={"platform": platform, "workspace": workspace, "people": len(lost)}
    )
    return len(lost)
