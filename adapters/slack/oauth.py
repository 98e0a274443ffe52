"""Installing Tandem in many Slack workspaces: Bolt's OAuth v2 flow over Tandem's database.

``GET /slack/install`` hands out a single-use ``state`` (kept in the database and in a cookie
of the installer's browser) and sends the browser to Slack's consent page; Slack sends it back
to ``GET /slack/oauth_redirect`` with a code, which ``oauth.v2.access`` turns into the
workspace's bot token (an org-wide one for an Enterprise Grid organisation), stored encrypted.
A state that is missing, forged, expired or already used installs nothing: the installer gets a
page, in their language, that says so and how to start again.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.workspaces import InstalledWorkspaces, team_of
from bot.engine import Engine
from bot.i18n import Renderer
from bot.settings import Settings
from storage.slack_installations import SqlInstallationStore, SqlOAuthStateStore
from storage.token_cipher import TokenCipher

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

# How long an install link's state stays good (Slack's consent page takes a minute or two).
STATE_SECONDS = 600
HTML = {"Content-Type": "text/html; charset=utf-8"}
PLATFORM = "slack"


def manifest_scopes() -> list[str]:
    """The bot scopes ``adapters/slack/manifest.yml`` asks for: what an install asks for too."""
    manifest = Path(str(files("adapters.slack"))) / "manifest.yml"
    scopes: list[str] = []
    inside = False
    for line in manifest.read_text(encoding="utf-8").splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if stripped.strip() == "bot:":
            inside = True
            continue
        if inside:
            if stripped.strip().startswith("- "):
                scopes.append(stripped.strip()[2:].strip())
            elif stripped.strip():
                break
    return scopes


@dataclass
class SlackOAuth:
    """The stores and Bolt settings of the multi-workspace mode."""

    installations: SqlInstallationStore
    states: SqlOAuthStateStore
    settings: AsyncOAuthSettings
    workspaces: InstalledWorkspaces

    async def removed(
        self, engine: Engine, body: dict[str, Any], event: dict[str, Any], workspace: str
    ) -> None:
        """``app_uninstalled``, or ``tokens_revoked`` with the bot's token: the installation
        goes, its tokens with it; the people of ``workspace`` nothing reaches any more become
        unreachable and their programs' owners are told (bot.workspace_lost)."""
        authorization = (body.get("authorizations") or [{}])[0] or {}
        enterprise = body.get("enterprise_id") or authorization.get("enterprise_id")
        team = body.get("team_id") or authorization.get("team_id")
        store = self.installations
        if event.get("type") == "tokens_revoked":
            tokens = event.get("tokens") or {}
            for user in tokens.get("oauth") or []:
                await store.async_delete_installation(
                    enterprise_id=enterprise, team_id=team, user_id=str(user)
                )
            if not tokens.get("bot"):
                return  # Only people's own tokens went: the bot still speaks there.
        await store.async_delete_all(enterprise_id=enterprise, team_id=team)
        self.workspaces.forget()

        async def still_reached(where: str, address: dict[str, Any] | None) -> bool:
            return await store.find_for_workspace(where, team_of(address)) is not None

        await engine.workspace_lost(PLATFORM, workspace, still_reached)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        database: AsyncEngine,
        template: AsyncWebClient,
        renderer: Renderer,
    ) -> SlackOAuth:
        assert settings.slack_client_id is not None and settings.slack_client_secret is not None
        assert settings.tandem_encryption_keys is not None
        cipher = TokenCipher.from_setting(settings.tandem_encryption_keys.get_secret_value())
        secret = settings.slack_client_secret.get_secret_value()
        installations = SqlInstallationStore(database, cipher, settings.slack_client_id)
        states = SqlOAuthStateStore(database, STATE_SECONDS)
        pages = InstallPages(renderer)
        oauth_settings = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=secret,
            scopes=settings.slack_scopes or manifest_scopes(),
            user_scopes=[],
            redirect_uri=settings.slack_redirect_uri,
            # Straight to Slack's consent page: no page of Bolt's own, in English only.
            install_page_rendering_enabled=False,
            callback_options=AsyncCallbackOptions(success=pages.success, failure=pages.failure),
            installation_store=installations,
            state_store=states,
            state_expiration_seconds=STATE_SECONDS,
            token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
        )
        rotator = AsyncTokenRotator(
            client_id=settings.slack_client_id, client_secret=secret, client=template
        )
        workspaces = InstalledWorkspaces(
            installations, template, rotator, settings.slack_token_rotation_minutes
        )
        return cls(installations, states, oauth_settings, workspaces)


def bolt_app(
    client: AsyncWebClient, signing_secret: str, *, verify: bool, oauth: SlackOAuth | None
) -> AsyncApp:
    """Bolt, with one token (``client``'s), or with OAuth: its authorize then finds each
    request's workspace token in the installation store (refreshing it when token rotation is
    on), and it serves the install flow."""
    installs: dict[str, Any] = {}
    if oauth is not None:
        installs = {"installation_store": oauth.installations, "oauth_settings": oauth.settings}
    return AsyncApp(
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=verify,
        process_before_response=True,
        name="tandem",
        **installs,
    )


async def install(bolt: AsyncApp, request: web.Request) -> web.Response:
    flow = bolt.oauth_flow
    assert flow is not None
    response = await flow.handle_installation(await to_bolt_request(request))
    return await to_aiohttp_response(response)


async def oauth_redirect(bolt: AsyncApp, request: web.Request) -> web.Response:
    flow = bolt.oauth_flow
    assert flow is not None
    response = await flow.handle_callback(await to_bolt_request(request))
    return await to_aiohttp_response(response)


class InstallPages:
    """What the installer's browser shows once Slack sends it back: localized HTML pages."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    async def success(self, args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        workspace = installation.team_name or installation.enterprise_name or ""
        page = self._page(args.request, installed=True, workspace=workspace, reason="")
        return self._response(args, 200, page)

    async def failure(self, args: AsyncFailureArgs) -> BoltResponse:
        page = self._page(args.request, installed=False, workspace="", reason=args.reason)
        return self._response(args, args.suggested_status_code, page)

    def _page(self, request: AsyncBoltRequest, **variables: Any) -> str:
        languages = request.headers.get("accept-language") or [""]
        first = str(languages[0]).split(",")[0].strip()
        return self.renderer.page(self.renderer.locale_for(first), "slack_install", **variables)

    @staticmethod
    def _response(
        args: AsyncSuccessArgs | AsyncFailureArgs, status: int, page: str
    ) -> BoltResponse:
        # The state's cookie has served (or failed): the browser forgets it either way.
        forget = args.settings.state_utils.build_set_cookie_for_deletion()
        return BoltResponse(status=status, body=page, headers={**HTML, "Set-Cookie": [forget]})
