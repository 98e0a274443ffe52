"""The dashboard's sessions: the one-time link that opens one (and sets the cookie), the
signed-in check of every page, the form token of every action, signing out, and the headers
every response under /dashboard/ carries (a strict Content-Security-Policy: nothing but this
server's own style sheet; no script, no frame, no form posted elsewhere; no-store, no
referrer)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import MultiDict

from bot.dashboard.access import SESSION_LIFETIME, Access, csrf_token
from bot.dashboard.model import LinkRefusal, Opened, Viewer
from bot.i18n import Renderer

logger = logging.getLogger("tandem.dashboard")
COOKIE = "tandem_dashboard"
PREFIX = "/dashboard"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Sessions:
    def __init__(self, access: Access, renderer: Renderer, *, secure: bool) -> None:
        self.access = access
        self.renderer = renderer
        self.secure = secure

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(PREFIX):
            return await handler(request)
        response: web.StreamResponse
        try:
            response = await handler(request)
        except Stop as stop:
            response = stop.response
        except web.HTTPException as error:
            if error.status == 404:
                response = await self.not_found(request)
            else:
                response = web.Response(status=error.status, headers=error.headers, text=error.text)
        response.headers.update(SECURITY_HEADERS)
        return response

    def page(self, locale: str, name: str, status: int = 200, **variables: Any) -> web.Response:
        body = self.renderer.page(locale, f"dashboard/{name}", **variables)
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

    async def not_found(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        locale = viewer.locale if viewer else self.access.refusal_locale(languages(request))
        return self.page(locale, "not_found", status=404, viewer=viewer, csrf="")

    async def viewer(self, request: web.Request) -> Viewer | None:
        token = request.cookies.get(COOKIE, "")
        # A cookie is ours only if it has the shape of our tokens.
        if not token or len(token) > 100:
            return None
        return await self.access.viewer(token)

    async def signed_in(self, request: web.Request) -> Viewer:
        viewer = await self.viewer(request)
        if viewer is None:
            locale = self.access.refusal_locale(languages(request))
            raise Stop(self.page(locale, "signed_out", status=401, viewer=None, csrf=""))
        return viewer

    def common(self, request: web.Request, viewer: Viewer) -> dict[str, Any]:
        """What every page of a signed-in owner shows: who they are, the form token."""
        return {"viewer": viewer, "csrf": csrf_token(request.cookies.get(COOKIE, ""))}

    async def form(self, request: web.Request, viewer: Viewer) -> MultiDict[str | Any]:
        """The posted form, once its token proved it came from one of our pages."""
        try:
            form: MultiDict[str | Any] = MultiDict(await request.post())
        except ValueError:
            # A body that is no form (undecodable bytes): it carries no token either.
            form = MultiDict()
        sent = str(form.get("csrf", ""))
        expected = csrf_token(request.cookies.get(COOKIE, ""))
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Stop(self.page(viewer.locale, "forbidden", status=403, viewer=None, csrf=""))
        return form

    async def open_link(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if len(token) > 100:
            raise web.HTTPNotFound()
        outcome = await self.access.open_link(token)
        if not isinstance(outcome, Opened):
            unknown = outcome.reason == LinkRefusal.UNKNOWN
            # A forged link has no owner to take the language from: the browser's, then.
            locale = self.access.refusal_locale(languages(request)) if unknown else outcome.locale
            return self.page(
                locale,
                "refused",
                status=404 if unknown else 410,
                reason=str(outcome.reason),
                viewer=None,
            )
        target = PREFIX + "/"
        if outcome.program_id is not None:
            target = f"{PREFIX}/programs/{outcome.program_id}/"
        response = web.Response(status=303, headers={"Location": target})
        response.set_cookie(
            COOKIE,
            outcome.session_token,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            path=PREFIX,
            httponly=True,
            secure=self.secure,
            samesite="Lax",
        )
        logger.info("dashboard session opened", extra={"person_id": outcome.person_id})
        return response

    async def sign_out(self, request: web.Request) -> web.Response:
        token = request.cookies.get(COOKIE, "")
        viewer = await self.signed_in(request)
        await self.form(request, viewer)
        await self.access.sign_out(token)
        response = self.page(viewer.locale, "signed_out", viewer=None, csrf="", by_choice=True)
        response.del_cookie(COOKIE, path=PREFIX)
        return response


def languages(request: web.Request) -> str:
    return request.headers.get("Accept-Language", "")[:200]


class Stop(Exception):
    """A finished page to answer with, from deep in a handler (the sign-in page)."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response
