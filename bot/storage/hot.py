"""Statements that run on every turn (and every search), built once; those needing no ORM objects run as Core, and
on SQLite straight on the driver's connection.

A turn records its update id, loads the account and the conversation, saves the conversation and notes where the
person was seen: five or six small statements that SQLite answers in microseconds; a search adds its page, count
and cards. Building each one afresh (``select(...).where(...)``) and generating its cache key cost about 100 µs a
statement, and the ORM's execution layer about 50 µs more, several times what the database does. So these are
built once per backend with bind parameters (their cache key is computed once and kept), and those that need no
ORM objects run through ``run``, after flushing whatever the ORM has pending, as its autoflush would.

Even as Core, a statement costs SQLAlchemy's execution layer (its compiled cache, an execution context, greenlet
switches, aiosqlite's wrapping of each cursor call) several times what SQLite does, and on SQLite every statement
runs in the event loop's thread anyway (``bot.storage.db``). So on SQLite ``run`` compiles each statement once and
executes it on the sqlite3 connection, inside the session's transaction, converting parameters and columns with
the statement's own types as SQLAlchemy would; elsewhere it goes through SQLAlchemy's Core. Either way the caller
gets plain tuples. SQLAlchemy's engine events (``echo`` included) do not see the statements run on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Executable
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import SQLITE_CONNECTION, InlineSqlite

T = TypeVar("T")

_prepared: dict[tuple[Any, ...], Any] = {}


def prepared(session: AsyncSession, build: Callable[..., T], *variant: Hashable) -> T:
    """``build(dialect, *variant)``, built once per backend and variant (``build`` is a module-level function)."""
    key = (session.bind.dialect.name, build, *variant)
    found = _prepared.get(key)
    if found is None:
        found = _prepared[key] = build(session.bind.dialect.name, *variant)
    return found


@dataclass(frozen=True, slots=True)
class Rows:
    """What a statement run by ``run`` gave: its rows as plain tuples, and how many rows it changed."""

    rows: list[tuple[Any, ...]]
    rowcount: int

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None


async def run(session: AsyncSession, statement: Executable, params: dict[str, Any]) -> Rows:
    """A Core statement under the session's transaction, after the ORM's pending changes (as autoflush would)."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    sqlite = session.info.get(SQLITE_CONNECTION)
    if isinstance(sqlite, InlineSqlite):  # a transaction of ``Database`` on SQLite
        return _on_sqlite(statement, session.bind.dialect).run(sqlite, params)
    connection = await session.connection()
    result = await connection.execute(statement, params)
    return Rows([tuple(row) for row in result] if result.returns_rows else [], result.rowcount)


_EXPANDING = re.compile(r"__\[POSTCOMPILE_(\w+)\]")  # where SQLAlchemy renders a list parameter's placeholders
_EMPTY_LIST = "SELECT 1 WHERE 0"  # ``x IN ()`` as SQLite reads it: never true, and ``NOT IN`` always


class _SqliteStatement:
    """One statement compiled for SQLite: its SQL, where each parameter comes from and how it is converted (as
    the column's type converts it for SQLAlchemy), and how each column of its rows is converted back.

    A list parameter (``bindparam(..., expanding=True)``, for ``IN``) gets one placeholder per item; its SQL is
    kept per list length."""

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.positiontup is None:
            raise ValueError("SQLite's parameters are positional")
        self._pieces = _EXPANDING.split(compiled.string)  # SQL, list parameter, SQL, list parameter, ..., SQL
        self._sql_by_lengths: dict[tuple[int, ...], str] = {(): compiled.string}
        self._parameters: list[tuple[str, bool, Any, Callable[[Any], Any] | None, bool]] = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            if bind.callable is not None:
                raise ValueError(f"{name}: a computed parameter needs SQLAlchemy to render it")
            converter = bind.type.dialect_impl(dialect).bind_processor(dialect)
            self._parameters.append((bind.key, bind.required, bind.value, converter, bind.expanding))
        columns: Sequence[Any] = getattr(statement, "exported_columns", ())
        self._columns = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        self._converts_columns = any(self._columns)

    def _sql(self, lengths: tuple[int, ...]) -> str:
        found = self._sql_by_lengths.get(lengths)
        if found is None:
            parts = self._pieces[:1]
            for length, following in zip(lengths, self._pieces[2::2], strict=True):
                parts += [", ".join("?" * length) if length else _EMPTY_LIST, following]
            found = self._sql_by_lengths[lengths] = "".join(parts)
        return found

    def run(self, connection: InlineSqlite, params: dict[str, Any]) -> Rows:
        values: list[Any] = []
        lengths: list[int] = []
        for key, required, fixed, converter, expanding in self._parameters:
            value = params[key] if required else params.get(key, fixed)
            if expanding:
                lengths.append(len(value))
                values += value if converter is None else map(converter, value)
            else:
                values.append(value if converter is None else converter(value))
        cursor = connection.execute_now(self._sql(tuple(lengths)), values)
        rows = cursor.fetchall()
        if self._converts_columns:
            columns = self._columns
            rows = [
                tuple(value if convert is None else convert(value) for convert, value in zip(columns, row, strict=True))
                for row in rows
            ]
        return Rows(rows, cursor.rowcount)


_compiled: dict[Executable, _SqliteStatement] = {}


def _on_sqlite(statement: Executable, dialect: Dialect) -> _SqliteStatement:
    """The statement compiled for SQLite, once (statements given to ``run`` are ``prepared`` ones, kept for good)."""
    found = _compiled.get(statement)
    if found is None:
        found = _compiled[statement] = _SqliteStatement(statement, dialect)
    return found
