"""Job posts, their invitations, and talent clouds: the SQL behind bot/core/jobs.py and bot/core/clouds.py.

Showing a post reads the job, its skills, questions and files, and what freelancers see of the client: those
statements are built once and run through ``bot.storage.hot`` (a /job or a press on a search's card runs them
all), the client's account, profile and feed in one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, case, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.hot import prepared, run
from bot.storage.orm import (
    AccountRow,
    ClientProfileRow,
    CloudMemberRow,
    FeedSourceRow,
    FileRow,
    JobAttachmentRow,
    JobDraftRow,
    JobInviteRow,
    JobQuestionRow,
    JobRow,
    JobSkillRow,
    TalentCloudRow,
)

AttachmentMeta = tuple[int, str, int]  # (file id, filename, size in bytes)


class ClientFacts(NamedTuple):
    """What a post shows of its client: the account, the client profile (None without one), the feed it is."""

    full_name: str
    country: str
    created_at: datetime
    payment_verified: bool | None
    hires_count: int | None
    total_spent_minor: int | None
    rating_sum: int | None
    rating_count: int | None
    source_name: str | None


class JobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, job_id: int) -> JobRow | None:
        return await self.session.get(JobRow, job_id)

    async def columns(self, job_id: int) -> dict[str, Any] | None:
        """The job's columns by name, read without the ORM: for showing it, not changing it."""
        row = (await run(self.session, prepared(self.session, _job), {"job_id": job_id})).first()
        return None if row is None else dict(zip(_JOB_COLUMNS, row, strict=True))

    async def kept_draft(self, client_id: int) -> JobDraftRow | None:
        return await self.session.get(JobDraftRow, client_id)

    async def keep_draft(self, client_id: int, data: dict[str, object], now: datetime) -> None:
        """The client's one unfinished post, replacing the one kept before."""
        row = await self.session.get(JobDraftRow, client_id)
        if row is None:
            self.session.add(JobDraftRow(account_id=client_id, data=data, saved_at=now))
        else:
            row.data, row.saved_at = data, now
        await self.session.flush()

    async def drop_draft(self, client_id: int) -> None:
        await self.session.execute(delete(JobDraftRow).where(JobDraftRow.account_id == client_id))

    async def save(
        self, job: JobRow, skills: Sequence[str], questions: Sequence[str], file_ids: Sequence[int]
    ) -> JobRow:
        """Insert or update the job and replace its skills, screening questions and attachments."""
        self.session.add(job)
        await self.session.flush()
        for table in (JobSkillRow, JobQuestionRow, JobAttachmentRow):
            await self.session.execute(delete(table).where(table.job_id == job.id))
        self.session.add_all(JobSkillRow(job_id=job.id, skill=skill) for skill in dict.fromkeys(skills))
        self.session.add_all(
            JobQuestionRow(job_id=job.id, position=position, text=text) for position, text in enumerate(questions)
        )
        self.session.add_all(JobAttachmentRow(job_id=job.id, file_id=file_id) for file_id in dict.fromkeys(file_ids))
        await self.session.flush()
        return job

    async def skills(self, job_id: int) -> list[str]:
        found = await run(self.session, prepared(self.session, _skills), {"job_id": job_id})
        return [skill for (skill,) in found.rows]

    async def questions(self, job_id: int) -> list[str]:
        found = await run(self.session, prepared(self.session, _questions), {"job_id": job_id})
        return [text for (text,) in found.rows]

    async def attachments(self, job_id: int) -> list[AttachmentMeta]:
        return (await run(self.session, prepared(self.session, _attachments), {"job_id": job_id})).rows

    async def client_facts(self, client_id: int) -> ClientFacts | None:
        """None when there is no such account."""
        row = (await run(self.session, prepared(self.session, _client_facts), {"client_id": client_id})).first()
        return None if row is None else ClientFacts(*row)

    async def by_client(self, client_id: int, limit: int) -> list[JobRow]:
        """The client's posts: open ones first, then drafts, closed and expired; newest first within each."""
        rank = case({"open": 0, "draft": 1, "closed": 2}, value=JobRow.status, else_=3)
        query = (
            select(JobRow)
            .where(JobRow.client_id == client_id)
            .order_by(rank, JobRow.created_at.desc(), JobRow.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def count_by_client(self, client_id: int) -> int:
        query = select(func.count()).select_from(JobRow).where(JobRow.client_id == client_id)
        return (await self.session.execute(query)).scalar_one()

    async def stale_open(self, before: datetime, limit: int) -> list[JobRow]:
        """Open jobs whose last activity is at or before ``before``."""
        query = (
            select(JobRow)
            .where(JobRow.status == "open", JobRow.last_activity_at <= before)
            .order_by(JobRow.last_activity_at)
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def is_invited(self, job_id: int, account_id: int) -> bool:
        query = select(exists().where(JobInviteRow.job_id == job_id, JobInviteRow.freelancer_id == account_id))
        return bool((await self.session.execute(query)).scalar())

    async def add_invite(self, job_id: int, freelancer_id: int, now: datetime) -> None:
        self.session.add(JobInviteRow(job_id=job_id, freelancer_id=freelancer_id, message="", created_at=now))
        await self.session.flush()

    async def make_client(self, account_id: int) -> None:
        await self.session.execute(update(AccountRow).where(AccountRow.id == account_id).values(is_client=True))

    async def forget_files(self, owner_id: int, file_ids: Sequence[int]) -> None:
        """Delete the owner's uploads among ``file_ids`` that no job refers to (a discarded draft's files)."""
        if not file_ids:
            return
        attached = select(JobAttachmentRow.file_id).where(JobAttachmentRow.file_id == FileRow.id)
        await self.session.execute(
            delete(FileRow).where(FileRow.id.in_(file_ids), FileRow.owner_id == owner_id, ~exists(attached))
        )


class CloudRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, cloud_id: int) -> TalentCloudRow | None:
        return await self.session.get(TalentCloudRow, cloud_id)

    async def name_taken(self, name: str) -> bool:
        query = select(exists().where(func.lower(TalentCloudRow.name) == name.lower()))
        return bool((await self.session.execute(query)).scalar())

    async def create(self, cloud: TalentCloudRow) -> TalentCloudRow:
        self.session.add(cloud)
        await self.session.flush()
        return cloud

    async def membership(self, cloud_id: int, account_id: int) -> CloudMemberRow | None:
        return await self.session.get(CloudMemberRow, (cloud_id, account_id))

    async def members(self, cloud_id: int) -> list[tuple[CloudMemberRow, AccountRow]]:
        query = (
            select(CloudMemberRow, AccountRow)
            .join(AccountRow, AccountRow.id == CloudMemberRow.account_id)
            .where(CloudMemberRow.cloud_id == cloud_id)
            .order_by(CloudMemberRow.status.desc(), AccountRow.username)
        )
        return [(row[0], row[1]) for row in await self.session.execute(query)]

    async def add_member(self, cloud_id: int, account_id: int, status: str, now: datetime) -> None:
        self.session.add(CloudMemberRow(cloud_id=cloud_id, account_id=account_id, status=status, created_at=now))
        await self.session.flush()

    async def set_status(self, cloud_id: int, account_id: int, status: str) -> None:
        await self.session.execute(
            update(CloudMemberRow)
            .where(CloudMemberRow.cloud_id == cloud_id, CloudMemberRow.account_id == account_id)
            .values(status=status)
        )

    async def remove_member(self, cloud_id: int, account_id: int) -> bool:
        result = await self.session.execute(
            delete(CloudMemberRow).where(CloudMemberRow.cloud_id == cloud_id, CloudMemberRow.account_id == account_id)
        )
        return result.rowcount == 1

    async def for_account(self, account_id: int) -> list[tuple[TalentCloudRow, str]]:
        """Clouds the account owns ("owner") or belongs to or is invited to (their member status), by name."""
        owned = select(TalentCloudRow).where(TalentCloudRow.owner_id == account_id)
        joined = (
            select(TalentCloudRow, CloudMemberRow.status)
            .join(CloudMemberRow, CloudMemberRow.cloud_id == TalentCloudRow.id)
            .where(CloudMemberRow.account_id == account_id)
        )
        found = [(cloud, "owner") for cloud in (await self.session.execute(owned)).scalars()]
        found += [(row[0], row[1]) for row in await self.session.execute(joined)]
        return sorted(found, key=lambda pair: pair[0].name.casefold())


# ---- the statements of a post's page, built once per backend (bot.storage.hot) ---------------------------

_JOB_COLUMNS = tuple(column.key for column in JobRow.__table__.columns)


def _job(_dialect: str) -> Select[Any]:
    return select(*JobRow.__table__.columns).where(JobRow.id == bindparam("job_id"))


def _skills(_dialect: str) -> Select[tuple[str]]:
    return select(JobSkillRow.skill).where(JobSkillRow.job_id == bindparam("job_id"))


def _questions(_dialect: str) -> Select[tuple[str]]:
    return (
        select(JobQuestionRow.text)
        .where(JobQuestionRow.job_id == bindparam("job_id"))
        .order_by(JobQuestionRow.position)
    )


def _attachments(_dialect: str) -> Select[tuple[int, str, int]]:
    return (
        select(FileRow.id, FileRow.filename, FileRow.size)
        .join(JobAttachmentRow, JobAttachmentRow.file_id == FileRow.id)
        .where(JobAttachmentRow.job_id == bindparam("job_id"))
        .order_by(FileRow.id)
    )


def _client_facts(_dialect: str) -> Select[Any]:
    profile = ClientProfileRow
    return (
        select(
            AccountRow.full_name,
            AccountRow.country,
            AccountRow.created_at,
            profile.payment_verified,
            profile.hires_count,
            profile.total_spent_minor,
            profile.rating_sum,
            profile.rating_count,
            FeedSourceRow.name,
        )
        .outerjoin(profile, profile.account_id == AccountRow.id)
        .outerjoin(FeedSourceRow, FeedSourceRow.account_id == AccountRow.id)
        .where(AccountRow.id == bindparam("client_id"))
    )
