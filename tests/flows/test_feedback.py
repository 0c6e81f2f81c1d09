"""Feedback after a contract ends, as both parties and the public see it: double-blind until both have left
it or the window closes, reminders once, only once per party, and the Job Success Score on the profile."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.conversations.money_sweeps import CLIENT_RATINGS, FEEDBACK_REMINDERS
from bot.core.clock import ManualClock
from bot.core.errors import UserError
from bot.storage.orm import ClientProfileRow, FeedbackRow
from tests.conftest import AppFactory
from tests.delivery import swept
from tests.flows.contract_steps import hire
from tests.flows.money_fixtures import account, contract, paid_and_ended, parties, services
from tests.flows.signup_steps import sign_up


async def leave(user: Harness, contract_id: int, stars: int, comment: str = "", note: str = "") -> None:
    await user.send(f"/feedback {contract_id}")
    await user.click(f"{stars} ★")
    await (user.send(comment) if comment else user.click("Skip"))
    await (user.send(note) if note else user.click("Skip and send"))


async def test_feedback_stays_hidden_until_both_have_left_it(app: App, alice: Harness) -> None:
    alice, bob = await parties(alice)
    contract_id = await paid_and_ended(app, alice, bob)

    await bob.send(f"/feedback {contract_id}")
    assert "How was working with Alice Martin?" in bob.screen.plain
    await bob.click("5 ★")
    await bob.send("Clear brief, paid on time.")
    await bob.send("She was a bit slow to answer at first.")
    seen = bob.screen.plain
    assert "stays hidden until they leave theirs" in seen
    assert "Yours: ★★★★★" in seen
    assert "“Clear brief, paid on time.”" in seen
    assert "Alice Martin has not left theirs yet." in seen

    told = alice.screen.plain
    assert "Bob Stone left feedback on “Logo design”. Leave yours by Jan 19, 2026 to see it." in told
    await alice.send("/profile @bob")
    assert "Clear brief" not in alice.screen.plain
    await bob.send("/profile @alice")
    assert "Rating: no reviews yet" in bob.screen.plain  # not counted before it is revealed
    await alice.send("/feedback")
    assert alice.screen.choice is not None
    assert f"#{contract_id} Logo design" in [option.label for option in alice.screen.choice.options]

    await alice.click(f"#{contract_id} Logo design")
    await alice.click("4 ★")
    await alice.send("Great logo, a day late.")
    await alice.click("Skip and send")
    both = alice.screen.plain
    assert "Both sides are now visible." in both
    assert "Bob Stone's: ★★★★★" in both
    assert "“Clear brief, paid on time.”" in both
    assert "She was a bit slow" not in both  # the private note is for the platform only
    assert "both sides are now visible" in bob.screen.plain

    await bob.send("/profile @alice")
    assert "Rating: 5.0 ★ (1)" in bob.screen.plain
    await alice.send("/profile @bob")
    profile = alice.screen.plain
    assert "Rating from clients: 4.0 ★ (1)" in profile
    assert "• ★★★★☆ “Great logo, a day late.” — Alice Martin, Logo design" in profile
    assert "Job Success: not enough contracts yet" in profile


async def test_the_window_closing_reveals_one_sided_feedback(app: App, alice: Harness, clock: ManualClock) -> None:
    alice, bob = await parties(alice)
    contract_id = await paid_and_ended(app, alice, bob)
    await leave(bob, contract_id, 2, "Changed the brief three times.")
    clock.advance(days=13, hours=23)
    await alice.send(f"/feedback {contract_id}")
    assert "Bob Stone has left theirs: you will see it once you send yours." in alice.screen.plain
    await alice.send("/cancel")

    clock.advance(hours=2)
    await swept(app, FEEDBACK_REMINDERS, CLIENT_RATINGS)
    await alice.send(f"/feedback {contract_id}")
    closed = alice.screen.plain
    assert "The feedback window closed on Jan 19, 2026." in closed
    assert "Bob Stone's: ★★☆☆☆" in closed
    assert "“Changed the brief three times.”" in closed
    assert "Leave feedback" not in [button.label for button in alice.screen.all_buttons()]
    await bob.send("/profile @alice")
    assert "Rating: 2.0 ★ (1)" in bob.screen.plain
    assert "• ★★☆☆☆ “Changed the brief three times.” — Bob Stone, Logo design" in bob.screen.plain
    async with app.database.transaction() as session:
        client = await session.get(ClientProfileRow, 1)
        assert client is not None
        assert (client.rating_sum, client.rating_count) == (2, 1)
    await swept(app, FEEDBACK_REMINDERS, CLIENT_RATINGS)  # recomputing again changes nothing
    async with app.database.transaction() as session:
        client = await session.get(ClientProfileRow, 1)
        assert client is not None
        assert (client.rating_sum, client.rating_count) == (2, 1)


async def test_reminders_go_once_to_whoever_has_not_left_feedback(
    make_app: AppFactory, app: App, alice: Harness, clock: ManualClock
) -> None:
    alice, bob = await parties(alice)
    contract_id = await paid_and_ended(app, alice, bob)
    await leave(bob, contract_id, 5)
    clock.advance(days=10, hours=23)
    assert await swept(app, FEEDBACK_REMINDERS, CLIENT_RATINGS) == []  # not yet: three days before the window closes
    clock.advance(hours=2)
    sent = await swept(app, FEEDBACK_REMINDERS, CLIENT_RATINGS)
    assert [message.chat.chat_id for message in sent] == ["alice"]
    assert "You haven't left feedback on “Logo design” yet: it can be left until Jan 19, 2026." in sent[0].screen.plain
    clock.advance(hours=1)
    assert await swept(app, FEEDBACK_REMINDERS, CLIENT_RATINGS) == []
    restarted = await make_app()
    clock.advance(days=2)  # a restart, and the rest of the window: still once
    assert await swept(restarted, FEEDBACK_REMINDERS, CLIENT_RATINGS) == []


async def test_a_bot_down_on_the_day_reminds_on_the_next_sweep_while_the_window_is_open(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    alice, bob = await parties(alice)
    await paid_and_ended(app, alice, bob, title="Logo design")
    missed = await paid_and_ended(app, alice, bob, title="Business cards")
    clock.advance(days=12, hours=20)  # no sweep ran since the reminders fell due, a day and 20 hours ago
    await leave(alice, missed, 4)
    sent = sorted(
        (message.chat.chat_id, message.screen.plain) for message in await swept(app, FEEDBACK_REMINDERS, CLIENT_RATINGS)
    )
    assert [(who, "Logo design" in text) for who, text in sent] == [("alice", True), ("bob", False), ("bob", True)]
    assert "You haven't left feedback on “Business cards” yet: it can be left until Jan 19, 2026." in sent[1][1]
    assert await swept(app, FEEDBACK_REMINDERS, CLIENT_RATINGS) == []


async def test_no_reminder_once_the_window_has_closed(app: App, alice: Harness, clock: ManualClock) -> None:
    alice, bob = await parties(alice)
    await paid_and_ended(app, alice, bob)
    clock.advance(days=14, minutes=1)  # down for the window's last three days
    assert await swept(app, FEEDBACK_REMINDERS, CLIENT_RATINGS) == []


async def test_feedback_is_refused_twice_early_and_to_outsiders(app: App, alice: Harness) -> None:
    alice, bob = await parties(alice)
    active_id, _ = await contract(app, alice, bob, title="Ongoing work")
    await bob.send(f"/feedback {active_id}")
    assert "Feedback opens when the contract ends; contract #1 is still going." in bob.screen.plain

    ended_id = await paid_and_ended(app, alice, bob)
    carol = alice.user("carol")
    await sign_up(carol, "client", full_name="Carol Diaz", username="carol")
    await carol.send(f"/feedback {ended_id}")
    assert f"There is no contract #{ended_id} of yours." in carol.screen.plain

    await leave(bob, ended_id, 5, "Great client.")
    await bob.send(f"/feedback {ended_id}")
    assert "You have already left feedback on this contract: here it is." in bob.screen.plain
    assert "Leave feedback" not in [button.label for button in bob.screen.all_buttons()]

    await bob.send("/feedback abc")
    assert "Send /feedback followed by the contract number" in bob.screen.plain

    bob_account = await account(app, bob)
    async with services(app) as bound:  # the service refuses it too, whatever screen asks
        with pytest.raises(UserError):
            await bound.feedback.leave(bob_account, ended_id, 1, "", "")
    async with app.database.transaction() as session:
        given = (await session.execute(select(FeedbackRow.stars))).scalars().all()
    assert given == [5]


async def test_job_success_shows_once_there_are_enough_contracts(app: App, alice: Harness, clock: ManualClock) -> None:
    alice, bob = await parties(alice)
    for title, stars in (("Logo", 5), ("Flyer", 4)):
        contract_id = await paid_and_ended(app, alice, bob, title)
        await leave(alice, contract_id, stars)
    clock.advance(days=15)
    await alice.send("/profile @bob")
    assert "Job Success: not enough contracts yet" in alice.screen.plain

    contract_id = await paid_and_ended(app, alice, bob, "Poster")
    await leave(alice, contract_id, 3, "Not what we asked for.")
    await alice.send("/profile @bob")
    assert "Job Success: not enough contracts yet" in alice.screen.plain  # the third is still blind
    await leave(bob, contract_id, 4)
    await alice.send("/profile @bob")
    assert "Job Success: 67%" in alice.screen.plain  # 2 good of 3
    await bob.send("/profile")
    assert "Job Success: 67%" in bob.screen.plain
    assert "Rating from clients: 4.0 ★ (3)" in bob.screen.plain


async def test_the_button_sent_when_a_contract_ends_opens_feedback(alice: Harness) -> None:
    alice, bob = await parties(alice)
    contract_id = await hire(alice, bob, hourly=False)
    await alice.send(f"/contract {contract_id}")
    await alice.click("End the contract")
    await alice.click("The work is done")
    await bob.click("Leave feedback")
    assert "How was working with Alice Martin?" in bob.screen.plain
    await bob.click("5 ★")
    await bob.click("Skip")
    await bob.click("Skip and send")
    assert "Yours: ★★★★★" in bob.screen.plain
    assert "Bob Stone left feedback on" in alice.screen.plain
