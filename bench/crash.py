"""Alerts through crashes: `gigbot run` is killed (kill -9) at random moments while it fans a job out to many
people, and started again, several times; then the alerts each person received are counted.

The fake Bot API server (which enforces Telegram's 30 messages a second) runs in this process and outlives the
bot's restarts, as Telegram does. A run seeds a fresh database with R people who saved a search for "django" and
one matching job, then kills the bot K times at random moments before letting it finish. Lost: a person never
alerted. Duplicated: a person alerted twice (possible only for a message Telegram accepted just before the kill).

    .venv/bin/python bench/crash.py                        # 5 runs of 300 people, 3 kills each
    .venv/bin/python bench/crash.py --runs 10 --kills 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fanout import FIRST_USER, LimitedBotApi, post, seed
from bot.bootstrap import build_app
from bot.config import Settings
from tests.adapters.fake_bot_api import TOKEN

GIGBOT = str(Path(sys.executable).with_name("gigbot"))
SECRET = "bench-secret-key-bench-secret-key"


def environment(server: LimitedBotApi, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIGBOT_")}
    return env | {
        "GIGBOT_SECRET_KEY": SECRET,
        "GIGBOT_TELEGRAM__TOKEN": TOKEN,
        "GIGBOT_TELEGRAM__API_BASE_URL": server.base_url,
        "GIGBOT_DATABASE__URL": f"sqlite+aiosqlite:///{folder / 'gigbot.db'}",
        "GIGBOT_OUTBOX__POLL_SECONDS": "0.5",
        "GIGBOT_OUTBOX__LEASE_SECONDS": "5",
        "GIGBOT_LOG_LEVEL": "WARNING",
    }


async def one_run(recipients: int, kills: int, rng: random.Random) -> tuple[int, int]:
    server = LimitedBotApi()
    await server.start()
    folder = Path(tempfile.mkdtemp(prefix="gigbot-crash-"))
    settings = Settings(
        data_dir=folder, secret_key=SECRET, database={"url": f"sqlite+aiosqlite:///{folder / 'gigbot.db'}"}
    )
    app = await build_app(settings)
    await seed(app, recipients)
    await post(app)
    await app.close()
    for n in range(recipients):
        server.user(FIRST_USER + n, f"Fan{n}")
    env = environment(server, folder)
    log = (folder / "stderr.log").open("a")
    fanned_out = recipients / 30
    for _ in range(kills):
        bot = await asyncio.create_subprocess_exec(GIGBOT, "run", cwd=folder, env=env, stderr=log)
        await asyncio.sleep(rng.uniform(1.0, 2.0 + fanned_out / kills))
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
    bot = await asyncio.create_subprocess_exec(GIGBOT, "run", cwd=folder, env=env, stderr=log)
    deadline = time.monotonic() + fanned_out * 2 + 60
    while len({chat for _, chat in server.alerts}) < recipients and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    await asyncio.sleep(3)  # the lease of a row claimed before the last kill has passed: a resend would show
    bot.send_signal(signal.SIGTERM)
    await bot.wait()
    log.close()
    await server.stop()
    per_chat = Counter(chat for _, chat in server.alerts)
    return recipients - len(per_chat), sum(count - 1 for count in per_chat.values())


async def run(runs: int, recipients: int, kills: int, seed_value: int) -> str:
    rng = random.Random(seed_value)
    lost = duplicated = 0
    for number in range(1, runs + 1):
        run_lost, run_duplicated = await one_run(recipients, kills, rng)
        lost, duplicated = lost + run_lost, duplicated + run_duplicated
        print(f"run {number}: {kills} kills, lost {run_lost}, duplicated {run_duplicated}", flush=True)
    return f"RESULT runs={runs} lost={lost} dup={duplicated}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--recipients", type=int, default=300)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    options = parser.parse_args()
    print(asyncio.run(run(options.runs, options.recipients, options.kills, options.seed)))


if __name__ == "__main__":
    main()
