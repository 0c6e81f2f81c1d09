"""Proposals, credits and message threads on SQLite and PostgreSQL alike: one active proposal per freelancer and
job even when two arrive at once, the job's count following, best-match ordering, credit keys used once, the
inbox with unread counts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.storage.db import Database
from bot.storage.orm import AccountRow, JobRow, JobSkillRow, ProfileSkillRow
from bot.storage.repositories import Repositories

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _account(username: str) -> AccountRow:
    return AccountRow(
        username=username,
        full_name=username.title(),
        is_freelancer=True,
        is_client=True,
        language="en",
        country="FR",
        timezone="Europe/Paris",
        created_at=NOW,
    )


async def _setup(database: Database) -> tuple[int, int, int, int]:
    """A client, two freelancers and an open hourly job ($25-40/hr, Python and Django)."""
    async with database.transaction() as session:
        client, bob, carol = _account("client"), _account("bob"), _account("carol")
        session.add_all([client, bob, carol])
        await session.flush()
        job = JobRow(
            client_id=client.id,
            title="Build an API",
            description="d",
            category="dev",
            skills_text="Python Django",
            job_type="hourly",
            rate_min_minor=2500,
            rate_max_minor=4000,
            currency="USD",
            experience="entry",
            project_length="lt1",
            visibility="public",
            status="open",
            proposals_count=0,
            created_at=NOW,
            last_activity_at=NOW,
        )
        session.add(job)
        await session.flush()
        session.add_all([JobSkillRow(job_id=job.id, skill="Python"), JobSkillRow(job_id=job.id, skill="Django")])
        session.add(ProfileSkillRow(account_id=carol.id, skill="Python"))
        return client.id, bob.id, carol.id, job.id


def _values(job_id: int, freelancer_id: int, amount: int, created: datetime) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "freelancer_id": freelancer_id,
        "bid_kind": "hourly",
        "amount_minor": amount,
        "currency": "USD",
        "duration": "lt1",
        "cover_letter": "Hello",
        "status": "active",
        "shortlisted": False,
        "archived": False,
        "reason": None,
        "credits_spent": 2,
        "client_answered_at": None,
        "created_at": created,
        "updated_at": created,
    }


async def _count(database: Database, job_id: int) -> int:
    async with database.transaction() as session:
        job = await session.get(JobRow, job_id)
        assert job is not None
        return job.proposals_count


async def test_one_active_proposal_even_when_two_arrive_at_once(database: Database) -> None:
    _client, bob, _carol, job_id = await _setup(database)

    async def send() -> int | None:
        async with database.transaction() as session:
            return await Repositories.bind(session).proposals.add(_values(job_id, bob, 3000, NOW), [], ["A"], [])

    results = await asyncio.gather(send(), send())
    assert results.count(None) == 1
    first = next(r for r in results if r is not None)
    assert await _count(database, job_id) == 1

    async with database.transaction() as session:
        repos = Repositories.bind(session)
        assert (await repos.proposals.answers(first)) == ["A"]
        row = await repos.proposals.get(first)
        assert row is not None
        row.status = "withdrawn"
        await repos.proposals.count_on_job(job_id, -1)
    async with database.transaction() as session:
        again = await Repositories.bind(session).proposals.add(_values(job_id, bob, 3200, NOW), [], [], [])
    assert again is not None
    assert again != first
    assert await _count(database, job_id) == 1


async def test_lists_best_match_refunds_and_credits(database: Database) -> None:
    client, bob, carol, job_id = await _setup(database)
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        carols = await repos.proposals.add(_values(job_id, carol, 6000, NOW), [("Design", 500, None)], [], [])
        bobs = await repos.proposals.add(_values(job_id, bob, 3000, NOW + timedelta(hours=1)), [], [], [])
        assert carols is not None
        assert bobs is not None
        newest = await repos.proposals.for_job(
            job_id, "active", best_match=False, rate_range=(2500, 4000), offset=0, limit=10
        )
        assert [row.id for row, _name in newest] == [bobs, carols]
        best = await repos.proposals.for_job(
            job_id, "active", best_match=True, rate_range=(2500, 4000), offset=0, limit=10
        )
        assert [(row.id, name) for row, name in best] == [(carols, "Carol"), (bobs, "Bob")]
        assert [m.amount_minor for m in await repos.proposals.milestones(carols)] == [500]

        declined = await repos.proposals.get(bobs)
        assert declined is not None
        declined.status = "declined"
        await session.flush()
        assert await repos.proposals.count_for_job(job_id, "active") == 1
        assert await repos.proposals.count_for_job(job_id, "archived") == 1
        mine = await repos.proposals.by_freelancer(bob, archived=True, offset=0, limit=10)
        assert [(row.id, title, status) for row, title, status in mine] == [(bobs, "Build an API", "open")]
        assert await repos.proposals.was_declined(job_id, bob)
        assert not await repos.proposals.job_hired(job_id)
        assert {row.id for row in await repos.proposals.refundable(job_id)} == {carols, bobs}

        assert await repos.credits.add(carol, 20, "allowance", "allowance:x:2026-03", NOW)
        assert not await repos.credits.add(carol, 20, "allowance", "allowance:x:2026-03", NOW)
        assert await repos.credits.add(carol, -2, "proposal", f"proposal:{carols}", NOW)
        assert await repos.credits.balance(carol) == 18
        assert await repos.credits.has(f"proposal:{carols}")
        assert await repos.credits.balance(client) == 0


async def test_threads_inbox_and_unread_counts(database: Database) -> None:
    client, bob, carol, job_id = await _setup(database)
    async with database.transaction() as session:
        messages = Repositories.bind(session).messages
        with_bob = await messages.open("proposal:1", job_id, client, bob, NOW)
        assert (await messages.open("proposal:1", job_id, client, bob, NOW)).id == with_bob.id  # once per subject
        with_carol = await messages.open("invite:1:3", job_id, client, carol, NOW)
        await messages.add(with_bob, bob, "Hi", None, NOW + timedelta(minutes=1))
        await messages.add(with_bob, bob, "Are you there?", None, NOW + timedelta(minutes=2))
        await messages.add(with_carol, client, "Hello Carol", None, NOW + timedelta(minutes=3))
        await messages.add(with_bob, None, "Offer sent", None, NOW + timedelta(minutes=4))

        inbox = await messages.inbox(client, 0, 10)
        assert [(row.other_name, row.unread, row.last_text) for row in inbox] == [
            ("Bob", 3, "Offer sent"),
            ("Carol", 0, "Hello Carol"),
        ]
        assert await messages.unread_total(client) == 3
        assert await messages.unread_total(bob) == 1  # the bot's note
        assert await messages.unread_total(carol) == 1
        await messages.mark_read(with_bob.id, client, await messages.last_id(with_bob.id))
        assert await messages.unread_total(client) == 0
        page = await messages.page(with_bob.id, 0, 2)
        assert [(row.text, name) for row, name, _file in page] == [("Offer sent", None), ("Are you there?", "Bob")]
        assert await messages.count(with_bob.id) == 3
        assert await messages.count_threads(carol) == 1
