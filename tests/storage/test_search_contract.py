"""The search contract between the backends: the same searches over the same jobs give the same totals and the
same ids in the same order on SQLite and PostgreSQL (every filter, every sort, advanced syntax, unicode, pages).

The jobs are the bench's (bench/search.py: Zipf-distributed words, clients with stats, clouds, invitations and
hidden jobs), a few thousand of them, plus a few with accented words; seeded as the bench seeds them."""

from __future__ import annotations

from itertools import product
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bench.search import NOW, VIEWERS, finish_postgres, finish_sqlite, seed_postgres, seed_sqlite
from bot.core.search import JobFilters, SearchService, Sort
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from bot.storage.orm import JobRow
from bot.storage.repositories import Repositories
from tests.conftest import POSTGRES_URL, reset_postgres

JOBS = 3_000
SEED = 11
ACCENTED = (
    ("Café menu and logo", "Un menu pour un café, façade comprise.", "Logo Design"),
    ("Traduction française", "Texte naïve à traduire, crème brûlée.", "Translation"),
    ("Señor developer for a piñata shop", "Übersicht of the orders, München.", "Python"),
)
QUERIES = (
    "",
    "python",
    "logo design",
    "wordpress -php",
    '"landing page"',
    "react OR angular",
    "title:shopify",
    "skills:python django",
    "(python OR javascript) -wordpress",
    '-"social media" marketing',
    "NOT seo articles",
    'title:"logo" OR skills:figma',
    "cafe",
    "CAFÉ logo",
    "naive creme",
    "senor OR munchen",
)
FILTERS = (
    JobFilters(),
    JobFilters(experience={"intermediate", "expert"}, job_type={"fixed"}, budget={"500-999", "1k-5k"}),
    JobFilters(job_type={"hourly"}, hourly_min_minor=2000, hourly_max_minor=6000, hours_per_week={"gt30"}),
    JobFilters(proposals={"0-4", "5-9"}, payment_verified=True, client_hires={"1-9", "10+"}),
    JobFilters(project_length={"1to3", "3to6"}, categories={"dev"}, posted_within_days=7),
    JobFilters(budget={"lt100"}, budget_min_minor=123_45, budget_max_minor=2_345_67, proposals={"50+"}),
    JobFilters(hourly_min_minor=17_50, client_hires={"none"}, experience={"entry"}),
    JobFilters(cloud_id=1),
)
PAGES = ((1, 10), (2, 10), (7, 3))


async def _seeded_sqlite(path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(database, "0002")
    await database.dispose()
    seed_sqlite(path, JOBS, SEED)
    await upgrade(database)
    await database.dispose()
    finish_sqlite(path)
    return database


async def _seeded_postgres(url: str) -> Database:
    await reset_postgres(url)
    database = Database(url)
    await upgrade(database, "0002")
    await seed_postgres(database, JOBS, SEED)
    await upgrade(database)
    return database


async def _add_accented(database: Database) -> None:
    """A few jobs with accented words, written as the bot writes jobs (the index triggers keep them)."""
    async with database.transaction() as session:
        for number, (title, description, skill) in enumerate(ACCENTED, start=JOBS + 1):
            values: dict[str, Any] = {
                "id": number, "client_id": VIEWERS + 1, "title": title, "description": description,
                "category": "dev", "skills_text": skill, "job_type": "fixed", "budget_minor": 750_00,
                "experience": "intermediate", "project_length": "1to3", "visibility": "public", "status": "open",
                "proposals_count": 3, "created_at": NOW, "published_at": NOW, "last_activity_at": NOW,
            }  # fmt: skip
            session.add(JobRow(**values))
        await session.flush()
        await session.execute(
            text("INSERT INTO job_skills (job_id, skill) VALUES (:job, :skill)"),
            [{"job": number, "skill": skill} for number, (_t, _d, skill) in enumerate(ACCENTED, start=JOBS + 1)],
        )


async def _answers(database: Database) -> dict[tuple[Any, ...], tuple[int, bool, list[int]]]:
    found = {}
    searches = product(QUERIES, enumerate(FILTERS), Sort, PAGES)
    for number, (query, (filters_number, filters), sort, (page, size)) in enumerate(searches):
        viewer = 1 + number % VIEWERS
        async with database.transaction() as session:
            result = await SearchService(Repositories.bind(session), NOW).search(
                viewer, query, filters, sort, page, size
            )
        key = (query, filters_number, sort.value, page, size, viewer)
        found[key] = (result.total, result.more, [hit.id for hit in result.hits])
    return found


async def test_sqlite_and_postgresql_give_the_same_pages(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip("GIGBOT_TEST_DATABASE_URL is not set: no PostgreSQL to compare SQLite with")
    sqlite, postgres = await _seeded_sqlite(tmp_path / "contract.db"), await _seeded_postgres(POSTGRES_URL)
    try:
        for database in (sqlite, postgres):
            await _add_accented(database)
        await finish_postgres(postgres)
        on_sqlite, on_postgres = await _answers(sqlite), await _answers(postgres)
    finally:
        await sqlite.dispose()
        await postgres.dispose()
    assert sum(bool(ids) for _total, _more, ids in on_sqlite.values()) > len(on_sqlite) / 3  # most find something
    differ = {key: (on_sqlite[key], on_postgres[key]) for key in on_sqlite if on_sqlite[key] != on_postgres[key]}
    assert not differ, f"{len(differ)} of {len(on_sqlite)} searches differ, e.g. {list(differ.items())[:3]}"
