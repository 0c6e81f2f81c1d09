"""A feed's entries are jobs once on SQLite and PostgreSQL alike: by id, by link when the ids change, and
searchable by their words like any post."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.core.search import SearchService
from bot.core.sources.ingest import FeedJobs, feed_username
from bot.core.sources.reading import read_rss
from bot.storage.db import Database
from bot.storage.orm import AccountRow, JobRow
from bot.storage.repositories import Repositories
from tests.unit.test_feed_reading import FEEDS

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ENTRIES = read_rss((FEEDS / "weworkremotely_programming_2022.rss").read_bytes()).entries


async def ingest(database: Database, entries: list, name: str = "wwr") -> tuple[int, int]:
    async with database.transaction() as session:
        jobs = FeedJobs(Repositories.bind(session), NOW)
        done = await jobs.ingest(await jobs.source(name), entries, category=None, skills=[])
        return done.new, done.updated


async def count_jobs(database: Database) -> int:
    async with database.transaction() as session:
        return (await session.execute(select(func.count()).select_from(JobRow))).scalar_one()


async def test_entries_become_jobs_once_by_id_then_by_link(database: Database) -> None:
    assert await ingest(database, ENTRIES) == (25, 0)
    assert await ingest(database, ENTRIES) == (0, 0)
    moved = [replace(entry, guid=f"moved-{entry.guid}") for entry in ENTRIES]
    assert await ingest(database, moved) == (0, 0)  # new ids, same links: the same jobs
    assert await ingest(database, moved) == (0, 0)
    retitled = [replace(ENTRIES[0], title="A new title for the first job"), *ENTRIES[1:]]
    assert await ingest(database, retitled) == (0, 1)
    assert await count_jobs(database) == 25
    assert await ingest(database, ENTRIES, name="another feed") == (25, 0)  # each feed has its own jobs
    async with database.transaction() as session:
        usernames = set((await session.execute(select(AccountRow.username))).scalars())
    assert usernames == {feed_username("wwr"), feed_username("another feed")} == {"feed:wwr", "feed:another feed"}


async def test_feed_jobs_are_found_by_their_words(database: Database) -> None:
    await ingest(database, ENTRIES)
    title = ENTRIES[0].title
    word = max("".join(c if c.isalnum() else " " for c in title).split(), key=len)
    async with database.transaction() as session:
        found = await SearchService(Repositories.bind(session), NOW).public(word)
    assert title in [hit.title for hit in found.hits]
    assert all(hit.client.source == "wwr" for hit in found.hits)
