"""The one place that wires settings, storage, the engine and the adapters together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from adapters.console.port import Delivery
from adapters.console.session import ConsoleSession
from bot.calendar.mailbox import MailboxCalendar
from bot.clock import Clock, SystemClock, VirtualClock
from bot.delivery import Deliverer, DeliveryPolicy
from bot.engine import Engine
from bot.i18n import Renderer
from bot.inbox import InboxRunner, InboxSettings
from bot.ports import ChatPort
from bot.roster.directory import DirectoryPort
from bot.scheduling.ticker import Ticker
from bot.scheduling.working_hours import WorkingHours
from bot.settings import Settings
from bot.turn import EngineConfig
from bot.unreachable import ChannelRefusedNotice, UnreachableNotice
from storage.database import async_url, create_engine
from storage.inbox_store import open_inbox_store
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    from adapters.slack.app import SlackApp
    from adapters.teams.app import TeamsApp

logger = logging.getLogger("tandem")
DELIVERY_IDLE_SECONDS = 0.5


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    renderer: Renderer
    uow_factory: SqlUnitOfWorkFactory
    engine: Engine
    deliverer: Deliverer
    ticker: Ticker
    # Every platform request, written down before it is acknowledged and run from there.
    inbox: InboxRunner
    ports: dict[str, ChatPort] = field(default_factory=dict)
    # Slack's inbound side (slash commands, buttons, modals, events) when Slack is configured.
    slack: SlackApp | None = None
    # Teams' inbound side (/api/messages) when Teams is configured or the web server runs.
    teams: TeamsApp | None = None
    # The connected calendar (Graph, Google), when configured.
    calendar: MailboxCalendar | None = None

    async def close(self) -> None:
        # The adapters finish the turns they acknowledged before the database goes away.
        if self.slack is not None:
            await self.slack.close()
        if self.teams is not None:
            await self.teams.close()
        await self.inbox.close()
        await self.uow_factory.engine.dispose()
        for port in self.ports.values():
            await port.close()
        if self.calendar is not None:
            await self.calendar.close()

    async def deliver_forever(
        self, *, stop_when_empty: bool = False, stop: asyncio.Event | None = None
    ) -> None:
        """Send what is due, again and again; optionally stop when the outbox is empty.

        When ``stop`` is set (graceful shutdown), the messages being sent finish, their
        outcomes are recorded, every other row this deliverer holds is handed back at once,
        and the loop returns.
        """
        stop = stop or asyncio.Event()
        failures = 0
        while not stop.is_set():
            try:
                sent = await self.deliverer.drain(stop=stop)
                failures = 0
            except Exception as error:
                # The database is away, most likely: try again soon, without a traceback a turn.
                if failures == 0:
                    logger.exception("delivery round failed; trying again")
                else:
                    logger.warning("delivery round failed again: %r", error)
                failures += 1
                sent = 0
            if stop.is_set():
                return
            if stop_when_empty and not sent and not failures:
                async with self.uow_factory() as uow:
                    if await uow.outbox_outstanding() == 0:
                        return
            if not sent:
                await self.deliverer.rest(DELIVERY_IDLE_SECONDS * min(2**failures, 4), stop)


def platform_ports(settings: Settings) -> dict[str, ChatPort]:
    """The outbound side of each platform whose credentials are configured (Slack installed
    in several workspaces gets its port with its inbound side, which holds the tokens)."""
    ports: dict[str, ChatPort] = {}
    if settings.slack_bot_token is not None and not settings.slack_oauth_enabled:
        from adapters.slack.port import SlackChatPort

        port = SlackChatPort.from_settings(settings)
        ports[port.platform] = port
    return ports


def platform_directories(settings: Settings) -> dict[str, DirectoryPort]:
    """Who an e-mail is on each platform, for roster imports: the console always; Slack with
    one bot token (an OAuth install gets its directory with its workspaces, below); Teams."""
    from adapters.console.directory import ConsoleDirectory

    directories: dict[str, DirectoryPort] = {"console": ConsoleDirectory()}
    if settings.slack_bot_token is not None and not settings.slack_oauth_enabled:
        from adapters.slack.directory import SlackDirectory

        directories["slack"] = SlackDirectory.from_settings(settings)
    if teams_wanted(settings):
        from adapters.teams.people import TeamsDirectory

        directories["teams"] = TeamsDirectory()
    return directories


def teams_wanted(settings: Settings) -> bool:
    """Teams runs with the bot's credentials, or without them when asked (local use)."""
    return settings.microsoft_app_id is not None or settings.teams_enabled


def is_sqlite(settings: Settings) -> bool:
    return async_url(settings.database_url).get_backend_name() == "sqlite"


async def build_runtime(
    settings: Settings, clock: Clock | None = None, *, migrate: bool
) -> Runtime:
    """``migrate``: bring the schema to head first (done by itself for SQLite at start)."""
    if migrate:
        await upgrade(settings.database_url)
    clock = clock or SystemClock()
    renderer = Renderer(default_locale=settings.tandem_locale)
    uow_factory = SqlUnitOfWorkFactory(create_engine(settings.database_url))
    from adapters.calendar.configured import calendar_from_settings

    calendar = calendar_from_settings(settings)
    config = EngineConfig(
        default_locale=settings.tandem_locale,
        default_timezone=settings.tandem_timezone,
        admins=tuple(settings.tandem_admins),
        public_url=settings.dashboard_url,
        calendar=calendar,
    )
    engine = Engine(uow_factory, clock, renderer, config)
    engine.directories.update(platform_directories(settings))
    ports: dict[str, ChatPort] = platform_ports(settings)
    policy = DeliveryPolicy(lease=timedelta(seconds=settings.tandem_delivery_lease_seconds))
    deliverer = Deliverer(uow_factory, clock, ports, policy)
    deliverer.on_unreachable = UnreachableNotice(renderer, config)
    deliverer.on_channel_refused = ChannelRefusedNotice(renderer, config)
    deliverer.follow_ups = engine.follow_ups
    engine.on_deferred = deliverer.wake
    ticker = Ticker(uow_factory, clock, renderer, config)
    inbox = InboxRunner(
        await open_inbox_store(settings.database_url, uow_factory.engine),
        InboxSettings(lease_seconds=settings.tandem_inbox_lease_seconds),
        sole_process=is_sqlite(settings),
    )
    engine.inbox = inbox
    runtime = Runtime(
        settings, clock, renderer, uow_factory, engine, deliverer, ticker, inbox, ports
    )
    runtime.calendar = calendar
    if settings.slack_bot_token is not None or settings.slack_oauth_enabled:
        from adapters.slack.app import SlackApp

        runtime.slack = SlackApp.from_settings(
            settings, engine, renderer, clock, inbox, uow_factory.engine
        )
        if runtime.slack is not None and runtime.slack.oauth is not None:
            from adapters.slack.port import SlackChatPort

            slack_port = SlackChatPort.from_settings(settings, runtime.slack.oauth.workspaces)
            ports[slack_port.platform] = slack_port
            from adapters.slack.directory import SlackDirectory

            engine.directories["slack"] = SlackDirectory.from_settings(
                settings, runtime.slack.oauth.workspaces
            )
    if teams_wanted(settings):
        from adapters.teams.app import TeamsApp
        from adapters.teams.port import TeamsChatPort

        runtime.teams = TeamsApp(settings, engine, renderer, inbox)
        from adapters.graph.teams import teams_graph

        graph = teams_graph(settings)
        if graph is not None:
            engine.directories["teams"] = graph.directory
            runtime.teams.use_graph(graph)
        teams_port = TeamsChatPort.from_app(runtime.teams, settings)
        ports[teams_port.platform] = teams_port
    return runtime


async def build_console(
    settings: Settings,
    start: datetime | None = None,
    on_delivery: Callable[[Delivery], None] | None = None,
) -> tuple[Runtime, ConsoleSession]:
    if start is None:
        # Messages wait for working hours: starting in one lets a newcomer see them at once.
        zone = ZoneInfo(settings.tandem_timezone)
        start = WorkingHours().next_working_moment(SystemClock().now(), zone)
    clock = VirtualClock(start)
    runtime = await build_runtime(settings, clock, migrate=True)
    session = ConsoleSession(
        engine=runtime.engine,
        deliverer=runtime.deliverer,
        clock=clock,
        renderer=runtime.renderer,
        locale=settings.tandem_locale,
        on_delivery=on_delivery,
        on_tick=runtime.ticker.tick,
    )
    port = session.port()
    runtime.ports[port.platform] = port
    return runtime, session
