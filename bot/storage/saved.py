"""Saved (♥) and hidden ("not interested") jobs of each freelancer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.hot import prepared, run
from bot.storage.orm import HiddenJobRow, SavedJobRow
from bot.storage.upsert import insert_ignoring_duplicates


class SavedJobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, account_id: int, job_id: int, now: datetime) -> bool:
        """False when it was saved already."""
        values = {"account_id": account_id, "job_id": job_id, "created_at": now}
        result = await self.session.execute(insert_ignoring_duplicates(self.session, SavedJobRow, values))
        return result.rowcount == 1

    async def unsave(self, account_id: int, job_id: int) -> bool:
        result = await self.session.execute(
            delete(SavedJobRow).where(SavedJobRow.account_id == account_id, SavedJobRow.job_id == job_id)
        )
        return result.rowcount == 1

    async def is_saved(self, account_id: int, job_id: int) -> bool:
        """Asked by every post's page (its ♥ button), so built once (``bot.storage.hot``)."""
        params = {"account_id": account_id, "job_id": job_id}
        return (await run(self.session, prepared(self.session, _saved), params)).first() is not None

    async def saved_ids(self, account_id: int, offset: int = 0, limit: int | None = None) -> list[int]:
        """Newest saved first."""
        query = (
            select(SavedJobRow.job_id)
            .where(SavedJobRow.account_id == account_id)
            .order_by(SavedJobRow.created_at.desc(), SavedJobRow.job_id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def saved_count(self, account_id: int) -> int:
        query = select(func.count()).select_from(SavedJobRow).where(SavedJobRow.account_id == account_id)
        return (await self.session.execute(query)).scalar_one()

    async def hide(self, account_id: int, job_id: int, reason: str | None, now: datetime) -> None:
        """Hide, or change the reason of a job hidden before; a hidden job is no longer saved."""
        await self.unsave(account_id, job_id)
        row = await self.session.get(HiddenJobRow, (account_id, job_id))
        if row is None:
            self.session.add(HiddenJobRow(account_id=account_id, job_id=job_id, reason=reason, created_at=now))
        else:
            row.reason = reason
        await self.session.flush()

    async def unhide(self, account_id: int, job_id: int) -> bool:
        result = await self.session.execute(
            delete(HiddenJobRow).where(HiddenJobRow.account_id == account_id, HiddenJobRow.job_id == job_id)
        )
        return result.rowcount == 1

    async def hidden(self, account_id: int) -> list[tuple[int, str | None]]:
        """(job id, reason) of every job this freelancer hid."""
        query = select(HiddenJobRow.job_id, HiddenJobRow.reason).where(HiddenJobRow.account_id == account_id)
        return [(job_id, reason) for job_id, reason in await self.session.execute(query)]


def _saved(_dialect: str) -> Select[tuple[int]]:
    return select(SavedJobRow.job_id).where(
        SavedJobRow.account_id == bindparam("account_id"), SavedJobRow.job_id == bindparam("job_id")
    )
