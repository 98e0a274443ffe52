"""Configuration, read from the environment and from a `.env` file when present."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SUPPORTED_LOCALES = ("fr", "en")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./tandem.db"
    tandem_locale: Literal["fr", "en"] = "fr"
    tandem_timezone: str = "Europe/Paris"
    # Platform user ids allowed to create programs; empty means anyone may.
    tandem_admins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    tandem_log_format: Literal["text", "json"] = "text"
    tandem_log_level: str = "INFO"
    port: int = 3000
    # The address browsers reach this server at (``PUBLIC_URL``), for the dashboard's links;
    # unset: http://localhost:PORT. An https:// address makes the session cookie Secure.
    public_url: str | None = None
    # Several `tandem serve` processes on one host listening on the same PORT (Linux
    # SO_REUSEPORT: the kernel spreads connections over them). PostgreSQL only: on SQLite the
    # one process takes over whatever the inbox holds.
    tandem_reuse_port: bool = False

    # Outbox delivery: how long a claimed row is reserved for its deliverer. The deliverer
    # renews it every third of this while it works, so this is how long a dead one's rows wait.
    tandem_delivery_lease_seconds: float = 30.0
    tandem_scheduler_interval_seconds: float = 60.0
    # How long a process holds an inbox row it runs (renewed while it runs); a dead process's
    # rows are run by another one after this long.
    tandem_inbox_lease_seconds: float = Field(default=30.0, gt=0)
    # How long a replica holds the scheduler without renewing it (several replicas).
    tandem_leader_lease_seconds: float = Field(default=20.0, gt=0)
    # How long a Teams card action waits for its turn before answering "working on it" (Teams
    # shows an error after 15 s).
    teams_invoke_answer_seconds: float = Field(default=10.0, gt=0, le=14)
    # On SIGTERM: how long running turns get to finish before they are left to the next process.
    tandem_shutdown_seconds: float = Field(default=5.0, ge=0)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    # Slack allows about one message per second per conversation; the workspace-wide budget
    # is set here (messages per second, and the burst allowed on top).
    slack_messages_per_second: float = 20.0
    slack_burst: int = 20
    # conversations.history (checking, after a crash, what was already sent) is a Tier 3
    # method: about 50 calls a minute.
    slack_history_calls_per_minute: float = 50.0
    # Distribution to several workspaces or an Enterprise Grid organisation (OAuth v2): on when
    # both are set. Each workspace's tokens are then kept in the database, encrypted.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    # The bot scopes asked for at install; empty means those of adapters/slack/manifest.yml.
    slack_scopes: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The redirect URL registered in the app's settings, when Slack knows several.
    slack_redirect_uri: str | None = None
    # With token rotation on, tokens are refreshed this long before they expire.
    slack_token_rotation_minutes: int = Field(default=120, ge=1)
    # Fernet keys, comma-separated: the first encrypts, every one decrypts (key rotation).
    tandem_encryption_keys: SecretStr | None = None
    # Signs the download links of files a platform cannot carry (a Teams calendar invitation);
    # unset: derived from MICROSOFT_APP_PASSWORD or TANDEM_ENCRYPTION_KEYS.
    tandem_link_secret: SecretStr | None = None
    microsoft_app_id: str | None = None
    microsoft_app_password: SecretStr | None = None
    # The Entra ID tenant of a SingleTenant bot (unused for MultiTenant).
    microsoft_app_tenant_id: str | None = None
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = "MultiTenant"
    # Serve Teams on /api/messages even without credentials (local use with the Bot Framework
    # Emulator, and tests): requests are then not authenticated.
    teams_enabled: bool = False
    # The id in the Teams app's manifest, by which the organisation's catalog knows Tandem
    # (to install it for a roster's newcomers through Microsoft Graph); unset: MICROSOFT_APP_ID,
    # which is the id `tandem teams package` gives the manifest.
    teams_app_manifest_id: str | None = None
    # Where people who never wrote to the bot are reached (create_conversation) until an
    # activity from their tenant gives its own service URL: Teams' global endpoint.
    microsoft_service_url: str = "https://smba.trafficmanager.net/teams/"
    # Where the Bot Framework's (and the Emulator's) token signing keys are published, and how
    # long a fetch of them may take before the request waiting for it is refused.
    microsoft_openid_metadata_url: str = (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )
    microsoft_emulator_openid_metadata_url: str = (
        "https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration"
    )
    microsoft_openid_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Teams allows about 7 messages a second in one conversation and fewer over a minute; the
    # bot-wide budget is set here.
    teams_messages_per_second: float = 15.0
    teams_burst: int = 15

    # Calendars. Microsoft 365: an app registration with the application permission
    # Calendars.ReadWrite and admin consent; its secret given as is or in a file.
    graph_tenant_id: str | None = None
    graph_client_id: str | None = None
    graph_client_secret: SecretStr | None = None
    graph_client_secret_file: Path | None = None
    graph_api_url: str = "https://graph.microsoft.com/v1.0"
    graph_login_url: str = "https://login.microsoftonline.com"
    # Google Workspace: a service account's JSON key, with domain-wide delegation of the
    # calendar scope. Its token URI is the key's unless GOOGLE_TOKEN_URL is set.
    google_service_account_file: Path | None = None
    google_calendar_api_url: str = "https://www.googleapis.com/calendar/v3"
    google_token_url: str | None = None
    # A turn waits for the calendar at most this long per request, and retries a 429 only
    # within this budget; then the session is booked with the .ics fallback.
    calendar_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    calendar_retry_budget_seconds: float = Field(default=3.0, ge=0, le=30)

    @field_validator("tandem_admins", "slack_scopes", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("tandem_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        ZoneInfo(value)
        return value

    @property
    def dashboard_url(self) -> str:
        return (self.public_url or f"http://localhost:{self.port}").rstrip("/")

    @property
    def slack_oauth_enabled(self) -> bool:
        """Several workspaces, each installed through ``/slack/install``."""
        return self.slack_client_id is not None and self.slack_client_secret is not None

    @property
    def has_platform_credentials(self) -> bool:
        receives = self.slack_signing_secret is not None or self.slack_app_token is not None
        slack = (self.slack_bot_token is not None or self.slack_oauth_enabled) and receives
        teams = self.microsoft_app_id is not None and self.microsoft_app_password is not None
        return slack or teams


def terminal_locale(settings: Settings, environ: Mapping[str, str]) -> str:
    """The console's language: TANDEM_LOCALE when it is set (environment or ``.env``), else the
    terminal's (the first of LC_ALL, LC_MESSAGES, LANG that is set, as POSIX reads them), else
    the default. A terminal in a language Tandem does not speak ("C", "de_DE") gets the default.
    """
    if "tandem_locale" in settings.model_fields_set:
        return settings.tandem_locale
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:
            language = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
            return language if language in SUPPORTED_LOCALES else settings.tandem_locale
    return settings.tandem_locale
