"""The double-entry ledger's SQL: accounts with running balances, transactions once per idempotency key,
entries, provider payments, earnings maturing after the security period, and payouts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.orm import (
    ContractRow,
    EarningRow,
    LedgerAccountRow,
    LedgerEntryRow,
    LedgerTransactionRow,
    PaymentRow,
    PayoutRow,
)
from bot.storage.upsert import insert_ignoring_duplicates


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def account_id(self, code: str, currency: str, owner_id: int | None) -> int:
        """The account's id, opening it at a zero balance the first time it is named."""
        values = {"code": code, "currency": currency, "owner_id": owner_id, "balance_minor": 0}
        await self.session.execute(insert_ignoring_duplicates(self.session, LedgerAccountRow, values))
        query = select(LedgerAccountRow.id).where(LedgerAccountRow.code == code, LedgerAccountRow.currency == currency)
        return (await self.session.execute(query)).scalar_one()

    async def balance(self, code: str, currency: str) -> int:
        query = select(LedgerAccountRow.balance_minor).where(
            LedgerAccountRow.code == code, LedgerAccountRow.currency == currency
        )
        return (await self.session.execute(query)).scalar_one_or_none() or 0

    async def transaction_id(self, key: str) -> int | None:
        query = select(LedgerTransactionRow.id).where(LedgerTransactionRow.idempotency_key == key)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def open_transaction(
        self, key: str, kind: str, contract_id: int | None, memo: str, now: datetime
    ) -> int | None:
        """The new transaction's id; None when the key was used already (the caller returns the first result)."""
        values = {"idempotency_key": key, "kind": kind, "contract_id": contract_id, "memo": memo, "created_at": now}
        inserted = await self.session.execute(
            insert_ignoring_duplicates(self.session, LedgerTransactionRow, values).returning(LedgerTransactionRow.id)
        )
        return inserted.scalar_one_or_none()

    async def add_entry(self, transaction_id: int, account_id: int, amount_minor: int) -> int:
        """Write one entry and move the account's balance with it; returns the new balance."""
        entry = {"transaction_id": transaction_id, "account_id": account_id, "amount_minor": amount_minor}
        await self.session.execute(insert(LedgerEntryRow).values(**entry))
        moved = await self.session.execute(
            update(LedgerAccountRow)
            .where(LedgerAccountRow.id == account_id)
            .values(balance_minor=LedgerAccountRow.balance_minor + amount_minor)
            .returning(LedgerAccountRow.balance_minor)
        )
        return moved.scalar_one()

    async def entries(self, transaction_id: int) -> list[tuple[str, int]]:
        """(account code, amount) of one transaction."""
        query = (
            select(LedgerAccountRow.code, LedgerEntryRow.amount_minor)
            .join(LedgerAccountRow, LedgerAccountRow.id == LedgerEntryRow.account_id)
            .where(LedgerEntryRow.transaction_id == transaction_id)
            .order_by(LedgerEntryRow.id)
        )
        return [(code, amount) for code, amount in (await self.session.execute(query)).all()]

    async def unbalanced_transactions(self) -> list[int]:
        """Ids of transactions whose entries do not sum to zero: always empty unless something is broken."""
        query = (
            select(LedgerEntryRow.transaction_id)
            .group_by(LedgerEntryRow.transaction_id)
            .having(func.sum(LedgerEntryRow.amount_minor) != 0)
        )
        return list((await self.session.execute(query)).scalars())

    async def balances(self) -> dict[str, int]:
        """Every account's balance by code (for audits and tests)."""
        query = select(LedgerAccountRow.code, LedgerAccountRow.balance_minor)
        return {code: amount for code, amount in (await self.session.execute(query)).all()}

    async def entry_sums(self) -> dict[str, int]:
        """Every account's entries summed, to check the running balances against."""
        query = (
            select(LedgerAccountRow.code, func.coalesce(func.sum(LedgerEntryRow.amount_minor), 0))
            .outerjoin(LedgerEntryRow, LedgerEntryRow.account_id == LedgerAccountRow.id)
            .group_by(LedgerAccountRow.code)
        )
        return {code: amount for code, amount in (await self.session.execute(query)).all()}

    async def payment(self, key: str) -> PaymentRow | None:
        query = select(PaymentRow).where(PaymentRow.idempotency_key == key)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def record_payment(self, values: dict) -> bool:
        """Record a payment once per idempotency key; False when the key was recorded before."""
        inserted = await self.session.execute(
            insert_ignoring_duplicates(self.session, PaymentRow, values).returning(PaymentRow.id)
        )
        return inserted.scalar_one_or_none() is not None

    async def mark_payment(self, key: str, status: str) -> None:
        await self.session.execute(update(PaymentRow).where(PaymentRow.idempotency_key == key).values(status=status))

    async def add_earning(self, earning: EarningRow) -> None:
        self.session.add(earning)
        await self.session.flush()

    async def due_earnings(self, now: datetime, limit: int, freelancer_id: int | None = None) -> Sequence[EarningRow]:
        query = (
            select(EarningRow)
            .where(EarningRow.matured_at.is_(None), EarningRow.available_at <= now)
            .order_by(EarningRow.available_at, EarningRow.id)
            .limit(limit)
        )
        if freelancer_id is not None:
            query = query.where(EarningRow.freelancer_id == freelancer_id)
        return (await self.session.execute(query)).scalars().all()

    async def mark_matured(self, earning_id: int, now: datetime) -> bool:
        """Claim an earning's maturing; False when another process did it first."""
        unclaimed = (EarningRow.id == earning_id, EarningRow.matured_at.is_(None))
        claimed = await self.session.execute(update(EarningRow).where(*unclaimed).values(matured_at=now))
        return claimed.rowcount == 1

    async def earnings(self, freelancer_id: int, limit: int) -> Sequence[EarningRow]:
        query = (
            select(EarningRow)
            .where(EarningRow.freelancer_id == freelancer_id)
            .order_by(EarningRow.created_at.desc(), EarningRow.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def payouts(self, freelancer_id: int, limit: int) -> Sequence[PayoutRow]:
        query = (
            select(PayoutRow)
            .where(PayoutRow.freelancer_id == freelancer_id)
            .order_by(PayoutRow.created_at.desc(), PayoutRow.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def unmatured_earnings(self, freelancer_id: int) -> Sequence[EarningRow]:
        """Every earning of this freelancer still in its security period, the soonest available first."""
        query = (
            select(EarningRow)
            .where(EarningRow.freelancer_id == freelancer_id, EarningRow.matured_at.is_(None))
            .order_by(EarningRow.available_at, EarningRow.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def earning_history(self, freelancer_id: int) -> Sequence[EarningRow]:
        """Every earning of this freelancer, oldest first (for /export)."""
        query = select(EarningRow).where(EarningRow.freelancer_id == freelancer_id).order_by(EarningRow.id)
        return (await self.session.execute(query)).scalars().all()

    async def payout_history(self, freelancer_id: int) -> Sequence[PayoutRow]:
        """Every payout of this freelancer, oldest first (for /export)."""
        query = select(PayoutRow).where(PayoutRow.freelancer_id == freelancer_id).order_by(PayoutRow.id)
        return (await self.session.execute(query)).scalars().all()

    async def add_payout(self, payout: PayoutRow) -> None:
        self.session.add(payout)
        await self.session.flush()

    async def billed_between(self, client_id: int, freelancer_id: int) -> int:
        """What this freelancer has been paid by this client so far, before fees (the tiered fee's base)."""
        query = (
            select(func.coalesce(func.sum(EarningRow.amount_minor + EarningRow.fee_minor), 0))
            .join(ContractRow, ContractRow.id == EarningRow.contract_id)
            .where(EarningRow.freelancer_id == freelancer_id, ContractRow.client_id == client_id)
        )
        return (await self.session.execute(query)).scalar_one()
