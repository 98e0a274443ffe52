"""The dashboard's routes on the bot's aiohttp server, under /dashboard/.

Every response carries the headers of adapters/dashboard/session.py (a strict
Content-Security-Policy, no-store, no referrer). Every page needs the session cookie a one-time
link set; a program or pair the owner does not own is a 404, exactly like one that does not
exist. Actions (signing out, the matching's swap, exclude, include, rerun and approve) are POSTs
carrying the session's form token; the matching's go to the engine as the owner's own chat
command (bot.dashboard.matching).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

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
from adapters.dashboard.session import COOKIE, PREFIX, Sessions
from bot.clock import Clock
from bot.dashboard.access import Access
from bot.dashboard.matching import DONE, MatchingDesk, TurnRunner
from bot.dashboard.pages import Dashboard, NotFound
from bot.digest import export
from bot.i18n import Renderer
from bot.ports import UnitOfWorkFactory

__all__ = ["COOKIE", "DashboardApp"]
STYLE = (Path(__file__).parent / "dashboard.css").read_bytes()
# Ids are database integers: more digits than this is nobody's program, and is not looked up.
ID = r"{%s:\d{1,9}}"


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
        self.sessions = Sessions(
            self.access, renderer, secure=public_url.lower().startswith("https://")
        )
        self.pages = Dashboard(uow_factory, clock)
        self.matching_desk = MatchingDesk(uow_factory, clock, renderer, engine)
        self.renderer = renderer

    def add_routes(self, application: web.Application) -> None:
        program = PREFIX + "/programs/" + ID % "program"
        routes = [
            web.get(PREFIX + "/open/{token}", self.sessions.open_link),
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
            web.post(PREFIX + "/sign-out", self.sessions.sign_out),
        ]
        application.add_routes(routes)
        application.middlewares.append(self.sessions.middleware)

    # Pages
    async def style(self, request: web.Request) -> web.Response:
        return web.Response(body=STYLE, content_type="text/css")

    async def home(self, request: web.Request) -> web.Response:
        viewer = await self.sessions.signed_in(request)
        programs = await self.pages.programs(viewer.person_id)
        if len(programs) == 1:
            raise web.HTTPSeeOther(f"{PREFIX}/programs/{programs[0].id}/")
        return self.sessions.page(
            viewer.locale, "programs", programs=programs, **self.sessions.common(request, viewer)
        )

    async def overview(self, request: web.Request) -> web.Response:
        viewer = await self.sessions.signed_in(request)
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
        return self.sessions.page(
            viewer.locale,
            "overview",
            view=view,
            charts=charts,
            program=view.program,
            section="overview",
            **self.sessions.common(request, viewer),
        )

    async def pairs(self, request: web.Request) -> web.Response:
        viewer = await self.sessions.signed_in(request)
        query = PairQuery.from_query(request.query)
        try:
            listed = await listed_pairs(
                self.pages, viewer.person_id, _id(request, "program"), query
            )
        except NotFound:
            raise web.HTTPNotFound() from None
        return self.sessions.page(
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
            **self.sessions.common(request, viewer),
        )

    async def pair(self, request: web.Request) -> web.Response:
        viewer = await self.sessions.signed_in(request)
        try:
            program, detail = await self.pages.pair(
                viewer.person_id, _id(request, "program"), _id(request, "pair")
            )
        except NotFound:
            raise web.HTTPNotFound() from None
        return self.sessions.page(
            viewer.locale,
            "pair",
            program=program,
            detail=detail,
            row=detail.row,
            section="pairs",
            **self.sessions.common(request, viewer),
        )

    async def outcomes(self, request: web.Request) -> web.Response:
        viewer = await self.sessions.signed_in(request)
        try:
            view = await self.pages.outcomes(viewer.person_id, _id(request, "program"))
        except NotFound:
            raise web.HTTPNotFound() from None
        return self.sessions.page(
            viewer.locale,
            "outcomes",
            view=view,
            o=view.figures,
            program=view.program,
            section="outcomes",
            **self.sessions.common(request, viewer),
        )

    async def exports(self, request: web.Request) -> web.Response:
        viewer = await self.sessions.signed_in(request)
        try:
            program = await self.pages.program(viewer.person_id, _id(request, "program"))
        except NotFound:
            raise web.HTTPNotFound() from None
        return self.sessions.page(
            viewer.locale,
            "exports",
            program=program,
            csv_files=export.CSV_FILES,
            section="exports",
            **self.sessions.common(request, viewer),
        )

    async def download(self, request: web.Request) -> web.Response:
        """One export file, as an attachment: CSV, the JSON of everything, or the report."""
        viewer = await self.sessions.signed_in(request)
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
        viewer = await self.sessions.signed_in(request)
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
        return self.sessions.page(
            viewer.locale,
            "people",
            program=program,
            people=people,
            rows=people.rows,
            page=page,
            page_link=lambda number: "?" + urlencode({**show, "page": str(number)}),
            only_pending=only_pending,
            section="people",
            **self.sessions.common(request, viewer),
        )

    async def matching(self, request: web.Request, refusal: str = "") -> web.Response:
        viewer = await self.sessions.signed_in(request)
        try:
            view = await self.matching_desk.page(
                viewer.person_id, _id(request, "program"), viewer.locale
            )
        except NotFound:
            raise web.HTTPNotFound() from None
        done = request.query.get("done", "")
        return self.sessions.page(
            viewer.locale,
            "matching",
            status=400 if refusal else 200,
            view=view,
            program=view.program,
            done=done if done in DONE and not refusal else "",
            refusal=refusal,
            section="matching",
            **self.sessions.common(request, viewer),
        )

    async def match_action(self, request: web.Request) -> web.Response:
        viewer = await self.sessions.signed_in(request)
        form = await self.sessions.form(request, viewer)
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


def _id(request: web.Request, name: str) -> int:
    return int(request.match_info[name])
