"""Escrow under contention, on SQLite and PostgreSQL: 50 concurrent "Approve & pay" on one milestone, each in
its own transaction (as 50 processes would), plus replays, release it exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.fees import FeeRules
from bot.core.ledger import FEES, escrow, pending
from bot.core.market import MarketRules
from bot.core.payments import SandboxProvider
from bot.core.services import Services
from bot.storage.db import Database
from bot.storage.orm import ClientProfileRow, ContractRow, EarningRow, LedgerTransactionRow, MilestoneRow
from bot.storage.repositories import Repositories
from tests.storage.test_ledger import _people_and_contract

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = MarketRules(fees=FeeRules("flat", 1000, 500))
CLICKS = 50


def _services(session) -> Services:  # type: ignore[no-untyped-def]
    return Services.bind(Repositories.bind(session), NOW, RULES, SandboxProvider())


async def _submitted_milestone(database: Database) -> tuple[Account, int, int]:
    """alice's funded fixed-price milestone of $1,000 with bob's work submitted: (alice, contract id, milestone id)."""
    alice_id, bob_id, contract_id = await _people_and_contract(database)  # no milestone yet
    async with database.transaction() as session:
        milestone = MilestoneRow(
            contract_id=contract_id,
            position=1,
            description="Logo",
            amount_minor=1000_00,
            status="pending",
            funded_minor=0,
            released_minor=0,
            refunded_minor=0,
            reminders_sent=0,
        )
        session.add(milestone)
        await session.flush()
        repos = Repositories.bind(session)
        alice, bob = [Account.from_row(await repos.accounts.get(ident)) for ident in (alice_id, bob_id)]  # type: ignore[arg-type]
        await _services(session).contracts.fund(alice, contract_id, milestone.id)
        await _services(session).contracts.submit(bob, contract_id, milestone.id, "Done", [])
        return alice, contract_id, milestone.id


async def _contract(database: Database, contract_id: int) -> ContractRow:
    async with database.transaction() as session:
        contract = await session.get(ContractRow, contract_id)
    assert contract is not None
    return contract


async def _approve(database: Database, client: Account, contract_id: int, milestone_id: int, part: str = "") -> str:
    """One click in its own transaction (``part``: a confirmed partial payment of $100 with that token);
    SQLite's "database is locked" is retried as a real process would."""
    for _attempt in range(200):
        try:
            async with database.transaction() as session:
                contracts = _services(session).contracts
                moved = await (
                    contracts.release_part(client, contract_id, milestone_id, 100_00, part)
                    if part
                    else contracts.approve(client, contract_id, milestone_id)
                )
            return "already done" if moved.repeated else "released"
        except UserError as refused:
            return refused.message_id
        except DBAPIError:
            await asyncio.sleep(0.01)
    raise AssertionError("never got the database")


async def test_fifty_concurrent_approvals_release_once(database: Database) -> None:
    alice, contract_id, milestone_id = await _submitted_milestone(database)
    results = await asyncio.gather(*(_approve(database, alice, contract_id, milestone_id) for _ in range(CLICKS)))
    replay = await _approve(database, alice, contract_id, milestone_id)

    assert results.count("released") == 1
    # a click that reads the milestone after the release committed is told it was done, one before it is refused
    assert set(results) - {"released"} <= {"already done", "This milestone was already paid."}
    assert replay == "already done"
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        milestone = await session.get(MilestoneRow, milestone_id)
        releases = await session.scalar(
            select(func.count()).select_from(LedgerTransactionRow).where(LedgerTransactionRow.kind == "release")
        )
        earnings = await session.scalar(select(func.count()).select_from(EarningRow))
        balances = await repos.ledger.balances()
        profile = await session.get(ClientProfileRow, alice.id)
    assert milestone is not None
    assert (milestone.status, milestone.released_minor) == ("released", 1000_00)
    assert (releases, earnings) == (1, 1)
    assert balances[escrow(f"milestone:{milestone_id}")] == 0
    contract = await _contract(database, contract_id)
    assert balances[pending(contract.freelancer_id)] == 900_00
    assert balances[FEES] == 50_00 + 100_00  # the client fee at funding, the service fee at release
    assert profile is not None
    assert profile.total_spent_minor == 1000_00


async def test_concurrent_partial_payments_each_pay_at_most_once_and_the_books_match(database: Database) -> None:
    """20 confirmations of $100 parts, each pressed twice at once: every token pays at most once, what the
    milestone says it released is what left its escrow, and it stays one milestone."""
    alice, contract_id, milestone_id = await _submitted_milestone(database)
    tokens = [f"t{number}" for number in range(20)]
    clicks = [_approve(database, alice, contract_id, milestone_id, token) for token in tokens for _twice in (1, 2)]
    results = await asyncio.gather(*clicks)
    for token_results in zip(results[::2], results[1::2], strict=True):
        assert token_results.count("released") <= 1
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        milestone = await session.get(MilestoneRow, milestone_id)
        parts = await session.scalar(
            select(func.count())
            .select_from(LedgerTransactionRow)
            .where(LedgerTransactionRow.idempotency_key.contains(":release:part:"))
        )
        milestones = await session.scalar(
            select(func.count()).select_from(MilestoneRow).where(MilestoneRow.contract_id == contract_id)
        )
        balances = await repos.ledger.balances()
        assert await repos.ledger.unbalanced_transactions() == []
    assert milestone is not None
    assert milestone.status == "submitted"
    assert parts == results.count("released") >= 1
    assert milestone.released_minor == 100_00 * parts
    assert balances[escrow(f"milestone:{milestone_id}")] == 1000_00 - milestone.released_minor
    assert milestones == 1
