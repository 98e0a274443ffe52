"""``tandem slack …``: the keys that encrypt the Slack tokens stored by the OAuth install
flow, and the start-up check that refuses an unsafe Slack configuration."""

from __future__ import annotations

import asyncio
import logging

import typer

from bot.settings import Settings

slack_app = typer.Typer(no_args_is_help=True, help="Slack: encryption keys of stored tokens.")
logger = logging.getLogger("tandem")


def refuse_unsafe_slack(settings: Settings) -> None:
    """Exits 2 with a clear message when Slack's OAuth mode is configured in a way that would
    store tokens unencrypted, with keys that are not keys, or that cannot verify Slack."""
    from bot.i18n import Renderer

    problem = None
    if settings.slack_oauth_enabled:
        if settings.tandem_encryption_keys is None:
            problem = "console.oauth_without_key"
        elif settings.slack_signing_secret is None and settings.slack_app_token is None:
            problem = "console.oauth_without_receiver"
    if problem is None and settings.tandem_encryption_keys is not None:
        from storage.token_cipher import InvalidKeysError, TokenCipher

        try:
            TokenCipher.from_setting(settings.tandem_encryption_keys.get_secret_value())
        except InvalidKeysError:
            problem = "console.bad_encryption_key"
    if problem is not None:
        locale = settings.tandem_locale
        logger.error(Renderer(default_locale=locale).render(locale, problem))
        raise typer.Exit(2)


@slack_app.command("new-key")
def slack_new_key() -> None:
    """Print a new encryption key for TANDEM_ENCRYPTION_KEYS."""
    from storage.token_cipher import TokenCipher

    typer.echo(TokenCipher.new_key())


@slack_app.command("rotate-key")
def slack_rotate_key() -> None:
    """Encrypt every stored Slack token again with the first key of TANDEM_ENCRYPTION_KEYS.

    Put the new key first and keep the old ones after it, run this, then remove the old keys.
    """
    raise typer.Exit(asyncio.run(_rotate_key(Settings())))


async def _rotate_key(settings: Settings) -> int:
    from bot.i18n import Renderer
    from bot.main import is_sqlite
    from storage.database import create_engine
    from storage.migrate import upgrade
    from storage.slack_installations import SqlInstallationStore
    from storage.token_cipher import InvalidKeysError, TokenCipher, UnreadableTokenError

    locale = settings.tandem_locale
    renderer = Renderer(default_locale=locale)
    if settings.tandem_encryption_keys is None:
        typer.echo(renderer.render(locale, "console.no_encryption_key"), err=True)
        return 2
    try:
        cipher = TokenCipher.from_setting(settings.tandem_encryption_keys.get_secret_value())
    except InvalidKeysError:
        typer.echo(renderer.render(locale, "console.bad_encryption_key"), err=True)
        return 2
    if is_sqlite(settings):
        await upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        store = SqlInstallationStore(engine, cipher, settings.slack_client_id or "")
        count = await store.reencrypt()
    except UnreadableTokenError:
        typer.echo(renderer.render(locale, "console.keys_unreadable"), err=True)
        return 1
    finally:
        await engine.dispose()
    typer.echo(renderer.render(locale, "console.keys_rotated", count=count))
    return 0
