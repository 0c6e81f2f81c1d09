"""Which process runs the scheduler when several serve one PostgreSQL database: the one holding a session-level
advisory lock on a connection of its own. PostgreSQL releases the lock when that connection ends, however the
process died, so another process's next try takes over. A SQLite database is served by one process: it leads.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.db import Database

SCHEDULER_LOCK = 0x6769_6762_6F74  # "gigbot": the advisory lock id the scheduler's leader holds


class Leadership:
    def __init__(self, database: Database, lock_id: int = SCHEDULER_LOCK) -> None:
        self.database = database
        self.lock_id = lock_id
        self._connection: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self.database.is_sqlite or self._connection is not None

    async def try_take(self) -> bool:
        """Take the lead if nobody holds it (never waits); True once this process leads."""
        if self.held:
            return True
        connection = await self.database.engine.connect()
        taken = (await connection.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": self.lock_id})).scalar()
        await connection.commit()
        if taken:
            self._connection = connection
        else:
            await connection.close()
        return bool(taken)

    async def give_up(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": self.lock_id})
                await self._connection.commit()
            await self._connection.close()
            self._connection = None
