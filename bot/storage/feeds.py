"""External job feeds: their sources and the jobs they brought, the SQL behind bot/core/sources/ingest.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.orm import FeedSourceRow, JobMatchRow, JobRow, JobSkillRow
from bot.storage.upsert import insert_ignoring_duplicates


class FeedSourceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_name(self, name: str) -> FeedSourceRow | None:
        query = select(FeedSourceRow).where(FeedSourceRow.name == name)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def get(self, source_id: int) -> FeedSourceRow | None:
        return await self.session.get(FeedSourceRow, source_id)

    async def create(self, name: str, account_id: int, now: datetime) -> bool:
        """False when another process created the source meanwhile."""
        values = {"name": name, "account_id": account_id, "created_at": now}
        inserted = await self.session.execute(insert_ignoring_duplicates(self.session, FeedSourceRow, values))
        return inserted.rowcount == 1

    async def jobs(self, source_id: int) -> list[JobRow]:
        """Every job the source brought, whatever its status."""
        query = select(JobRow).where(JobRow.source_id == source_id).order_by(JobRow.id)
        return list((await self.session.execute(query)).scalars())

    async def add_jobs(self, jobs: Sequence[tuple[JobRow, Sequence[str]]], now: datetime) -> None:
        """New jobs with their skills, each waiting to be matched against the saved searches (as a post is)."""
        self.session.add_all(job for job, _ in jobs)
        await self.session.flush()
        self.session.add_all(
            JobSkillRow(job_id=job.id, skill=skill) for job, skills in jobs for skill in dict.fromkeys(skills)
        )
        self.session.add_all(JobMatchRow(job_id=job.id, created_at=now) for job, _ in jobs)
        await self.session.flush()

    async def replace_skills(self, job_id: int, skills: Sequence[str]) -> None:
        await self.session.execute(delete(JobSkillRow).where(JobSkillRow.job_id == job_id))
        self.session.add_all(JobSkillRow(job_id=job_id, skill=skill) for skill in dict.fromkeys(skills))
        await self.session.flush()

    async def match_again(self, job_id: int, now: datetime) -> None:
        """A reopened job waits to be matched again (the alerts table keeps one alert per person and job)."""
        await self.session.execute(delete(JobMatchRow).where(JobMatchRow.job_id == job_id))
        self.session.add(JobMatchRow(job_id=job_id, created_at=now))
        await self.session.flush()

    async def touch(self, job_ids: Sequence[int], now: datetime) -> None:
        """Jobs still listed by their feed: activity, so they don't expire while the feed shows them."""
        for start in range(0, len(job_ids), 500):
            chunk = job_ids[start : start + 500]
            await self.session.execute(update(JobRow).where(JobRow.id.in_(chunk)).values(last_activity_at=now))

    async def touch_listed_since(self, source_id: int, since: datetime, now: datetime) -> None:
        """An unchanged feed (a 304) still lists what its last poll saw: the open jobs touched since then."""
        await self.session.execute(
            update(JobRow)
            .where(JobRow.source_id == source_id, JobRow.status == "open", JobRow.last_activity_at >= since)
            .values(last_activity_at=now)
        )
