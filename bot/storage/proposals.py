"""Proposals (with their milestones, answers and files) and proposal credits: the SQL behind bot/core/proposals.py
and bot/core/credits.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Select, and_, bindparam, case, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.hot import prepared, run
from bot.storage.orm import (
    AccountRow,
    ContractRow,
    CreditEntryRow,
    FileRow,
    JobAttachmentRow,
    JobRow,
    JobSkillRow,
    MessageRow,
    ProfileSkillRow,
    ProposalAnswerRow,
    ProposalAttachmentRow,
    ProposalMilestoneRow,
    ProposalRow,
)
from bot.storage.upsert import insert_ignoring_duplicates

MilestoneValues = tuple[str, int, date | None]  # (description, amount in minor units, due date)
ClientView = Literal["active", "archived"]


class ProposalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, proposal_id: int) -> ProposalRow | None:
        return await self.session.get(ProposalRow, proposal_id)

    async def add(
        self,
        values: dict[str, Any],
        milestones: Sequence[MilestoneValues],
        answers: Sequence[str],
        file_ids: Sequence[int],
    ) -> int | None:
        """Insert an active proposal with its parts and count it on its job; None (nothing written) when the
        freelancer already has an active one on that job, also when a concurrent twin committed first."""
        inserted = await self.session.execute(
            insert_ignoring_duplicates(self.session, ProposalRow, values).returning(ProposalRow.id)
        )
        proposal_id = inserted.scalar_one_or_none()
        if proposal_id is None:
            return None
        await self.replace_milestones(proposal_id, milestones)
        self.session.add_all(
            ProposalAnswerRow(proposal_id=proposal_id, position=position, text=text)
            for position, text in enumerate(answers)
        )
        self.session.add_all(
            ProposalAttachmentRow(proposal_id=proposal_id, file_id=file_id) for file_id in dict.fromkeys(file_ids)
        )
        await self.count_on_job(values["job_id"], +1)
        await self.session.flush()
        return proposal_id

    async def count_on_job(self, job_id: int, delta: int) -> None:
        """Move the job's ``proposals_count`` in one statement, so concurrent proposals can't lose a count."""
        await self.session.execute(
            update(JobRow).where(JobRow.id == job_id).values(proposals_count=JobRow.proposals_count + delta)
        )

    async def replace_milestones(self, proposal_id: int, milestones: Sequence[MilestoneValues]) -> None:
        await self.session.execute(delete(ProposalMilestoneRow).where(ProposalMilestoneRow.proposal_id == proposal_id))
        self.session.add_all(
            ProposalMilestoneRow(
                proposal_id=proposal_id, position=position, description=text, amount_minor=amount, due_date=due
            )
            for position, (text, amount, due) in enumerate(milestones)
        )
        await self.session.flush()

    async def milestones(self, proposal_id: int) -> list[ProposalMilestoneRow]:
        query = (
            select(ProposalMilestoneRow)
            .where(ProposalMilestoneRow.proposal_id == proposal_id)
            .order_by(ProposalMilestoneRow.position)
        )
        return list((await self.session.execute(query)).scalars())

    async def answers(self, proposal_id: int) -> list[str]:
        query = (
            select(ProposalAnswerRow.text)
            .where(ProposalAnswerRow.proposal_id == proposal_id)
            .order_by(ProposalAnswerRow.position)
        )
        return list((await self.session.execute(query)).scalars())

    async def attachments(self, proposal_id: int) -> list[tuple[int, str, int]]:
        """(file id, filename, size) of the proposal's files."""
        query = (
            select(FileRow.id, FileRow.filename, FileRow.size)
            .join(ProposalAttachmentRow, ProposalAttachmentRow.file_id == FileRow.id)
            .where(ProposalAttachmentRow.proposal_id == proposal_id)
            .order_by(FileRow.id)
        )
        return [(row.id, row.filename, row.size) for row in await self.session.execute(query)]

    async def active_for(self, job_id: int, freelancer_id: int) -> int | None:
        """The id of the freelancer's active proposal on the job: asked by every post's page, so built once."""
        params = {"job_id": job_id, "freelancer_id": freelancer_id}
        row = (await run(self.session, prepared(self.session, _active_proposal), params)).first()
        return None if row is None else row[0]

    async def was_declined(self, job_id: int, freelancer_id: int) -> bool:
        query = select(
            exists().where(
                ProposalRow.job_id == job_id,
                ProposalRow.freelancer_id == freelancer_id,
                ProposalRow.status == "declined",
            )
        )
        return bool((await self.session.execute(query)).scalar())

    def _freelancer_view(self, freelancer_id: int, archived: bool) -> Any:
        active = ProposalRow.status == "active"
        return and_(ProposalRow.freelancer_id == freelancer_id, ~active if archived else active)

    async def by_freelancer(
        self, freelancer_id: int, *, archived: bool, offset: int, limit: int
    ) -> list[tuple[ProposalRow, str, str]]:
        """(proposal, job title, job status), newest first: active ones, or the rest (``archived``)."""
        query = (
            select(ProposalRow, JobRow.title, JobRow.status)
            .join(JobRow, JobRow.id == ProposalRow.job_id)
            .where(self._freelancer_view(freelancer_id, archived))
            .order_by(ProposalRow.created_at.desc(), ProposalRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [(row[0], row[1], row[2]) for row in await self.session.execute(query)]

    async def count_by_freelancer(self, freelancer_id: int, *, archived: bool) -> int:
        query = select(func.count()).select_from(ProposalRow).where(self._freelancer_view(freelancer_id, archived))
        return (await self.session.execute(query)).scalar_one()

    def _client_view(self, job_id: int, view: ClientView) -> Any:
        """What a client lists: never withdrawn proposals; "archived" holds the archived and declined ones."""
        filed = or_(ProposalRow.archived, ProposalRow.status == "declined")
        return and_(
            ProposalRow.job_id == job_id,
            ProposalRow.status != "withdrawn",
            filed if view == "archived" else ~filed,
        )

    async def for_job(
        self,
        job_id: int,
        view: ClientView,
        *,
        best_match: bool,
        rate_range: tuple[int, int],
        offset: int,
        limit: int,
    ) -> list[tuple[ProposalRow, str]]:
        """(proposal, freelancer's full name) of one job. Newest first, or by best match: more of the job's skills
        in the freelancer's profile first, then the bid closer to ``rate_range`` (the client's hourly range, or
        nothing to the budget of a fixed job; inside it counts as 0), then newest."""
        low, high = rate_range
        overlap = (
            select(func.count())
            .select_from(ProfileSkillRow)
            .join(JobSkillRow, and_(JobSkillRow.skill == ProfileSkillRow.skill, JobSkillRow.job_id == job_id))
            .where(ProfileSkillRow.account_id == ProposalRow.freelancer_id)
            .correlate(ProposalRow)
            .scalar_subquery()
        )
        distance = case(
            (ProposalRow.amount_minor < low, low - ProposalRow.amount_minor),
            (ProposalRow.amount_minor > high, ProposalRow.amount_minor - high),
            else_=0,
        )
        newest = (ProposalRow.created_at.desc(), ProposalRow.id.desc())
        order = (overlap.desc(), distance, *newest) if best_match else newest
        query = (
            select(ProposalRow, AccountRow.full_name)
            .join(AccountRow, AccountRow.id == ProposalRow.freelancer_id)
            .where(self._client_view(job_id, view))
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in await self.session.execute(query)]

    async def count_for_job(self, job_id: int, view: ClientView) -> int:
        query = select(func.count()).select_from(ProposalRow).where(self._client_view(job_id, view))
        return (await self.session.execute(query)).scalar_one()

    async def of_account(self, freelancer_id: int) -> list[ProposalRow]:
        """Every proposal the freelancer sent, oldest first (for the data export)."""
        query = select(ProposalRow).where(ProposalRow.freelancer_id == freelancer_id).order_by(ProposalRow.id)
        return list((await self.session.execute(query)).scalars())

    async def refundable(self, job_id: int) -> list[ProposalRow]:
        """Proposals of the job that cost credits and were not withdrawn by their freelancer."""
        query = select(ProposalRow).where(
            ProposalRow.job_id == job_id,
            ProposalRow.credits_spent > 0,
            ProposalRow.status.in_(("active", "declined")),
        )
        return list((await self.session.execute(query)).scalars())

    async def job_hired(self, job_id: int) -> bool:
        """Someone was hired on the job: a hired proposal, or an accepted contract."""
        hired = exists().where(ProposalRow.job_id == job_id, ProposalRow.status == "hired")
        contract = exists().where(ContractRow.job_id == job_id, ContractRow.status.in_(("active", "ended")))
        return bool((await self.session.execute(select(or_(hired, contract)))).scalar())

    async def own_files(self, owner_id: int, file_ids: Sequence[int]) -> set[int]:
        """Those of ``file_ids`` that the owner uploaded."""
        if not file_ids:
            return set()
        query = select(FileRow.id).where(FileRow.id.in_(list(file_ids)), FileRow.owner_id == owner_id)
        return set((await self.session.execute(query)).scalars())

    async def forget_files(self, owner_id: int, file_ids: Sequence[int]) -> None:
        """Delete the owner's uploads among ``file_ids`` that nothing refers to (a discarded proposal's files)."""
        if not file_ids:
            return
        used = or_(
            exists().where(ProposalAttachmentRow.file_id == FileRow.id),
            exists().where(JobAttachmentRow.file_id == FileRow.id),
            exists().where(MessageRow.file_id == FileRow.id),
        )
        await self.session.execute(
            delete(FileRow).where(FileRow.id.in_(list(file_ids)), FileRow.owner_id == owner_id, ~used)
        )


class CreditRepository:
    """Credit movements, each written at most once per key."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, account_id: int, delta: int, reason: str, key: str, now: datetime) -> bool:
        """False (nothing written) when ``key`` was used before."""
        values = {"account_id": account_id, "delta": delta, "reason": reason, "key": key, "created_at": now}
        result = await self.session.execute(insert_ignoring_duplicates(self.session, CreditEntryRow, values))
        return result.rowcount == 1

    async def balance(self, account_id: int) -> int:
        query = select(func.coalesce(func.sum(CreditEntryRow.delta), 0)).where(CreditEntryRow.account_id == account_id)
        return int((await self.session.execute(query)).scalar_one())

    async def has(self, key: str) -> bool:
        return bool((await self.session.execute(select(exists().where(CreditEntryRow.key == key)))).scalar())

    async def entries(self, account_id: int) -> list[CreditEntryRow]:
        query = select(CreditEntryRow).where(CreditEntryRow.account_id == account_id).order_by(CreditEntryRow.id)
        return list((await self.session.execute(query)).scalars())


def _active_proposal(_dialect: str) -> Select[tuple[int]]:
    return select(ProposalRow.id).where(
        ProposalRow.job_id == bindparam("job_id"),
        ProposalRow.freelancer_id == bindparam("freelancer_id"),
        ProposalRow.status == "active",
    )
