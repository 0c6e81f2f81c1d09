"""One storage contract, run on SQLite and on PostgreSQL (the latter when GIGBOT_TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.storage.db import Database
from bot.storage.migrate import schema_heads, upgrade
from bot.storage.orm import AccountRow, Base
from bot.storage.repositories import Repositories
from bot.storage.search import include_object

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
KEY = ("telegram", "100", "100")


def _account(username: str) -> AccountRow:
    return AccountRow(
        username=username,
        full_name="Test Person",
        is_freelancer=True,
        is_client=False,
        language="en",
        country="FR",
        timezone="Europe/Paris",
        created_at=NOW,
    )


def _conversation(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "flow": "signup",
        "state": "role",
        "data": {"language": "fr", "tags": ["a", "é"]},
        "form_progress": None,
        "locale": "fr",
        "screen_seq": 3,
        "expires_at": NOW + timedelta(hours=1),
        "updated_at": NOW,
    }
    return values | changes


async def test_migrations_build_the_whole_schema(database: Database) -> None:
    current, expected = await schema_heads(database)
    assert current == expected
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert {"accounts", "identities", "conversations", "processed_updates", "alembic_version"} <= tables
    await upgrade(database)  # a second upgrade is a no-op


async def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    def differences(connection: Connection) -> list:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        return compare_metadata(context, Base.metadata)

    async with database.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_account_with_identity_round_trips(database: Database) -> None:
    async with database.transaction() as session:
        row = _account("alice")
        assert await Repositories.bind(session).accounts.create(row, "telegram", "42")
    async with database.transaction() as session:
        found = await Repositories.bind(session).accounts.by_identity("telegram", "42")
    assert found is not None
    assert (found.id, found.username, found.created_at) == (row.id, "alice", NOW)
    assert found.created_at.tzinfo is UTC
    assert (found.is_freelancer, found.is_client, found.deleted_at) == (True, False, None)
    assert isinstance(found.is_freelancer, bool)  # SQLite stores 1: read back as the column's type says


async def test_usernames_and_identities_are_unique(database: Database) -> None:
    async with database.transaction() as session:
        accounts = Repositories.bind(session).accounts
        assert await accounts.create(_account("alice"), "telegram", "1")
        assert not await accounts.create(_account("alice"), "telegram", "2")  # username taken
        assert not await accounts.create(_account("bob"), "telegram", "1")  # identity bound already
        assert await accounts.create(_account("bob"), "discord", "1")
    async with database.transaction() as session:
        accounts = Repositories.bind(session).accounts
        assert await accounts.count() == 2
        assert await accounts.usernames_starting_with("al") == {"alice"}
        assert await accounts.usernames_starting_with("a_%") == set()  # LIKE wildcards are escaped


async def test_conversation_writes_are_version_checked(database: Database) -> None:
    async with database.transaction() as session:
        conversations = Repositories.bind(session).conversations
        assert await conversations.save(KEY, None, _conversation())
        assert not await conversations.save(KEY, None, _conversation())  # a second insert loses
    async with database.transaction() as session:
        conversations = Repositories.bind(session).conversations
        row = await conversations.get(KEY)
        assert row is not None
        assert (row.version, row.data, row.expires_at) == (
            1,
            {"language": "fr", "tags": ["a", "é"]},
            NOW + timedelta(hours=1),
        )
        assert await conversations.save(KEY, 1, _conversation(state="details", form_progress={"index": 1}))
        assert not await conversations.save(KEY, 1, _conversation(state="stale"))  # read version 1, now 2
        assert not await conversations.remove(KEY, 1)
    async with database.transaction() as session:
        conversations = Repositories.bind(session).conversations
        row = await conversations.get(KEY)
        assert (row.state, row.version, row.form_progress) == ("details", 2, {"index": 1})
        assert await conversations.remove(KEY, 2)
        assert await conversations.get(KEY) is None


async def test_idle_conversations_are_found_oldest_first(database: Database) -> None:
    async with database.transaction() as session:
        conversations = Repositories.bind(session).conversations
        for chat, minutes in (("a", 30), ("b", -5), ("c", -50)):
            key = ("console", chat, chat)
            await conversations.save(key, None, _conversation(expires_at=NOW + timedelta(minutes=minutes)))
    async with database.transaction() as session:
        idle = await Repositories.bind(session).conversations.idle_since(NOW, limit=10)
    assert [row.chat_id for row in idle] == ["c", "b"]


async def test_update_ids_are_recorded_once_and_forgotten_later(database: Database) -> None:
    async with database.transaction() as session:
        updates = Repositories.bind(session).updates
        assert await updates.first_time("telegram", "9001", NOW)
        assert not await updates.first_time("telegram", "9001", NOW)
        assert await updates.first_time("discord", "9001", NOW)  # ids are per platform
        assert await updates.first_time("telegram", "9002", NOW + timedelta(days=3))
    async with database.transaction() as session:
        assert await Repositories.bind(session).updates.forget_before(NOW + timedelta(days=1)) == 2
    async with database.transaction() as session:
        assert await Repositories.bind(session).updates.first_time("telegram", "9001", NOW)


async def test_a_failed_transaction_leaves_nothing_behind(database: Database) -> None:
    async def crash_mid_turn() -> None:
        async with database.transaction() as session:
            await Repositories.bind(session).accounts.create(_account("ghost"), "telegram", "13")
            raise RuntimeError("crash mid-turn")

    with pytest.raises(RuntimeError):
        await crash_mid_turn()
    async with database.transaction() as session:
        assert await Repositories.bind(session).accounts.by_username("ghost") is None
