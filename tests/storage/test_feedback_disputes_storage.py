"""Feedback and disputes on SQLite and PostgreSQL: the reveal rule, ratings recomputed idempotently, reminders
once, the Job Success inputs, freezing escrow only from the allowed states, and resolving once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.ledger import escrow, pending
from bot.core.services import Services
from bot.storage.db import Database
from bot.storage.orm import (
    AccountRow,
    ClientProfileRow,
    ContractRow,
    DisputeRow,
    LedgerTransactionRow,
    MilestoneRow,
    SubmissionRow,
)
from bot.storage.repositories import Repositories

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMINS = frozenset({"judge"})


def _services(session, now: datetime = NOW) -> Services:  # type: ignore[no-untyped-def]
    return Services.bind(Repositories.bind(session), now)


async def _people(database: Database) -> dict[str, Account]:
    async with database.transaction() as session:
        rows = [
            AccountRow(
                username=name,
                full_name=name.title(),
                is_freelancer=name == "bob",
                is_client=name != "bob",
                language="en",
                country="FR",
                timezone="UTC",
                created_at=NOW,
            )
            for name in ("alice", "bob", "judge")
        ]
        session.add_all(rows)
        await session.flush()
        return {row.username: Account.from_row(row) for row in rows}


async def _contract(database: Database, people: dict[str, Account], *, ended_at: datetime | None, paid: int) -> int:
    """A fixed contract between alice and bob with one milestone of ``paid``, funded; released when ``paid`` and
    ``ended_at`` are given, and then ended at ``ended_at``."""
    async with database.transaction() as session:
        contract = ContractRow(
            client_id=people["alice"].id,
            freelancer_id=people["bob"].id,
            title="Logo",
            kind="fixed",
            fee_schedule="flat",
            fee_bp=1000,
            client_fee_bp=500,
            status="ended" if ended_at else "active",
            start_date=date(2026, 3, 2),
            offered_at=NOW,
            ended_at=ended_at,
        )
        session.add(contract)
        await session.flush()
        milestone = MilestoneRow(
            contract_id=contract.id,
            position=1,
            description="Logo",
            amount_minor=paid,
            status="funded",
            funded_minor=paid,
        )
        session.add(milestone)
        await session.flush()
        ledger = _services(session).ledger
        ref = f"milestone:{milestone.id}"
        await ledger.hold(ref, people["alice"].id, paid, paid // 20, "USD", contract_id=contract.id)
        if ended_at:
            await ledger.release(ref, people["bob"].id, paid, paid // 10, "USD", contract_id=contract.id)
            milestone.status, milestone.released_minor = "released", paid
        return contract.id


async def _rating(database: Database, client_id: int) -> tuple[int, int]:
    async with database.transaction() as session:
        row = await session.get(ClientProfileRow, client_id)
        return (row.rating_sum, row.rating_count) if row else (0, 0)


async def test_feedback_is_revealed_by_both_or_by_the_window(database: Database) -> None:
    people = await _people(database)
    alice, bob = people["alice"], people["bob"]
    both = await _contract(database, people, ended_at=NOW, paid=100_00)
    one_sided = await _contract(database, people, ended_at=NOW, paid=50_00)
    async with database.transaction() as session:
        feedback = _services(session, NOW + timedelta(days=1)).feedback
        assert not (await feedback.leave(bob, both, 5, "Clear brief", "")).revealed_now
        assert not (await feedback.leave(bob, one_sided, 3, "Slow", "note")).revealed_now
        assert await feedback.received(alice.id) == []
        with pytest.raises(UserError):
            await feedback.leave(bob, both, 4, "", "")
    assert await _rating(database, alice.id) == (0, 0)
    async with database.transaction() as session:
        feedback = _services(session, NOW + timedelta(days=2)).feedback
        assert (await feedback.leave(alice, both, 4, "Great", "")).revealed_now
        assert [item.comment for item in await feedback.received(alice.id)] == ["Clear brief"]
        assert await feedback.freelancer_rating(bob.id) == (4.0, 1)
    assert await _rating(database, alice.id) == (5, 1)

    async with database.transaction() as session:
        feedback = _services(session, NOW + timedelta(days=11, hours=1)).feedback
        reminded = await feedback.reminders_due()
        assert [(item.account_id, item.contract_id) for item in reminded] == [(alice.id, one_sided)]
        assert await feedback.reminders_due() == []
    async with database.transaction() as session:
        feedback = _services(session, NOW + timedelta(days=11, hours=5)).feedback
        assert await feedback.reminders_due() == []

    for _sweep in range(2):
        async with database.transaction() as session:
            feedback = _services(session, NOW + timedelta(days=14, hours=1)).feedback
            assert await feedback.reveal_closed_windows() == [alice.id]
            assert await feedback.awaiting(alice) == []
        assert await _rating(database, alice.id) == (8, 2)
    async with database.transaction() as session:
        feedback = _services(session, NOW + timedelta(days=15)).feedback
        assert sorted(item.comment for item in await feedback.received(alice.id)) == ["Clear brief", "Slow"]
        success = await feedback.job_success(bob.id)
    assert (success.score, success.contracts) == (None, 2)  # one good of two settled: too few to show


async def test_job_success_counts_settled_paid_contracts_of_the_last_two_years(database: Database) -> None:
    people = await _people(database)
    alice, bob = people["alice"], people["bob"]
    for stars, ended in ((5, NOW), (4, NOW), (2, NOW), (5, NOW - timedelta(days=800))):
        contract_id = await _contract(database, people, ended_at=ended, paid=100_00)
        async with database.transaction() as session:
            await _services(session, ended + timedelta(hours=1)).feedback.leave(alice, contract_id, stars, "", "")
    await _contract(database, people, ended_at=None, paid=100_00)  # still active: not counted
    async with database.transaction() as session:
        early = await _services(session, NOW + timedelta(days=1)).feedback.job_success(bob.id)
        settled = await _services(session, NOW + timedelta(days=15)).feedback.job_success(bob.id)
    assert (early.score, early.contracts) == (None, 0)  # every window still open and blind
    assert (settled.score, settled.contracts) == (67, 3)


async def test_a_dispute_freezes_only_from_allowed_states_and_resolves_once(database: Database) -> None:
    people = await _people(database)
    alice, bob, judge = people["alice"], people["bob"], people["judge"]
    contract_id = await _contract(database, people, ended_at=None, paid=100_00)
    async with database.transaction() as session:
        session.add(SubmissionRow(milestone_id=1, message="Here it is", file_ids=[], created_at=NOW))
        disputes = _services(session).disputes
        opened = await disputes.open(bob, "milestone", 1, "Not paid")
        assert (opened.other_id, opened.case.escrow_minor) == (alice.id, 100_00)
        with pytest.raises(UserError):
            await disputes.open(alice, "milestone", 1, "Me too")
        with pytest.raises(UserError):
            await disputes.queue(alice, ADMINS)
        assert [case.dispute.id for case in await disputes.queue(judge, ADMINS)] == [opened.case.dispute.id]
        evidence = await disputes.evidence(judge, ADMINS, opened.case.dispute.id)
        assert [item.message for item in evidence.submissions] == ["Here it is"]
        assert (evidence.opened_by_name, evidence.message_count) == ("Bob", 0)
    async with database.transaction() as session:
        disputes = _services(session).disputes
        with pytest.raises(UserError):
            await disputes.resolve(judge, ADMINS, 1, "split", 100_01)
        resolved = await disputes.resolve(judge, ADMINS, 1, "split", 40_00)
        assert (resolved.freelancer_minor, resolved.client_minor) == (40_00, 60_00)
        with pytest.raises(UserError):
            await disputes.resolve(judge, ADMINS, 1, "release")
        assert await disputes.queue(judge, ADMINS) == []
    async with database.transaction() as session:
        ledger = Repositories.bind(session).ledger
        assert await ledger.unbalanced_transactions() == []
        balances = await ledger.balances()
    assert balances[escrow("milestone:1")] == 0
    assert balances[pending(bob.id)] == 36_00
    assert contract_id == 1


async def _in_own_transaction(
    database: Database, action: Callable[[Services], Awaitable[object]], now: datetime = NOW
) -> str:
    """One click as its own process would run it ("database is locked" on SQLite is retried); a move the
    service reports as done before (a click after the release committed) is "already done"."""
    for _attempt in range(200):
        try:
            async with database.transaction() as session:
                result = await action(_services(session, now))
            return "already done" if getattr(result, "repeated", False) else "done"
        except UserError as refused:
            return refused.message_id
        except DBAPIError:
            await asyncio.sleep(0.01)
    raise AssertionError("never got the database")


async def test_concurrent_sweeps_claim_each_feedback_reminder_once(database: Database) -> None:
    people = await _people(database)
    contract_id = await _contract(database, people, ended_at=NOW, paid=100_00)
    claimed: list[tuple[int, int]] = []

    async def sweep(services: Services) -> object:
        due = await services.feedback.reminders_due()
        claimed.extend((item.account_id, item.contract_id) for item in due)
        return due

    late = NOW + timedelta(days=12)
    results = await asyncio.gather(*(_in_own_transaction(database, sweep, late) for _ in range(8)))
    assert results == ["done"] * 8
    async with database.transaction() as session:
        row = await session.get(ContractRow, contract_id)
    assert row is not None
    assert (row.client_feedback_reminded_at, row.freelancer_feedback_reminded_at) == (late, late)
    assert sorted(claimed) == sorted([(people["alice"].id, contract_id), (people["bob"].id, contract_id)])


async def test_a_concurrent_approve_and_dispute_do_not_both_win(database: Database) -> None:
    people = await _people(database)
    alice, bob = people["alice"], people["bob"]
    await _contract(database, people, ended_at=None, paid=100_00)

    async def approve(services: Services) -> object:
        return await services.contracts.approve(alice, 1, 1)

    async def dispute(services: Services) -> object:
        return await services.disputes.open(bob, "milestone", 1, "Not paid")

    results = await asyncio.gather(*(_in_own_transaction(database, (approve, dispute)[i % 2]) for i in range(20)))
    assert results.count("done") == 1
    async with database.transaction() as session:
        milestone = await session.get(MilestoneRow, 1)
        disputes = await session.scalar(select(func.count()).select_from(DisputeRow))
        releases = await session.scalar(
            select(func.count()).select_from(LedgerTransactionRow).where(LedgerTransactionRow.kind == "release")
        )
    assert milestone is not None
    assert (milestone.status, disputes, releases) in (("released", 0, 1), ("disputed", 1, 0))


async def test_concurrent_resolutions_settle_once(database: Database) -> None:
    people = await _people(database)
    bob, judge = people["bob"], people["judge"]
    await _contract(database, people, ended_at=None, paid=100_00)
    async with database.transaction() as session:
        await _services(session).disputes.open(bob, "milestone", 1, "Not paid")

    async def resolve(services: Services) -> object:
        return await services.disputes.resolve(judge, ADMINS, 1, "release")

    results = await asyncio.gather(*(_in_own_transaction(database, resolve) for _ in range(10)))
    assert results.count("done") == 1
    assert set(results) - {"done"} == {"Dispute #{id} was already resolved."}
    async with database.transaction() as session:
        ledger = Repositories.bind(session).ledger
        assert await ledger.unbalanced_transactions() == []
        balances = await ledger.balances()
    assert (balances[escrow("milestone:1")], balances[pending(bob.id)]) == (0, 90_00)
