"""The dashboard's routes on the bot's aiohttp server, under /dashboard/.

Every response carries a strict Content-Security-Policy (nothing but this server's own style
sheet; no script, no frame, no form posted elsewhere), no-store, no referrer. Every page needs
the session cookie a one-time link set; a program or pair the owner does not own is a 404,
exactly like one that does not exist. Actions (signing out, the matching's swap, exclude,
include, rerun and approve) are POSTs carrying the session's form token; the matching's go to the
engine as the owner's own chat command (bot.dashboard.matching).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDict

from adapters.dashboard import downloads
from adapters.dashboard.charts import bar_chart
from adapters.dashboard.listing import (
    FLAGS,
    STATUSES,
    Page,
    PairQuery,
    listed_pairs,
    page_number,
    rows_of_page,
)
from bot.clock import Clock
from bot.dashboard.access import SESSION_LIFETIME, Access, csrf_token
from bot.dashboard.matching import DONE, MatchingDesk, TurnRunner
from bot.dashboard.model import LinkRefusal, Opened, Viewer
from bot.dashboard.pages import Dashboard, NotFound
from bot.digest import export
from bot.i18n import Renderer
from bot.ports import UnitOfWorkFactory

logger = logging.getLogger("tandem.dashboard")
COOKIE = "tandem_dashboard"
PREFIX = "/dashboard"
STYLE = (Path(__file__).parent / "dashboard.css").read_bytes()
# Ids are database integers: more digits than this is nobody's program, and is not looked up.
ID = r"{%s:\d{1,9}}"
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


class DashboardApp:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        renderer: Renderer,
        public_url: str,
        engine: TurnRunner,
    ) -> None:
        self.access = Access(uow_factory, clock, renderer)
        self.pages = Dashboard(uow_factory, clock)
        self.matching_desk = MatchingDesk(uow_factory, clock, renderer, engine)
        self.renderer = renderer
        self.secure = public_url.lower().startswith("https://")

    def add_routes(self, application: web.Application) -> None:
        program = PREFIX + "/programs/" + ID % "program"
        routes = [
            web.get(PREFIX + "/open/{token}", self.open_link),
            web.get(PREFIX + "/style.css", self.style),
            web.get(PREFIX + "/", self.home),
            web.get(PREFIX, self.home),
            web.get(program + "/", self.overview),
            web.get(program + "/pairs", self.pairs),
            web.get(program + "/pairs/" + ID % "pair", self.pair),
            web.get(program + "/people", self.people),
            web.get(program + "/matching", self.matching),
            web.post(program + "/matching", self.match_action),
            web.get(program + "/outcomes", self.outcomes),
            web.get(program + "/exports", self.exports),
            web.get(program + "/exports/" + downloads.FILE, self.download),
            web.post(PREFIX + "/sign-out", self.sign_out),
        ]
        application.add_routes(routes)
        application.middlewares.append(self.middleware)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(PREFIX):
            return await handler(request)
        response: web.StreamResponse
        try:
            response = await handler(request)
        except _Stop as stop:
            response = stop.response
        except web.HTTPException as error:
            if error.status == 404:
                response = await self._not_found(request)
            else:
                response = web.Response(status=error.status, headers=error.headers, text=error.text)
        response.headers.update(SECURITY_HEADERS)
        return response

    # Pages
    def _page(self, locale: str, name: str, status: int = 200, **variables: Any) -> web.Response:
        body = self.renderer.page(locale, f"dashboard/{name}", **variables)
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

    async def style(self, request: web.Request) -> web.Response:
        return web.Response(body=STYLE, content_type="text/css")

    async def _not_found(self, request: web.Request) -> web.Response:
        viewer = await self._viewer(request)
        locale = viewer.locale if viewer else self.access.refusal_locale(_languages(request))
        return self._page(locale, "not_found", status=404, viewer=viewer, csrf="")

    async def _viewer(self, request: web.Request) -> Viewer | None:
        token = request.cookies.get(COOKIE, "")
        # A cookie is ours only if it has the shape of our tokens.
        if not token or len(token) > 100:
            return None
        return await self.access.viewer(token)

    async def _signed_in(self, request: web.Request) -> Viewer:
        viewer = await self._viewer(request)
        if viewer is None:
            locale = self.access.refusal_locale(_languages(request))
            raise _Stop(self._page(locale, "signed_out", status=401, viewer=None, csrf=""))
        return viewer

    def _common(self, request: web.Request, viewer: Viewer) -> dict[str, Any]:
        return {"viewer": viewer, "csrf": csrf_token(request.cookies.get(COOKIE, ""))}

    async def open_link(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if len(token) > 100:
            raise web.HTTPNotFound()
        outcome = await self.access.open_link(token)
        if not isinstance(outcome, Opened):
            unknown = outcome.reason == LinkRefusal.UNKNOWN
            # A forged link has no owner to take the language from: the browser's, then.
            locale = self.access.refusal_locale(_languages(request)) if unknown else outcome.locale
            return self._page(
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

    async def home(self, request: web.Request) -> web.Response:
        viewer = await self._signed_in(request)
        programs = await self.pages.programs(viewer.person_id)
        if len(programs) == 1:
            raise web.HTTPSeeOther(f"{PREFIX}/programs/{programs[0].id}/")
        return self._page(
            viewer.locale, "programs", programs=programs, **self._common(request, viewer)
        )

    async def overview(self, request: web.Request) -> web.Response:
        viewer = await self._signed_in(request)
        try:
            view = await self.pages.overview(viewer.person_id, _id(request, "program"))
        except NotFound:
            raise web.HTTPNotFound() from None
        weeks = view.weeks
        minutes_target = view.minutes_per_week
        charts = {
            "sessions": bar_chart([w.sessions for w in weeks], target=view.sessions_per_week),
            "hours": bar_chart(
                [w.minutes / 60 for w in weeks],
                target=minutes_target / 60 if minutes_target is not None else None,
            ),
            "mood": bar_chart([w.mood for w in weeks], maximum=5),
            "response": bar_chart([w.response_rate for w in weeks], maximum=100),
        }
        return self._page(
            viewer.locale,
            "overview",
            view=view,
            charts=charts,
            program=view.program,
            section="overview",
            **self._common(request, viewer),
        )

    async def pairs(self, request: web.Request) -> web.Response:
        viewer = await self._signed_in(request)
        query = PairQuery.from_query(request.query)
        try:
            listed = await listed_pairs(
                self.pages, viewer.person_id, _id(request, "program"), query
            )
        except NotFound:
            raise web.HTTPNotFound() from None
        return self._page(
            viewer.locale,
            "pairs",
            program=listed.program,
            rows=listed.rows,
            matching=listed.matching,
            total=listed.total,
            query=query,
            page=listed.page,
            page_link=lambda number: "?" + urlencode(query.at_page(number)),
            statuses=STATUSES,
            flags=FLAGS,
            link=lambda column: "?" + urlencode(query.link(column)),
            section="pairs",
            **self._common(request, viewer),
        )

    async def pair(self, request: web.Request) -> web.Response:
        viewer = await self._signed_in(request)
        try:
            program, detail = await self.pages.pair(
                viewer.person_id, _id(request, "program"), _id(request, "pair")
            )
        except NotFound:
            raise web.HTTPNotFound() from None
        return self._page(
            viewer.locale,
            "pair",
            program=program,
            detail=detail,
            row=detail.row,
            section="pairs",
            **self._common(request, viewer),
        )

    async def outcomes(self, request: web.Request) -> web.Response:
        viewer = await self._signed_in(request)
        try:
            view = await self.pages.outcomes(viewer.person_id, _id(request, "program"))
        except NotFound:
            raise web.HTTPNotFound() from None
        return self._page(
            viewer.locale,
            "outcomes",
            view=view,
            o=view.figures,
            program=view.program,
            section="outcomes",
            **self._common(request, viewer),
        )

    async def exports(self, request: web.Request) -> web.Response:
        viewer = await self._signed_in(request)
        try:
            program = await self.pages.program(viewer.person_id, _id(request, "program"))
        except NotFound:
            raise web.HTTPNotFound() from None
        return self._page(
            viewer.locale,
            "exports",
            program=program,
            csv_files=export.CSV_FILES,
            section="exports",
            **self._common(request, viewer),
        )

    async def download(self, request: web.Request) -> web.Response:
        """One export file, as an attachment: CSV, the JSON of everything, or the report."""
        viewer = await self._signed_in(request)
        file = request.match_info["file"]
        if not downloads.offered(file):
            raise web.HTTPNotFound()
        try:
            return await downloads.download(
                self.pages,
                self.renderer,
                viewer.person_id,
                _id(request, "program"),
                viewer.locale,
                file,
            )
        except NotFound:
            raise web.HTTPNotFound() from None

    async def people(self, request: web.Request) -> web.Response:
        viewer = await self._signed_in(request)
        only_pending = request.query.get("show") == "not_answered"
        number = page_number(request.query)
        try:
            program, people = await self.pages.people(
                viewer.person_id, _id(request, "program"), only_pending, *rows_of_page(number)
            )
        except NotFound:
            raise web.HTTPNotFound() from None
        page = Page.of(people.total, number)
        show = {"show": "not_answered"} if only_pending else {}
        return self._page(
            viewer.locale,
            "people",
            program=program,
            people=people,
            rows=people.rows,
            page=page,
            page_link=lambda number: "?" + urlencode({**show, "page": str(number)}),
            only_pending=only_pending,
            section="people",
            **self._common(request, viewer),
        )

    async def _form(self, request: web.Request, viewer: Viewer) -> MultiDict[str | Any]:
        """The posted form, once its token proved it came from one of our pages."""
        try:
            form: MultiDict[str | Any] = MultiDict(await request.post())
        except ValueError:
            # A body that is no form (undecodable bytes): it carries no token either.
            form = MultiDict()
        sent = str(form.get("csrf", ""))
        expected = csrf_token(request.cookies.get(COOKIE, ""))
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise _Stop(self._page(viewer.locale, "forbidden", status=403, viewer=None, csrf=""))
        return form

    async def matching(self, request: web.Request, refusal: str = "") -> web.Response:
        viewer = await self._signed_in(request)
        try:
            view = await self.matching_desk.page(
                viewer.person_id, _id(request, "program"), viewer.locale
            )
        except NotFound:
            raise web.HTTPNotFound() from None
        done = request.query.get("done", "")
        return self._page(
            viewer.locale,
            "matching",
            status=400 if refusal else 200,
            view=view,
            program=view.program,
            done=done if done in DONE and not refusal else "",
            refusal=refusal,
            section="matching",
            **self._common(request, viewer),
        )

    async def match_action(self, request: web.Request) -> web.Response:
        viewer = await self._signed_in(request)
        form = await self._form(request, viewer)
        program_id = _id(request, "program")
        action = str(form.get("action", ""))
        people = [str(value) for value in form.getall("person", []) if str(value)]
        try:
            outcome = await self.matching_desk.act(viewer.person_id, program_id, action, people)
        except NotFound:
            raise web.HTTPNotFound() from None
        if outcome.problem:
            return await self.matching(request, self._text(viewer.locale, outcome.problem))
        if outcome.refusal is not None:
            return await self.matching(request, outcome.refusal)
        raise web.HTTPSeeOther(f"{PREFIX}/programs/{program_id}/matching?done={outcome.done}")

    def _text(self, locale: str, key: str) -> str:
        return self.renderer.render(locale, f"dashboard/texts.{key}")

    async def sign_out(self, request: web.Request) -> web.Response:
        token = request.cookies.get(COOKIE, "")
        viewer = await self._signed_in(request)
        await self._form(request, viewer)
        await self.access.sign_out(token)
        response = self._page(viewer.locale, "signed_out", viewer=None, csrf="", by_choice=True)
        response.del_cookie(COOKIE, path=PREFIX)
        return response


def _id(request: web.Request, name: str) -> int:
    return int(request.match_info[name])


def _languages(request: web.Request) -> str:
    return request.headers.get("Accept-Language", "")[:200]


class _Stop(Exception):
    """A finished page to answer with, from deep in a handler (the sign-in page)."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response
