"""Contracts in the state a money test needs: the contract rows are written directly (no proposal or offer to go
through), then funding, approving, ending, time and invoices go through the real services, each step in one
transaction as a turn would run it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.core.accounts import Account
from bot.core.services import Services
from bot.storage.orm import ContractRow, MilestoneRow
from bot.storage.repositories import Repositories
from tests.flows.job_steps import client_and_freelancer


@asynccontextmanager
async def services(app: App) -> AsyncIterator[Services]:
    """The services of one transaction at the app clock's current time."""
    engine = app.engine
    async with app.database.transaction() as session:
        yield Services.bind(Repositories.bind(session), engine.clock.now(), engine.rules, engine.payments)


async def audit(app: App) -> dict[str, int]:
    """The books balance (every transaction, every running balance, the whole); returns every balance."""
    async with app.database.transaction() as session:
        ledger = Repositories.bind(session).ledger
        assert await ledger.unbalanced_transactions() == []
        balances = await ledger.balances()
        assert balances == await ledger.entry_sums()
        assert sum(balances.values()) == 0
        return balances


async def account(app: App, user: Harness) -> Account:
    async with services(app) as bound:
        found = await bound.accounts.for_identity(user.actor.platform, user.actor.user_id)
    assert found is not None
    return found


async def parties(alice: Harness) -> tuple[Harness, Harness]:
    """alice (client) and bob (freelancer), signed up; returns (alice, bob)."""
    return alice, await client_and_freelancer(alice)


async def contract(
    app: App,
    client: Harness,
    freelancer: Harness,
    *,
    title: str = "Logo design",
    amounts: tuple[int, ...] = (100_00,),
    hourly_rate: int | None = None,
) -> tuple[int, list[int]]:
    """An active contract (fixed with milestones of ``amounts``, or hourly at ``hourly_rate`` with a 40 h
    limit); returns its id and its milestones' ids. Nothing is funded yet."""
    client_id, freelancer_id = (await account(app, client)).id, (await account(app, freelancer)).id
    now = app.engine.clock.now()
    async with app.database.transaction() as session:
        row = ContractRow(
            client_id=client_id,
            freelancer_id=freelancer_id,
            title=title,
            kind="hourly" if hourly_rate else "fixed",
            currency="USD",
            rate_minor=hourly_rate,
            weekly_limit_minutes=40 * 60 if hourly_rate else None,
            fee_schedule="flat",
            fee_bp=1000,
            client_fee_bp=500,
            status="active",
            start_date=date(2026, 1, 5),
            offered_at=now,
            accepted_at=now,
        )
        session.add(row)
        await session.flush()
        milestones = [
            MilestoneRow(
                contract_id=row.id, position=index, description=f"Part {index}", amount_minor=amount, status="pending"
            )
            for index, amount in enumerate(() if hourly_rate else amounts, start=1)
        ]
        session.add_all(milestones)
        await session.flush()
        return row.id, [milestone.id for milestone in milestones]


async def fund(app: App, client: Harness, contract_id: int, milestone_id: int) -> None:
    who = await account(app, client)
    async with services(app) as bound:
        await bound.contracts.fund(who, contract_id, milestone_id)


async def approve(app: App, client: Harness, contract_id: int, milestone_id: int) -> None:
    who = await account(app, client)
    async with services(app) as bound:
        await bound.contracts.approve(who, contract_id, milestone_id)


async def end(app: App, party: Harness, contract_id: int) -> None:
    who = await account(app, party)
    async with services(app) as bound:
        await bound.contracts.end(who, contract_id, "done")


async def paid_and_ended(app: App, client: Harness, freelancer: Harness, title: str = "Logo design") -> int:
    """A fixed contract whose one milestone was funded and paid, then ended; returns its id."""
    contract_id, (milestone_id,) = await contract(app, client, freelancer, title=title)
    await fund(app, client, contract_id, milestone_id)
    await approve(app, client, contract_id, milestone_id)
    await end(app, client, contract_id)
    return contract_id


async def invoice_in_review(app: App, client: Harness, freelancer: Harness, minutes: int, rate: int) -> tuple[int, int]:
    """An hourly contract with ``minutes`` logged this week, invoiced (and charged) the next Monday; returns the
    contract's and the invoice's ids. Moves the clock to that Monday."""
    contract_id, _ = await contract(app, client, freelancer, title="Support hours", hourly_rate=rate)
    who = await account(app, freelancer)
    async with services(app) as bound:
        await bound.hourly.log(who, contract_id, minutes, "fixing the booking bug")
    clock = app.engine.clock
    today = clock.now().date()
    clock.advance(days=7 - today.weekday())  # type: ignore[attr-defined]
    async with services(app) as bound:
        issued = await bound.hourly.issue_invoices()
    (invoice,) = [item.invoice for item in issued if item.contract.id == contract_id]
    return contract_id, invoice.id
