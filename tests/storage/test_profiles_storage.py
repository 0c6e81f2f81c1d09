"""The profile repository's dialect-sensitive parts, on SQLite and PostgreSQL: ON CONFLICT inserts,
work-history order with open-ended entries, and erasure with its subquery."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.db import Database
from bot.storage.orm import AccountRow, FileRow, FreelancerProfileRow, WorkHistoryRow
from bot.storage.repositories import Repositories

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def _account(repos: Repositories, username: str, user_id: str) -> int:
    row = AccountRow(
        username=username,
        full_name="Test Person",
        is_freelancer=True,
        is_client=True,
        language="en",
        country="FR",
        timezone="Europe/Paris",
        created_at=NOW,
    )
    assert await repos.accounts.create(row, "telegram", user_id)
    return row.id


async def test_identities_and_skills_insert_once(database: Database) -> None:
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        alice, bob = await _account(repos, "alice", "1"), await _account(repos, "bob", "2")
        assert await repos.profiles.bind_identity(alice, "discord", "9", NOW)
        assert not await repos.profiles.bind_identity(bob, "discord", "9", NOW)  # one account per identity
        assert not await repos.profiles.bind_identity(alice, "telegram", "1", NOW)
        for _ in range(2):
            await repos.profiles.set_skill(alice, "Python", True)
            await repos.profiles.set_category(alice, "dev", True)
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        assert [i.platform for i in await repos.accounts.identities(alice)] == ["telegram", "discord"]
        assert await repos.profiles.skills(alice) == ["Python"]
        assert await repos.profiles.categories(alice) == ["dev"]


async def test_work_history_lists_current_positions_first(database: Database) -> None:
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        alice = await _account(repos, "alice", "1")
        for company, start, end in (("Old", 2010, 2012), ("Now", 2020, None), ("Mid", 2013, 2019)):
            session.add(
                WorkHistoryRow(
                    account_id=alice, company=company, role="Dev", start_year=start, end_year=end, created_at=NOW
                )
            )
    async with database.transaction() as session:
        history = await Repositories.bind(session).profiles.history(alice)
    assert [entry.company for entry in history] == ["Now", "Mid", "Old"]


async def test_erase_keeps_the_account_row_and_removes_the_rest(database: Database) -> None:
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        alice = await _account(repos, "alice", "1")
        photo = FileRow(
            owner_id=alice, filename="me.png", mime_type="image/png", size=1, sha256="0", content=b"x", created_at=NOW
        )
        session.add(photo)
        await session.flush()
        session.add(
            FreelancerProfileRow(
                account_id=alice, languages=[{"code": "fr", "level": "native"}], photo_file_id=photo.id, updated_at=NOW
            )
        )
        await repos.profiles.set_skill(alice, "Python", True)
    async with database.transaction() as session:
        profile = await Repositories.bind(session).profiles.freelancer(alice)
        assert profile is not None
        assert profile.languages == [{"code": "fr", "level": "native"}]
    async with database.transaction() as session:
        await Repositories.bind(session).profiles.erase(alice, NOW, ("telegram", "1", "1"))
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        row = await repos.accounts.get(alice)
        assert row is not None
        assert (row.username, row.full_name, row.deleted_at) == (f"deleted_{alice}", "Deleted user", NOW)
        assert await repos.accounts.by_identity("telegram", "1") is None
        assert await repos.profiles.freelancer(alice) is None
        assert await repos.profiles.skills(alice) == []
        assert await session.get(FileRow, photo.id) is None
        assert await repos.accounts.create(
            AccountRow(
                username="alice",
                full_name="Alice Again",
                is_freelancer=True,
                is_client=False,
                language="en",
                country="FR",
                timezone="Europe/Paris",
                created_at=NOW,
            ),
            "telegram",
            "1",
        )
