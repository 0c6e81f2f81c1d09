"""Disputes: freezing a milestone's or an invoice's escrow with a conditional update, the admins' queue, the
evidence an admin reads, and claiming a resolution once. The SQL behind bot/core/disputes.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.orm import (
    ContractRow,
    DisputeRow,
    InvoiceRow,
    MilestoneRow,
    SubmissionRow,
)


class DisputeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, dispute_id: int) -> DisputeRow | None:
        return await self.session.get(DisputeRow, dispute_id, populate_existing=True)

    async def contract(self, contract_id: int) -> ContractRow | None:
        return await self.session.get(ContractRow, contract_id)

    async def milestone(self, milestone_id: int) -> MilestoneRow | None:
        return await self.session.get(MilestoneRow, milestone_id, populate_existing=True)

    async def invoice(self, invoice_id: int) -> InvoiceRow | None:
        return await self.session.get(InvoiceRow, invoice_id, populate_existing=True)

    async def freeze_milestone(self, milestone_id: int, allowed: Sequence[str]) -> bool:
        """Mark the milestone disputed only from an allowed status; False when something else moved it first."""
        frozen = await self.session.execute(
            update(MilestoneRow)
            .where(MilestoneRow.id == milestone_id, MilestoneRow.status.in_(allowed))
            .values(status="disputed", version=MilestoneRow.version + 1)
        )
        return frozen.rowcount == 1

    async def freeze_invoice(self, invoice_id: int, allowed: Sequence[str]) -> bool:
        frozen = await self.session.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id == invoice_id, InvoiceRow.status.in_(allowed))
            .values(status="disputed", version=InvoiceRow.version + 1)
        )
        return frozen.rowcount == 1

    async def add(self, dispute: DisputeRow) -> DisputeRow:
        self.session.add(dispute)
        await self.session.flush()
        return dispute

    async def open_ones(self, limit: int) -> Sequence[DisputeRow]:
        """Open disputes, oldest first."""
        query = (
            select(DisputeRow)
            .where(DisputeRow.status == "open")
            .order_by(DisputeRow.created_at, DisputeRow.id)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def opened_by(self, account_id: int) -> Sequence[DisputeRow]:
        """Every dispute this account opened, oldest first."""
        query = select(DisputeRow).where(DisputeRow.opened_by == account_id).order_by(DisputeRow.id)
        return (await self.session.execute(query)).scalars().all()

    async def claim_resolution(
        self, dispute_id: int, resolution: str, share_minor: int, admin_id: int, now: datetime
    ) -> bool:
        """Resolve an open dispute; False when it had been resolved already (by another admin, or a double click)."""
        claimed = await self.session.execute(
            update(DisputeRow)
            .where(DisputeRow.id == dispute_id, DisputeRow.status == "open")
            .values(
                status="resolved",
                resolution=resolution,
                freelancer_share_minor=share_minor,
                resolved_by=admin_id,
                resolved_at=now,
            )
        )
        return claimed.rowcount == 1

    async def submissions(self, milestone_id: int) -> Sequence[SubmissionRow]:
        query = select(SubmissionRow).where(SubmissionRow.milestone_id == milestone_id).order_by(SubmissionRow.id)
        return (await self.session.execute(query)).scalars().all()
