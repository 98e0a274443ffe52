"""Slack installations and OAuth states in Tandem's own database (Bolt's store interfaces).

One row per workspace, or per Enterprise Grid organisation for an org-wide install: its latest
installation. Tokens are written encrypted (storage/token_cipher.py) and decrypted on the way
out; a row whose tokens no configured key can read is treated as not installed, and logged.
Tandem asks for no user scopes, so an installation is looked up by workspace; a lookup for
another user than the installer finds nothing (Bolt then keeps the bot token alone).
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import tables
from storage.token_cipher import TokenCipher, UnreadableTokenError

logger = logging.getLogger("tandem.slack.installations")
columns = tables.slack_installation.c
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


def _key(enterprise_id: str | None, team_id: str | None, org_wide: bool | None) -> tuple[str, str]:
    # An org-wide installation serves every team of the organisation: it is kept without team.
    return enterprise_id or "", "" if org_wide else team_id or ""


def _moment(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _seconds(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _scopes(value: Any) -> str:
    return ",".join(value) if isinstance(value, list | tuple) else str(value or "")


class SqlInstallationStore(AsyncInstallationStore):  # type: ignore[misc]
    def __init__(self, engine: AsyncEngine, cipher: TokenCipher, client_id: str) -> None:
        self.engine = engine
        self.cipher = cipher
        self.client_id = client_id

    @property
    def logger(self) -> logging.Logger:
        return logger

    # Writing
    async def async_save(self, installation: Installation) -> None:
        enterprise, team = _key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        row = {
            "client_id": self.client_id,
            "app_id": installation.app_id,
            "enterprise_id": enterprise,
            "enterprise_name": installation.enterprise_name,
            "enterprise_url": installation.enterprise_url,
            "team_id": team,
            "team_name": installation.team_name,
            "is_enterprise_install": bool(installation.is_enterprise_install),
            "bot_id": installation.bot_id,
            "bot_user_id": installation.bot_user_id,
            "bot_scopes": _scopes(installation.bot_scopes),
            "bot_token": self._sealed(installation.bot_token),
            "bot_refresh_token": self._sealed(installation.bot_refresh_token),
            "bot_token_expires_at": _moment(installation.bot_token_expires_at),
            "user_id": installation.user_id,
            "user_scopes": _scopes(installation.user_scopes),
            "user_token": self._sealed(installation.user_token),
            "user_refresh_token": self._sealed(installation.user_refresh_token),
            "user_token_expires_at": _moment(installation.user_token_expires_at),
            "token_type": installation.token_type,
            "installed_at": datetime.fromtimestamp(installation.installed_at, UTC),
        }
        async with self.engine.begin() as connection:
            # The latest installation of a workspace replaces the one before (a reinstall,
            # new scopes, rotated tokens).
            await connection.execute(
                sa.delete(tables.slack_installation).where(self._at(enterprise, team))
            )
            await connection.execute(sa.insert(tables.slack_installation).values(**row))

    async def async_save_bot(self, bot: Bot) -> None:
        enterprise, team = _key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(tables.slack_installation)
                .where(self._at(enterprise, team))
                .values(
                    bot_token=self._sealed(bot.bot_token),
                    bot_refresh_token=self._sealed(bot.bot_refresh_token),
                    bot_token_expires_at=_moment(bot.bot_token_expires_at),
                )
            )

    # Reading
    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        row = await self._row(*_key(enterprise_id, team_id, is_enterprise_install))
        if row is None or (user_id is not None and row.user_id != user_id):
            return None
        return self._installation(row)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        installation = await self.async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return (
            None
            if installation is None or installation.bot_token is None
            else installation.to_bot()
        )

    async def find_for_workspace(
        self, workspace: str, team: str | None = None
    ) -> Installation | None:
        """The installation that reaches a person or channel Tandem knows by ``workspace`` (a
        team id, or an organisation's id for Enterprise Grid) and, when known, their ``team``:
        that team's own installation first, else the organisation's org-wide one; only when the
        team is unknown (someone named in a command who never wrote), the latest installation
        in any team of the organisation."""
        teams = {workspace, team} - {None}
        query = sa.select(tables.slack_installation).where(
            columns.client_id == self.client_id,
            sa.or_(columns.team_id.in_(teams), columns.enterprise_id == workspace),
        )
        async with self.engine.connect() as connection:
            rows = list(await connection.execute(query))

        def rank(row: Any) -> tuple[int, datetime]:
            if team and row.team_id == team:
                return 0, row.installed_at
            if row.team_id == workspace:
                return 1, row.installed_at
            if row.is_enterprise_install:
                return 2, row.installed_at
            return (3 if team is None or team == workspace else 4), row.installed_at

        ranked = sorted(rows, key=lambda row: (rank(row)[0], -rank(row)[1].timestamp()))
        for row in (row for row in ranked if rank(row)[0] < 4):
            installation = self._installation(row)
            if installation is not None:
                return installation
        return None

    async def teams_of_organisation(self, enterprise_id: str) -> list[str]:
        """The teams of an organisation installed one by one (newest first); none when the
        organisation installed the app org-wide, which reaches all its teams."""
        async with self.engine.connect() as connection:
            rows = list(
                await connection.execute(
                    sa.select(columns.team_id, columns.is_enterprise_install)
                    .where(
                        columns.client_id == self.client_id, columns.enterprise_id == enterprise_id
                    )
                    .order_by(columns.installed_at.desc(), columns.id.desc())
                )
            )
        if any(row.is_enterprise_install for row in rows):
            return []
        return [row.team_id for row in rows]

    # Deleting (uninstall, revoked tokens)
    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._delete(enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await self._delete(enterprise_id, team_id)
            return
        # Only the installer's own user token goes; the bot keeps working.
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(tables.slack_installation)
                .where(self._either(enterprise_id, team_id), columns.user_id == user_id)
                .values(user_token=None, user_refresh_token=None, user_token_expires_at=None)
            )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._delete(enterprise_id, team_id)

    async def _delete(self, enterprise_id: str | None, team_id: str | None) -> int:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                sa.delete(tables.slack_installation).where(self._either(enterprise_id, team_id))
            )
            return int(result.rowcount or 0)

    # Key rotation
    async def reencrypt(self) -> int:
        """Encrypts every stored token again under the first key; returns how many rows."""
        async with self.engine.begin() as connection:
            rows = list(await connection.execute(sa.select(tables.slack_installation)))
            for row in rows:
                values = {
                    name: self.cipher.rotate(getattr(row, name))
                    for name in TOKEN_COLUMNS
                    if getattr(row, name) is not None
                }
                if values:
                    await connection.execute(
                        sa.update(tables.slack_installation)
                        .where(columns.id == row.id)
                        .values(**values)
                    )
        return len(rows)

    # Helpers
    def _at(self, enterprise: str, team: str) -> sa.ColumnElement[bool]:
        return sa.and_(
            columns.client_id == self.client_id,
            columns.enterprise_id == enterprise,
            columns.team_id == team,
        )

    def _either(self, enterprise_id: str | None, team_id: str | None) -> sa.ColumnElement[bool]:
        """The team's own installation, or the organisation's org-wide one (an uninstall event
        names the team it came through even when the whole organisation uninstalled)."""
        own = self._at(enterprise_id or "", team_id or "")
        if not enterprise_id:
            return own
        return sa.or_(own, self._at(enterprise_id, ""))

    async def _row(self, enterprise: str, team: str) -> Any:
        async with self.engine.connect() as connection:
            result = await connection.execute(
                sa.select(tables.slack_installation).where(self._at(enterprise, team))
            )
            return result.first()

    def _sealed(self, token: str | None) -> str | None:
        return None if token is None else self.cipher.encrypt(token)

    def _installation(self, row: Any) -> Installation | None:
        try:
            tokens: dict[str, Any] = {
                name: None
                if getattr(row, name) is None
                else self.cipher.decrypt(getattr(row, name))
                for name in TOKEN_COLUMNS
            }
        except UnreadableTokenError:
            logger.error(
                "stored Slack tokens unreadable with the configured keys",
                extra={"team": row.team_id, "enterprise": row.enterprise_id},
            )
            return None
        return Installation(
            app_id=row.app_id,
            enterprise_id=row.enterprise_id or None,
            enterprise_name=row.enterprise_name,
            enterprise_url=row.enterprise_url,
            team_id=row.team_id or None,
            team_name=row.team_name,
            bot_id=row.bot_id,
            bot_user_id=row.bot_user_id,
            bot_scopes=row.bot_scopes or "",
            bot_token_expires_at=_seconds(row.bot_token_expires_at),
            user_id=row.user_id,
            user_scopes=row.user_scopes or "",
            user_token_expires_at=_seconds(row.user_token_expires_at),
            is_enterprise_install=row.is_enterprise_install,
            token_type=row.token_type,
            installed_at=row.installed_at.timestamp(),
            **tokens,
        )


class SqlOAuthStateStore(AsyncOAuthStateStore):  # type: ignore[misc]
    """OAuth ``state`` values: issued by /slack/install, each consumed at most once (the row
    is deleted by the one redirect that presents it in time)."""

    def __init__(self, engine: AsyncEngine, expiration_seconds: int = 600) -> None:
        self.engine = engine
        self.expiration = timedelta(seconds=expiration_seconds)

    @property
    def logger(self) -> logging.Logger:
        return logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        async with self.engine.begin() as connection:
            # The ones nobody came back with are forgotten as new ones are handed out.
            await connection.execute(
                sa.delete(tables.slack_oauth_state).where(
                    tables.slack_oauth_state.c.expires_at < now
                )
            )
            await connection.execute(
                sa.insert(tables.slack_oauth_state).values(
                    state=state, expires_at=now + self.expiration
                )
            )
        return state

    async def async_consume(self, state: str) -> bool:
        if not state or len(state) > 64:
            return False
        async with self.engine.begin() as connection:
            result = await connection.execute(
                sa.delete(tables.slack_oauth_state).where(
                    tables.slack_oauth_state.c.state == state,
                    tables.slack_oauth_state.c.expires_at >= datetime.now(UTC),
                )
            )
            return result.rowcount == 1
