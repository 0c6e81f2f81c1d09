"""Statements that run on every turn (and every search), built once; those needing no ORM objects run as Core.

A turn records its update id, loads the account and the conversation, saves the conversation and notes where the
person was seen: five or six small statements that SQLite answers in microseconds; a search adds its page, count
and cards. Building each one afresh
(``select(...).where(...)``) and generating its cache key cost about 100 µs a statement, and the ORM's execution
layer about 50 µs more, several times what the database does. So these are built once per backend with bind
parameters (their cache key is computed once and kept), and those that need no ORM objects run as Core on the
session's connection, after flushing whatever the ORM has pending, as its autoflush would.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

_prepared: dict[tuple[Any, ...], Any] = {}


def prepared(session: AsyncSession, build: Callable[..., T], *variant: Hashable) -> T:
    """``build(dialect, *variant)``, built once per backend and variant (``build`` is a module-level function)."""
    key = (session.bind.dialect.name, build, *variant)
    found = _prepared.get(key)
    if found is None:
        found = _prepared[key] = build(session.bind.dialect.name, *variant)
    return found


async def run(session: AsyncSession, statement: Any, params: dict[str, Any]) -> CursorResult[Any]:
    """A Core statement on the session's connection, after the ORM's pending changes (as autoflush would)."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    connection = await session.connection()
    return await connection.execute(statement, params)
