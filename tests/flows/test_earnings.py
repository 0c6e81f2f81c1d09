"""/earnings as a freelancer sees it: released money pending through the security period, the hourly sweep
making it available (and saying so), withdrawing with the bad amounts people type, and paying once."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.conversations.money_sweeps import MATURE_EARNINGS
from bot.core.clock import ManualClock
from bot.core.events import Click
from bot.core.ledger import available, payouts, pending
from bot.storage.orm import AccountRow, PayoutRow
from tests.delivery import swept
from tests.flows.money_fixtures import approve, audit, contract, fund, parties


async def paid(app: App, alice: Harness, bob: Harness, amount: int = 100_00) -> None:
    contract_id, (milestone_id,) = await contract(app, alice, bob, amounts=(amount,))
    await fund(app, alice, contract_id, milestone_id)
    await approve(app, alice, contract_id, milestone_id)


async def test_earnings_wait_the_security_period_then_become_available(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    alice, bob = await parties(alice)
    await paid(app, alice, bob)
    await bob.send("/earnings")
    screen = bob.screen.plain
    assert "Available: $0" in screen
    assert "Pending: $90 (released payments wait 5 days before you can withdraw them)" in screen
    assert "• $90 available on Jan 10, 2026" in screen
    assert "• Jan 5, 2026 · +$90 from contract #1 (fee $10)" in screen
    assert "Withdraw" not in [button.label for button in bob.screen.all_buttons()]

    clock.advance(days=4, hours=23)
    assert await swept(app, MATURE_EARNINGS) == []
    clock.advance(hours=1)
    told = await swept(app, MATURE_EARNINGS)
    assert [(message.chat.chat_id, message.screen.plain) for message in told] == [
        ("bob", "💰 $90 of your earnings is now available to withdraw.")
    ]
    assert await swept(app, MATURE_EARNINGS) == []
    await bob.send("/earnings")
    assert "Available: $90" in bob.screen.plain
    assert "Pending: $0" in bob.screen.plain
    assert "available on" not in bob.screen.plain

    await alice.send("/earnings")
    assert "Earnings are for freelancers" in alice.screen.plain


async def test_withdrawing_refuses_bad_amounts_and_records_the_payout(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    alice, bob = await parties(alice)
    await paid(app, alice, bob)
    clock.advance(days=5)
    await swept(app, MATURE_EARNINGS)
    await bob.send("/earnings")
    await bob.click("💸 Withdraw")
    assert "Available: $90. Type how much to withdraw, or take it all." in bob.screen.plain
    for typed, refusal in (
        ("0", "The amount must be at least $0.01."),
        ("12.345", "“12.345” is not an amount in dollars."),
        ("-5", "“-5” is not an amount in dollars."),
        ("90.01", "You can withdraw at most what is available."),
    ):
        await bob.send(typed)
        assert refusal in bob.screen.plain, typed
        assert "Type how much to withdraw" in bob.screen.plain
    await bob.send("40")
    assert "Withdraw $40?" in bob.screen.plain
    assert payouts(2) not in await audit(app)  # nothing moves before the confirmation
    await bob.click("Confirm")
    screen = bob.screen.plain
    assert "💸 $40 is on its way to your payout method" in screen
    assert "Available: $50" in screen
    assert "Withdrawn: $40" in screen
    assert "• Jan 10, 2026 · −$40 withdrawn (payout #1)" in screen
    balances = await audit(app)
    assert (balances[available(2)], balances[payouts(2)], balances[pending(2)]) == (50_00, 40_00, 0)


async def test_a_double_click_on_withdraw_pays_once(app: App, alice: Harness, clock: ManualClock) -> None:
    alice, bob = await parties(alice)
    await paid(app, alice, bob)
    clock.advance(days=5)
    await swept(app, MATURE_EARNINGS)
    await bob.send("/withdraw")
    amount_screen = bob.screen
    await bob.click("Withdraw all $90")
    confirm_screen = bob.screen
    assert "Withdraw $90?" in confirm_screen.plain
    action = app.engine.codec.pack(bob.find_action("Confirm"))
    await bob.deliver(Click(action), update_id="click-1")
    assert "💸 $90 is on its way" in bob.screen.plain
    assert await bob.deliver(Click(action), update_id="click-1") == []  # the platform redelivered the update
    await bob.click("Confirm", on=confirm_screen)  # a second, separate click
    assert "That withdrawal was made already; nothing more was sent." in bob.screen.plain
    await bob.click("Withdraw all $90", on=amount_screen)
    assert "This button has expired" in bob.screen.plain
    async with app.database.transaction() as session:
        sent = (await session.execute(select(PayoutRow.amount_minor))).scalars().all()
    assert sent == [90_00]
    balances = await audit(app)
    assert (balances[available(2)], balances[payouts(2)]) == (0, 90_00)
    await bob.send("/earnings")
    assert "Available: $0" in bob.screen.plain
    assert "Withdrawn: $90" in bob.screen.plain


async def test_every_pending_earning_is_listed_beyond_the_recent_history(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    alice, bob = await parties(alice)
    contract_id, milestone_ids = await contract(app, alice, bob, amounts=(10_00,) * 21)
    for milestone_id in milestone_ids[:-1]:
        await fund(app, alice, contract_id, milestone_id)
        await approve(app, alice, contract_id, milestone_id)
    clock.advance(days=1)
    await fund(app, alice, contract_id, milestone_ids[-1])
    await approve(app, alice, contract_id, milestone_ids[-1])  # the 21st: the latest 20 no longer hold them all
    await bob.send("/earnings")
    screen = bob.screen.plain
    assert "Pending: $189" in screen
    assert screen.count("• $9 available on Jan 10, 2026") == 20
    assert screen.count("• $9 available on Jan 11, 2026") == 1
    assert screen.index("Jan 10, 2026") < screen.index("available on Jan 11, 2026")  # the soonest first


async def test_withdrawing_with_nothing_available_says_when_and_opens_nothing(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    alice, bob = await parties(alice)
    await bob.send("/withdraw")
    assert "There is nothing available to withdraw yet." in bob.screen.plain
    await paid(app, alice, bob)
    clock.advance(days=2)
    await paid(app, alice, bob)
    await bob.send("/withdraw")
    assert "Nothing is available to withdraw yet: $180 is pending until Jan 12, 2026." in bob.screen.plain
    await bob.send("/cancel")
    assert "There is nothing to cancel." in bob.screen.plain  # no amount was asked
    await bob.send("/withdraw 90 typed-token")  # a confirmation typed by hand is checked all the same
    assert "You can withdraw at most what is available." in bob.screen.plain
    assert payouts(2) not in await audit(app)


async def test_confirmations_and_refusals_speak_french(app: App, alice: Harness) -> None:
    alice, bob = await parties(alice)
    async with app.database.transaction() as session:
        await session.execute(update(AccountRow).values(language="fr"))
    contract_id, (milestone_id,) = await contract(app, alice, bob)
    await alice.send(f"/contract {contract_id} fund {milestone_id}")
    assert "Financer «\u00a0Part 1\u00a0»\u00a0?" in alice.screen.plain
    assert [button.label for button in alice.screen.all_buttons()] == ["✅ Confirmer", "✖️ Annuler"]
    await alice.click("Confirmer")
    assert "Financé\u00a0: " in alice.screen.plain
    await bob.send(f"/contract {contract_id} add")
    assert "Seul le client de ce contrat peut ajouter des jalons." in bob.screen.plain
    await alice.send(f"/contract {contract_id} approve {milestone_id} ok")
    assert "de frais de service, Bob Stone reçoit" in alice.screen.plain
    assert "de frais de service, vous recevez" in bob.screen.plain
    await bob.send("/withdraw")
    assert "Rien n’est encore disponible au retrait\u00a0: " in bob.screen.plain
