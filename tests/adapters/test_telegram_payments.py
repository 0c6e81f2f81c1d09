"""Telegram Payments through python-telegram-bot's real HTTP stack against the fake Bot API server, the runtime
in process: a client funds a milestone by paying its invoice in the chat; the pre-checkout is answered by the
core within Telegram's deadline; the successful payment funds the milestone once; without a provider token the
sandbox charge stays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.bootstrap import App, build_app
from bot.conversations.harness import Harness
from bot.core.ledger import FEES, WORLD, escrow
from bot.storage.orm import AccountRow
from tests.adapters import test_telegram
from tests.adapters.fake_bot_api import TOKEN, FakeBotApi, Message, User
from tests.adapters.test_telegram import ALICE, BOB, StartBot
from tests.conftest import make_settings
from tests.flows.contract_steps import balances, hire
from tests.flows.signup_steps import sign_up

PROVIDER_TOKEN = "284685063:TEST:provider-token"
FUNDED = "🔒 The client funded “Build a Django REST API” ($1,200)"
FAST = {"per_second": 100, "per_chat_per_second": 50, "per_chat_burst": 20}  # tests need no real pacing

bot_api = test_telegram.bot_api
start_bot = test_telegram.start_bot


def telegram_settings(tmp_path: Path, bot_api: FakeBotApi, **telegram: object):  # type: ignore[no-untyped-def]
    base = {"token": TOKEN, "api_base_url": bot_api.base_url, "budget": FAST}
    return make_settings(tmp_path, telegram={**base, **telegram}, outbox={"poll_seconds": 0.2})


@pytest.fixture
async def app(tmp_path: Path, bot_api: FakeBotApi) -> AsyncIterator[App]:
    """The bot with a payment provider token (GIGBOT_TELEGRAM__PAYMENT_PROVIDER_TOKEN)."""
    app = await build_app(telegram_settings(tmp_path, bot_api, payment_provider_token=PROVIDER_TOKEN))
    yield app
    await app.close()


async def contract_between(app: App) -> int:
    """Alice (client) hired Bob (freelancer), both on Telegram, for $1,200 in one unfunded milestone; its contract
    id. Set up through the engine harness, before the bot starts."""
    alice = Harness(app.engine, str(ALICE), platform="telegram")
    await sign_up(alice, "client", username="alice")
    bob = alice.user(str(BOB))
    await sign_up(bob, "freelancer", full_name="Bob Stone", username="bob")
    return await hire(alice, bob, hourly=False, bid="1200")


async def fund_by_invoice(alice: User, contract_id: int) -> Message:
    """Alice opens the contract, presses Fund, then Pay with Telegram: the invoice she gets."""
    alice.send(f"/contract {contract_id}")
    alice.press(await alice.wait_for_text("Contract #"), "Fund")
    confirm = await alice.wait_for_text("Fund “Build a Django REST API”?")
    assert confirm.labels == ["💳 Pay with Telegram", "✖️ Cancel"]  # no sandbox charge where Telegram takes money
    alice.press(confirm, "Pay with Telegram")
    await alice.wait_for(lambda user: any(message.invoice for message in user.messages))
    return next(message for message in reversed(alice.messages) if message.invoice)


async def test_a_client_funds_a_milestone_by_paying_its_invoice_once(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    contract_id = await contract_between(app)
    await start_bot()
    alice, bob = bot_api.user(ALICE, "Alice"), bot_api.user(BOB, "Bob")
    invoice = await fund_by_invoice(alice, contract_id)
    assert invoice.invoice is not None
    assert {name: invoice.invoice[name] for name in ("title", "currency", "total_amount", "provider_token")} == {
        "title": "Build a Django REST API",
        "currency": "USD",
        "total_amount": 1260_00,
        "provider_token": PROVIDER_TOKEN,
    }
    assert invoice.invoice["prices"] == [
        {"label": "Escrow for the milestone", "amount": 1200_00},
        {"label": "Marketplace fee", "amount": 60_00},
    ]
    assert len(invoice.invoice["payload"].encode()) <= 128

    answer = await alice.pay(invoice)
    assert answer["ok"] is True
    assert answer["seconds"] < 10  # Telegram's deadline for the answer
    funded = await alice.wait_for_text("Funded: $1,200 is in escrow.")
    assert "🔒 Funded · $1,200 in escrow" in funded.text
    await bob.wait_for_text(FUNDED)
    money = await balances(app)
    assert (money[escrow("milestone:1")], money[WORLD], money[FEES]) == (1200_00, -1260_00, 60_00)

    alice.paid(answer["payment"])  # Telegram delivers the same successful payment again
    alice.send("/help")
    await alice.wait_for(lambda user: "/contracts" in user.last.text)  # the replay was handled before it
    assert sum("Funded: $1,200" in message.text for message in alice.messages) == 1
    assert sum(FUNDED in message.text for message in bob.messages) == 1
    assert await balances(app) == money

    again = await alice.pay(invoice)  # the invoice still in the chat, paid a second time
    assert again == {**again, "ok": False}
    assert again["error_message"] == "This milestone is funded and waiting for the freelancer's work."


async def test_a_checkout_that_does_not_match_the_milestone_is_refused(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    contract_id = await contract_between(app)
    await start_bot()
    alice, bob = bot_api.user(ALICE, "Alice"), bot_api.user(BOB, "Bob")
    invoice = await fund_by_invoice(alice, contract_id)
    mismatch = "This payment doesn't match the milestone: $1,260 is due. Please pay the latest invoice."
    assert (await alice.pay(invoice, amount=1_00))["error_message"] == mismatch
    assert (await alice.pay(invoice, currency="EUR"))["error_message"] == mismatch
    refused = await bob.pay(invoice)  # forwarded to Bob, who tries to pay it
    assert refused["error_message"] == "Only the client of this contract can fund its milestones."
    assert not any(answer["ok"] for answer in bot_api.pre_checkout_answers.values())
    assert await balances(app) == {}
    assert not any("Funded" in message.text for message in alice.messages)


async def test_a_refused_checkout_speaks_french_to_a_french_payer(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    contract_id = await contract_between(app)
    async with app.database.transaction() as session:  # alice switched gigbot to French since
        await session.execute(update(AccountRow).where(AccountRow.username == "alice").values(language="fr"))
    await start_bot()
    alice = bot_api.user(ALICE, "Alice", language_code="fr")
    alice.send(f"/contract {contract_id}")
    alice.press(await alice.wait_for_text("Contrat #"), "Financer")
    alice.press(await alice.wait_for_text("de frais de plateforme ="), "Payer avec Telegram")
    await alice.wait_for(lambda user: any(message.invoice for message in user.messages))
    invoice = next(message for message in alice.messages if message.invoice)
    answer = await alice.pay(invoice, amount=1_00)
    assert answer["ok"] is False
    assert answer["error_message"].startswith("Ce paiement ne correspond pas au jalon")


async def test_without_a_provider_token_the_sandbox_charge_stays(tmp_path: Path, bot_api: FakeBotApi) -> None:
    app = await build_app(telegram_settings(tmp_path, bot_api))
    starter = StartBot(app)
    try:
        contract_id = await contract_between(app)
        runtime = await starter()
        alice = bot_api.user(ALICE, "Alice")
        alice.send(f"/contract {contract_id}")
        alice.press(await alice.wait_for_text("Contract #"), "Fund")
        confirm = await alice.wait_for_text("Fund “Build a Django REST API”?")
        assert confirm.labels == ["✅ Confirm", "✖️ Cancel"]
        alice.press(confirm, "Confirm")
        await alice.wait_for_text("Funded: $1,200 is in escrow.")
        assert not any(message.invoice for message in alice.messages)
        assert not any(method == "sendInvoice" for method, _ in bot_api.calls)
        await starter.stop(runtime)
    finally:
        await app.close()
