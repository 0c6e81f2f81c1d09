"""Alert fan-out through Telegram's limits: one job that matches M people's saved searches (default 10,000),
delivered by a real runtime through the fake Bot API server (in a child process, as Telegram is elsewhere), which
here enforces Telegram's overall limit (more than 30 messages in any second answers 429 with retry_after).

Prints the achieved rate against the 30/s budget, the 429s the server answered, the time from the post's commit to
the first and to the last alert, and the alerts lost (a person never alerted) or duplicated (alerted twice).

    .venv/bin/python bench/fanout.py                      # 10,000 people: about six minutes at 30/s
    .venv/bin/python bench/fanout.py --recipients 1000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import sys
import tempfile
import time
from collections import Counter, deque
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.telegram_throughput import name_of
from bot.adapters.telegram.frontend import TelegramFrontEnd
from bot.bootstrap import build_app, command_menus
from bot.config import Settings
from bot.core.accounts import NewAccount
from bot.core.jobs import JobDraft
from bot.core.search import JobFilters
from bot.core.services import Services
from bot.runtime import Runtime
from bot.storage.repositories import Repositories
from tests.adapters.fake_bot_api import TOKEN, FakeBotApi

BUDGET_PER_S = 30
FIRST_USER = 10_000_000


class LimitedBotApi(FakeBotApi):
    """The fake Bot API, answering 429 as Telegram does past 30 messages in a second, and timing the alerts."""

    def __init__(self) -> None:
        super().__init__()
        self.window: deque[float] = deque()
        self.too_many = 0
        self.alerts: list[tuple[float, int]] = []  # (when, chat) of each alert accepted

    async def _sendMessage(self, params: dict[str, Any]) -> web.Response:
        now = time.monotonic()
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        if len(self.window) >= BUDGET_PER_S:
            self.too_many += 1
            return web.json_response(
                {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                 "parameters": {"retry_after": 1}},
                status=429,
            )  # fmt: skip
        self.window.append(now)
        if params.get("text", "").startswith("🔔"):
            self.alerts.append((now, int(params["chat_id"])))
        return await super()._sendMessage(params)


async def seed(app: Any, recipients: int) -> None:
    """``recipients`` freelancers on Telegram, each with a saved search for "django"."""
    for start in range(0, recipients, 1000):
        async with app.database.transaction() as session:
            services = Services.bind(Repositories.bind(session), app.engine.clock.now())
            for n in range(start, min(recipients, start + 1000)):
                account = await services.accounts.create(
                    "telegram",
                    str(FIRST_USER + n),
                    NewAccount(f"fan{n}", name_of(n), True, False, "en", "FR", "Europe/Paris"),
                )
                await services.alerts.save(account, "django", JobFilters(), "django")


async def post(app: Any) -> float:
    """A client posts the matching job; returns when it was committed."""
    async with app.database.transaction() as session:
        services = Services.bind(Repositories.bind(session), app.engine.clock.now())
        client = await services.accounts.create(
            "seed", "client", NewAccount("client", "Clara Client", False, True, "en", "FR", "Europe/Paris")
        )
        draft = JobDraft(
            title="Build a Django REST API",
            description="We need a REST API for our booking app, with tests and docs.",
            category="dev",
            skills=["Python", "Django"],
            job_type="hourly",
            rate_min_minor=2500,
            rate_max_minor=4000,
            experience="intermediate",
            project_length="1to3",
            hours_per_week="lt30",
        )
        await services.jobs.save(client, draft, None, publish=True)
    return time.monotonic()


async def run(recipients: int) -> str:
    """The bot's side: the runtime here, the fake Bot API in a child process (Telegram is elsewhere, and a busy
    bot must not delay the moments the fake counts its messages at)."""
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    fake = multiprocessing.get_context("spawn").Process(target=fake_process, args=(theirs, recipients), name="fake")
    fake.start()
    base_url = await asyncio.to_thread(ours.recv)
    folder = Path(tempfile.mkdtemp(prefix="gigbot-fanout-"))
    settings = Settings(
        data_dir=folder,
        secret_key="bench-secret-key-bench-secret-key",
        database={"url": f"sqlite+aiosqlite:///{folder / 'gigbot.db'}"},
        telegram={"token": TOKEN, "api_base_url": base_url},  # Telegram's own limits, the defaults
        outbox={"poll_seconds": 0.5},
        log_level="WARNING",
    )
    app = await build_app(settings)
    started = time.monotonic()
    await seed(app, recipients)
    print(f"seeded {recipients:,} people with a saved search in {time.monotonic() - started:.1f} s", flush=True)

    telegram = TelegramFrontEnd(app.engine.codec, settings.telegram, command_menus=command_menus(app.engine))
    runtime = Runtime(settings, app.engine, [telegram])
    running = asyncio.create_task(runtime.run())
    await asyncio.to_thread(ours.recv)  # the front end has started, and the matcher has been built
    posted = await post(app)
    ours.send(posted)  # one clock: CLOCK_MONOTONIC is the machine's, not the process's
    alerts, too_many = await asyncio.to_thread(ours.recv)
    runtime.stop()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(running, 30)
    await app.close()
    ours.send("stopped")
    await asyncio.to_thread(fake.join)

    times = sorted(when for when, _ in alerts)
    per_chat = Counter(chat for _, chat in alerts)
    lost = recipients - len(per_chat)
    duplicated = sum(count - 1 for count in per_chat.values())
    first, last = (times[0] - posted, times[-1] - posted) if times else (float("nan"), float("nan"))
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    print(f"alerts: {len(times):,} to {len(per_chat):,} people; first {first:.2f} s, last {last:.1f} s after posting")
    print(f"rate: {rate:.1f}/s of a {BUDGET_PER_S}/s budget ({rate / BUDGET_PER_S:.0%}); 429s: {too_many}")
    return (
        f"RESULT recipients={recipients} rate_per_s={rate:.1f} budget_per_s={BUDGET_PER_S} http_429={too_many} "
        f"first_alert_s={first:.2f} last_alert_s={last:.1f} lost={lost} dup={duplicated}"
    )


def fake_process(pipe: Connection, recipients: int) -> None:
    """The child: the rate-limited fake Bot API, counting the alerts until every person has one or time is up."""
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve_fake(pipe, recipients))


async def serve_fake(pipe: Connection, recipients: int) -> None:
    server = LimitedBotApi()
    await server.start()
    for n in range(recipients):
        server.user(FIRST_USER + n, f"Fan{n}")
    pipe.send(server.base_url)
    while not server.commands:  # the front end has started  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.5)  # the matcher has been built
    pipe.send("ready")
    posted = await asyncio.to_thread(pipe.recv)
    deadline = posted + recipients / BUDGET_PER_S * 1.5 + 30
    while len({chat for _, chat in server.alerts}) < recipients and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)  # anything sent twice would show now
    pipe.send((server.alerts, server.too_many))
    await asyncio.to_thread(pipe.recv)  # the bot has stopped
    await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    options = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(asyncio.run(run(options.recipients)))


if __name__ == "__main__":
    main()
