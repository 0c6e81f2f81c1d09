"""INSERT ... ON CONFLICT DO NOTHING on either backend: the race-free way to claim a unique row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_duplicates(session: AsyncSession, table: Any, values: dict[str, Any]) -> Any:
    """An insert that does nothing (rowcount 0, no row returned) when a unique key already holds the values."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    return insert(table).values(**values).on_conflict_do_nothing()


def insert_ignoring_duplicates_of(dialect: str, table: Any, columns: Iterable[str]) -> Any:
    """The same insert with a bind parameter per column, named after it: built once and run with each row's
    values, it skips building the statement and its cache key each time (see ``bot.storage.hot``)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).values({name: bindparam(name) for name in columns}).on_conflict_do_nothing()
