"""Saved searches, their change log, alert settings, jobs waiting to be matched, and the alerts made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.orm import (
    AlertRow,
    AlertSettingsRow,
    HiddenJobRow,
    JobMatchRow,
    JobRow,
    ProposalRow,
    SavedSearchChangeRow,
    SavedSearchRow,
)
from bot.storage.upsert import insert_ignoring_duplicates


class AlertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---- saved searches -----------------------------------------------------------------------------------

    async def searches_of(self, account_id: int) -> list[SavedSearchRow]:
        query = select(SavedSearchRow).where(SavedSearchRow.account_id == account_id).order_by(SavedSearchRow.id)
        return list((await self.session.execute(query)).scalars())

    async def count_of(self, account_id: int) -> int:
        query = select(func.count()).select_from(SavedSearchRow).where(SavedSearchRow.account_id == account_id)
        return (await self.session.execute(query)).scalar_one()

    async def search(self, search_id: int) -> SavedSearchRow | None:
        return await self.session.get(SavedSearchRow, search_id)

    async def add_search(self, row: SavedSearchRow) -> SavedSearchRow:
        self.session.add(row)
        await self.session.flush()
        await self._changed(row.id, row.updated_at)
        return row

    async def update_search(self, search_id: int, now: datetime, **values: Any) -> None:
        await self.session.execute(
            update(SavedSearchRow).where(SavedSearchRow.id == search_id).values(updated_at=now, **values)
        )
        await self._changed(search_id, now)

    async def delete_search(self, search_id: int, now: datetime) -> None:
        await self.session.execute(delete(SavedSearchRow).where(SavedSearchRow.id == search_id))
        await self._changed(search_id, now)

    async def touch_searches_of(self, account_id: int, now: datetime) -> None:
        """Every search of this person changed for the matchers (their alerts were paused or resumed)."""
        for row in await self.searches_of(account_id):
            await self._changed(row.id, now)

    async def _changed(self, search_id: int, now: datetime) -> None:
        self.session.add(SavedSearchChangeRow(search_id=search_id, changed_at=now))
        await self.session.flush()

    async def active_searches(self, after_id: int = 0, limit: int = 10_000) -> list[SavedSearchRow]:
        """Searches that alert (not paused, their owner's alerts not paused), by id, a page at a time."""
        paused_owners = select(AlertSettingsRow.account_id).where(AlertSettingsRow.paused.is_(True))
        query = (
            select(SavedSearchRow)
            .where(
                SavedSearchRow.id > after_id,
                SavedSearchRow.paused.is_(False),
                SavedSearchRow.account_id.not_in(paused_owners),
            )
            .order_by(SavedSearchRow.id)
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def last_change(self) -> int:
        return (await self.session.execute(select(func.coalesce(func.max(SavedSearchChangeRow.seq), 0)))).scalar_one()

    async def changed_since(self, seq: int) -> tuple[int, set[int]]:
        """The newest change number, and the searches changed after ``seq``."""
        rows = (
            await self.session.execute(
                select(SavedSearchChangeRow.seq, SavedSearchChangeRow.search_id).where(SavedSearchChangeRow.seq > seq)
            )
        ).all()
        return max((row.seq for row in rows), default=seq), {row.search_id for row in rows}

    # ---- settings -------------------------------------------------------------------------------------------

    async def settings(self, account_id: int) -> AlertSettingsRow | None:
        return await self.session.get(AlertSettingsRow, account_id)

    async def settings_of(self, account_ids: Sequence[int]) -> dict[int, AlertSettingsRow]:
        query = select(AlertSettingsRow).where(AlertSettingsRow.account_id.in_(account_ids))
        return {row.account_id: row for row in (await self.session.execute(query)).scalars()}

    async def save_settings(self, account_id: int, now: datetime, **values: Any) -> None:
        row = await self.settings(account_id)
        if row is None:
            self.session.add(AlertSettingsRow(account_id=account_id, updated_at=now, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = now
        await self.session.flush()

    # ---- matching and alerts ----------------------------------------------------------------------------------

    async def queue_match(self, job_id: int, now: datetime) -> None:
        """The job became visible: match it against the saved searches once this transaction commits."""
        await self.session.execute(
            insert_ignoring_duplicates(self.session, JobMatchRow, {"job_id": job_id, "created_at": now})
        )
        await self.session.execute(
            update(JobMatchRow).where(JobMatchRow.job_id == job_id).values(expanded_at=None, created_at=now)
        )

    async def waiting_matches(self, limit: int) -> list[int]:
        query = (
            select(JobMatchRow.job_id)
            .where(JobMatchRow.expanded_at.is_(None))
            .order_by(JobMatchRow.created_at, JobMatchRow.job_id)
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def matched(self, job_id: int, now: datetime) -> None:
        await self.session.execute(update(JobMatchRow).where(JobMatchRow.job_id == job_id).values(expanded_at=now))

    async def not_for(self, job_id: int, account_ids: Sequence[int]) -> set[int]:
        """Those of these people who hid the job or applied to it: it never alerts them."""
        hid = select(HiddenJobRow.account_id).where(
            HiddenJobRow.job_id == job_id, HiddenJobRow.account_id.in_(account_ids)
        )
        applied = select(ProposalRow.freelancer_id).where(
            ProposalRow.job_id == job_id, ProposalRow.freelancer_id.in_(account_ids)
        )
        return set((await self.session.execute(hid.union(applied))).scalars())

    async def recent_job_texts(self, limit: int) -> list[tuple[str, str, str, str]]:
        """The newest published jobs' title, description, skills and category: how common words are."""
        query = (
            select(JobRow.title, JobRow.description, JobRow.skills_text, JobRow.category)
            .where(JobRow.published_at.is_not(None))
            .order_by(JobRow.published_at.desc())
            .limit(limit)
        )
        return [tuple(row) for row in (await self.session.execute(query)).all()]  # type: ignore[misc]

    async def add_alert(self, values: dict[str, Any]) -> bool:
        """One alert per (person, job): False when there was one already (nothing is added)."""
        result = await self.session.execute(insert_ignoring_duplicates(self.session, AlertRow, values))
        return result.rowcount == 1

    async def alerted_today(self, account_id: int, since: datetime) -> int:
        query = (
            select(func.count())
            .select_from(AlertRow)
            .where(AlertRow.account_id == account_id, AlertRow.created_at >= since, AlertRow.delivery == "instant")
        )
        return (await self.session.execute(query)).scalar_one()

    async def recent(self, account_id: int, limit: int = 50) -> list[AlertRow]:
        query = (
            select(AlertRow)
            .where(AlertRow.account_id == account_id)
            .order_by(AlertRow.created_at.desc(), AlertRow.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def digest_waiting(self, account_id: int | None = None, limit: int = 1000) -> list[AlertRow]:
        """Alerts kept for a digest, everyone's or one person's."""
        query = select(AlertRow).where(AlertRow.delivered_at.is_(None), AlertRow.delivery == "digest")
        if account_id is not None:
            query = query.where(AlertRow.account_id == account_id)
        query = query.order_by(AlertRow.account_id, AlertRow.created_at).limit(limit)
        return list((await self.session.execute(query)).scalars())

    async def delivered(self, alert_ids: Sequence[int], now: datetime) -> None:
        await self.session.execute(update(AlertRow).where(AlertRow.id.in_(alert_ids)).values(delivered_at=now))
