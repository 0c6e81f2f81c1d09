"""Random sequences of money actions across several contracts keep the books right, on SQLite and PostgreSQL.

A hypothesis state machine funds, submits, approves, asks for changes, pays part, refunds, disputes, resolves,
auto-releases, matures, withdraws and ends, through the same services the chat uses, each action in its own
transaction as a click would be (a refused one rolls back). After every step: every transaction balances,
every running balance equals its entries, nothing but the outside world is below zero, every milestone's escrow
holds exactly what was funded and neither released nor refunded (partial payments included: a milestone stays
one milestone), nothing resolves twice, and what milestones released is what the freelancers earned (pending +
available + withdrawn + the service fees).
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.fees import FeeRules
from bot.core.ledger import WORLD, escrow
from bot.core.market import MarketRules
from bot.core.services import Services
from bot.storage.db import Database
from bot.storage.orm import AccountRow, ContractRow, EarningRow, LedgerTransactionRow, MilestoneRow
from bot.storage.repositories import Repositories

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = MarketRules(fees=FeeRules("tiered", 1000, 500))
ADMIN = "judge"
_people = itertools.count(1)
amounts = st.integers(min_value=1, max_value=2_000_00)


class MoneyMachine(RuleBasedStateMachine):
    """One client and one freelancer per run (fresh accounts, so runs share one database), up to 3 contracts."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.database = Database(url)
        self.now = START
        self.contracts: list[int] = []
        self.milestones: list[tuple[int, int]] = []  # (contract id, milestone id), new ones appended
        self.payout_keys = itertools.count(1)
        self.part_tokens = itertools.count(1)

    def run(self, coroutine):  # type: ignore[no-untyped-def]
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.database.dispose())
        self.loop.close()

    async def _act(self, action) -> bool:  # type: ignore[no-untyped-def]
        """Run one action in its own transaction; False when it was refused (and rolled back)."""
        try:
            async with self.database.transaction() as session:
                await action(Services.bind(Repositories.bind(session), self.now, RULES))
        except UserError:
            return False
        return True

    async def _person(self, session, name: str, client: bool) -> Account:  # type: ignore[no-untyped-def]
        row = AccountRow(
            username=name,
            full_name=name.title(),
            is_freelancer=not client,
            is_client=client,
            language="en",
            country="FR",
            timezone="UTC",
            created_at=START,
        )
        session.add(row)
        await session.flush()
        return Account.from_row(row)

    @initialize(
        contracts=st.lists(st.lists(amounts, min_size=1, max_size=3), min_size=1, max_size=3),
        head_start=st.lists(st.sampled_from(["pending", "funded", "submitted"]), min_size=9, max_size=9),
    )
    def open_contracts(self, contracts: list[list[int]], head_start: list[str]) -> None:
        """Contracts with milestones, each taken through the services to the state drawn for it."""

        async def create() -> None:
            run = next(_people)
            async with self.database.transaction() as session:
                self.client = await self._person(session, f"client{run}", True)
                self.freelancer = await self._person(session, f"free{run}", False)
                self.admin = await self._person(session, f"{ADMIN}{run}", False)
                for milestone_amounts in contracts:
                    contract = ContractRow(
                        client_id=self.client.id,
                        freelancer_id=self.freelancer.id,
                        title="Work",
                        kind="fixed",
                        fee_schedule="tiered",
                        fee_bp=1000,
                        client_fee_bp=500,
                        status="active",
                        start_date=date(2026, 3, 2),
                        offered_at=START,
                        accepted_at=START,
                    )
                    session.add(contract)
                    await session.flush()
                    self.contracts.append(contract.id)
                    for position, amount in enumerate(milestone_amounts, 1):
                        milestone = MilestoneRow(
                            contract_id=contract.id,
                            position=position,
                            description=f"Part {position}",
                            amount_minor=amount,
                            status="pending",
                        )
                        session.add(milestone)
                        await session.flush()
                        self.milestones.append((contract.id, milestone.id))

        self.run(create())
        for (contract, milestone), state in zip(self.milestones, head_start, strict=False):
            if state != "pending":
                assert self.run(self._act(lambda s, c=contract, m=milestone: s.contracts.fund(self.client, c, m)))
            if state == "submitted":
                submit = self._act(
                    lambda s, c=contract, m=milestone: s.contracts.submit(self.freelancer, c, m, "Hi", [])
                )
                assert self.run(submit)

    def _pick(self, index: int, *statuses: str) -> tuple[int, int]:
        """Mostly a milestone the action fits (by its status now), one time in five any milestone at all, so
        refusals are exercised too."""

        async def status_of(milestone_id: int) -> str:
            async with self.database.transaction() as session:
                milestone = await session.get(MilestoneRow, milestone_id)
                assert milestone is not None
                return milestone.status

        fitting = [pair for pair in self.milestones if self.run(status_of(pair[1])) in statuses]
        pool = fitting if fitting and index % 5 else self.milestones
        return pool[index % len(pool)]

    @rule(index=st.integers(0, 20))
    def fund(self, index: int) -> None:
        contract, milestone = self._pick(index, "pending")
        self.run(self._act(lambda s: s.contracts.fund(self.client, contract, milestone)))

    @rule(index=st.integers(0, 20))
    def submit(self, index: int) -> None:
        contract, milestone = self._pick(index, "funded", "changes")
        self.run(self._act(lambda s: s.contracts.submit(self.freelancer, contract, milestone, "Done", [])))

    @rule(index=st.integers(0, 20), clicks=st.integers(1, 3))
    def approve(self, index: int, clicks: int) -> None:
        contract, milestone = self._pick(index, "submitted", "funded", "changes")
        paid: list[bool] = []

        async def click(services: Services) -> None:
            paid.append(not (await services.contracts.approve(self.client, contract, milestone)).repeated)

        for _click in range(clicks):
            self.run(self._act(click))
        assert sum(paid) <= 1  # a repeated click is told it was done, or refused; never paid twice

    @rule(index=st.integers(0, 20))
    def request_changes(self, index: int) -> None:
        contract, milestone = self._pick(index, "submitted")
        self.run(self._act(lambda s: s.contracts.request_changes(self.client, contract, milestone, "Fix it")))

    @rule(index=st.integers(0, 20), share=st.floats(0.01, 0.99), clicks=st.integers(1, 2))
    def pay_part(self, index: int, share: float, clicks: int) -> None:
        """A share of what is still in escrow, confirmed once or twice with the same token (pays once)."""
        contract, milestone = self._pick(index, "funded", "submitted", "changes")
        token = f"t{next(self.part_tokens)}"

        async def part(services: Services) -> None:
            row = await services.contracts.milestones(await services.contracts.readable(self.client, contract))
            held = next(m.in_escrow_minor for m in row if m.id == milestone)
            await services.contracts.release_part(self.client, contract, milestone, int(held * share), token)

        for _click in range(clicks):
            self.run(self._act(part))

    @rule(index=st.integers(0, 20))
    def refund(self, index: int) -> None:
        contract, milestone = self._pick(index, "funded", "submitted", "changes")
        self.run(self._act(lambda s: s.contracts.refund(self.freelancer, contract, milestone)))

    @rule(index=st.integers(0, 20), by_client=st.booleans())
    def dispute(self, index: int, by_client: bool) -> None:
        _contract, milestone = self._pick(index, "funded", "submitted", "changes")
        party = self.client if by_client else self.freelancer
        self.run(self._act(lambda s: s.disputes.open(party, "milestone", milestone, "Not as agreed")))

    @rule(resolution=st.sampled_from(["release", "refund", "split"]), share=st.integers(0, 2_000_00))
    def resolve(self, resolution: str, share: int) -> None:
        admins = frozenset({self.admin.username})

        async def decide(services: Services) -> None:
            for case in await services.disputes.queue(self.admin, admins):
                if case.contract.id in self.contracts:
                    await services.disputes.resolve(self.admin, admins, case.dispute.id, resolution, share)
                    return

        self.run(self._act(decide))

    @rule(days=st.integers(1, 16))
    def time_passes(self, days: int) -> None:
        """The scheduler's sweeps after some days: auto-release of unanswered work, then maturing earnings."""
        self.now += timedelta(days=days)
        self.run(self._act(lambda s: s.contracts.auto_release_due()))
        self.run(self._act(lambda s: s.ledger.mature()))

    @rule(share=st.floats(0.1, 1.0))
    def withdraw(self, share: float) -> None:
        key = f"payout:{self.freelancer.id}:{next(self.payout_keys)}"

        async def take(services: Services) -> None:
            earnings = await services.ledger.earnings(self.freelancer.id, "USD")
            await services.ledger.withdraw(self.freelancer.id, int(earnings.available_minor * share), "USD", key)

        self.run(self._act(take))

    @rule(index=st.integers(0, 20), by_client=st.booleans())
    def end(self, index: int, by_client: bool) -> None:
        """Ending is refused while money sits in escrow; tried on a contract picked through its milestones."""
        contract, _milestone = self._pick(index, "released", "refunded")
        party = self.client if by_client else self.freelancer
        self.run(self._act(lambda s: s.contracts.end(party, contract, "done")))

    @invariant()
    def books_are_right(self) -> None:
        self.run(self._check())

    async def _check(self) -> None:
        async with self.database.transaction() as session:
            repos = Repositories.bind(session)
            assert await repos.ledger.unbalanced_transactions() == []
            balances = await repos.ledger.balances()
            assert balances == await repos.ledger.entry_sums()
            assert all(amount >= 0 for code, amount in balances.items() if code != WORLD), balances
            released = 0
            for _contract, milestone_id in self.milestones:
                milestone = await session.get(MilestoneRow, milestone_id)
                assert milestone is not None
                held = balances.get(escrow(f"milestone:{milestone_id}"), 0)
                assert milestone.released_minor + milestone.refunded_minor <= milestone.funded_minor
                assert held == milestone.funded_minor - milestone.released_minor - milestone.refunded_minor
                if milestone.status in ("released", "refunded"):
                    assert held == 0
                released += milestone.released_minor
                # hold, the final release, refund: once each; partial payments come on top, one per confirmation
                key = LedgerTransactionRow.idempotency_key
                phases = select(func.count()).where(
                    key.startswith(escrow(f"milestone:{milestone_id}:")), ~key.contains(":release:part:")
                )
                assert (await session.execute(phases)).scalar_one() <= 3
            earned = select(func.coalesce(func.sum(EarningRow.amount_minor + EarningRow.fee_minor), 0)).where(
                EarningRow.freelancer_id == self.freelancer.id
            )
            assert (await session.execute(earned)).scalar_one() == released
            freelancer = [f"freelancer:{self.freelancer.id}:pending", f"freelancer:{self.freelancer.id}:available"]
            kept = sum(balances.get(code, 0) for code in [*freelancer, f"payouts:{self.freelancer.id}"])
            fees = select(func.coalesce(func.sum(EarningRow.fee_minor), 0)).where(
                EarningRow.freelancer_id == self.freelancer.id
            )
            assert kept + (await session.execute(fees)).scalar_one() == released


async def test_random_money_actions_keep_the_books_right(database: Database) -> None:
    """``database`` migrates the schema once; each run of the machine opens its own connections in its loop."""
    machine_settings = settings(
        max_examples=30,
        stateful_step_count=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    url = database.url
    await asyncio.to_thread(run_state_machine_as_test, lambda: MoneyMachine(url), settings=machine_settings)
