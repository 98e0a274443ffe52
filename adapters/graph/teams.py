"""Microsoft Graph for Teams, when its credentials and the bot's app id are set: the roster's
directory, and Tandem installed for people who never opened it."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.calendar.configured import graph_secret
from adapters.calendar.http import CalendarHttp
from adapters.graph.directory import GraphDirectory
from adapters.graph.installation import TeamsAppInstaller
from adapters.graph.token import GraphToken
from bot.settings import Settings


@dataclass(frozen=True)
class TeamsGraph:
    directory: GraphDirectory
    installer: TeamsAppInstaller
    http: CalendarHttp


def teams_graph(settings: Settings) -> TeamsGraph | None:
    """None without Graph's tenant and client, or without the manifest's id (the app the
    catalog knows, to install)."""
    manifest_id = settings.teams_app_manifest_id or settings.microsoft_app_id
    if not (settings.graph_tenant_id and settings.graph_client_id and manifest_id):
        return None
    token = GraphToken(
        tenant_id=settings.graph_tenant_id,
        client_id=settings.graph_client_id,
        client_secret=graph_secret(settings),
        login_url=settings.graph_login_url,
    )
    # A delivery or a roster check may wait longer than a turn for the calendar would.
    http = CalendarHttp(
        timeout_seconds=max(settings.calendar_timeout_seconds, 10.0),
        retry_budget_seconds=max(settings.calendar_retry_budget_seconds, 10.0),
    )
    return TeamsGraph(
        directory=GraphDirectory(token, http, settings.graph_api_url),
        installer=TeamsAppInstaller(token, http, settings.graph_api_url, manifest_id),
        http=http,
    )
