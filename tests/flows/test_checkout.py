"""Funding a milestone by paying its invoice in the chat, where the platform takes payments (here the harness's
"test" platform plays Telegram Payments): the checkout asked before the platform charges, and the payment
recorded once per charge id, funding the milestone or set aside for a refund."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.bootstrap import App, build_app
from bot.conversations.harness import Harness
from bot.core.actions import Action
from bot.core.clock import ManualClock
from bot.core.events import Checkout, PaymentIn
from bot.core.ledger import FEES, REFUNDS_DUE, WORLD, escrow
from bot.core.ui import Invoice, Price, Screen
from bot.storage.orm import AccountRow, MilestoneRow, PaymentRow
from tests.conftest import make_settings
from tests.flows.contract_steps import balances, hire
from tests.flows.job_steps import client_and_freelancer
from tests.flows.signup_steps import sign_up

FUNDED = "The client funded “Build a Django REST API” ($1,200)"


@pytest.fixture
async def app(tmp_path: Path, clock: ManualClock) -> AsyncIterator[App]:
    """An app whose "test" platform takes payments in the chat; "ops" is an admin."""
    app = await build_app(make_settings(tmp_path, admins=["ops"]), clock=clock, payment_platforms=frozenset({"test"}))
    yield app
    await app.close()


async def fixed(alice: Harness) -> tuple[Harness, int]:
    """bob hired by alice on a $1,200 fixed-price contract with one milestone (#1): $1,260 with the 5% fee."""
    bob = await client_and_freelancer(alice)
    return bob, await hire(alice, bob, hourly=False, bid="1200")


async def invoice(alice: Harness, contract_id: int) -> Invoice:
    """The client asks to fund milestone #1 and is given its invoice."""
    await alice.send(f"/contract {contract_id}")
    await alice.click("Fund")
    await alice.click("Pay with Test")
    bill = alice.screen.invoice
    assert bill is not None, alice.screen.plain
    return bill


async def checkout(app: App, user: Harness, bill: Invoice, **changes: object) -> str | None:
    """What the platform hears when ``user`` checks out ``bill`` (with the amount or currency tampered)."""
    query = Checkout(app.engine.codec.pack(bill.payload), bill.currency, bill.total_minor)
    query = Checkout(**{**query.__dict__, **changes})  # type: ignore[arg-type]
    return await app.engine.checkout(user.actor, query, within=5)


async def paid(app: App, user: Harness, bill: Invoice, charge: str = "ch_1") -> list[Screen]:
    """The platform took the payment of ``bill`` from ``user`` and says so (as often as it is called)."""
    payload = app.engine.codec.pack(bill.payload)
    return await user.deliver(PaymentIn(payload, bill.currency, bill.total_minor, charge, f"provider_{charge}"))


async def payments(app: App) -> list[tuple[str, str, int]]:
    async with app.database.transaction() as session:
        rows = (await session.execute(select(PaymentRow).order_by(PaymentRow.id))).scalars()
        return [(row.idempotency_key, row.status, row.amount_minor) for row in rows]


async def test_a_paid_invoice_funds_the_milestone_once(app: App, alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    await alice.send(f"/contract {contract_id}")
    await alice.click("Fund")
    confirm = alice.screen
    assert "$1,200 + $60 marketplace fee = $1,260" in confirm.plain
    assert [button.label for button in confirm.all_buttons()] == ["💳 Pay with Test", "✖️ Cancel"]  # no sandbox charge
    await alice.click("Pay with Test")
    bill = alice.screen.invoice
    assert bill is not None
    assert "Pay $1,260 for “Build a Django REST API”" in alice.screen.plain
    assert (bill.title, bill.currency, bill.total_minor) == ("Build a Django REST API", "USD", 1260_00)
    assert [(price.label, price.amount_minor) for price in bill.prices] == [
        ("Escrow for the milestone", 1200_00),
        ("Marketplace fee", 60_00),
    ]
    assert len(app.engine.codec.pack(bill.payload).encode()) <= 128  # Telegram's invoice payload limit
    assert await balances(app) == {}  # nothing moves before the payment

    assert await checkout(app, alice, bill) is None
    (funded,) = await paid(app, alice, bill)
    assert "Funded: $1,200 is in escrow." in funded.plain
    assert "🔒 Funded · $1,200 in escrow" in funded.plain
    assert FUNDED in bob.screen.plain
    money = await balances(app)
    assert money[escrow("milestone:1")] == 1200_00
    assert money[WORLD] == -1260_00
    assert money[FEES] == 60_00
    assert await payments(app) == [("test:charge:ch_1", "succeeded", 1260_00)]

    bob_saw = len(bob.screens)
    assert await paid(app, alice, bill) == []  # the platform sends the same payment again: nothing is said
    assert len(bob.screens) == bob_saw
    assert await balances(app) == money
    assert await payments(app) == [("test:charge:ch_1", "succeeded", 1260_00)]
    assert "This milestone is funded and waiting" in (await checkout(app, alice, bill) or "")


async def test_the_checkout_refuses_what_does_not_match_the_milestone(app: App, alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    bill = await invoice(alice, contract_id)
    assert await checkout(app, alice, bill, total_minor=1200_00) == (
        "This payment doesn't match the milestone: $1,260 is due. Please pay the latest invoice."
    )
    assert "doesn't match the milestone" in (await checkout(app, alice, bill, currency="EUR") or "")
    assert await checkout(app, bob, bill) == "Only the client of this contract can fund its milestones."
    stranger = alice.user("mallory")
    assert await checkout(app, stranger, bill) == "Only the client of this contract can fund its milestones."
    forged = app.engine.codec.pack(Action("pay", ("1", "1", "1", "USD")))[:-2] + "xx"
    assert await checkout(app, alice, bill, payload=forged) == (
        "This invoice is no longer valid. Open the contract to fund the milestone again."
    )
    assert await checkout(app, alice, bill) is None  # the real one still goes through
    assert await balances(app) == {}


async def test_the_checkout_speaks_the_payers_language(app: App, alice: Harness) -> None:
    _bob, contract_id = await fixed(alice)
    async with app.database.transaction() as session:  # alice switched gigbot to French since
        await session.execute(update(AccountRow).where(AccountRow.username == "alice").values(language="fr"))
    await alice.send(f"/contract {contract_id}")
    await alice.click("Financer")
    await alice.click("Payer avec Test")
    bill = alice.screen.invoice
    assert bill is not None
    assert [price.label for price in bill.prices] == ["Séquestre du jalon", "Frais de plateforme"]
    refusal = await checkout(app, alice, bill, total_minor=1)
    assert refusal is not None
    assert refusal.startswith("Ce paiement ne correspond pas au jalon\u00a0: 1\u202f260\u00a0$US est dû.")


async def test_typing_the_sandbox_confirmation_shows_the_invoice_way(app: App, alice: Harness) -> None:
    _bob, contract_id = await fixed(alice)
    await alice.send(f"/contract {contract_id} fund 1 ok")
    assert "💳 Pay with Test" in [button.label for button in alice.screen.all_buttons()]
    async with app.database.transaction() as session:
        milestone = await session.get(MilestoneRow, 1)
    assert milestone is not None
    assert milestone.status == "pending"
    assert await balances(app) == {}


async def test_a_payment_for_a_milestone_funded_meanwhile_is_set_aside_for_refund(app: App, alice: Harness) -> None:
    bob, contract_id = await fixed(alice)
    ops = alice.user("ops")
    await sign_up(ops, "client", full_name="Ops Admin", username="ops")
    first, second = await invoice(alice, contract_id), await invoice(alice, contract_id)
    assert await checkout(app, alice, first) is None
    assert await checkout(app, alice, second) is None  # both checked out before either was paid
    await paid(app, alice, first, "ch_1")
    (refused,) = await paid(app, alice, second, "ch_2")
    assert (
        "Your payment of $1,260 arrived, but it can't fund the milestone: "
        "This milestone is funded and waiting for the freelancer's work." in refused.plain
    )
    assert "set aside to be refunded to you" in refused.plain
    assert "$1,260 paid by Alice Martin could not fund its milestone" in ops.screen.plain
    assert "test:charge:ch_2" in ops.screen.plain
    assert "provider_ch_2" in ops.screen.plain
    assert sum(FUNDED in screen.plain for screen in bob.screens) == 1
    money = await balances(app)
    assert money[escrow("milestone:1")] == 1200_00
    assert money[REFUNDS_DUE] == 1260_00
    assert money[WORLD] == -2 * 1260_00
    assert await payments(app) == [
        ("test:charge:ch_1", "succeeded", 1260_00),
        ("test:charge:ch_2", "refund_due", 1260_00),
    ]
    assert await paid(app, alice, second, "ch_2") == []  # told once
    assert (await balances(app))[REFUNDS_DUE] == 1260_00


async def test_a_platform_without_payments_keeps_the_providers_charge(make_app, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    app = await make_app()
    alice = Harness(app.engine, "alice")
    _bob, contract_id = await fixed(alice)
    await alice.send(f"/contract {contract_id}")
    await alice.click("Fund")
    assert [button.label for button in alice.screen.all_buttons()] == ["✅ Confirm", "✖️ Cancel"]
    await alice.click("Confirm")
    assert "Funded: $1,200 is in escrow." in alice.screen.plain
    bill = Invoice("x", "x", Action("pay", (str(contract_id), "1", "126000", "USD")), "USD", (Price("x", 126000),))
    assert await checkout(app, alice, bill) == (
        "Payments in the chat are turned off. Open the contract to fund the milestone."
    )
