"""The calendar connector the settings ask for: Microsoft Graph, Google, or none (.ics)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from adapters.calendar.http import CalendarHttp
from bot.calendar.mailbox import MailboxCalendar
from bot.settings import Settings

logger = logging.getLogger("tandem.calendar")


class CalendarSettingsError(ValueError):
    """A calendar setting that cannot work: said at start, with what to set."""


def calendar_from_settings(settings: Settings) -> MailboxCalendar | None:
    """Graph when its tenant and client are set, else Google when its key file is; None (the
    .ics fallback for everyone) when neither is."""
    http = CalendarHttp(
        timeout_seconds=settings.calendar_timeout_seconds,
        retry_budget_seconds=settings.calendar_retry_budget_seconds,
    )
    if settings.graph_tenant_id and settings.graph_client_id:
        # Imported only when used: msal and google-auth take a while to load, and most
        # consoles and pilots connect no calendar.
        from adapters.calendar.graph import GraphCalendar

        logger.info("calendar: Microsoft Graph (tenant %s)", settings.graph_tenant_id)
        return GraphCalendar(
            tenant_id=settings.graph_tenant_id,
            client_id=settings.graph_client_id,
            client_secret=graph_secret(settings),
            http=http,
            api_url=settings.graph_api_url,
            login_url=settings.graph_login_url,
        )
    if settings.google_service_account_file is not None:
        from adapters.calendar.google import GoogleCalendar

        logger.info("calendar: Google Calendar (service account)")
        return GoogleCalendar(
            key=_google_key(settings.google_service_account_file),
            http=http,
            api_url=settings.google_calendar_api_url,
            token_url=settings.google_token_url,
        )
    return None


def graph_secret(settings: Settings) -> str:
    if settings.graph_client_secret is not None:
        return settings.graph_client_secret.get_secret_value()
    if settings.graph_client_secret_file is not None:
        return _read(settings.graph_client_secret_file, "GRAPH_CLIENT_SECRET_FILE").strip()
    raise CalendarSettingsError(
        "GRAPH_TENANT_ID and GRAPH_CLIENT_ID are set: set GRAPH_CLIENT_SECRET, or "
        "GRAPH_CLIENT_SECRET_FILE to a file holding the client secret"
    )


def _google_key(path: Path) -> dict[str, object]:
    text = _read(path, "GOOGLE_SERVICE_ACCOUNT_FILE")
    try:
        key = json.loads(text)
    except ValueError:
        key = None
    if not isinstance(key, dict) or not {"client_email", "private_key"} <= key.keys():
        # Never the content: it is a private key.
        raise CalendarSettingsError(
            f"GOOGLE_SERVICE_ACCOUNT_FILE ({path}) is not a service account key: download a "
            "JSON key of the service account from the Google Cloud console"
        )
    return key


def _read(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise CalendarSettingsError(f"{name} ({path}) cannot be read: {error.strerror}") from None
