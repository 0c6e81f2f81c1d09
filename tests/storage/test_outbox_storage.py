"""The outbox on each backend: several dispatchers (as several processes would, each with its own connection
pool) draining one outbox at once send every notification exactly once; a lease that runs out makes a claimed
but unsent row due again."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.conversations.dispatcher import Dispatcher, OutboxPolicy
from bot.core.clock import ManualClock
from bot.core.events import Outbound
from bot.storage.db import Database
from bot.storage.orm import AccountRow
from bot.storage.repositories import Repositories
from tests.delivery import PLATFORMS, Recorder

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOTICES = 240


async def _queue(database: Database, count: int) -> None:
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        for n in range(8):
            account = AccountRow(
                username=f"person{n}",
                full_name=f"Person {n}",
                is_freelancer=True,
                is_client=False,
                language="en",
                country="FR",
                timezone="Europe/Paris",
                created_at=NOW,
            )
            assert await repos.accounts.create(account, "test", f"person{n}")
        for number in range(count):
            params = {"sender_name": "A", "thread_id": 1, "job_title": "", "text": f"n{number}", "file_name": ""}
            await repos.outbox.add(
                {
                    "recipient_id": 1 + number % 8,
                    "kind": "message.received",
                    "payload": {"params": params, "files": []},
                    "dedupe_key": f"storage-test:{number}",
                    "priority": 0,
                    "created_at": NOW,
                    "next_attempt_at": NOW,
                }
            )


async def test_concurrent_dispatchers_send_each_notification_once(database: Database, database_url: str) -> None:
    await _queue(database, NOTICES)
    sent: list[Outbound] = []
    processes = [Database(database_url) for _ in range(4)]
    try:
        dispatchers = [
            Dispatcher(db, ManualClock(NOW), {p: Recorder(p, sent) for p in PLATFORMS}, policy=OutboxPolicy(batch=10))
            for db in processes
        ]
        await asyncio.gather(*(dispatcher.drain() for dispatcher in dispatchers))
    finally:
        for db in processes:
            await db.dispose()
    counts = Counter(message.screen.plain.split("\n")[1] for message in sent)
    assert sorted(counts) == sorted(f"n{number}" for number in range(NOTICES))
    assert set(counts.values()) == {1}
    async with database.transaction() as session:
        assert (await Repositories.bind(session).outbox.counts())["sent"] == NOTICES


async def test_a_claim_whose_sender_died_comes_due_after_its_lease(database: Database) -> None:
    await _queue(database, 1)
    async with database.transaction() as session:
        claimed = await Repositories.bind(session).outbox.claim_due(NOW, NOW + timedelta(seconds=30), 10)
    assert len(claimed) == 1  # ...and the process that claimed it dies before sending
    sent: list[Outbound] = []
    clock = ManualClock(NOW + timedelta(seconds=10))
    dispatcher = Dispatcher(database, clock, {p: Recorder(p, sent) for p in PLATFORMS})
    assert await dispatcher.drain() == 0  # still leased
    clock.advance(seconds=21)
    assert await dispatcher.drain() == 1
    assert [message.chat.chat_id for message in sent] == ["person0"]
