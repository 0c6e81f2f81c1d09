"""One runtime per process, whatever front ends it serves: the engine, the dispatcher, the scheduler, and every
configured front end, in one event loop.

A front end hands each update to ``Runtime.turn``, which runs it through the engine and sends its replies through
the dispatcher (so replies and notifications share one budget per platform). New jobs are matched against the
saved searches beside them (``AlertFanOut``), and their alerts go out through the same dispatcher. Stopping
(Ctrl-C, SIGTERM, or a front end with no more input, like the console at end of file) stops intake, lets turns in
flight finish, and exits: nothing needs flushing, since every notification is already in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Sequence

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.conversations.alert_fanout import AlertFanOut
from bot.conversations.dispatcher import Dispatcher, OutboxPolicy
from bot.conversations.engine import Engine
from bot.conversations.feed_sources import FeedPoller
from bot.core.budget import Rates
from bot.core.delivery import FrontEnd
from bot.core.events import Inbound
from bot.core.files import FileSource
from bot.scheduler import build_scheduler, schedule_feeds
from bot.storage.leader import Leadership

log = logging.getLogger("gigbot.runtime")

TURNS_FINISH_WITHIN = 5.0  # seconds given to turns in flight when stopping
LEAD_RETRY_SECONDS = 10.0  # how often a process that does not run the scheduler tries to take it over


def outbox_policy(settings: Settings) -> OutboxPolicy:
    outbox = settings.outbox
    return OutboxPolicy(
        batch=outbox.batch,
        lease_seconds=outbox.lease_seconds,
        max_attempts=outbox.max_attempts,
        backoff_base_seconds=outbox.backoff_base_seconds,
        backoff_cap_seconds=outbox.backoff_cap_seconds,
        poll_seconds=outbox.poll_seconds,
    )


def _freeze_start_up() -> None:
    """What start-up made (modules, the ORM's mappers, compiled statements, PTB's objects) lives as long as the
    process: frozen out of the garbage collector, the full collections a busy bot runs every few seconds walk
    only what turns allocated (a full collection took about 70 ms on the Telegram bench, seven of them a run)."""
    gc.collect()
    gc.freeze()


def budgets(settings: Settings) -> dict[str, Rates]:
    """Each platform's sending budget from its settings."""
    return {
        platform: Rates(**getattr(settings, platform).budget.model_dump())
        for platform in ("console", "telegram", "discord")
    }


class Runtime:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        front_ends: Sequence[FrontEnd],
        *,
        deliver_before_next_input: bool = False,
        feeds: FeedPoller | None = None,
    ) -> None:
        """``deliver_before_next_input``: a terminal shared by every console user shows the notices a turn caused
        before it asks for the next line. ``feeds`` polls the configured job feeds on their schedules."""
        self.settings = settings
        self.feeds = feeds
        self.deliver_before_next_input = deliver_before_next_input
        self.engine = engine
        self.front_ends = list(front_ends)
        self.dispatcher = Dispatcher(
            engine.database,
            engine.clock,
            {front_end.platform: front_end for front_end in self.front_ends},
            budgets=budgets(settings),
            policy=outbox_policy(settings),
            default_language=settings.default_language,
            wake=engine.outbox_written,
            file_sources=engine.file_sources,
        )
        for front_end in self.front_ends:  # a platform that keeps people's files hands their bytes over
            if isinstance(front_end, FileSource):
                engine.file_sources[front_end.platform] = front_end
        self.alerts = AlertFanOut(engine.database, engine.clock, wake=engine.outbox_written)
        self.leadership = Leadership(engine.database)
        self.stopping = asyncio.Event()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def turn(self, event: Inbound) -> None:
        """One update from a front end: the engine's turn, then its replies, sent in order."""
        self._in_flight += 1
        self._idle.clear()
        try:
            for reply in await self.engine.handle(event):
                await self.dispatcher.send_now(reply)
            if self.deliver_before_next_input:  # the job this turn posted alerts first, then everything is shown
                await self.alerts.step()
                await self.dispatcher.drain()
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    def stop(self) -> None:
        self.stopping.set()

    async def _lead(self, scheduler: AsyncIOScheduler) -> None:
        """Run the scheduler in one process only: this one once it holds the lead (at once on SQLite; on
        PostgreSQL when no other process holds it, tried again every ``LEAD_RETRY_SECONDS``, so a process takes
        over when the leader dies)."""
        while not self.stopping.is_set():
            try:
                if await self.leadership.try_take():
                    scheduler.start()
                    log.info("this process runs the scheduler")
                    return
            except Exception:
                log.exception("could not try for the scheduler's lead; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), LEAD_RETRY_SECONDS)

    async def run(self) -> None:
        """Serve until stopped; returns once everything is closed."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not on this platform / thread
                loop.add_signal_handler(signum, self.stop)
        scheduler = build_scheduler(self.engine, self.settings.scheduler, self.settings.outbox)
        if self.feeds is not None:
            schedule_feeds(scheduler, self.feeds, self.settings.feeds)
        leading = asyncio.create_task(self._lead(scheduler), name="scheduler-leadership")
        dispatching = asyncio.create_task(self.dispatcher.run(self.stopping), name="dispatcher")
        alerting = asyncio.create_task(self.alerts.run(self.stopping), name="alerts")
        try:
            for front_end in self.front_ends:
                await front_end.start(self.turn)
                log.info("front end started: %s", front_end.platform)
            _freeze_start_up()
            done = [asyncio.ensure_future(front_end.done.wait()) for front_end in self.front_ends]
            stopping = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait([*done, stopping], return_when=asyncio.FIRST_COMPLETED)
            for waiter in (*done, stopping):
                waiter.cancel()
        finally:
            log.info("stopping: intake first, then the turns in flight")
            for front_end in self.front_ends:
                with contextlib.suppress(Exception):
                    await front_end.stop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), TURNS_FINISH_WITHIN)
            self.stopping.set()
            await asyncio.wait([dispatching, alerting, leading], timeout=TURNS_FINISH_WITHIN)
            if scheduler.running:
                scheduler.shutdown(wait=False)
            await self.leadership.give_up()
            for signum in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(signum)
