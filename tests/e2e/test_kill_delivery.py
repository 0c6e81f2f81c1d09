"""kill -9 during delivery loses no notification: a real `gigbot console` process is killed while its dispatcher
works through the outbox, then started again; everything committed arrives, and the only repeat is a message the
terminal had printed just before the kill (at most one per chat). And Ctrl-C or SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.storage.db import Database
from bot.storage.repositories import Repositories
from tests.e2e.test_console import GIGBOT, gigbot

NOTICES = 300
KILL_AFTER = 80
MARKER = "kill-test-"


class Console:
    """A running `gigbot console` whose output is read line by line in a thread."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [GIGBOT, "console"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=workdir,
            env=env,
        )
        self.markers: list[str] = []
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if MARKER in line:
                self.markers.append(line.strip())

    def wait_for(self, predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"gave up waiting: {len(self.markers)} notices seen")
            time.sleep(0.05)

    def wait_for_output(self, text: str, timeout: float) -> None:
        self.wait_for(lambda: any(text in line for line in self.lines), timeout)


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIGBOT_")}
    return env | {
        "LANG": "en_US.UTF-8",
        "LC_ALL": "",
        "NO_COLOR": "1",
        "GIGBOT_DATABASE__URL": database_url,
        "GIGBOT_CONSOLE__BUDGET__PER_SECOND": "60",  # five seconds of delivery: time to kill it half-way
        "GIGBOT_OUTBOX__LEASE_SECONDS": "1",  # rows claimed by the killed process come due again soon
    }


async def queue_notices(database_url: str) -> None:
    """NOTICES relayed messages to Ben, committed before the bot starts."""
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            repos = Repositories.bind(session)
            ben = await repos.accounts.by_username("ben")
            assert ben is not None
            now = ben.created_at
            for number in range(NOTICES):
                params = {
                    "sender_name": "Chen Wei",
                    "thread_id": 1,
                    "job_title": "",
                    "text": f"{MARKER}{number:04d}",
                    "file_name": "",
                }
                await repos.outbox.add(
                    {
                        "recipient_id": ben.id,
                        "kind": "message.received",
                        "payload": {"params": params, "files": []},
                        "dedupe_key": f"kill-test:{number}",
                        "priority": 0,
                        "created_at": now,
                        "next_attempt_at": now,
                    }
                )
    finally:
        await database.dispose()


async def test_kill_9_during_delivery_loses_nothing(tmp_path: Path, database_url: str) -> None:
    env = environment(database_url)
    seeded = await asyncio.to_thread(gigbot, tmp_path, "demo", env=env)
    assert seeded.returncode == 0, seeded.stderr
    await queue_notices(database_url)

    first = Console(tmp_path, env)
    await asyncio.to_thread(first.wait_for, lambda: len(first.markers) >= KILL_AFTER, 60)
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(10)
    assert len(first.markers) < NOTICES, "delivery finished before the kill: nothing was proven"

    second = Console(tmp_path, env)
    wanted = {f"{MARKER}{number:04d}" for number in range(NOTICES)}
    seen = lambda: {m for m in first.markers + second.markers if m in wanted}  # noqa: E731
    await asyncio.to_thread(second.wait_for, lambda: seen() == wanted, 90)
    assert second.process.stdin is not None
    second.process.stdin.close()
    assert second.process.wait(15) == 0

    counts = Counter(m for m in first.markers + second.markers if m in wanted)
    repeated = [marker for marker, count in counts.items() if count > 1]
    assert len(repeated) <= 1, f"sent more than once: {repeated}"
    assert counts.total() == NOTICES + len(repeated)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_stop_signal_exits_cleanly_within_seconds(tmp_path: Path, database_url: str, signum: int) -> None:
    console = Console(tmp_path, environment(database_url))
    await asyncio.to_thread(console.wait_for_output, "— you are me —", 30)
    started = time.monotonic()
    console.process.send_signal(signum)
    assert await asyncio.to_thread(console.process.wait, 10) == 0
    assert time.monotonic() - started < 5
