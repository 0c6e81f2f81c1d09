"""The ledger on SQLite and PostgreSQL: balanced transactions, escrow phases at most once, idempotent keys,
no account below zero, earnings maturing after the security period, payouts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.errors import UserError
from bot.core.fees import FeeRules
from bot.core.ledger import FEES, WORLD, LedgerError, available, escrow, pending
from bot.core.market import MarketRules
from bot.core.payments import SandboxProvider
from bot.core.services import Services
from bot.storage.db import Database
from bot.storage.orm import AccountRow, ContractRow
from bot.storage.repositories import Repositories

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = MarketRules(fees=FeeRules("flat", 1000, 500), security_period=timedelta(days=5))


async def _people_and_contract(database: Database) -> tuple[int, int, int]:
    async with database.transaction() as session:
        people = [
            AccountRow(
                username=name,
                full_name=name.title(),
                is_freelancer=name == "bob",
                is_client=name == "alice",
                language="en",
                country="FR",
                timezone="UTC",
                created_at=NOW,
            )
            for name in ("alice", "bob")
        ]
        session.add_all(people)
        await session.flush()
        contract = ContractRow(
            client_id=people[0].id,
            freelancer_id=people[1].id,
            title="Logo",
            kind="fixed",
            fee_schedule="flat",
            fee_bp=1000,
            client_fee_bp=500,
            status="active",
            start_date=date(2026, 3, 2),
            offered_at=NOW,
        )
        session.add(contract)
        await session.flush()
        return people[0].id, people[1].id, contract.id


def _services(session, now: datetime = NOW, provider: SandboxProvider | None = None) -> Services:  # type: ignore[no-untyped-def]
    return Services.bind(Repositories.bind(session), now, RULES, provider or SandboxProvider())


async def _audit(database: Database) -> dict[str, int]:
    """Every transaction balances and every running balance equals its entries; returns the balances."""
    async with database.transaction() as session:
        ledger = Repositories.bind(session).ledger
        assert await ledger.unbalanced_transactions() == []
        balances = await ledger.balances()
        assert balances == await ledger.entry_sums()
        assert sum(balances.values()) == 0
        return balances


async def test_hold_release_and_maturing_move_money_once(database: Database) -> None:
    alice, bob, contract = await _people_and_contract(database)
    for _attempt in range(2):  # the second time every key has been used: nothing moves again
        async with database.transaction() as session:
            ledger = _services(session).ledger
            await ledger.hold("milestone:1", alice, 100_00, 5_00, "USD", contract_id=contract)
            await ledger.release("milestone:1", bob, 100_00, 10_00, "USD", contract_id=contract)
    balances = await _audit(database)
    assert balances[WORLD] == -105_00  # the client paid the amount and the 5% marketplace fee
    assert balances[escrow("milestone:1")] == 0
    assert balances[pending(bob)] == 90_00
    assert balances[FEES] == 15_00

    async with database.transaction() as session:
        assert await _services(session, NOW + timedelta(days=4)).ledger.mature() == []  # still in the security period
    async with database.transaction() as session:
        ledger = _services(session, NOW + timedelta(days=5)).ledger
        assert [earning.amount_minor for earning in await ledger.mature()] == [90_00]
        assert await ledger.billed_between(alice, bob) == 100_00
    async with database.transaction() as session:
        assert await _services(session, NOW + timedelta(days=6)).ledger.mature() == []
    balances = await _audit(database)
    assert (balances[pending(bob)], balances[available(bob)]) == (0, 90_00)


async def test_a_partial_release_and_a_refund_of_the_rest(database: Database) -> None:
    alice, bob, contract = await _people_and_contract(database)
    async with database.transaction() as session:
        ledger = _services(session).ledger
        await ledger.hold("milestone:7", alice, 200_00, 10_00, "USD", contract_id=contract)
        await ledger.release("milestone:7", bob, 120_00, 12_00, "USD", contract_id=contract)
        fee_refund = RULES.fees.client_fee(200_00) - RULES.fees.client_fee(120_00)
        await ledger.refund("milestone:7", alice, 80_00, fee_refund, "USD", contract_id=contract)
        await ledger.refund("milestone:7", alice, 80_00, fee_refund, "USD", contract_id=contract)  # a replay
    balances = await _audit(database)
    assert balances[escrow("milestone:7")] == 0
    assert balances[WORLD] == -(120_00 + 6_00)  # the client paid for what was released, with its fee only
    assert balances[FEES] == 6_00 + 12_00


async def test_the_books_refuse_an_account_below_zero(database: Database) -> None:
    _alice, bob, contract = await _people_and_contract(database)
    with pytest.raises(LedgerError):
        async with database.transaction() as session:
            await _services(session).ledger.release("milestone:9", bob, 10_00, 1_00, "USD", contract_id=contract)
    with pytest.raises(LedgerError):
        async with database.transaction() as session:
            await _services(session).ledger.post("broken", "test", [(FEES, 5), (WORLD, -4)], "USD")
    assert await _audit(database) == {}  # both rolled back


async def test_a_declined_charge_moves_nothing(database: Database) -> None:
    alice, _bob, contract = await _people_and_contract(database)

    async def fund() -> None:
        async with database.transaction() as session:
            ledger = _services(session, provider=SandboxProvider(fail_charges=True)).ledger
            await ledger.hold("milestone:3", alice, 50_00, 2_50, "USD", contract_id=contract)

    with pytest.raises(UserError):
        await fund()
    assert await _audit(database) == {}


async def test_withdrawals_take_only_what_is_available_and_once_per_key(database: Database) -> None:
    alice, bob, contract = await _people_and_contract(database)
    async with database.transaction() as session:
        ledger = _services(session).ledger
        await ledger.hold("milestone:1", alice, 100_00, 5_00, "USD", contract_id=contract)
        await ledger.release("milestone:1", bob, 100_00, 10_00, "USD", contract_id=contract)
    async with database.transaction() as session:
        ledger = _services(session, NOW + timedelta(days=5)).ledger
        await ledger.mature()
        with pytest.raises(UserError):
            await ledger.withdraw(bob, 90_01, "USD", "payout:bob:1")
    async with database.transaction() as session:
        ledger = _services(session, NOW + timedelta(days=5)).ledger
        assert (await ledger.withdraw(bob, 60_00, "USD", "payout:bob:1")) is not None
        assert await ledger.withdraw(bob, 60_00, "USD", "payout:bob:1") is None  # the same click again
        earnings = await ledger.earnings(bob, "USD")
    assert (earnings.pending_minor, earnings.available_minor, earnings.withdrawn_minor) == (0, 30_00, 60_00)
    assert [payout.amount_minor for payout in earnings.payouts] == [60_00]
    await _audit(database)
