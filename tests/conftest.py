"""Shared fixtures: a real database (an SQLite file per test; PostgreSQL when GIGBOT_TEST_DATABASE_URL is set)
and apps built over it with a controllable clock."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.bootstrap import App, build_app
from bot.config import Settings
from bot.conversations.harness import Harness
from bot.core.clock import ManualClock
from bot.storage.db import Database
from bot.storage.migrate import upgrade

TEST_SECRET = "test-secret-key-of-enough-length"
POSTGRES_URL = os.environ.get("GIGBOT_TEST_DATABASE_URL")
MODAL_PLATFORM = "modal"  # a test platform that shows forms as one modal, as Discord does


def make_settings(tmp_path: Path, database_url: str | None = None, **overrides: object) -> Settings:
    """Settings over ``database_url``, else over an SQLite file in ``tmp_path`` that starts as a copy of a
    database migrated once for the whole run (copying takes a few milliseconds; migrating, a quarter second)."""
    options: dict[str, object] = {"secret_key": TEST_SECRET, **overrides}
    if database_url is None:
        sqlite_file = tmp_path / "gigbot.db"
        if not sqlite_file.exists():
            shutil.copyfile(migrated_sqlite(), sqlite_file)
        database_url = f"sqlite+aiosqlite:///{sqlite_file}"
    return Settings(data_dir=tmp_path, database={"url": database_url}, **options)


_migrated: list[Path] = []


def migrated_sqlite() -> Path:
    """An SQLite file at the migrations' head, made on first use (in a thread: callers may be inside a loop)."""
    if not _migrated:
        path = Path(tempfile.mkdtemp(prefix="gigbot-template-")) / "gigbot.db"

        async def migrate() -> None:
            database = Database(f"sqlite+aiosqlite:///{path}")
            try:
                await upgrade(database)
            finally:
                await database.dispose()

        thread = threading.Thread(target=asyncio.run, args=(migrate(),))
        thread.start()
        thread.join()
        atexit.register(shutil.rmtree, path.parent, ignore_errors=True)
        _migrated.append(path)
    return _migrated[0]


async def reset_postgres(url: str) -> None:
    """An empty public schema, so migrations run from scratch as on a new server."""
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each backend in turn; the PostgreSQL half skips with a reason when no server is named."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/gigbot.db"
    if not POSTGRES_URL:
        pytest.skip("GIGBOT_TEST_DATABASE_URL is not set: the PostgreSQL half of the storage tests is skipped")
    await reset_postgres(POSTGRES_URL)  # fails loudly when the server named is unreachable
    return POSTGRES_URL


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


AppFactory = Callable[..., Awaitable[App]]


@pytest.fixture
async def make_app(tmp_path: Path, clock: ManualClock) -> AsyncIterator[AppFactory]:
    """Builds apps over the same database file; building a second one is a restart of the bot."""
    opened: list[App] = []

    async def factory(database_url: str | None = None, **overrides: object) -> App:
        app = await build_app(
            make_settings(tmp_path, database_url, **overrides),
            clock=clock,
            form_platforms=frozenset({MODAL_PLATFORM}),
        )
        opened.append(app)
        return app

    yield factory
    for app in opened:
        await app.close()


@pytest.fixture
async def app(make_app: AppFactory) -> App:
    return await make_app()


@pytest.fixture
def alice(app: App) -> Harness:
    return Harness(app.engine, "alice")
