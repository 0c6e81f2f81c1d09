"""Message references and staleness: a button press edits the card it was on, a reply to a relayed message or a
contract notice goes into that conversation, no button acts on a flow it was not made for, rotated signing keys
keep buttons working for the grace period only, and private screens asked for in a group go to a private chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.core.actions import Action, ActionCodec, ExpiredAction, RetiredKey
from bot.core.clock import ManualClock
from bot.core.events import Click, Inbound
from tests.conftest import TEST_SECRET, AppFactory
from tests.flows.contract_steps import fund, hire
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.proposal_steps import submit_proposal
from tests.flows.signup_steps import reach_details, sign_up


async def test_a_press_edits_the_card_it_was_on(app: App, alice: Harness) -> None:
    await alice.send("/start")
    card = alice.screen
    packed = app.engine.codec.pack(alice.find_action("English"))
    card_id = alice.message_ids[id(card)]
    (reply,) = await app.engine.handle(Inbound(alice.actor, "alice", Click(packed), "press-1", message_ref=card_id))
    assert reply.replaces == card_id
    assert reply.screen.edit


async def test_replying_to_a_relayed_message_answers_in_its_thread(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    proposal_id = await submit_proposal(bob, await post_job(alice))
    await alice.send(f"/proposal {proposal_id} message")
    await alice.send("Can you start Monday?")
    relayed = bob.screen
    assert "Can you start Monday?" in relayed.plain
    await bob.send("/menu")  # bob is elsewhere when he answers, and uses the platform's reply
    await bob.reply(relayed, "Yes, Monday works.")
    assert "Sent to Alice Martin." in bob.screen.plain
    assert "💬 Bob Stone about “Build a Django REST API”:\nYes, Monday works." in alice.screen.plain


async def test_replying_to_a_contract_notice_writes_in_the_contract_conversation(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    contract_id = await hire(alice, bob, hourly=False, bid="1200")
    await fund(alice, contract_id)
    funded = bob.screen
    assert "funded" in funded.plain
    await bob.reply(funded, "Thanks, starting now.")
    assert "💬 Bob Stone about “Build a Django REST API”:\nThanks, starting now." in alice.screen.plain
    await alice.send(f"/contract {contract_id}")
    await alice.click("Messages")
    assert "Thanks, starting now." in alice.screen.plain


async def test_an_old_flows_button_never_acts_on_the_next_flow(app: App, alice: Harness) -> None:
    await reach_details(alice)
    await alice.submit({"full_name": "Alice Martin", "username": "alice"})
    signup_card = alice.screen  # the country question, with its Back button
    await alice.send("France")
    await alice.click("✅")
    await alice.send("/search python")
    panel = alice.screen
    await alice.click("Back", on=signup_card)  # the same screen number in a new flow: still refused
    assert "⌛ This button has expired" in alice.screen.plain
    assert alice.screen.plain.endswith(panel.plain)  # the search screen again, unchanged


async def test_a_rotated_key_is_honoured_for_its_grace_period_then_refused(
    make_app: AppFactory, clock: ManualClock
) -> None:
    old = await make_app()
    help_button = old.engine.codec.pack(Action("cmd", ("help",)))
    rotation = {"secret_key": "a-brand-new-secret-key-of-length", "previous_secret_key": TEST_SECRET}
    rotated = await make_app(**rotation)
    await Harness(rotated.engine, "alice").deliver(Click(help_button))
    clock.advance(hours=71)
    restarted = Harness((await make_app(**rotation)).engine, "alice")
    await restarted.deliver(Click(help_button))
    assert "/help" in restarted.screen.plain  # still honoured 71 hours after the new key's first use
    clock.advance(hours=2)
    restarted = Harness((await make_app(**rotation)).engine, "alice")
    await restarted.deliver(Click(help_button))
    assert "⌛ This button has expired" in restarted.screen.plain


def test_the_previous_key_stops_at_its_deadline() -> None:
    moment = datetime(2026, 12, 3, tzinfo=UTC)
    now = [moment]
    old, new = b"o" * 32, b"n" * 32
    codec = ActionCodec(new, retired=[RetiredKey(old, moment + timedelta(hours=72))], now=lambda: now[0])
    packed_with_old = ActionCodec(old).pack(Action("cmd", ("menu",)))
    assert codec.unpack(packed_with_old) == Action("cmd", ("menu",))
    now[0] = moment + timedelta(hours=72, seconds=1)
    with pytest.raises(ExpiredAction):
        codec.unpack(packed_with_old)


async def test_private_screens_asked_for_in_a_group_go_to_the_private_chat(app: App, alice: Harness) -> None:
    await sign_up(alice, "freelancer", username="alice")
    in_group = alice.user("alice", chat="-100123")
    await in_group.send("/account")
    assert in_group.screens == []
    assert "Your account" in alice.screen.plain
