"""Contracts, their milestones and submissions, logged time and weekly invoices: the SQL behind
bot/core/contracts.py and bot/core/hourly.py.

Every state change is a conditional update (``WHERE status IN (...)``) that reports whether it won, so two
clicks, two processes or a click and a scheduler sweep can never both move the same milestone or invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.orm import (
    AccountRow,
    ClientProfileRow,
    ContractRow,
    InvoiceRow,
    MilestoneRow,
    SubmissionRow,
    TimeEntryRow,
)
from bot.storage.upsert import insert_ignoring_duplicates

MILESTONES_IN_ESCROW = ("funded", "submitted", "changes", "disputed")
INVOICES_IN_ESCROW = ("review", "disputed")
_LIST_ORDER = {"offered": 0, "active": 1, "ended": 2, "declined": 3, "withdrawn": 4}


class ContractRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---- contracts ------------------------------------------------------------------------------

    async def get(self, contract_id: int) -> ContractRow | None:
        return await self.session.get(ContractRow, contract_id)

    async def add(self, contract: ContractRow, milestones: Sequence[MilestoneRow]) -> ContractRow:
        self.session.add(contract)
        await self.session.flush()
        for position, milestone in enumerate(milestones, 1):
            milestone.contract_id, milestone.position = contract.id, position
        self.session.add_all(milestones)
        await self.session.flush()
        return contract

    async def hired_on_job(self, job_id: int) -> bool:
        """Someone was hired on the job: a contract made from one of its proposals was accepted."""
        query = select(ContractRow.id).where(ContractRow.job_id == job_id, ContractRow.status.in_(("active", "ended")))
        return (await self.session.execute(query.limit(1))).first() is not None

    async def open_for_proposal(self, proposal_id: int) -> ContractRow | None:
        """The offer waiting for an answer, or the contract, made on this proposal."""
        query = select(ContractRow).where(
            ContractRow.proposal_id == proposal_id, ContractRow.status.in_(("offered", "active"))
        )
        return (await self.session.execute(query)).scalars().first()

    async def _move(self, table: Any, row_id: int, from_statuses: Sequence[str], values: dict[str, Any]) -> bool:
        """Change the row if it is still in one of ``from_statuses``; False when someone moved it first."""
        moved = await self.session.execute(
            update(table)
            .where(table.id == row_id, table.status.in_(list(from_statuses)))
            .values(version=table.version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount == 1:
            await self._refresh(table, row_id)
        return moved.rowcount == 1

    async def move(self, contract_id: int, from_statuses: Sequence[str], **values: Any) -> bool:
        return await self._move(ContractRow, contract_id, from_statuses, values)

    async def _refresh(self, table: Any, row_id: int) -> None:
        row = await self.session.get(table, row_id)
        if row is not None:
            await self.session.refresh(row)

    async def of_account(self, account_id: int, limit: int) -> list[tuple[ContractRow, str]]:
        """(contract, the other party's full name): offers first, then active, ended, and the rest; newest first."""
        other = case((ContractRow.client_id == account_id, ContractRow.freelancer_id), else_=ContractRow.client_id)
        rank = case(_LIST_ORDER, value=ContractRow.status, else_=9)
        query = (
            select(ContractRow, AccountRow.full_name)
            .join(AccountRow, AccountRow.id == other)
            .where(or_(ContractRow.client_id == account_id, ContractRow.freelancer_id == account_id))
            .order_by(rank, ContractRow.id.desc())
            .limit(limit)
        )
        return [(row[0], row[1]) for row in await self.session.execute(query)]

    async def of_party(self, account_id: int) -> Sequence[ContractRow]:
        """Every offer and contract of this account, as client or freelancer, oldest first (for /export)."""
        query = (
            select(ContractRow)
            .where(or_(ContractRow.client_id == account_id, ContractRow.freelancer_id == account_id))
            .order_by(ContractRow.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def active_hourly(self, freelancer_id: int) -> list[ContractRow]:
        query = (
            select(ContractRow)
            .where(
                ContractRow.freelancer_id == freelancer_id,
                ContractRow.kind == "hourly",
                ContractRow.status == "active",
            )
            .order_by(ContractRow.id)
        )
        return list((await self.session.execute(query)).scalars())

    async def client_ids_of(self, freelancer_id: int) -> frozenset[int]:
        """Clients this freelancer has had a contract with (active or ended)."""
        query = select(ContractRow.client_id).where(
            ContractRow.freelancer_id == freelancer_id, ContractRow.status.in_(("active", "ended"))
        )
        return frozenset((await self.session.execute(query)).scalars())

    async def count_hire(self, client_id: int, now: datetime) -> None:
        await self._client_stats(client_id, now, hires_count=ClientProfileRow.hires_count + 1)

    async def add_spent(self, client_id: int, amount_minor: int, now: datetime) -> None:
        await self._client_stats(client_id, now, total_spent_minor=ClientProfileRow.total_spent_minor + amount_minor)

    async def _client_stats(self, client_id: int, now: datetime, **values: Any) -> None:
        """Move a client's counters in one statement (the profile row is created if they never filled one)."""
        row = {
            "account_id": client_id,
            "company_name": "",
            "payment_verified": False,
            "hires_count": 0,
            "total_spent_minor": 0,
            "rating_sum": 0,
            "rating_count": 0,
            "updated_at": now,
        }
        await self.session.execute(insert_ignoring_duplicates(self.session, ClientProfileRow, row))
        await self.session.execute(
            update(ClientProfileRow)
            .where(ClientProfileRow.account_id == client_id)
            .values(updated_at=now, **values)
            .execution_options(synchronize_session=False)
        )
        await self._refresh(ClientProfileRow, client_id)

    # ---- milestones -----------------------------------------------------------------------------

    async def milestone(self, milestone_id: int) -> MilestoneRow | None:
        return await self.session.get(MilestoneRow, milestone_id)

    async def milestones(self, contract_id: int) -> list[MilestoneRow]:
        query = select(MilestoneRow).where(MilestoneRow.contract_id == contract_id).order_by(MilestoneRow.position)
        return list((await self.session.execute(query)).scalars())

    async def add_milestone(self, milestone: MilestoneRow) -> MilestoneRow:
        """Append a milestone after the contract's last one."""
        query = select(func.coalesce(func.max(MilestoneRow.position), 0)).where(
            MilestoneRow.contract_id == milestone.contract_id
        )
        milestone.position = (await self.session.execute(query)).scalar_one() + 1
        self.session.add(milestone)
        await self.session.flush()
        return milestone

    async def move_milestone(self, milestone_id: int, from_statuses: Sequence[str], **values: Any) -> bool:
        return await self._move(MilestoneRow, milestone_id, from_statuses, values)

    async def release_part(
        self, milestone_id: int, from_statuses: Sequence[str], released_before: int, amount_minor: int
    ) -> bool:
        """Add a partial payment to what the milestone released, unless someone released some of it (or moved it)
        since ``released_before`` was read; the milestone keeps its status and the rest of its escrow."""
        moved = await self.session.execute(
            update(MilestoneRow)
            .where(
                MilestoneRow.id == milestone_id,
                MilestoneRow.status.in_(list(from_statuses)),
                MilestoneRow.released_minor == released_before,
            )
            .values(version=MilestoneRow.version + 1, released_minor=released_before + amount_minor)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount == 1:
            await self._refresh(MilestoneRow, milestone_id)
        return moved.rowcount == 1

    async def claim_reminders(self, milestone_id: int, sent_before: int, sent_now: int) -> bool:
        """Record that the reminders up to ``sent_now`` went out, unless another sweep recorded them first."""
        moved = await self.session.execute(
            update(MilestoneRow)
            .where(
                MilestoneRow.id == milestone_id,
                MilestoneRow.status == "submitted",
                MilestoneRow.reminders_sent == sent_before,
            )
            .values(reminders_sent=sent_now)
            .execution_options(synchronize_session=False)
        )
        return moved.rowcount == 1

    async def add_submission(self, milestone_id: int, message: str, file_ids: list[int], now: datetime) -> None:
        self.session.add(SubmissionRow(milestone_id=milestone_id, message=message, file_ids=file_ids, created_at=now))
        await self.session.flush()

    async def last_submission(self, milestone_id: int) -> SubmissionRow | None:
        query = (
            select(SubmissionRow)
            .where(SubmissionRow.milestone_id == milestone_id)
            .order_by(SubmissionRow.id.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def submitted_due(self, until: datetime, limit: int) -> list[MilestoneRow]:
        """Submitted milestones whose auto-release falls at or before ``until``, soonest first."""
        query = (
            select(MilestoneRow)
            .where(MilestoneRow.status == "submitted", MilestoneRow.auto_release_at <= until)
            .order_by(MilestoneRow.auto_release_at, MilestoneRow.id)
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    # ---- escrow held for or by a person ---------------------------------------------------------

    async def money_in_escrow(self, contract_id: int) -> bool:
        milestones = exists().where(
            MilestoneRow.contract_id == contract_id, MilestoneRow.status.in_(MILESTONES_IN_ESCROW)
        )
        invoices = exists().where(InvoiceRow.contract_id == contract_id, InvoiceRow.status.in_(INVOICES_IN_ESCROW))
        return bool((await self.session.execute(select(or_(milestones, invoices)))).scalar())

    async def escrow_of_account(self, account_id: int) -> bool:
        """Money is in escrow on a contract where the account is the client or the freelancer."""
        party = or_(ContractRow.client_id == account_id, ContractRow.freelancer_id == account_id)
        milestones = exists().where(
            MilestoneRow.contract_id == ContractRow.id, MilestoneRow.status.in_(MILESTONES_IN_ESCROW)
        )
        invoices = exists().where(InvoiceRow.contract_id == ContractRow.id, InvoiceRow.status.in_(INVOICES_IN_ESCROW))
        query = select(exists().where(party, or_(milestones, invoices)))
        return bool((await self.session.execute(query)).scalar())

    # ---- time and invoices ----------------------------------------------------------------------

    async def add_time(self, contract_id: int, week_start: date, minutes: int, memo: str, now: datetime) -> None:
        entry = TimeEntryRow(contract_id=contract_id, week_start=week_start, minutes=minutes, memo=memo, created_at=now)
        self.session.add(entry)
        await self.session.flush()

    async def time_log(self, contract_id: int) -> Sequence[TimeEntryRow]:
        """Every time entry of a contract, oldest first."""
        query = select(TimeEntryRow).where(TimeEntryRow.contract_id == contract_id).order_by(TimeEntryRow.id)
        return (await self.session.execute(query)).scalars().all()

    async def time_in_week(self, contract_id: int, week_start: date) -> Sequence[TimeEntryRow]:
        """The time entries of one week of a contract, oldest first."""
        query = (
            select(TimeEntryRow)
            .where(TimeEntryRow.contract_id == contract_id, TimeEntryRow.week_start == week_start)
            .order_by(TimeEntryRow.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def minutes_in_week(self, contract_id: int, week_start: date) -> int:
        query = select(func.coalesce(func.sum(TimeEntryRow.minutes), 0)).where(
            TimeEntryRow.contract_id == contract_id, TimeEntryRow.week_start == week_start
        )
        return int((await self.session.execute(query)).scalar_one())

    async def weeks_to_invoice(self, before: date, limit: int) -> list[tuple[int, date, int]]:
        """(contract id, week start, minutes) of finished weeks with logged time and no invoice yet."""
        invoiced = exists().where(
            InvoiceRow.contract_id == TimeEntryRow.contract_id, InvoiceRow.week_start == TimeEntryRow.week_start
        )
        query = (
            select(TimeEntryRow.contract_id, TimeEntryRow.week_start, func.sum(TimeEntryRow.minutes))
            .where(TimeEntryRow.week_start < before, ~invoiced)
            .group_by(TimeEntryRow.contract_id, TimeEntryRow.week_start)
            .having(func.sum(TimeEntryRow.minutes) > 0)
            .order_by(TimeEntryRow.week_start, TimeEntryRow.contract_id)
            .limit(limit)
        )
        return [(row[0], row[1], int(row[2])) for row in await self.session.execute(query)]

    async def add_invoice(self, values: dict[str, Any]) -> int | None:
        """The new invoice's id; None when the week was invoiced already (by another sweep)."""
        inserted = await self.session.execute(
            insert_ignoring_duplicates(self.session, InvoiceRow, values).returning(InvoiceRow.id)
        )
        return inserted.scalar_one_or_none()

    async def invoice(self, invoice_id: int) -> InvoiceRow | None:
        return await self.session.get(InvoiceRow, invoice_id)

    async def invoices(self, contract_id: int, limit: int) -> list[InvoiceRow]:
        query = (
            select(InvoiceRow)
            .where(InvoiceRow.contract_id == contract_id)
            .order_by(InvoiceRow.week_start.desc())
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def invoice_history(self, contract_id: int) -> Sequence[InvoiceRow]:
        """Every invoice of a contract, oldest week first."""
        query = select(InvoiceRow).where(InvoiceRow.contract_id == contract_id).order_by(InvoiceRow.week_start)
        return (await self.session.execute(query)).scalars().all()

    async def invoices_due(self, now: datetime, limit: int) -> list[InvoiceRow]:
        query = (
            select(InvoiceRow)
            .where(and_(InvoiceRow.status == "review", InvoiceRow.review_until <= now))
            .order_by(InvoiceRow.review_until, InvoiceRow.id)
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def move_invoice(self, invoice_id: int, from_statuses: Sequence[str], **values: Any) -> bool:
        return await self._move(InvoiceRow, invoice_id, from_statuses, values)
