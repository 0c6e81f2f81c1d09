"""Fixed-price contracts: funding milestones into escrow, submitting work, approving, changes, partial payment,
refunds with consent, auto-release after 14 days with reminders, disputes freezing the money, and ending."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, update

from bot.bootstrap import App
from bot.conversations.contract_sweeps import AUTO_RELEASE
from bot.conversations.harness import Harness
from bot.core.clock import ManualClock
from bot.core.errors import UserError
from bot.core.events import AttachmentIn, Click
from bot.core.ledger import FEES, WORLD, client_funding, escrow, pending
from bot.storage.orm import AccountRow, ClientProfileRow, EarningRow, MilestoneRow
from bot.storage.repositories import Repositories
from tests.delivery import swept
from tests.flows.contract_steps import balances, fund, hire, submit_work, told
from tests.flows.job_steps import client_and_freelancer
from tests.flows.money_fixtures import services
from tests.flows.signup_steps import sign_up

PDF = AttachmentIn("logo.pdf", "application/pdf", b"%PDF-1.4 the logo")


async def fixed(alice: Harness) -> tuple[Harness, int]:
    """bob hired by alice on a $1,200 fixed-price contract with one milestone (milestone #1)."""
    bob = await client_and_freelancer(alice)
    return bob, await hire(alice, bob, hourly=False, bid="1200")


async def milestone(app: App, milestone_id: int = 1) -> MilestoneRow:
    async with app.database.transaction() as session:
        row = await session.get(MilestoneRow, milestone_id)
    assert row is not None
    return row


async def test_fund_submit_changes_and_approve(app: App, alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    await fund(alice, contract_id)
    assert "$1,200 in escrow" in alice.screen.plain
    assert "The client funded “Build a Django REST API” ($1,200)" in bob.screen.plain
    money = await balances(app)
    assert money[escrow("milestone:1")] == 1200_00
    assert money[WORLD] == -(1200_00 + 60_00)  # the amount and the 5% client fee were charged
    assert money[FEES] == 60_00

    await bob.send(f"/contract {contract_id}")
    await bob.click("Submit work")
    await bob.deliver(PDF)
    assert "Added logo.pdf" in bob.screen.plain
    await bob.send("First version of the API, see the PDF.")
    assert "Submitted: the client has been told" in bob.screen.plain
    submitted = alice.screen
    assert "Bob Stone submitted work for “Build a Django REST API” ($1,200)" in submitted.plain
    assert "First version of the API" in submitted.plain
    assert "pays itself in 14 days" in submitted.plain
    assert [a.filename for a in submitted.attachments] == ["logo.pdf"]  # the work comes with the news
    await alice.click("Submitted work", on=submitted)
    assert [a.filename for a in alice.screen.attachments] == ["logo.pdf"]

    await alice.click("Request changes", on=submitted)
    await alice.send("Please add pagination.")
    assert "Changes requested" in alice.screen.plain
    assert "The client asks for changes on “Build a Django REST API”" in bob.screen.plain
    assert "Please add pagination." in bob.screen.plain
    changed = await milestone(app)
    assert (changed.status, changed.auto_release_at) == ("changes", None)  # no auto-release while changing
    await alice.click("Request changes", on=submitted)  # refused before the form opens
    assert "Changes were requested on this milestone." in alice.screen.plain

    await bob.click("Submit work")
    await bob.send("With pagination now.")
    await alice.click("Approve & pay")
    assert "$1,200 leaves escrow for Bob Stone: $120 service fee, Bob Stone receives $1,080." in alice.screen.plain
    await alice.click("Confirm")
    assert "Released $1,200 to Bob Stone: $120 service fee, Bob Stone receives $1,080." in alice.screen.plain
    assert "✅ Paid" in alice.screen.plain
    assert (
        "The client approved “Build a Django REST API” and released $1,200: $120 service fee, you receive $1,080."
        in bob.screen.plain
    )

    money = await balances(app)
    async with app.database.transaction() as session:
        bob_id = (await session.execute(select(AccountRow.id).where(AccountRow.username == "bob"))).scalar_one()
        alice_id = bob_id - 1
        profile = await session.get(ClientProfileRow, alice_id)
    assert money[escrow("milestone:1")] == 0
    assert money[pending(bob_id)] == 1080_00
    assert money[FEES] == 60_00 + 120_00
    assert profile is not None
    assert profile.total_spent_minor == 1200_00


async def test_approving_an_unfunded_or_paid_milestone_is_refused(app: App, alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    await alice.send(f"/contract {contract_id} approve 1")
    assert "This milestone isn't funded yet." in alice.screen.plain
    await bob.send(f"/contract {contract_id} submit 1")  # refused before the form opens
    assert "This milestone isn't funded yet." in bob.screen.plain
    await fund(alice, contract_id)
    await alice.send(f"/contract {contract_id} fund 1")
    assert "This milestone is funded and waiting for the freelancer's work." in alice.screen.plain
    await bob.send(f"/contract {contract_id} approve 1")
    assert "Only the client of this contract can approve and pay." in bob.screen.plain
    await alice.send(f"/contract {contract_id} approve 1")
    await alice.click("Confirm")
    assert "Released $1,200 to Bob Stone" in alice.screen.plain
    await alice.send(f"/contract {contract_id} approve 1")
    assert "This milestone was already paid." in alice.screen.plain
    await alice.send(f"/contract {contract_id} approve 99")
    assert "Milestone #99 was not found." in alice.screen.plain
    async with app.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(EarningRow)) == 1


async def test_fifty_concurrent_clicks_and_replays_pay_once(app: App, alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    await fund(alice, contract_id)
    await submit_work(bob, contract_id)
    await alice.click("Approve & pay")
    packed = app.engine.codec.pack(alice.find_action("Confirm"))
    clicks = [alice.deliver(Click(packed)) for _ in range(50)]
    replays = [alice.deliver(Click(packed), update_id="the-same-click") for _ in range(10)]
    await asyncio.gather(*clicks, *replays)
    async with app.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(EarningRow)) == 1
    assert (await milestone(app)).released_minor == 1200_00
    assert (await balances(app))[escrow("milestone:1")] == 0
    assert sum("released $1,200:" in screen.plain for screen in bob.screens) == 1


async def test_a_declined_card_funds_nothing(make_app, alice: Harness) -> None:  # type: ignore[no-untyped-def]
    _bob, contract_id = await fixed(alice)
    declining = await make_app(payments={"sandbox_fail_charges": True})
    alice_there = Harness(declining.engine, "alice")
    await alice_there.send(f"/contract {contract_id} fund 1 ok")
    assert "The payment provider declined this payment" in alice_there.screen.plain
    assert (await milestone(declining)).status == "pending"
    assert escrow("milestone:1") not in await balances(declining)


async def test_paying_part_keeps_the_rest_in_escrow_in_the_same_milestone(app: App, alice: Harness) -> None:
    """Changed with the one-milestone model: paying part used to split off a second milestone row."""
    bob, contract_id = await fixed(alice)
    await fund(alice, contract_id)
    await alice.send(f"/contract {contract_id}")
    await alice.click("Pay part")
    assert "$1,200 is in escrow" in alice.screen.plain
    for wrong, reason in [("0", "more than zero"), ("1200", "less than the $1,200"), ("-3", "can't be negative")]:
        await alice.send(wrong)
        assert reason in alice.screen.plain, wrong
    await alice.send("500")
    text = alice.screen.plain
    assert "Pay $500 of “Build a Django REST API” to Bob Stone?" in text
    assert "$500 leaves escrow for Bob Stone: $50 service fee, Bob Stone receives $450." in text
    assert "$700 stays in escrow in this milestone." in text
    assert (await milestone(app)).released_minor == 0  # nothing moves before the confirmation
    await alice.click("Confirm")
    text = alice.screen.plain
    assert "Released $500 of “Build a Django REST API” to Bob Stone: $50 service fee" in text
    assert "1. Build a Django REST API — $1,200\n   🔒 Funded · released $500 of $1,200, $700 still in escrow" in text
    assert "2. " not in text
    assert "released $500 of “Build a Django REST API”: $50 service fee, you receive $450." in bob.screen.plain
    assert (await balances(app))[escrow("milestone:1")] == 700_00

    await submit_work(bob, contract_id)
    await alice.click("Approve & pay")
    assert "$700 leaves escrow for Bob Stone: $70 service fee, Bob Stone receives $630." in alice.screen.plain
    await alice.click("Confirm")
    money = await balances(app)
    assert money[escrow("milestone:1")] == 0
    assert money[FEES] == 60_00 + 50_00 + 70_00
    done = await milestone(app)
    assert (done.status, done.released_minor, done.amount_minor) == ("released", 1200_00, 1200_00)


async def test_a_refund_needs_the_freelancers_consent(app: App, alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    await fund(alice, contract_id)
    await alice.send(f"/contract {contract_id}")
    await alice.click("Ask for a refund")
    assert "Asked: the freelancer decides" in alice.screen.plain
    asked = bob.screen
    assert "The client asks for the $1,200 in escrow on “Build a Django REST API” back" in asked.plain
    assert (await milestone(app)).status == "funded"
    await bob.click("Keep it in escrow", on=asked)
    assert "The freelancer keeps the money" in alice.screen.plain
    await alice.send(f"/contract {contract_id} refund 1")
    assert "Only the freelancer of this contract can refund the client." in alice.screen.plain
    await bob.click("Agree to refund", on=asked)
    assert "$1,200 goes from escrow back to Alice Martin, with $60 of marketplace fee." in bob.screen.plain
    await bob.click("Confirm")
    assert "Refunded $1,200 to the client" in bob.screen.plain
    assert "The freelancer refunded the $1,200" in alice.screen.plain
    await bob.click("Agree to refund", on=asked)
    assert "This milestone was already refunded." in bob.screen.plain
    money = await balances(app)
    assert (money[escrow("milestone:1")], money[WORLD], money[FEES]) == (0, 0, 0)  # the fee came back too


async def test_a_submission_pays_itself_after_14_days_with_two_reminders(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    bob, contract_id = await fixed(alice)
    await fund(alice, contract_id)
    await submit_work(bob, contract_id)  # Monday 2026-01-05 09:00: pays itself 2026-01-19 09:00
    clock.advance(days=10, hours=23)
    assert await swept(app, AUTO_RELEASE) == []
    clock.advance(hours=1)  # 3 days before
    sent = await swept(app, AUTO_RELEASE)
    assert told(sent, "alice") == [told(sent, "alice")[0]]
    assert "pays itself to the freelancer on Jan 19, 2026, 10:00\u202fAM unless" in told(sent, "alice")[0]  # Paris time
    assert told(sent, "bob") == []
    assert await swept(app, AUTO_RELEASE) == []  # each reminder once
    clock.advance(days=1, hours=23)
    assert await swept(app, AUTO_RELEASE) == []
    clock.advance(hours=1)  # 1 day before
    assert len(told(await swept(app, AUTO_RELEASE), "alice")) == 1
    clock.advance(hours=23, minutes=59)
    assert await swept(app, AUTO_RELEASE) == []
    assert (await milestone(app)).status == "submitted"
    clock.advance(minutes=1)
    released = await swept(app, AUTO_RELEASE)
    for user in ("alice", "bob"):
        (text,) = told(released, user)
        assert "was paid automatically" in text
        assert "Released $1,200 to Bob Stone: $120 service fee, Bob Stone receives $1,080." in text
    assert await swept(app, AUTO_RELEASE) == []
    assert (await milestone(app)).status == "released"
    async with app.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(EarningRow)) == 1


async def test_a_long_downtime_sends_one_reminder_and_a_restart_releases(
    make_app, alice: Harness, app: App, clock: ManualClock
) -> None:  # type: ignore[no-untyped-def]
    bob, contract_id = await fixed(alice)
    await fund(alice, contract_id)
    await submit_work(bob, contract_id)
    clock.advance(days=13, hours=12)  # both reminders fell due while the bot was down
    restarted = await make_app()
    assert len(told(await swept(restarted, AUTO_RELEASE), "alice")) == 1
    assert await swept(restarted, AUTO_RELEASE) == []
    clock.advance(days=1)
    assert len(told(await swept(restarted, AUTO_RELEASE), "bob")) == 1


async def test_a_disputed_milestone_is_frozen_until_settled(app: App, alice: Harness, clock: ManualClock) -> None:
    bob, contract_id = await fixed(alice)
    await fund(alice, contract_id)
    await submit_work(bob, contract_id)
    async with app.database.transaction() as session:
        await session.execute(update(MilestoneRow).where(MilestoneRow.id == 1).values(status="disputed"))
    frozen = "This milestone is in dispute: its money stays in escrow until the dispute is settled."
    for user, command in [(alice, "approve"), (alice, "part"), (bob, "refund"), (alice, "refund_ask")]:
        await user.send(f"/contract {contract_id} {command} 1")
        assert frozen in user.screen.plain, command
    clock.advance(days=15)
    assert await swept(app, AUTO_RELEASE) == []
    await alice.send(f"/contract {contract_id} end")
    assert "Money is still in escrow on this contract" in alice.screen.plain

    async with services(app) as bound:
        with pytest.raises(UserError, match="add up"):
            await bound.contracts.settle_milestone(1, 1000_00, 100_00)
        settled = await bound.contracts.settle_milestone(1, 700_00, 500_00)
    assert (settled.status, settled.released_minor, settled.refunded_minor) == ("released", 700_00, 500_00)
    async with services(app) as bound:
        with pytest.raises(UserError):
            await bound.contracts.settle_milestone(1, 700_00, 500_00)
    money = await balances(app)
    assert money[escrow("milestone:1")] == 0
    # the client paid the fee on $700 only: 5% of $1,200 charged, 5% of $500 given back
    assert money[client_funding(1)] == 0
    assert money[WORLD] == -(700_00 + 35_00)


async def test_adding_milestones_and_ending_the_contract(alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    await alice.send(f"/contract {contract_id}")
    await alice.click("Add a milestone")
    await alice.send("Docs; 300; 2025-01-01")
    assert "between today and two years from now" in alice.screen.plain
    await alice.send("Docs; 300")
    assert "Added. Fund it when work should start." in alice.screen.plain
    assert "2. Docs — $300" in alice.screen.plain
    assert "The client added a milestone to “Build a Django REST API”: Docs ($300)." in bob.screen.plain
    await bob.send(f"/contract {contract_id} add")
    assert "Only the client of this contract can add milestones." in bob.screen.plain

    await fund(alice, contract_id, "Fund · 2. Docs")
    await bob.send(f"/contract {contract_id}")
    await bob.click("End the contract")
    assert "Money is still in escrow on this contract" in bob.screen.plain
    await alice.send(f"/contract {contract_id} approve 2 ok")
    await bob.send(f"/contract {contract_id} end")
    await bob.click("The work is done")
    assert "The contract has ended" in bob.screen.plain
    assert "Leave feedback" in [b.label.split(" ", 1)[1] for b in bob.screen.all_buttons() if " " in b.label]
    ended = alice.screen
    assert "Bob Stone ended the contract “Build a Django REST API”. How did it go?" in ended.plain
    assert any("Leave feedback" in b.label for b in ended.all_buttons())

    await alice.send(f"/contract {contract_id} fund 1")
    assert "This contract has ended: nothing more can be done on it." in alice.screen.plain
    await bob.send(f"/contract {contract_id} end")
    assert "This contract has ended: nothing more can be done on it." in bob.screen.plain


async def test_another_persons_contract_is_not_found(alice: Harness) -> None:
    _bob, contract_id = await fixed(alice)
    carol = alice.user("carol")
    await sign_up(carol, "both", full_name="Carol Diaz", username="carol")
    for command in ("", " fund 1", " approve 1", " end"):
        await carol.send(f"/contract {contract_id}{command}")
        assert f"Contract #{contract_id} was not found." in carol.screen.plain, command
    await carol.send("/contract nonsense")
    assert "Contract #nonsense was not found." in carol.screen.plain


async def test_an_account_with_money_in_escrow_cannot_be_deleted(app: App, alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    await fund(alice, contract_id)
    for user in (alice, bob):
        await user.send("/delete_account")
        await user.click("Yes, delete my account")
        assert "Money is still in escrow on one of your contracts" in user.screen.plain
        await user.send("/cancel")
    await alice.send(f"/contract {contract_id} approve 1 ok")
    await bob.send("/delete_account")
    await bob.click("Yes, delete my account")
    assert "Goodbye" in bob.screen.plain


async def test_search_knows_the_clients_a_freelancer_worked_for(app: App, alice: Harness) -> None:
    _bob, _contract_id = await fixed(alice)
    async with app.database.transaction() as session:
        repos = Repositories.bind(session)
        bob_row = await repos.accounts.by_username("bob")
        alice_row = await repos.accounts.by_username("alice")
        assert bob_row is not None
        assert alice_row is not None
        assert await repos.search.previous_client_ids(bob_row.id) == frozenset({alice_row.id})
        assert await repos.search.previous_client_ids(alice_row.id) == frozenset()


async def test_fees_follow_the_schedule_written_into_the_contract(make_app) -> None:  # type: ignore[no-untyped-def]
    tiered = await make_app(fees={"schedule": "tiered"})
    alice = Harness(tiered.engine, "alice")
    _bob, contract_id = await fixed(alice)
    await fund(alice, contract_id)
    raised = await make_app(fees={"schedule": "flat", "freelancer_percent": 30})  # the config changes later
    alice_later = Harness(raised.engine, "alice")
    await alice_later.send(f"/contract {contract_id} approve 1 ok")
    assert "Released $1,200 to Bob Stone: $170 service fee" in alice_later.screen.plain
    async with raised.database.transaction() as session:
        earning = (await session.execute(select(EarningRow))).scalar_one()
    # Upwork's tiers on a first $1,200 with this client: 20% of $500 + 10% of $700
    assert (earning.fee_minor, earning.amount_minor) == (170_00, 1030_00)


async def test_the_marketplace_fee_is_the_one_agreed_in_the_offer(make_app) -> None:  # type: ignore[no-untyped-def]
    first = await make_app()
    alice = Harness(first.engine, "alice")
    _bob, contract_id = await fixed(alice)  # offered at the default 5%
    raised = await make_app(fees={"client_percent": 9})  # the config changes before the client funds
    await fund(Harness(raised.engine, "alice"), contract_id)
    assert (await balances(raised))[WORLD] == -(1200_00 + 60_00)


async def test_each_party_is_refused_the_others_forms_before_they_open(app: App, alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    await fund(alice, contract_id)
    refusals = [
        (bob, "add", "Only the client of this contract can add milestones."),
        (bob, "part 1", "Only the client of this contract can pay part of a milestone."),
        (bob, "fund 1", "Only the client of this contract can fund its milestones."),
        (bob, "approve 1", "Only the client of this contract can approve and pay."),
        (bob, "refund_ask 1", "Only the client of this contract can ask for a refund."),
        (alice, "submit 1", "Only the freelancer of this contract can submit work."),
        (alice, "refund 1", "Only the freelancer of this contract can refund the client."),
        (alice, "refund_no 1", "Only the freelancer of this contract can answer a refund request."),
    ]
    for user, action, refusal in refusals:
        await user.send(f"/contract {contract_id} {action}")
        assert refusal in user.screen.plain, action
        await user.send("/cancel")
        assert "There is nothing to cancel." in user.screen.plain, action  # no form was opened
    await bob.send(f"/contract {contract_id}")
    assert "Add a milestone" not in [button.label.split(" ", 1)[-1] for button in bob.screen.all_buttons()]
    assert (await milestone(app)).status == "funded"
    assert len(await _milestones(app)) == 1


async def _milestones(app: App) -> list[MilestoneRow]:
    async with app.database.transaction() as session:
        return list((await session.execute(select(MilestoneRow))).scalars())


async def test_money_moves_only_once_confirmed_and_a_repeated_press_moves_nothing(app: App, alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    await alice.send(f"/contract {contract_id}")
    contract_screen = alice.screen
    await alice.click("Fund")
    confirm = alice.screen
    assert "Fund “Build a Django REST API”?" in confirm.plain
    assert "$1,200 + $60 marketplace fee = $1,260, charged to your payment method" in confirm.plain
    assert [button.label for button in confirm.all_buttons()] == ["✅ Confirm", "✖️ Cancel"]
    assert escrow("milestone:1") not in await balances(app)
    assert "The client funded" not in bob.screen.plain  # the freelancer hears of it once it is done
    await alice.click("Cancel")
    assert (await milestone(app)).status == "pending"

    await alice.click("Confirm", on=confirm)
    assert "Funded: $1,200 is in escrow." in alice.screen.plain
    assert "The client funded “Build a Django REST API” ($1,200)" in bob.screen.plain
    await alice.click("Confirm", on=confirm)  # pressed again, a moment later
    assert "That was done already: no money moved a second time." in alice.screen.plain
    await alice.click("Fund", on=contract_screen)  # the original button again
    assert "This milestone is funded and waiting for the freelancer's work." in alice.screen.plain
    money = await balances(app)
    assert (money[escrow("milestone:1")], money[WORLD]) == (1200_00, -(1200_00 + 60_00))
    assert (await milestone(app)).released_minor == 0
    assert sum("The client funded" in screen.plain for screen in bob.screens) == 1

    await alice.send(f"/contract {contract_id} part 1")
    await alice.send("200")
    part = alice.screen
    await alice.click("Confirm")
    await alice.click("Confirm", on=part)
    assert "That was done already: no money moved a second time." in alice.screen.plain
    assert (await milestone(app)).released_minor == 200_00
    assert sum("The client released $200" in screen.plain for screen in bob.screens) == 1

    await alice.send(f"/contract {contract_id} refund_ask 1")
    await bob.send(f"/contract {contract_id} refund 1")
    refund = bob.screen
    assert "$1,000 goes from escrow back to Alice Martin, with $50 of marketplace fee." in refund.plain
    await bob.click("Confirm")
    assert "Refunded $1,000 to the client." in bob.screen.plain
    await bob.click("Confirm", on=refund)
    assert "That was done already: no money moved a second time." in bob.screen.plain
    money = await balances(app)
    assert money[escrow("milestone:1")] == 0
    assert money[WORLD] == -(200_00 + 10_00)  # the client paid for the part released, and its fee only
    done = await milestone(app)
    assert (done.status, done.released_minor, done.refunded_minor) == ("refunded", 200_00, 1000_00)
    assert sum("The freelancer refunded" in screen.plain for screen in alice.screens) == 1
