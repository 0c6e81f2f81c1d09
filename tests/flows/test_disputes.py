"""Disputes as the parties and the admins see them: opening one freezes the escrow (approving is refused), admins
get the queue and the evidence, and a release, a refund or a split ends where it should in /earnings and in
balanced books, once."""

from __future__ import annotations

import pytest

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.core.errors import UserError
from bot.core.ledger import FEES, WORLD, available, client_funding, escrow, pending
from bot.storage.orm import ContractRow, DisputeRow, InvoiceRow, MilestoneRow
from tests.conftest import AppFactory
from tests.flows.money_fixtures import (
    account,
    approve,
    audit,
    contract,
    fund,
    invoice_in_review,
    parties,
    services,
)
from tests.flows.signup_steps import sign_up


@pytest.fixture
async def app(make_app: AppFactory) -> App:
    return await make_app(admins=["judge"])


async def people(alice: Harness) -> tuple[Harness, Harness, Harness]:
    """alice the client, bob the freelancer, and judge, an admin."""
    alice, bob = await parties(alice)
    judge = alice.user("judge")
    await sign_up(judge, "client", full_name="Judy Judge", username="judge")
    return alice, bob, judge


async def funded(app: App, alice: Harness, bob: Harness) -> tuple[int, int]:
    contract_id, (milestone_id, _second) = await contract(app, alice, bob, amounts=(100_00, 50_00))
    await fund(app, alice, contract_id, milestone_id)
    return contract_id, milestone_id


async def test_opening_a_dispute_freezes_the_money(app: App, alice: Harness) -> None:
    alice, bob, judge = await people(alice)
    contract_id, milestone_id = await funded(app, alice, bob)

    await bob.send(f"/dispute milestone {milestone_id} The client stopped answering after I delivered.")
    assert (
        "Dispute #1 is open on milestone “Part 1” of contract “Logo design”. The $100 in escrow stays frozen"
        in bob.screen.plain
    )
    told = alice.screen.plain
    assert "Bob Stone opened a dispute on milestone “Part 1” of contract “Logo design”. Its $100 stays" in told
    assert "Reason: The client stopped answering after I delivered." in told
    assert "New dispute #1 on milestone “Part 1” of contract “Logo design”, opened by Bob Stone" in judge.screen.plain
    assert [button.label for button in judge.screen.all_buttons()] == ["🔎 Open dispute #1", "⚖️ Dispute queue"]

    with pytest.raises(UserError) as refused:
        await approve(app, alice, contract_id, milestone_id)
    assert refused.value.message_id.startswith("This milestone is in dispute")
    await alice.send(f"/dispute milestone {milestone_id} Not delivered.")
    assert "There is already an open dispute on this; an admin will decide it." in alice.screen.plain
    await alice.send(f"/dispute milestone {milestone_id + 1} Not delivered.")
    assert "This milestone can't be disputed now: it is “Not funded yet”." in alice.screen.plain
    carol = alice.user("carol")
    await sign_up(carol, "client", full_name="Carol Diaz", username="carol")
    await carol.send(f"/dispute milestone {milestone_id} Mine now.")
    assert f"Milestone #{milestone_id} was not found." in carol.screen.plain  # as for one that doesn't exist
    await carol.send("/disputes")
    assert "Only gigbot admins can handle disputes." in carol.screen.plain
    await carol.send("/resolve_dispute 1 release confirm")
    assert "Only gigbot admins can handle disputes." in carol.screen.plain

    async with app.database.transaction() as session:
        milestone = await session.get(MilestoneRow, milestone_id)
        assert milestone is not None
        assert milestone.status == "disputed"
    balances = await audit(app)
    assert balances[escrow(f"milestone:{milestone_id}")] == 100_00


async def test_the_reason_can_be_asked_for_and_the_admin_reads_the_evidence(app: App, alice: Harness) -> None:
    alice, bob, judge = await people(alice)
    contract_id, milestone_id = await funded(app, alice, bob)
    bob_account, alice_account = await account(app, bob), await account(app, alice)
    async with services(app) as bound:
        await bound.contracts.submit(bob_account, contract_id, milestone_id, "Three logo variants attached.", [])
        terms = await bound.contracts.readable(alice_account, contract_id)
        thread = await bound.messaging.thread_for_contract(terms, alice_account.id)
        await bound.messaging.send(alice_account, thread.id, "These are not what we agreed on.")
        await bound.messaging.send(bob_account, thread.id, "They follow the brief exactly.")

    await alice.send(f"/dispute milestone {milestone_id}")
    assert "Open a dispute on milestone #1" in alice.screen.plain
    await alice.send("The logos ignore our brand colours.")
    assert "Dispute #1 is open" in alice.screen.plain

    await judge.send("/disputes")
    queue = judge.screen.plain
    assert "Open disputes (1), oldest first" in queue
    assert "#1 · Jan 5, 2026 · $100 · milestone “Part 1” of contract “Logo design”" in queue
    await judge.click("#1 Logo design")
    pack = judge.screen.plain
    for fact in (
        "Dispute #1 · open · opened on Jan 5, 2026 by Alice Martin",
        "Reason: The logos ignore our brand colours.",
        "In escrow: $100",
        "Contract #1 “Logo design” · fixed price · started Jan 5, 2026",
        "Client: Alice Martin · Freelancer: Bob Stone",
        "Milestone #1 “Part 1” · $100 · funded $100",
        "Submissions (1)",
        "Three logo variants attached. (0 files)",
        "Messages (latest 2 of 2)",
        "Alice Martin: These are not what we agreed on.",
        "Bob Stone: They follow the brief exactly.",
    ):
        assert fact in pack, fact
    assert [button.label for button in judge.screen.all_buttons()] == [
        "✅ Release all to the freelancer",
        "↩️ Refund all to the client",
        "✂️ Split",
        "⚖️ Dispute queue",
    ]


async def test_a_release_pays_the_freelancer_once(app: App, alice: Harness) -> None:
    alice, bob, judge = await people(alice)
    _contract_id, milestone_id = await funded(app, alice, bob)
    await alice.send(f"/dispute milestone {milestone_id} Late delivery.")
    await judge.send("/dispute_case 1")
    case_screen = judge.screen
    await judge.click("Release all")
    assert (
        "Release the whole $100 to the freelancer?\n$10 service fee, the freelancer receives $90." in judge.screen.plain
    )
    confirm = judge.screen
    await judge.click("Yes, decide it")
    assert (
        "Dispute #1 resolved: $100 to the freelancer ($10 service fee, the freelancer receives $90), $0 back to the "
        "client." in judge.screen.plain
    )
    outcome = "The dispute on milestone “Part 1” of contract “Logo design” was decided by a gigbot admin: $100"
    assert outcome in alice.screen.plain
    assert outcome in bob.screen.plain

    await judge.click("Yes, decide it", on=confirm)
    assert "Dispute #1 was already resolved." in judge.screen.plain
    await judge.click("Refund all", on=case_screen)
    assert "Dispute #1 was already resolved." in judge.screen.plain
    await judge.send("/disputes")
    assert "No open disputes." in judge.screen.plain

    await bob.send("/earnings")
    assert "Pending: $90" in bob.screen.plain
    balances = await audit(app)
    assert balances[escrow(f"milestone:{milestone_id}")] == 0
    assert (balances[pending(2)], balances[FEES]) == (90_00, 15_00)


async def test_a_refund_gives_the_client_everything_back(app: App, alice: Harness) -> None:
    alice, bob, judge = await people(alice)
    _contract_id, milestone_id = await funded(app, alice, bob)
    await bob.send(f"/dispute milestone {milestone_id} Scope changed.")
    await judge.send("/resolve_dispute 1 refund")
    await judge.click("Yes, decide it")
    assert "Dispute #1 resolved: all $100 back to the client." in judge.screen.plain
    await bob.send("/earnings")
    assert "Pending: $0" in bob.screen.plain
    balances = await audit(app)
    assert balances[escrow(f"milestone:{milestone_id}")] == 0
    assert balances[WORLD] == 0  # the client got the amount and the marketplace fee back
    assert (balances.get(pending(2), 0), balances[FEES], balances[client_funding(1)]) == (0, 0, 0)
    async with app.database.transaction() as session:
        dispute = await session.get(DisputeRow, 1)
        milestone = await session.get(MilestoneRow, milestone_id)
    assert dispute is not None
    assert (dispute.status, dispute.resolution, dispute.freelancer_share_minor) == (
        "resolved",
        "refund",
        0,
    )
    assert milestone is not None
    assert (milestone.status, milestone.refunded_minor) == ("refunded", 100_00)


async def test_a_split_refuses_bad_shares_and_divides_the_escrow(app: App, alice: Harness) -> None:
    alice, bob, judge = await people(alice)
    _contract_id, milestone_id = await funded(app, alice, bob)
    await alice.send(f"/dispute milestone {milestone_id} Half done.")
    await judge.send("/dispute_case 1")
    await judge.click("Split")
    assert "$100 is in escrow. Type the freelancer's share (from 0 to $100)" in judge.screen.plain
    for typed, refusal in (
        ("150", "The freelancer's share can't be more than the $100 in escrow."),
        ("-5", "“-5” is not an amount in dollars."),
        ("30.555", "“30.555” is not an amount in dollars."),
    ):
        await judge.send(typed)
        assert refusal in judge.screen.plain, typed
        assert "Split dispute #1" in judge.screen.plain
    await judge.send("30")
    assert (
        "Dispute #1 resolved: $30 to the freelancer ($3 service fee, the freelancer receives $27), $70 back to the "
        "client." in judge.screen.plain
    )
    assert "$30 goes to the freelancer" in bob.screen.plain
    assert "$70 back to the client" in alice.screen.plain

    await bob.send("/earnings")
    assert "Pending: $27" in bob.screen.plain  # $30 less the 10% service fee
    balances = await audit(app)
    assert balances[escrow(f"milestone:{milestone_id}")] == 0
    assert balances[pending(2)] == 27_00
    assert balances[WORLD] == -(30_00 + 1_50)  # the client paid for the $30 kept, with its 5% fee
    assert balances[FEES] == 3_00 + 1_50
    assert balances.get(available(2), 0) == 0


async def test_a_party_opens_a_dispute_from_the_contract_screen(app: App, alice: Harness) -> None:
    alice, bob, _judge = await people(alice)
    contract_id, milestone_id = await funded(app, alice, bob)
    await alice.send(f"/contract {contract_id}")
    assert alice.screen.choice is not None
    disputable = [option.label for option in alice.screen.choice.options if "Open a dispute" in option.label]
    assert disputable == ["⚖️ Open a dispute · 1. Part 1"]  # Part 2 is pending: nothing in escrow

    await bob.send(f"/contract {contract_id}")
    await bob.click("⚖️ Open a dispute · 1. Part 1")
    assert f"Open a dispute on milestone #{milestone_id}" in bob.screen.plain
    await bob.send("The client stopped answering.")
    assert "Dispute #1 is open on milestone “Part 1” of contract “Logo design”." in bob.screen.plain

    await alice.send(f"/contract {contract_id} approve {milestone_id}")
    assert "This milestone is in dispute" in alice.screen.plain
    await alice.send(f"/contract {contract_id}")
    assert alice.screen.choice is not None
    assert not [option.label for option in alice.screen.choice.options if "Part 1" in option.label]


async def test_an_invoice_under_review_can_be_disputed_from_the_contract_screen(app: App, alice: Harness) -> None:
    alice, bob, _judge = await people(alice)
    contract_id, invoice_id = await invoice_in_review(app, alice, bob, minutes=150, rate=40_00)
    await alice.send(f"/contract {contract_id}")
    await alice.click("⚖️ Open a dispute · week of Jan 5, 2026")
    assert f"Open a dispute on invoice #{invoice_id}" in alice.screen.plain
    await alice.send("These hours were not worked.")
    assert "Dispute #1 is open on the invoice for the week of 2026-01-05" in alice.screen.plain


async def test_a_disputed_invoice_shows_the_week_and_is_refunded(app: App, alice: Harness) -> None:
    alice, bob, judge = await people(alice)
    _contract_id, invoice_id = await invoice_in_review(app, alice, bob, minutes=150, rate=40_00)
    await alice.send(f"/dispute invoice {invoice_id} These hours were not worked.")
    assert "Dispute #1 is open on the invoice for the week of 2026-01-05" in alice.screen.plain
    await judge.send("/dispute_case 1")
    pack = judge.screen.plain
    assert "Invoice #1 · week of Jan 5, 2026 · 2h30 · $100" in pack
    assert "• 2h30 fixing the booking bug" in pack
    await judge.send("/resolve_dispute 1 refund confirm")
    assert "Dispute #1 resolved: all $100 back to the client." in judge.screen.plain
    async with app.database.transaction() as session:
        invoice = await session.get(InvoiceRow, invoice_id)
        hourly = await session.get(ContractRow, 1)
    assert invoice is not None
    assert invoice.status == "refunded"
    assert hourly is not None
    assert hourly.status == "active"
    balances = await audit(app)
    assert balances[escrow(f"invoice:{invoice_id}")] == 0


async def test_a_stranger_learns_nothing_of_a_contract_from_dispute(app: App, alice: Harness) -> None:
    alice, bob, _judge = await people(alice)
    _contract_id, milestone_id = await funded(app, alice, bob)
    carol = alice.user("carol")
    await sign_up(carol, "client", full_name="Carol Diaz", username="carol")
    for command in (f"milestone {milestone_id}", f"milestone {milestone_id} Mine now.", "milestone 999"):
        await carol.send(f"/dispute {command}")
        shown = "999" if "999" in command else str(milestone_id)
        assert f"Milestone #{shown} was not found." in carol.screen.plain, command
        await carol.send("/cancel")
        assert "There is nothing to cancel." in carol.screen.plain, command  # no reason was asked
    await carol.send("/dispute invoice 5")
    assert "Invoice #5 was not found." in carol.screen.plain
    await alice.send(f"/dispute milestone {milestone_id + 1}")  # a party, but nothing in escrow to freeze
    assert "This milestone can't be disputed now: it is “Not funded yet”." in alice.screen.plain
