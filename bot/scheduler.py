"""Background jobs on APScheduler's asyncio scheduler: conversation timeouts, update-log pruning, and the
hourly marketplace sweeps (job expiry, auto-release and its reminders, weekly invoices, earnings, feedback)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.conversations.contract_sweeps import issue_weekly_invoices, pay_reviewed_invoices, release_due_milestones
from bot.conversations.engine import Deliver, Engine
from bot.conversations.money_sweeps import feedback_sweep, mature_earnings
from bot.conversations.my_jobs import expire_stale_jobs
from bot.storage.repositories import Repositories

log = logging.getLogger("gigbot.scheduler")

UPDATE_IDS_KEPT_FOR = timedelta(days=2)

# Idempotent sweeps that notify people; last week's invoices go out in the first hour of Monday (UTC).
HOURLY_SWEEPS = (
    expire_stale_jobs,
    release_due_milestones,
    issue_weekly_invoices,
    pay_reviewed_invoices,
    mature_earnings,
    feedback_sweep,
)


async def expire_idle_conversations(engine: Engine, deliver: Deliver) -> None:
    notices = await engine.expire_idle()
    if notices:
        await deliver(notices)


async def forget_old_update_ids(engine: Engine) -> None:
    """Platforms redeliver within minutes; two days of ids is plenty to make redelivery a no-op."""
    async with engine.database.transaction() as session:
        removed = await Repositories.bind(session).updates.forget_before(engine.clock.now() - UPDATE_IDS_KEPT_FOR)
    log.info("forgot %d old update ids", removed)


def build_scheduler(engine: Engine, deliver: Deliver, sweep_seconds: int) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        expire_idle_conversations,
        "interval",
        seconds=sweep_seconds,
        args=(engine, deliver),
        id="expire-idle",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        forget_old_update_ids,
        "interval",
        hours=6,
        args=(engine,),
        id="forget-updates",
        max_instances=1,
        coalesce=True,
    )
    for sweep in HOURLY_SWEEPS:
        scheduler.add_job(
            sweep,
            "interval",
            hours=1,
            next_run_time=datetime.now(UTC),  # at start too: what fell due while the bot was down goes out now
            args=(engine, deliver),
            id=sweep.__name__,
            max_instances=1,
            coalesce=True,
        )
    return scheduler
