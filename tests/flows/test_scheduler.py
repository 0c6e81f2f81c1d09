"""The scheduler runs every sweep at start and then on the intervals the config names; each one runs cleanly on a
fresh database."""

from __future__ import annotations

from bot.bootstrap import App
from bot.config import OutboxSettings, SchedulerSettings
from bot.scheduler import SWEEPS, build_scheduler
from tests.delivery import delivered


async def test_every_sweep_is_scheduled_on_its_configured_interval_and_runs(app: App) -> None:
    settings = SchedulerSettings(timeouts_seconds=7, sweeps_seconds=600, prune_hours=2)
    scheduler = build_scheduler(app.engine, settings, OutboxSettings())
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {sweep.name for sweep in SWEEPS} | {"conversation-timeouts", "prune"} == jobs.keys()
    assert jobs["conversation-timeouts"].trigger.interval.total_seconds() == 7
    assert jobs["prune"].trigger.interval.total_seconds() == 2 * 3600
    assert all(jobs[sweep.name].trigger.interval.total_seconds() == 600 for sweep in SWEEPS)
    for job in jobs.values():
        await job.func(*job.args)
    assert await delivered(app) == []  # nothing was due
