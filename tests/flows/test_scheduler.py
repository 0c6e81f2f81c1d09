"""The scheduler runs every sweep at start and then on the intervals the config names; each one runs cleanly on a
fresh database."""

from __future__ import annotations

from bot.bootstrap import App, feed_poller
from bot.config import FeedSettings, OutboxSettings, SchedulerSettings
from bot.conversations.feed_sources import PollCounts
from bot.scheduler import SWEEPS, build_scheduler, schedule_feeds
from tests.delivery import delivered


async def test_every_sweep_is_scheduled_on_its_configured_interval_and_runs(app: App) -> None:
    settings = SchedulerSettings(timeouts_seconds=7, sweeps_seconds=600, prune_hours=2, digests_seconds=120)
    scheduler = build_scheduler(app.engine, settings, OutboxSettings())
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {sweep.name for sweep in SWEEPS} | {"conversation-timeouts", "prune", "alert-digests"} == jobs.keys()
    assert jobs["conversation-timeouts"].trigger.interval.total_seconds() == 7
    assert jobs["prune"].trigger.interval.total_seconds() == 2 * 3600
    assert jobs["alert-digests"].trigger.interval.total_seconds() == 120
    assert all(jobs[sweep.name].trigger.interval.total_seconds() == 600 for sweep in SWEEPS)
    for job in jobs.values():
        await job.func(*job.args)
    assert await delivered(app) == []  # nothing was due


async def test_each_feed_is_polled_on_its_own_interval_and_a_failing_one_is_one_error(app: App) -> None:
    feeds = [
        FeedSettings(name="fast", url="http://127.0.0.1:9/fast.rss", kind="rss", interval_seconds=60),
        FeedSettings(name="slow", url="http://127.0.0.1:9/slow.rss", kind="rss", interval_seconds=3600),
    ]
    scheduler = build_scheduler(app.engine, SchedulerSettings(), OutboxSettings())
    schedule_feeds(scheduler, feed_poller(app), feeds)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert jobs["feed:fast"].trigger.interval.total_seconds() == 60
    assert jobs["feed:slow"].trigger.interval.total_seconds() == 3600
    assert await jobs["feed:fast"].func(*jobs["feed:fast"].args) == PollCounts("fast", errors=1)  # nothing listens
