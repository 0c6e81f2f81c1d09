"""Payments taken in the chat (Telegram Payments), on SQLite and PostgreSQL: the same charge delivered many times
at once, each in its own transaction (as several processes would), funds its milestone once; different charges
for one milestone fund it once and set the others aside for refund; the books balance."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from bot.core.accounts import Account
from bot.core.checkout import Bill, Charge
from bot.core.fees import FeeRules
from bot.core.ledger import FEES, REFUNDS_DUE, WORLD, escrow
from bot.core.market import MarketRules
from bot.core.payments import SandboxProvider
from bot.core.services import Services
from bot.storage.db import Database
from bot.storage.orm import MilestoneRow, PaymentRow
from bot.storage.repositories import Repositories
from tests.storage.test_ledger import _people_and_contract

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = MarketRules(fees=FeeRules("flat", 1000, 500))
TOTAL = 1050_00  # the $1,000 milestone and the 5% marketplace fee


async def _unfunded_milestone(database: Database) -> tuple[Account, Bill]:
    alice_id, _bob_id, contract_id = await _people_and_contract(database)
    async with database.transaction() as session:
        milestone = MilestoneRow(
            contract_id=contract_id, position=1, description="Logo", amount_minor=1000_00, status="pending"
        )
        session.add(milestone)
        await session.flush()
        alice = await Repositories.bind(session).accounts.get(alice_id)
        assert alice is not None
        return Account.from_row(alice), Bill(contract_id, milestone.id, TOTAL, "USD")


async def _record(database: Database, payer: Account, bill: Bill, charge_id: str) -> str:
    """One delivery of a payment in its own transaction; SQLite's "database is locked" retried as a process would."""
    charge = Charge("telegram", charge_id, f"provider-{charge_id}", TOTAL, "USD")
    for _attempt in range(200):
        try:
            async with database.transaction() as session:
                services = Services.bind(Repositories.bind(session), NOW, RULES, SandboxProvider())
                recorded = await services.checkout.record(payer, bill, charge)
            return "funded" if recorded.moved else "set aside" if recorded.refused else "recorded before"
        except DBAPIError:
            await asyncio.sleep(0.01)
    raise AssertionError("never got the database")


async def _books(database: Database) -> tuple[dict[str, int], list[tuple[str, str]]]:
    async with database.transaction() as session:
        ledger = Repositories.bind(session).ledger
        assert await ledger.unbalanced_transactions() == []
        balances = await ledger.balances()
        assert balances == await ledger.entry_sums()
        rows = (await session.execute(select(PaymentRow).order_by(PaymentRow.idempotency_key))).scalars()
        return balances, [(row.idempotency_key, row.status) for row in rows]


async def test_one_charge_delivered_ten_times_at_once_funds_once(database: Database) -> None:
    alice, bill = await _unfunded_milestone(database)
    results = await asyncio.gather(*(_record(database, alice, bill, "ch-1") for _ in range(10)))
    assert sorted(results) == ["funded", *["recorded before"] * 9]
    balances, payments = await _books(database)
    assert balances[escrow(f"milestone:{bill.milestone_id}")] == 1000_00
    assert (balances[WORLD], balances[FEES]) == (-TOTAL, 50_00)
    assert payments == [("telegram:charge:ch-1", "succeeded")]


async def test_two_charges_for_one_milestone_fund_it_once_and_set_the_other_aside(database: Database) -> None:
    alice, bill = await _unfunded_milestone(database)
    results = await asyncio.gather(*(_record(database, alice, bill, charge) for charge in ("ch-1", "ch-2")))
    assert sorted(results) == ["funded", "set aside"]
    balances, payments = await _books(database)
    assert balances[escrow(f"milestone:{bill.milestone_id}")] == 1000_00
    assert (balances[WORLD], balances[REFUNDS_DUE]) == (-2 * TOTAL, TOTAL)
    assert sorted(status for _key, status in payments) == ["refund_due", "succeeded"]
