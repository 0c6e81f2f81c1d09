"""Telegram throughput: simulated people chatting with a real gigbot runtime through the fake Bot API server.

The runtime (engine, dispatcher, scheduler, the Telegram front end on python-telegram-bot over real HTTP) runs in
this process on a fresh SQLite file; the fake server (tests/adapters/fake_bot_api.py) and the simulated people run
in a child process, so the bot has a core of its own, as in a deployment (Telegram is elsewhere). N people, most
of them signed up already and a tenth new, act at an offered rate: the new ones /start and answer the sign-up, the
others search with words, press buttons on the last message (a job, the next page, the menu), ask for /help and
/menu, type words to search again, open a job by number. Each person waits for the bot's answer before acting
again. Latency is measured per update, in the child (one clock): from the fake putting it in the getUpdates queue
to the bot's first message (sent or edited) in that chat afterwards.

The Telegram budget is raised far above Telegram's real limits (the fake does not rate limit): this measures
handling, not Telegram's pacing.

    .venv/bin/python bench/telegram_throughput.py                  # 1,000 people at 300 updates/s
    .venv/bin/python bench/telegram_throughput.py --scale          # 100, 1,000 and 10,000 people in turn
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.adapters.telegram.frontend import TelegramFrontEnd
from bot.bootstrap import build_app, command_menus
from bot.config import Settings
from bot.core.accounts import NewAccount
from bot.core.jobs import JobDraft
from bot.core.services import Services
from bot.runtime import Runtime
from bot.storage.repositories import Repositories
from tests.adapters.fake_bot_api import TOKEN, FakeBotApi, User

NEW_EVERY = 10  # one person in ten is new and signs up first
REPLY_WITHIN = 10.0  # seconds: an update with no answer by then is an error
WORDS = ["python", "django", "react", "logo", "data", "api", "design", "shop", "bot", "scraper", "dashboard", "app"]
TITLES = [
    "Build a Django REST API",
    "Python scraper for price data",
    "Design a logo for a bakery",
    "React dashboard for sales data",
    "Python data pipeline on AWS",
    "Django shop with Stripe",
    "Telegram bot in Python",
    "Mobile app design in Figma",
    "Data analysis of survey results",
    "WordPress site for a dentist",
]
PRESSABLE = ("1.", "2.", "3.", "4.", "5.", "Next ▶", "◀", "⬅️ Main menu", "🔎 Find work", "♥ Saved jobs", "❓ Help")


class TimedBotApi(FakeBotApi):
    """The fake server, noting when each chat's update was queued and when the bot first answered it."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, float] = {}  # chat -> when its unanswered update was queued
        self.answered: dict[int, asyncio.Event] = {}
        self.latencies: list[tuple[float, float]] = []  # (answered at, seconds)
        self.http_errors = 0

    def queue(self, update: dict[str, Any]) -> int:
        body = update.get("message") or update["callback_query"]["message"]
        self.waiting[body["chat"]["id"]] = time.monotonic()
        return super().queue(update)

    def _answering(self, params: dict[str, Any]) -> None:
        chat = params.get("chat_id", 0)
        queued = self.waiting.pop(chat, None)
        if queued is not None:
            now = time.monotonic()
            self.latencies.append((now, now - queued))
            self.answered[chat].set()

    async def _handle(self, request: web.Request) -> web.Response:
        response = await super()._handle(request)
        if response.status >= 400 and "not modified" not in (response.text or ""):
            self.http_errors += 1
        return response

    async def _sendMessage(self, params: dict[str, Any]) -> web.Response:
        self._answering(params)
        return await super()._sendMessage(params)

    async def _sendDocument(self, params: dict[str, Any]) -> web.Response:
        self._answering(params)
        return await super()._sendDocument(params)

    async def _edit(self, params: dict[str, Any], **changes: Any) -> web.Response:
        self._answering(params)
        return await super()._edit(params, **changes)


@dataclass
class Person:
    """One simulated person and what they do next, from what the bot last showed them."""

    user: User
    rng: random.Random
    signed_up: bool
    jobs: list[int]
    unanswered: int = 0
    actions: dict[str, int] = field(default_factory=dict)

    def act(self) -> None:
        kind = self._signing_up() if not self.signed_up else self._using()
        self.actions[kind] = self.actions.get(kind, 0) + 1

    def _press(self, label: str) -> str:
        self.user.press(self.user.last, label)
        return "press"

    def _send(self, text: str, kind: str) -> str:
        self.user.send(text)
        return kind

    def _signing_up(self) -> str:
        last = self.user.messages[-1].text if self.user.messages else ""
        if "Choose your language" in last:
            return self._press("English")
        if "How will you use gigbot?" in last:
            return self._press("Freelance")
        if "Your full name" in last:
            return self._send(name_of(self.user.id), "answer")
        if "Choose a username" in last:
            return self._send(f"@person{self.user.id}", "answer")
        if "Which country" in last:
            return self._send(self.rng.choice(["France", "Germany", "Spain", "Italy"]), "answer")
        if "several time zones" in last:
            return self._press(self.user.last.labels[0])
        if "Please check your details" in last:
            return self._press("Create my account")
        if "Your account is ready" in last:
            self.signed_up = True
            return self._using()
        return self._send("/start", "command")

    def _using(self) -> str:
        last = self.user.messages[-1] if self.user.messages else None
        roll = self.rng.random()
        pressable = [label for label in last.labels if label.startswith(PRESSABLE)] if last else []
        if pressable and roll < 0.35:
            return self._press(self.rng.choice(pressable))
        if last is not None and "Jobs matching" in last.text and roll < 0.45:
            return self._send(" ".join(self.rng.sample(WORDS, 2)), "answer")  # typed while searching: a new query
        if roll < 0.7:
            return self._send(f"/search {' '.join(self.rng.sample(WORDS, self.rng.randint(1, 2)))}", "command")
        if roll < 0.8:
            return self._send("/menu", "command")
        if roll < 0.9:
            return self._send("/help", "command")
        return self._send(f"/job {self.rng.choice(self.jobs)}", "command")


def settings_for(folder: Path, base_url: str) -> Settings:
    no_pacing = {"per_second": 1_000_000, "per_chat_per_second": 100_000, "per_chat_burst": 100}
    return Settings(
        data_dir=folder,
        secret_key="bench-secret-key-bench-secret-key",
        database={"url": f"sqlite+aiosqlite:///{folder / 'gigbot.db'}"},
        telegram={"token": TOKEN, "api_base_url": base_url, "budget": no_pacing},
        log_level="WARNING",
    )


async def seed(services_for: Any, people: int, new_every: int, jobs: int) -> list[int]:
    """Clients with ``jobs`` open jobs, and the people who are signed up already; returns the job ids."""
    job_ids = []
    async with services_for() as services:
        client = await services.accounts.create(
            "seed", "client", NewAccount("client", "Clara Client", False, True, "en", "FR", "Europe/Paris")
        )
        for n in range(jobs):
            draft = JobDraft(
                title=f"{TITLES[n % len(TITLES)]} #{n}",
                description="We need someone experienced to build this with tests and documentation.",
                category="dev",
                skills=["Python", "Django"] if n % 2 else ["React", "JavaScript"],
                job_type="hourly",
                rate_min_minor=2500,
                rate_max_minor=4000,
                experience="intermediate",
                project_length="1to3",
                hours_per_week="lt30",
            )
            job_ids.append((await services.jobs.save(client, draft, None, publish=True)).id)
    for start in range(0, people, 1000):
        async with services_for() as services:
            for n in range(start, min(people, start + 1000)):
                if n % new_every:
                    new = NewAccount(f"user{n}", name_of(n), True, False, "en", "FR", "Europe/Paris")
                    await services.accounts.create("telegram", str(user_id(n)), new)
    return job_ids


def name_of(n: int) -> str:
    """A full name for person ``n`` (names hold letters only)."""
    letters = ""
    while True:
        n, digit = divmod(n, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[digit]
        if not n:
            return f"Sam {letters.title()}"


def user_id(n: int) -> int:
    return 10_000_000 + n


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Result:
    users: int
    updates_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    offered: float
    actions: dict[str, int]
    answered: int  # updates answered in the whole run (warm-up too)
    bot_cpu_ms: float = float("nan")  # the bot's process CPU per answered update: steadier than a saturated rate
    bot_system_ms: float = float("nan")  # of which in the kernel (sockets, SQLite's writes)


async def run_level(people: int, rate: float, seconds: float, warmup: float, jobs: int, seed_value: int) -> Result:
    """The bot's side of one run: the runtime here, the fake server and the people in a child process."""
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    crowd = multiprocessing.get_context("spawn").Process(
        target=crowd_process, args=(theirs, people, rate, seconds, warmup, seed_value), name="bench-crowd"
    )
    crowd.start()
    base_url = await asyncio.to_thread(ours.recv)
    folder = Path(tempfile.mkdtemp(prefix="gigbot-bench-"))
    settings = settings_for(folder, base_url)
    app = await build_app(settings)

    @contextlib.asynccontextmanager
    async def services_for() -> Any:
        async with app.database.transaction() as session:
            yield Services.bind(Repositories.bind(session), app.engine.clock.now())

    started = time.monotonic()
    job_ids = await seed(services_for, people, NEW_EVERY, jobs)
    print(f"  seeded {people} people and {jobs} jobs in {time.monotonic() - started:.1f} s", flush=True)
    telegram = TelegramFrontEnd(app.engine.codec, settings.telegram, command_menus=command_menus(app.engine))
    runtime = Runtime(settings, app.engine, [telegram])
    running = asyncio.create_task(runtime.run())
    before = os.times()
    ours.send(job_ids)  # the people start once the front end has set its commands
    result, backlog = await asyncio.to_thread(ours.recv)
    after, per_update = os.times(), 1000 / max(1, result.answered)
    result.bot_cpu_ms = (after.user + after.system - before.user - before.system) * per_update
    result.bot_system_ms = (after.system - before.system) * per_update
    runtime.stop()
    try:
        await asyncio.wait_for(running, 60)
    except TimeoutError:
        print(f"  the runtime took over 60 s to stop ({backlog} updates were still queued)")
    await app.close()
    ours.send("stopped")  # the fake may go now
    await asyncio.to_thread(crowd.join)
    return result


def crowd_process(pipe: Connection, people: int, rate: float, seconds: float, warmup: float, seed_value: int) -> None:
    """The child: the fake Bot API server and the simulated people."""
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(crowd_run(pipe, people, rate, seconds, warmup, seed_value))


async def crowd_run(pipe: Connection, people: int, rate: float, seconds: float, warmup: float, seed_value: int) -> None:
    server = TimedBotApi()
    await server.start()
    pipe.send(server.base_url)
    job_ids = await asyncio.to_thread(pipe.recv)
    rng = random.Random(seed_value)
    crowd = [
        Person(server.user(user_id(n), f"User{n}"), random.Random(rng.random()), bool(n % NEW_EVERY), job_ids)
        for n in range(people)
    ]
    for person in crowd:
        server.answered[person.user.id] = asyncio.Event()
    while not server.commands:  # the front end has started  # noqa: ASYNC110
        await asyncio.sleep(0.05)

    tickets: asyncio.Queue[None] = asyncio.Queue()
    stop = asyncio.Event()
    unanswered = 0

    async def offer() -> None:
        """Tickets at ``rate`` a second: whoever is idle first takes the next one and acts."""
        begun, sent = time.monotonic(), 0
        while not stop.is_set():
            due = int((time.monotonic() - begun) * rate)
            for _ in range(due - sent):
                tickets.put_nowait(None)
            sent = due
            await asyncio.sleep(0.005)

    async def live(person: Person) -> None:
        nonlocal unanswered
        answered = server.answered[person.user.id]
        while not stop.is_set():
            await tickets.get()
            answered.clear()
            person.act()
            try:
                await asyncio.wait_for(answered.wait(), REPLY_WITHIN)
            except TimeoutError:
                unanswered += 1
                server.waiting.pop(person.user.id, None)

    order = crowd[:]
    rng.shuffle(order)
    lives = [asyncio.create_task(live(person)) for person in order]
    offering = asyncio.create_task(offer())
    begun = time.monotonic()
    await asyncio.sleep(warmup + seconds)
    stop.set()
    ended = time.monotonic()
    offering.cancel()
    for task in lives:
        task.cancel()
    await asyncio.gather(*lives, offering, return_exceptions=True)
    window = [latency for at, latency in server.latencies if begun + warmup <= at <= ended]
    actions: dict[str, int] = {}
    for person in crowd:
        for kind, count in person.actions.items():
            actions[kind] = actions.get(kind, 0) + count
    result = Result(
        users=people,
        updates_per_s=len(window) / seconds,
        p50_ms=percentile(window, 0.50) * 1000,
        p99_ms=percentile(window, 0.99) * 1000,
        errors=unanswered + server.http_errors,
        offered=rate,
        actions=actions,
        answered=len(server.latencies),
    )
    pipe.send((result, len(server.updates)))
    await asyncio.to_thread(pipe.recv)  # the runtime has stopped
    await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000, help="simulated people (default 1000)")
    parser.add_argument("--scale", action="store_true", help="run 100, 1000 and 10000 people in turn")
    parser.add_argument("--rate", type=float, default=300, help="updates offered per second (default 300)")
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per run (default 20)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds before measuring (default 3)")
    parser.add_argument("--jobs", type=int, default=200, help="open jobs to search (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=Path, help="write a CPU-time cProfile of the bot's process (last run) here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    levels = [100, 1000, 10_000] if args.scale else [args.users]
    print(f"Telegram throughput: {args.rate:g} updates/s offered for {args.seconds:g} s (after {args.warmup:g} s)")
    results = []
    for people in levels:
        print(f"{people} people:", flush=True)
        run = run_level(people, args.rate, args.seconds, args.warmup, args.jobs, args.seed)
        if args.profile is not None and people == levels[-1]:
            import cProfile

            profiler = cProfile.Profile(time.process_time)  # CPU time: what other processes take is not ours
            result = profiler.runcall(asyncio.run, run)
            profiler.dump_stats(args.profile)
        else:
            result = asyncio.run(run)
        results.append(result)
        mix = ", ".join(f"{kind} {count}" for kind, count in sorted(result.actions.items()))
        print(
            f"  handled {result.updates_per_s:.1f} updates/s of {result.offered:g} offered; "
            f"latency p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms; errors {result.errors}; sent: {mix}; "
            f"bot CPU {result.bot_cpu_ms:.1f} ms per update ({result.bot_system_ms:.1f} in the kernel)",
            flush=True,
        )
    last = results[-1]
    if len(results) > 1:
        first = results[0]
        print(f"p99 from {first.users} to {last.users} people: x{last.p99_ms / first.p99_ms:.2f}")
    print(
        f"RESULT users={last.users} updates_per_s={last.updates_per_s:.1f} p50_ms={last.p50_ms:.1f} "
        f"p99_ms={last.p99_ms:.1f} errors={last.errors}"
    )


if __name__ == "__main__":
    main()
