"""Getting into the dashboard without a password: ``/tandem dashboard`` hands an owner a
one-time link (10 minutes), which opens a browser session (8 hours).

Tokens are 256 random bits (``secrets``); the database keeps only their SHA-256, which is
enough for values that cannot be guessed (no salt or slow hash needed: there is no dictionary
to try). A link is marked used by the same statement that checks it, so two clicks at once
open one session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from bot.clock import Clock
from bot.commands.grammar import Command
from bot.commands.lookup import owned_program
from bot.dashboard.model import LinkRefusal, Opened, Refused, Viewer
from bot.errors import UserError
from bot.i18n import Renderer
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.settings import SUPPORTED_LOCALES
from bot.turn import Turn

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)
TOKEN_BYTES = 32
LINK_PATH = "/dashboard/open/"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(session_token: str) -> str:
    """The form token of a session: derived from the cookie's secret value, so a page of
    another site (which cannot read the cookie) cannot forge it, and nothing more is stored."""
    return hmac.new(session_token.encode("utf-8"), b"tandem-dashboard-csrf", "sha256").hexdigest()


def link_url(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + LINK_PATH + token


async def dashboard(turn: Turn, command: Command) -> None:
    """``/tandem dashboard [program]``: a link for the owner who asks, to them alone."""
    name = command.options.get("program", "") or " ".join(command.args).strip()
    owned = await turn.uow.programs_owned_by(turn.person_id)
    if not owned:
        raise UserError("errors.dashboard_owners_only")
    program_id = None
    if name:
        program_id = (await owned_program(turn, name)).id
    elif len(owned) == 1:
        program_id = owned[0].id
    token = new_token()
    await turn.uow.add_dashboard_link(
        token_hash(token), turn.person_id, program_id, turn.now, turn.now + LINK_LIFETIME
    )
    turn.audit("dashboard.link", program_id=program_id)
    await turn.say(
        "owner.dashboard_link",
        url=link_url(turn.config.public_url, token),
        minutes=int(LINK_LIFETIME.total_seconds() // 60),
    )


async def viewer_locale(uow: UnitOfWork, renderer: Renderer, person_id: int | None) -> str:
    """The owner's language: their own, else their newest program's, else the default."""
    if person_id is None:
        return renderer.default_locale
    person = await uow.person(person_id)
    if person is not None and person.locale:
        return renderer.locale_for(person.locale)
    owned = await uow.programs_owned_by(person_id)
    return renderer.locale_for(owned[0].locale if owned else None)


class Access:
    """Links and sessions, for the web adapter."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, renderer: Renderer) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._renderer = renderer

    async def open_link(self, token: str) -> Opened | Refused:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            use = await uow.use_dashboard_link(token_hash(token), now)
            if use.refusal is not None or use.person_id is None:
                locale = await viewer_locale(uow, self._renderer, use.person_id)
                await uow.commit()
                return Refused(use.refusal or LinkRefusal.UNKNOWN, locale)
            session = new_token()
            expires_at = now + SESSION_LIFETIME
            await uow.add_dashboard_session(token_hash(session), use.person_id, now, expires_at)
            await uow.commit()
            return Opened(session, use.person_id, use.program_id, expires_at)

    async def viewer(self, session_token: str) -> Viewer | None:
        """The owner of a live session, or None (no such session, or expired)."""
        async with self._uow_factory() as uow:
            person_id = await uow.dashboard_session_person(
                token_hash(session_token), self._clock.now()
            )
            if person_id is None:
                return None
            person = await uow.person(person_id)
            if person is None:
                return None
            locale = await viewer_locale(uow, self._renderer, person_id)
            return Viewer(person_id, person.display_name, locale)

    async def sign_out(self, session_token: str) -> None:
        async with self._uow_factory() as uow:
            await uow.end_dashboard_session(token_hash(session_token))
            await uow.commit()

    def refusal_locale(self, accept_language: str) -> str:
        """A forged link has no owner: the browser's first language we speak."""
        for part in accept_language.split(","):
            language = part.split(";")[0].strip().split("-")[0].lower()
            if language in SUPPORTED_LOCALES:
                return language
        return self._renderer.default_locale
