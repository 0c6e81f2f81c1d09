"""The scheduler runs every sweep at start and then on its interval; each one runs cleanly on a fresh database."""

from __future__ import annotations

from bot.bootstrap import App
from bot.core.events import Outbound
from bot.scheduler import HOURLY_SWEEPS, build_scheduler


async def test_every_sweep_is_scheduled_and_runs(app: App) -> None:
    delivered: list[Outbound] = []

    async def deliver(outbound: list[Outbound]) -> None:
        delivered.extend(outbound)

    scheduler = build_scheduler(app.engine, deliver, sweep_seconds=30)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {sweep.__name__ for sweep in HOURLY_SWEEPS} <= jobs.keys()
    assert {"expire-idle", "forget-updates"} <= jobs.keys()
    for job in jobs.values():
        await job.func(*job.args)
    assert delivered == []  # nothing was due
