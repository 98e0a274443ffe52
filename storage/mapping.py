"""Maps the engine's dataclasses onto the tables, so the engine stays free of the ORM."""

from __future__ import annotations

from sqlalchemy.orm import registry

from bot import domain
from bot.guides.model import OwnerGuide
from bot.roster.model import RosterImport
from bot.workshops.model import Workshop, WorkshopSeat
from storage import tables

mapper_registry = registry(metadata=tables.metadata)
_mapped = False


def map_domain() -> None:
    """Idempotent: the mapping is process-wide and done once."""
    global _mapped
    if _mapped:
        return
    for entity, table in (
        (domain.Person, tables.person),
        (domain.Program, tables.program),
        (domain.ProgramOwner, tables.program_owner),
        (domain.Invitation, tables.invitation),
        (domain.Enrollment, tables.enrollment),
        (domain.Profile, tables.profile),
        (domain.Pair, tables.pair),
        (domain.Charter, tables.charter),
        (domain.SessionLog, tables.session_log),
        (domain.PlannedSession, tables.planned_session),
        (domain.Conversation, tables.conversation),
        (domain.AuditEntry, tables.audit_entry),
        (domain.OutboxMessage, tables.outbox),
        (domain.Checkin, tables.checkin),
        (domain.FeedbackRequest, tables.feedback_request),
        (domain.Avoidance, tables.avoidance),
        (domain.MatchProposal, tables.match_proposal),
        (domain.SkillAssessment, tables.skill_assessment),
        (domain.SkillRating, tables.skill_rating),
        (domain.Evaluation, tables.evaluation),
        (domain.Continuation, tables.continuation),
        (OwnerGuide, tables.owner_guide),
        (Workshop, tables.workshop),
        (WorkshopSeat, tables.workshop_seat),
        (RosterImport, tables.roster_import),
    ):
        mapper_registry.map_imperatively(entity, table)
    _mapped = True
