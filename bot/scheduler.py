"""Scheduled jobs on APScheduler's asyncio scheduler, with every front end: closing idle conversations,
forgetting old update ids and sent notifications, and the marketplace sweeps (job expiry, milestone auto-release
and its reminders, weekly invoices and their payment, earnings maturing, feedback reminders, client ratings), and
polling each external job feed every ``interval_seconds`` of its own.

Nothing here keeps state across a restart: each job derives what is due from the database, and every sweep
also runs at start, so what fell due while the bot was down goes out at once. Notifications go to the outbox.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import FeedSettings, OutboxSettings, SchedulerSettings
from bot.conversations.alerts import ALERT_DIGESTS
from bot.conversations.contract_sweeps import AUTO_RELEASE, PAY_INVOICES, WEEKLY_INVOICES
from bot.conversations.engine import Engine
from bot.conversations.feed_sources import FeedPoller
from bot.conversations.flow import Sweep
from bot.conversations.money_sweeps import CLIENT_RATINGS, FEEDBACK_REMINDERS, MATURE_EARNINGS
from bot.conversations.my_jobs import EXPIRE_STALE_JOBS
from bot.storage.repositories import Repositories

log = logging.getLogger("gigbot.scheduler")

UPDATE_IDS_KEPT_FOR = timedelta(days=2)  # platforms redeliver within minutes: plenty to make redelivery a no-op

SWEEPS: tuple[Sweep, ...] = (
    EXPIRE_STALE_JOBS,
    AUTO_RELEASE,
    WEEKLY_INVOICES,  # last week's invoices go out in the first run after Monday 00:00 UTC
    PAY_INVOICES,
    MATURE_EARNINGS,
    FEEDBACK_REMINDERS,
    CLIENT_RATINGS,
)


async def run_sweep(engine: Engine, sweep: Sweep) -> None:
    done = await engine.run_sweep(sweep)
    if done:
        log.info("sweep %s handled %d items", sweep.name, done)


async def prune(engine: Engine, keep_sent: timedelta) -> None:
    now = engine.clock.now()
    async with engine.database.transaction() as session:
        repos = Repositories.bind(session)
        updates = await repos.updates.forget_before(now - UPDATE_IDS_KEPT_FOR)
        sent = await repos.outbox.forget_sent_before(now - keep_sent)
        await repos.sent_messages.forget_before(now - keep_sent)  # replying to a message that old starts afresh
    log.info("forgot %d old update ids and %d sent notifications", updates, sent)


def build_scheduler(engine: Engine, settings: SchedulerSettings, outbox: OutboxSettings) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    common = {"max_instances": 1, "coalesce": True}
    scheduler.add_job(
        engine.expire_idle,
        "interval",
        seconds=settings.timeouts_seconds,
        next_run_time=datetime.now(UTC),  # timeouts that fell due while the bot was down
        id="conversation-timeouts",
        **common,
    )
    scheduler.add_job(
        prune,
        "interval",
        hours=settings.prune_hours,
        args=(engine, timedelta(days=outbox.keep_sent_days)),
        id="prune",
        **common,
    )
    every = [(sweep, settings.sweeps_seconds) for sweep in SWEEPS] + [(ALERT_DIGESTS, settings.digests_seconds)]
    for sweep, seconds in every:
        scheduler.add_job(
            run_sweep,
            "interval",
            seconds=seconds,
            next_run_time=datetime.now(UTC),
            args=(engine, sweep),
            id=sweep.name,
            **common,
        )
    return scheduler


def schedule_feeds(scheduler: AsyncIOScheduler, poller: FeedPoller, feeds: list[FeedSettings]) -> None:
    """One job per feed at its own interval, the first poll at start (conditional, so a restart costs a 304)."""
    for feed in feeds:
        scheduler.add_job(
            poller.poll_safely,
            "interval",
            seconds=feed.interval_seconds,
            next_run_time=datetime.now(UTC),
            args=(feed,),
            id=f"feed:{feed.name}",
            max_instances=1,
            coalesce=True,
        )
