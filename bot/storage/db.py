"""The database handle: one async engine and its session factory, tuned per backend."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

_SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "foreign_keys=ON",
    "busy_timeout=10000",
    "synchronous=NORMAL",
    "cache_size=-65536",  # KiB: 64 MiB per connection, grown only as pages are read (the default is 2 MiB)
    "mmap_size=2147483648",  # read the file through memory mapping: no read() copy per page
    "temp_store=MEMORY",  # sorts and materialised subqueries of a search stay off disk
)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """WAL lets readers run beside the writer; foreign keys are off in SQLite unless asked for. A search walks
    the full-text index and the open jobs' covering index for every match: with SQLite's 2 MiB default cache
    each search would read them afresh, so the cache and the memory map hold them across searches."""
    cursor = dbapi_connection.cursor()
    for pragma in _SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


class _RunNow:
    """aiosqlite's work queue, served at once in the caller's thread (see ``InlineSqlite``): what still goes
    through it is connecting and closing."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


SQLITE_CONNECTION = "gigbot.sqlite"  # session.info: the InlineSqlite connection a SQLite transaction runs on


class InlineSqlite(aiosqlite.Connection):
    """An aiosqlite connection whose calls run in the event loop's thread instead of a worker thread.

    A statement on an indexed table takes SQLite tens of microseconds, while handing it to aiosqlite's thread and
    back costs two thread switches (about 0.5 ms a statement on a busy 2-core machine), and a turn runs 10 to 20
    statements. Transactions of one process take turns anyway (see ``Database``), so the thread bought little.
    ``execute_now`` runs a statement with no wrapping at all, for the statements of every turn (``bot.storage.hot``)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no worker thread to start

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Every call of aiosqlite's connection and its cursors, made at once: through the queue each would make
        and await a future (about 10% of a small statement's CPU through the ORM)."""
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def execute_now(self, sql: str, values: Sequence[Any]) -> sqlite3.Cursor:
        return self._conn.execute(sql, values)

    def commit_now(self) -> None:
        """Commit what the connection's transaction holds (nothing to do when none began)."""
        self._conn.commit()

    def rollback_now(self) -> None:
        self._conn.rollback()


class _KeptConnection(AsyncConnection):
    """A connection a SQLite transaction's session is bound to, kept open across transactions. It answers
    ``url`` as the engine would, for code that reads the database's URL from ``session.bind``."""

    @property
    def url(self) -> URL:
        return self.engine.url


class _TakingTurns:
    """An asyncio lock, FIFO, that a task already holding it passes straight through: a read nested in a
    transaction of the same task (SQLite serves it from another connection, as it did without the lock)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            yield
            return
        async with self._lock:
            self._holder = task
            try:
                yield
            finally:
                self._holder = None


class Database:
    """Owns the engine. ``transaction()`` yields a session whose work commits together or not at all.

    SQLite takes one writer at a time, and nearly every transaction writes (a turn records its update id
    first). Left to SQLite, concurrent transactions of this process wait in its busy handler, which sleeps in
    growing steps of up to 100 ms and fails with "database is locked" under load; so on SQLite the transactions
    of one process take turns on a lock, in arrival order, and only other processes meet the busy timeout.

    Taking turns, SQLite's transactions need one connection (two for a read nested in a transaction), so they
    run on connections kept open (``_KeptConnection``) and their sessions are bound to them. A turn's statements
    run on the driver's connection (``bot.storage.hot``), and many transactions use the ORM not at all: the
    session then never begins, and the transaction is committed on the driver's connection directly, which is
    what SQLAlchemy's commit comes down to on SQLite (its BEGIN is implicit, its COMMIT the driver's), without
    the session's checkout, begin, commit and close (about 0.2 ms of CPU a transaction)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {}
        if self.is_sqlite:
            path = parsed.database or ":memory:"
            options["async_creator"] = lambda: InlineSqlite(functools.partial(sqlite3.connect, path))
        elif parsed.get_driver_name() == "asyncpg":
            # PostgreSQL compiles a plan whose estimated cost passes jit_above_cost, as a search over a million
            # jobs does: 200 to 300 ms of compiling for a query that then runs in tens.
            options["connect_args"] = {"server_settings": {"jit": "off"}}
        self.engine: AsyncEngine = create_async_engine(url, echo=echo, pool_pre_ping=not self.is_sqlite, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._turns = _TakingTurns()
        self._kept: list[_KeptConnection] = []  # SQLite's connections that no transaction is running on

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """On SQLite the session's ``info`` names the connection it runs on (``SQLITE_CONNECTION``), for the
        statements ``bot.storage.hot`` runs on it directly."""
        if not self.is_sqlite:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._turns.turn():
            if self._kept:
                connection = self._kept.pop()
            else:
                connection = _KeptConnection(self.engine)
                await connection.start()
            try:
                async with self._on_sqlite(connection) as session:
                    yield session
            finally:
                self._kept.append(connection)

    @asynccontextmanager
    async def _on_sqlite(self, connection: _KeptConnection) -> AsyncIterator[AsyncSession]:
        """A session bound to ``connection``: committed and closed through SQLAlchemy when the ORM was used, else
        committed on the driver's connection alone; rolled back whole on any exception."""
        driver: InlineSqlite = connection.sync_connection.connection.driver_connection
        session = self.sessions(bind=connection)
        session.info[SQLITE_CONNECTION] = driver
        try:
            yield session
            if session.in_transaction() or session.new:  # it loaded, wrote or flushed, or holds objects to write
                await session.run_sync(_commit_and_close)
        except BaseException:
            await session.close()  # rolls back what SQLAlchemy began (on the same connection)
            driver.rollback_now()  # and the statements run on the driver alone
            raise
        driver.commit_now()  # what they wrote (nothing left to commit after SQLAlchemy's commit)

    async def dispose(self) -> None:
        kept, self._kept = self._kept, []
        for connection in kept:
            await connection.close()
        await self.engine.dispose()


def _commit_and_close(session: Session) -> None:
    """Both in one trip through SQLAlchemy's greenlet."""
    session.commit()
    session.close()
