"""Who an e-mail address is in a Microsoft 365 tenant, for Teams roster imports.

Each address is looked up as a user principal name (``GET /users/{upn}``), and an address that
is not one as a mail address (``$filter=mail eq``), twenty lookups to a JSON ``$batch``
request: a roster of 5,000 lines is 250 requests, not 5,000. The person's Azure AD object id
becomes their id in Tandem until their first activity gives their Teams id
(``bot.people.person_of_sender``). Needs the application permission ``User.Read.All``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from adapters.calendar.http import CalendarHttp
from adapters.graph.token import GraphToken, GraphTokenRefused
from bot.calendar.mailbox import CalendarRefused, Refusal
from bot.errors import UserError
from bot.roster.directory import DirectoryEntry, Reach

logger = logging.getLogger("tandem.graph")
PLATFORM = "teams"
# Requests one $batch may hold (Graph's limit).
BATCH_SIZE = 20
# Rounds of a batch's throttled (429) or failing (5xx) lookups tried again.
ROUNDS = 4
_SELECT = "id,displayName,mail,userPrincipalName,preferredLanguage,accountEnabled"


class GraphDirectory:
    platform = PLATFORM

    def __init__(self, token: GraphToken, http: CalendarHttp, api_url: str) -> None:
        self.token = token
        self.http = http
        self.api_url = api_url.rstrip("/")

    async def look_up(self, workspace: str, emails: Sequence[str]) -> dict[str, DirectoryEntry]:
        if workspace != self.token.tenant_id:
            # Another tenant than the one Tandem's app registration can read.
            return dict.fromkeys(emails, DirectoryEntry(Reach.NOT_INSTALLED))
        try:
            token = await self.token.get()
            users = await self._users(token, emails, by_principal_name=True)
            missing = [email for email in emails if email not in users]
            if missing:
                users.update(await self._users(token, missing, by_principal_name=False))
        except (GraphTokenRefused, CalendarRefused) as refused:
            logger.warning("Microsoft Graph directory unavailable: %s", refused)
            raise UserError("roster.directory_unavailable", platform=PLATFORM) from None
        return {email: self._entry(users.get(email)) for email in emails}

    @staticmethod
    def _entry(user: dict[str, Any] | None) -> DirectoryEntry:
        if user is None or user.get("accountEnabled") is False or not user.get("id"):
            return DirectoryEntry(Reach.UNKNOWN)
        language = user.get("preferredLanguage")
        return DirectoryEntry(
            # Found is reachable: Tandem installs itself for them before writing
            # (adapters.graph.installation).
            Reach.FOUND,
            user_id=str(user["id"]),
            display_name=str(user.get("displayName") or "") or None,
            locale=language if isinstance(language, str) else None,
        )

    async def _users(
        self, token: str, emails: Sequence[str], *, by_principal_name: bool
    ) -> dict[str, dict[str, Any]]:
        chunks = [emails[i : i + BATCH_SIZE] for i in range(0, len(emails), BATCH_SIZE)]
        found: dict[str, dict[str, Any]] = {}
        for answer in await asyncio.gather(
            *(self._batch(token, chunk, by_principal_name) for chunk in chunks)
        ):
            found.update(answer)
        return found

    async def _batch(
        self, token: str, emails: Sequence[str], by_principal_name: bool
    ) -> dict[str, dict[str, Any]]:
        asking = {str(number): email for number, email in enumerate(emails)}
        found: dict[str, dict[str, Any]] = {}
        for _ in range(ROUNDS):
            answer = await self.http.call(
                "POST",
                f"{self.api_url}/$batch",
                token=token,
                json={
                    "requests": [
                        {"id": number, "method": "GET", "url": _url(email, by_principal_name)}
                        for number, email in asking.items()
                    ]
                },
            )
            again: dict[str, str] = {}
            wait = 0.0
            for response in (answer or {}).get("responses") or []:
                number = str(response.get("id"))
                if number not in asking:
                    continue
                status = int(response.get("status") or 0)
                body = response.get("body") or {}
                if status == 200:
                    user = body if by_principal_name else next(iter(body.get("value") or []), None)
                    if isinstance(user, dict):
                        found[asking[number]] = user
                elif status in (401, 403):
                    raise CalendarRefused(Refusal.CONSENT, f"HTTP {status}")
                elif status == 429 or status >= 500:
                    again[number] = asking[number]
                    wait = max(wait, _retry_after(response.get("headers") or {}))
                # 400 (not an address Graph can read) and 404: nobody by that address.
            if not again:
                return found
            asking = again
            await asyncio.sleep(wait)
        raise CalendarRefused(Refusal.THROTTLED, "still throttled")


def _url(email: str, by_principal_name: bool) -> str:
    if by_principal_name:
        return f"/users/{quote(email, safe='')}?$select={_SELECT}"
    # OData doubles a quote inside a string.
    literal = email.replace("'", "''")
    condition = quote(f"mail eq '{literal}'", safe="")
    return f"/users?$filter={condition}&$select={_SELECT}"


def _retry_after(headers: dict[str, Any]) -> float:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return min(30.0, max(0.0, float(value)))
            except (TypeError, ValueError):
                break
    return 1.0
