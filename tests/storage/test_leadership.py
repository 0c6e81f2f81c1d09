"""One process runs the scheduler: on PostgreSQL the holder of an advisory lock, taken over by another process
once the holder's connection is gone (its process died); on SQLite the one process there is."""

from __future__ import annotations

from bot.storage.db import Database
from bot.storage.leader import Leadership


async def test_one_process_leads_and_another_takes_over_when_it_dies(database_url: str) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        leader, other = Leadership(first), Leadership(second)
        assert await leader.try_take()
        if first.is_sqlite:
            assert await other.try_take()  # one process serves a SQLite database: whoever runs leads
            return
        assert not await other.try_take()
        assert not await other.try_take()  # trying again changes nothing while the leader lives
        assert leader._connection is not None
        await leader._connection.invalidate()  # its connection dies with its process
        await leader._connection.close()
        assert await other.try_take()
        await other.give_up()
        again = Leadership(first)
        assert await again.try_take()  # given up: free again
        await again.give_up()
    finally:
        await first.dispose()
        await second.dispose()
