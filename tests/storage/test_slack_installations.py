"""Slack installations and OAuth states in the database: tokens encrypted at rest, a new key
taking over every stored token, states good once, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from slack_sdk.oauth.installation_store.models.installation import Installation

from storage import tables
from storage.slack_installations import SqlInstallationStore, SqlOAuthStateStore
from storage.token_cipher import InvalidKeysError, TokenCipher, UnreadableTokenError
from storage.unit_of_work import SqlUnitOfWorkFactory

CLIENT = "2141029472.691202649728"


def _installation(team: str | None, enterprise: str | None = None, **extra: object) -> Installation:
    values: dict[str, object] = {
        "app_id": "A123456",
        "enterprise_id": enterprise,
        "team_id": team,
        "team_name": team,
        "bot_token": f"xoxb-{team or enterprise}",
        "bot_id": "BBOT",
        "bot_user_id": "UBOT",
        "bot_scopes": "chat:write,commands",
        "user_id": "UINSTALL1",
        "is_enterprise_install": team is None,
        "token_type": "bot",
        **extra,
    }
    return Installation(**values)  # type: ignore[arg-type]


async def _stored_tokens(uow_factory: SqlUnitOfWorkFactory) -> list[str]:
    async with uow_factory.engine.connect() as connection:
        rows = await connection.execute(sa.select(tables.slack_installation))
        return [
            value
            for row in rows
            for value in (row.bot_token, row.bot_refresh_token)
            if value is not None
        ]


async def test_a_new_key_takes_over_every_stored_token(uow_factory: SqlUnitOfWorkFactory) -> None:
    old, new = TokenCipher.new_key(), TokenCipher.new_key()
    engine = uow_factory.engine
    before = SqlInstallationStore(engine, TokenCipher([old]), CLIENT)
    rotating = _installation("T1", bot_refresh_token="xoxe-1-T1", bot_token_expires_in=43200)
    await before.async_save(rotating)
    await before.async_save(_installation(None, "EMEGA"))
    assert not {"xoxb-T1", "xoxe-1-T1", "xoxb-EMEGA"} & set(await _stored_tokens(uow_factory))

    # The new key first, the old one after it: everything is still read, then moved over.
    both = SqlInstallationStore(engine, TokenCipher([new, old]), CLIENT)
    assert (await both.async_find_installation(enterprise_id=None, team_id="T1")) is not None
    assert await both.reencrypt() == 2

    only_new = SqlInstallationStore(engine, TokenCipher([new]), CLIENT)
    found = await only_new.async_find_installation(enterprise_id=None, team_id="T1")
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token) == ("xoxb-T1", "xoxe-1-T1")
    assert found.bot_token_expires_at is not None
    assert found.bot_token_expires_at > time.time() + 43000
    grid = await only_new.async_find_installation(
        enterprise_id="EMEGA", team_id="TANY", is_enterprise_install=True
    )
    assert grid is not None and grid.bot_token == "xoxb-EMEGA"
    # The old key alone reads none of them any more.
    only_old = SqlInstallationStore(engine, TokenCipher([old]), CLIENT)
    assert await only_old.async_find_installation(enterprise_id=None, team_id="T1") is None
    assert await only_old.find_for_workspace("EMEGA") is None
    for stored in await _stored_tokens(uow_factory):
        with pytest.raises(UnreadableTokenError):
            TokenCipher([old]).decrypt(stored)
    # Rotating with a key that reads nothing changes nothing.
    stray = SqlInstallationStore(engine, TokenCipher([TokenCipher.new_key()]), CLIENT)
    kept = await _stored_tokens(uow_factory)
    with pytest.raises(UnreadableTokenError):
        await stray.reencrypt()
    assert await _stored_tokens(uow_factory) == kept


async def test_a_workspace_is_found_by_team_then_organisation(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    store = SqlInstallationStore(uow_factory.engine, TokenCipher([TokenCipher.new_key()]), CLIENT)
    await store.async_save(_installation("TPARIS", "EGRID", is_enterprise_install=False))
    await store.async_save(_installation("TNYC", "EGRID", is_enterprise_install=False))
    await store.async_save(_installation("TACME"))

    async def token(workspace: str, team: str | None = None) -> str | None:
        found = await store.find_for_workspace(workspace, team)
        return None if found is None else found.bot_token

    assert await token("TACME") == "xoxb-TACME"
    assert await token("EGRID", "TPARIS") == "xoxb-TPARIS"
    assert await token("EGRID", "TNYC") == "xoxb-TNYC"
    # A team of the organisation that did not install: nobody there is reached.
    assert await token("EGRID", "TLONDON") is None
    # Someone whose team is unknown: the teams to try, newest install first.
    assert await store.teams_of_organisation("EGRID") == ["TNYC", "TPARIS"]
    assert await token("EGRID") == "xoxb-TNYC"
    # A reinstall replaces the workspace's installation; an uninstall removes it.
    await store.async_save(_installation("TACME", bot_token="xoxb-TACME-2"))
    assert await token("TACME") == "xoxb-TACME-2"
    await store.async_delete_all(enterprise_id=None, team_id="TACME")
    assert await token("TACME") is None
    assert await token("EGRID", "TPARIS") == "xoxb-TPARIS"


async def test_an_oauth_state_is_good_once_and_not_after_it_expires(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    states = SqlOAuthStateStore(uow_factory.engine, expiration_seconds=600)
    state = await states.async_issue()
    other = await states.async_issue()
    assert state != other and len(state) >= 40
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False
    assert await states.async_consume("made-up") is False
    assert await states.async_consume("") is False
    expired = SqlOAuthStateStore(uow_factory.engine, expiration_seconds=-1)
    stale = await expired.async_issue()
    assert await expired.async_consume(stale) is False
    assert await states.async_consume(other) is True


def test_a_key_that_is_not_a_fernet_key_is_refused() -> None:
    for keys in ([], ["not-a-key"], [TokenCipher.new_key(), "short"]):
        with pytest.raises(InvalidKeysError):
            TokenCipher(keys)
    assert TokenCipher.from_setting(f" {TokenCipher.new_key()} , ").encrypt("x") != "x"
