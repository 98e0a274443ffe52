"""Files handed out as links to the bot's own server (``GET /files/<token>``): where a platform
cannot carry a file in a bot's message (Teams shows no inline ``text/calendar`` file), the
reader gets a download link instead.

The token is the file itself, compressed and signed with a server secret (itsdangerous): no
table to fill or purge, any replica can serve it, and it cannot be forged or altered. It
expires: a link found in an old chat months later no longer opens, and says so in the reader's
language. Only small files (a calendar invitation) are linked this way: a link must stay a
few hundred characters long.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from aiohttp import web
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bot.i18n import Renderer
from bot.messages import Attachment
from bot.settings import Settings

PATH = "/files/"
# Long enough to outlive the session it invites to (proposals reach two weeks ahead, plans
# until the program's end), short enough that a forwarded link stops working.
LIFETIME = timedelta(days=45)
# A token past this many characters makes an unwieldy link: the file goes another way.
LONGEST_TOKEN = 1800
SALT = "tandem.file-link"


class FileLinks:
    def __init__(
        self, secret: str, public_url: str, renderer: Renderer, lifetime: timedelta = LIFETIME
    ) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self.public_url = public_url.rstrip("/")
        self.renderer = renderer
        self.lifetime = lifetime

    @classmethod
    def from_settings(cls, settings: Settings, renderer: Renderer) -> FileLinks | None:
        """Signed with ``TANDEM_LINK_SECRET``, else a key derived from a secret every replica
        already shares; None without any (local use: files stay inline)."""
        if settings.tandem_link_secret is not None:
            secret = settings.tandem_link_secret.get_secret_value()
        else:
            shared = settings.microsoft_app_password or settings.tandem_encryption_keys
            if shared is None:
                return None
            secret = hashlib.sha256(b"tandem file links\0" + shared.get_secret_value().encode())
            secret = secret.hexdigest()
        return cls(secret, settings.dashboard_url, renderer)

    def url(self, file: Attachment) -> str | None:
        """The download link of ``file``; None when it is too large to travel in one."""
        token = self.serializer.dumps(
            {"name": file.filename, "type": file.media_type, "content": file.content}
        )
        if len(token) > LONGEST_TOKEN:
            return None
        return f"{self.public_url}{PATH}{token}"

    def add_routes(self, application: web.Application) -> None:
        application.router.add_get(PATH + "{token}", self.download)

    async def download(self, request: web.Request) -> web.Response:
        try:
            file: Any = self.serializer.loads(
                request.match_info["token"], max_age=int(self.lifetime.total_seconds())
            )
        except SignatureExpired:
            return self._refused(request, "files.expired", 410)
        except BadSignature:
            return self._refused(request, "files.unknown", 404)
        if not isinstance(file, dict) or not all(
            isinstance(file.get(key), str) for key in ("name", "type", "content")
        ):
            return self._refused(request, "files.unknown", 404)
        return web.Response(
            body=file["content"].encode("utf-8"),
            content_type=file["type"],
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{_safe_name(file["name"])}"',
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    def _refused(self, request: web.Request, message_id: str, status: int) -> web.Response:
        locale = self.renderer.locale_for(_preferred_language(request))
        return web.Response(
            text=self.renderer.render(locale, message_id),
            status=status,
            content_type="text/plain",
            charset="utf-8",
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )


def _safe_name(name: str) -> str:
    """A file name that cannot break out of its header (quotes, line breaks)."""
    kept = "".join(c for c in name if c.isalnum() or c in "-_.")
    return kept or "file"


def _preferred_language(request: web.Request) -> str | None:
    """The first language of the browser's Accept-Language, e.g. ``fr`` of ``fr-FR,fr;q=0.9``."""
    header = request.headers.get("Accept-Language", "")
    first = header.split(",", 1)[0].split(";", 1)[0].strip()
    return first.split("-", 1)[0].lower() or None
