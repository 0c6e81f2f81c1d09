"""PostgreSQL's plans for the bench's mix of searches, over enough jobs for the planner to choose as it would at
scale: every search reads jobs through an index, none scans the whole table. Plans, not times (times are the
bench's: bench/search.py)."""

from __future__ import annotations

import pytest

from bench.search import finish_postgres, plan_reads, search_mix, seed_postgres
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from tests.conftest import POSTGRES_URL, reset_postgres

JOBS = 30_000
SEED = 3


async def test_no_search_of_the_mix_scans_the_jobs_table() -> None:
    if not POSTGRES_URL:
        pytest.skip("GIGBOT_TEST_DATABASE_URL is not set: the PostgreSQL plans are not checked")
    await reset_postgres(POSTGRES_URL)
    database = Database(POSTGRES_URL)
    try:
        await upgrade(database, "0002")
        await seed_postgres(database, JOBS, SEED)
        await upgrade(database)
        await finish_postgres(database)
        read_through: set[str] = set()
        for search in search_mix(60, SEED):
            indexes, full_scans = await plan_reads(database, search)
            assert not full_scans, (search, full_scans[0])
            read_through.update(indexes)
    finally:
        await database.dispose()
    assert "ix_search_narrow_words" in read_through
