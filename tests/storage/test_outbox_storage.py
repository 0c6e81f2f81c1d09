"""The outbox on each backend: several dispatchers (as several processes would, each with its own connection
pool) draining one outbox at once send every notification exactly once; a lease that runs out makes a claimed
but unsent row due again; a person-to-person notice goes ahead of a fan-out already under way."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.conversations.dispatcher import Dispatcher, OutboxPolicy
from bot.core.budget import Rates
from bot.core.clock import ManualClock
from bot.core.events import Outbound
from bot.storage.db import Database
from bot.storage.orm import AccountRow
from bot.storage.repositories import Repositories
from tests.delivery import PLATFORMS, Recorder

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOTICES = 240


async def _queue(database: Database, count: int, *, people: int = 8, priority: int = 0, start: int = 0) -> None:
    """``count`` notices to ``people`` people in turn (created on the first call), numbered from ``start``."""
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        for n in range(people if start == 0 else 0):
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
        for number in range(start, start + count):
            params = {"sender_name": "A", "thread_id": 1, "job_title": "", "text": f"n{number}", "file_name": ""}
            await repos.outbox.add(
                {
                    "recipient_id": 1 + number % people,
                    "kind": "message.received",
                    "payload": {"params": params, "files": []},
                    "dedupe_key": f"storage-test:{number}",
                    "priority": priority,
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


def _text(message: Outbound) -> str:
    return message.screen.plain.split("\n")[1]


def _fanning_out(database: Database, sent: list[Outbound], batch: int) -> Dispatcher:
    return Dispatcher(
        database,
        ManualClock(NOW),
        {p: Recorder(p, sent) for p in PLATFORMS},
        budgets={"test": Rates(per_second=200)},
        policy=OutboxPolicy(batch=batch),
    )


async def _until(sent: list[Outbound], count: int) -> None:
    while len(sent) < count:  # noqa: ASYNC110
        await asyncio.sleep(0.005)


async def test_a_person_to_person_notice_goes_ahead_of_a_fan_out_under_way(database: Database) -> None:
    fan_out, batch = 200, 20
    await _queue(database, fan_out, people=fan_out, priority=10)  # one alert each, lowest priority
    sent: list[Outbound] = []
    dispatcher = _fanning_out(database, sent, batch)
    stop = asyncio.Event()
    running = asyncio.create_task(dispatcher.run(stop))
    await _until(sent, 2 * batch)
    await _queue(database, 1, people=fan_out, start=fan_out)  # a message for person 1, written mid-fan-out
    written_after = len(sent)
    dispatcher.wake.set()
    await _until(sent, fan_out + 1)
    stop.set()
    await running
    texts = [_text(message) for message in sent]
    assert sorted(texts) == sorted(f"n{number}" for number in range(fan_out + 1))  # every one, once
    # At most the batch being sent and the one claimed before it was written went ahead of it, not the rest.
    assert texts.index(f"n{fan_out}") - written_after <= 2 * batch


async def test_stopping_during_a_fan_out_ends_it_after_the_batches_claimed(database: Database) -> None:
    fan_out, batch = 200, 20
    await _queue(database, fan_out, people=fan_out, priority=10)
    sent: list[Outbound] = []
    stop = asyncio.Event()
    running = asyncio.create_task(_fanning_out(database, sent, batch).run(stop))
    await _until(sent, batch)
    stop.set()
    await asyncio.wait_for(running, 5)
    assert len(sent) <= 3 * batch  # not the whole fan-out first
    async with database.transaction() as session:
        counts = await Repositories.bind(session).outbox.counts()
    assert counts["sent"] == len(sent)  # each one sent is recorded, the rest wait for the next start
    after_restart: list[Outbound] = []
    await _fanning_out(database, after_restart, batch).drain()
    assert sorted(map(_text, sent + after_restart)) == sorted(f"n{number}" for number in range(fan_out))
