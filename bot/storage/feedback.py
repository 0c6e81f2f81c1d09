"""Feedback on ended contracts and what is derived from it (ratings, Job Success inputs): the SQL behind
bot/core/feedback.py. "Revealed" is computed, never stored: both parties gave it, or the window closed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage.orm import AccountRow, ClientProfileRow, ContractRow, DisputeRow, EarningRow, FeedbackRow
from bot.storage.upsert import insert_ignoring_duplicates


@dataclass(frozen=True)
class ReceivedFeedback:
    """Revealed feedback someone received, as their profile shows it."""

    stars: int
    comment: str
    contract_title: str
    author_name: str | None  # None: the author deleted their account
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    """One ended contract of a freelancer for the Job Success Score."""

    contract_id: int
    ended_at: datetime
    client_stars: int | None  # the client's revealed stars, None if they gave none
    refunded_by_dispute: bool


class FeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def contract(self, contract_id: int) -> ContractRow | None:
        return await self.session.get(ContractRow, contract_id)

    async def add(self, values: dict[str, Any]) -> bool:
        """Store one party's feedback; False when they had given it already (the first one stands)."""
        inserted = await self.session.execute(insert_ignoring_duplicates(self.session, FeedbackRow, values))
        return inserted.rowcount == 1

    async def for_contract(self, contract_id: int) -> list[FeedbackRow]:
        query = select(FeedbackRow).where(FeedbackRow.contract_id == contract_id).order_by(FeedbackRow.id)
        return list((await self.session.execute(query)).scalars())

    def _revealed(self, window_start: datetime) -> Any:
        """Feedback (joined with its contract) its recipient may see: both gave it, or the window closed."""
        other = aliased(FeedbackRow)
        both = exists().where(other.contract_id == FeedbackRow.contract_id, other.id != FeedbackRow.id)
        return or_(both, ContractRow.ended_at <= window_start)

    async def received(self, account_id: int, window_start: datetime, limit: int) -> list[ReceivedFeedback]:
        """Revealed feedback this account received, newest first (``window_start``: now minus the window)."""
        query = (
            select(FeedbackRow, ContractRow.title, AccountRow.full_name)
            .join(ContractRow, ContractRow.id == FeedbackRow.contract_id)
            .outerjoin(AccountRow, and_(AccountRow.id == FeedbackRow.author_id, AccountRow.deleted_at.is_(None)))
            .where(FeedbackRow.recipient_id == account_id, self._revealed(window_start))
            .order_by(FeedbackRow.created_at.desc(), FeedbackRow.id.desc())
            .limit(limit)
        )
        return [
            ReceivedFeedback(row.stars, row.public_comment, title, name, row.created_at)
            for row, title, name in await self.session.execute(query)
        ]

    async def given_by(self, account_id: int) -> Sequence[FeedbackRow]:
        """Every feedback this account left, oldest first."""
        query = select(FeedbackRow).where(FeedbackRow.author_id == account_id).order_by(FeedbackRow.id)
        return (await self.session.execute(query)).scalars().all()

    async def revealed_to(self, account_id: int, window_start: datetime) -> Sequence[FeedbackRow]:
        """Every feedback this account received that is revealed to them, oldest first."""
        query = (
            select(FeedbackRow)
            .join(ContractRow, ContractRow.id == FeedbackRow.contract_id)
            .where(FeedbackRow.recipient_id == account_id, self._revealed(window_start))
            .order_by(FeedbackRow.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def stars_received(self, account_id: int, window_start: datetime, *, as_client: bool) -> tuple[int, int]:
        """(sum, count) of revealed stars given to this account as a client, or as a freelancer."""
        party = ContractRow.client_id if as_client else ContractRow.freelancer_id
        query = (
            select(func.coalesce(func.sum(FeedbackRow.stars), 0), func.count(FeedbackRow.id))
            .join(ContractRow, ContractRow.id == FeedbackRow.contract_id)
            .where(
                FeedbackRow.recipient_id == account_id,
                party == account_id,
                self._revealed(window_start),
            )
        )
        total, count = (await self.session.execute(query)).one()
        return int(total), int(count)

    async def set_client_rating(self, client_id: int, rating_sum: int, rating_count: int, now: datetime) -> None:
        """Write the client's rating (recomputed from the revealed feedback, so writing it twice is harmless)."""
        values = {"account_id": client_id, "rating_sum": rating_sum, "rating_count": rating_count, "updated_at": now}
        await self.session.execute(insert_ignoring_duplicates(self.session, ClientProfileRow, values))
        await self.session.execute(
            update(ClientProfileRow)
            .where(ClientProfileRow.account_id == client_id)
            .values(rating_sum=rating_sum, rating_count=rating_count)
        )

    async def clients_rated_between(self, after: datetime, until: datetime) -> list[int]:
        """Clients who received feedback on contracts that ended in (after, until]."""
        query = (
            select(ContractRow.client_id)
            .join(FeedbackRow, FeedbackRow.contract_id == ContractRow.id)
            .where(
                ContractRow.ended_at > after,
                ContractRow.ended_at <= until,
                FeedbackRow.recipient_id == ContractRow.client_id,
            )
            .distinct()
        )
        return list((await self.session.execute(query)).scalars())

    async def unreminded_between(self, after: datetime, until: datetime) -> Sequence[ContractRow]:
        """Ended contracts whose end falls in (after, until] with a party not yet reminded, oldest first."""
        query = (
            select(ContractRow)
            .where(
                ContractRow.status == "ended",
                ContractRow.ended_at > after,
                ContractRow.ended_at <= until,
                or_(
                    ContractRow.client_feedback_reminded_at.is_(None),
                    ContractRow.freelancer_feedback_reminded_at.is_(None),
                ),
            )
            .order_by(ContractRow.ended_at, ContractRow.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def claim_reminder(self, contract_id: int, party: str, now: datetime) -> bool:
        """Mark the feedback reminder of ``party`` ("client" or "freelancer") as sent; False when a sweep had
        already claimed it (the row lock makes a concurrent claim wait, then find it taken)."""
        column = getattr(ContractRow, f"{party}_feedback_reminded_at")
        claimed = await self.session.execute(
            update(ContractRow)
            .where(ContractRow.id == contract_id, column.is_(None))
            .values({column: now})
            .execution_options(synchronize_session=False)
        )
        return claimed.rowcount == 1

    async def awaiting(self, account_id: int, window_start: datetime) -> Sequence[ContractRow]:
        """This account's ended contracts still open for feedback that they have not given yet, newest first."""
        given = exists().where(FeedbackRow.contract_id == ContractRow.id, FeedbackRow.author_id == account_id)
        query = (
            select(ContractRow)
            .where(
                or_(ContractRow.client_id == account_id, ContractRow.freelancer_id == account_id),
                ContractRow.status == "ended",
                ContractRow.ended_at > window_start,
                ~given,
            )
            .order_by(ContractRow.ended_at.desc(), ContractRow.id.desc())
        )
        return (await self.session.execute(query)).scalars().all()

    async def outcomes(self, freelancer_id: int, since: datetime, window_start: datetime) -> list[Outcome]:
        """The freelancer's contracts ended since ``since`` on which money was paid and whose feedback is settled
        (both gave it, or the window closed), with the client's stars and whether a dispute ended in a refund."""
        paid = exists().where(EarningRow.contract_id == ContractRow.id)
        refunded = exists().where(DisputeRow.contract_id == ContractRow.id, DisputeRow.resolution == "refund")
        given = select(func.count(FeedbackRow.id)).where(FeedbackRow.contract_id == ContractRow.id).scalar_subquery()
        client_stars = (
            select(FeedbackRow.stars)
            .where(FeedbackRow.contract_id == ContractRow.id, FeedbackRow.author_id == ContractRow.client_id)
            .scalar_subquery()
        )
        query = select(ContractRow.id, ContractRow.ended_at, client_stars, refunded).where(
            ContractRow.freelancer_id == freelancer_id,
            ContractRow.status == "ended",
            ContractRow.ended_at >= since,
            or_(given >= 2, ContractRow.ended_at <= window_start),
            paid,
        )
        return [Outcome(*row) for row in await self.session.execute(query)]
