"""Notifications through the outbox, as the people involved see them: written with the change that causes them,
delivered once to the chat routing picks, and what happens when the platform says "wait", "blocked" or fails."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.config import Settings
from bot.conversations.flow import Sweep
from bot.conversations.harness import Harness
from bot.conversations.messages import message_notice
from bot.conversations.notices import NoticeList
from bot.core.clock import ManualClock
from bot.core.delivery import RetryAfter, TransientError, Unreachable
from bot.core.events import Inbound, Text
from bot.core.services import Services
from bot.doctor import doctor
from bot.storage.orm import OutboxRow
from tests.conftest import make_settings
from tests.delivery import delivered
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.proposal_steps import submit_proposal
from tests.flows.signup_steps import sign_up
from tests.flows.test_link import code_on


async def rows(app: App) -> list[OutboxRow]:
    async with app.database.transaction() as session:
        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())


async def linked_on(bob: Harness, platform: str = "telegram") -> Harness:
    """bob links an identity on ``platform`` to his account; returns it."""
    await bob.send("/link")
    bob_telegram = bob.user(f"bob-{platform}", platform=platform)
    await bob_telegram.send(f"/link {code_on(bob.screen.plain)}")
    await bob_telegram.click("Yes, link it")
    return bob_telegram


async def writing_to(alice: Harness, bob: Harness) -> None:
    """alice (client) is in the writing step of her thread with bob (who sent a proposal to her job)."""
    proposal_id = await submit_proposal(bob, await post_job(alice))
    await alice.send(f"/proposal {proposal_id} message")


async def test_a_notification_is_written_with_the_turn_and_sent_by_the_dispatcher(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    await writing_to(alice, bob)
    replies = await app.engine.handle(Inbound(alice.actor, "alice", Text("Can you start Monday?"), "turn-1"))
    assert {message.chat.chat_id for message in replies} == {"alice"}  # the turn answers only its own chat
    (row,) = [row for row in await rows(app) if row.kind == "message.received"]
    assert (row.recipient_id, row.sent_at) == (2, None)
    assert row.payload["params"]["text"] == "Can you start Monday?"  # what to render, not a rendered message
    assert row.dedupe_key.startswith("test:turn-1:")

    before = len(bob.screens)
    await alice.delivered()
    assert bob.screens[before:] == [bob.screen]
    assert "💬 Alice Martin about “Build a Django REST API”:\nCan you start Monday?" in bob.screen.plain
    (row,) = [row for row in await rows(app) if row.kind == "message.received"]
    assert (row.platform, row.chat_id, row.message_id is not None) == ("test", "bob", True)
    assert row.sent_at is not None
    assert await alice.delivered() == []  # sent once


async def test_a_refused_turn_queues_nothing(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    await writing_to(alice, bob)
    queued = len(await rows(app))
    await alice.send("x" * 5001)
    assert "⚠️" in alice.screen.plain
    assert len(await rows(app)) == queued


async def test_a_rate_limit_delays_only_that_chat(app: App, alice: Harness, clock: ManualClock) -> None:
    bob = await client_and_freelancer(alice)
    carol = alice.user("carol")
    await sign_up(carol, "freelancer", full_name="Carol Diaz", username="carol")
    job_id = await post_job(alice)
    bob_proposal, carol_proposal = await submit_proposal(bob, job_id), await submit_proposal(carol, job_id)
    bob.platform_answers(RetryAfter(0.2))
    bob_had, carol_had = len(bob.screens), len(carol.screens)

    await alice.send(f"/proposal {bob_proposal} message")
    await alice.send("Bob, a question")
    await alice.send(f"/proposal {carol_proposal} message")
    await alice.send("Carol, a question")
    assert len(bob.screens) == bob_had  # 429: bob's message waits...
    assert "Carol, a question" in carol.screens[carol_had].plain  # ...while carol's goes at once
    (waiting,) = [row for row in await rows(app) if row.sent_at is None]
    assert (waiting.last_error, waiting.attempts) == ("rate limited", 0)

    await asyncio.sleep(0.25)
    clock.advance(seconds=1)
    await alice.delivered()
    assert "Bob, a question" in bob.screen.plain


async def test_a_blocked_bot_holds_notifications_until_the_person_writes_again(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    await writing_to(alice, bob)
    bob.platform_answers(Unreachable("Forbidden: bot was blocked by the user"))
    had = len(bob.screens)
    await alice.send("First")
    await alice.send("/reply 1")
    await alice.send("Second")
    assert len(bob.screens) == had
    assert [row.next_attempt_at for row in await rows(app) if row.sent_at is None] == [None, None]

    await bob.send("/start")  # bob unblocks the bot and writes to it
    texts = [screen.plain for screen in bob.screens[had:]]
    assert [text.split("\n")[1] for text in texts if text.startswith("💬")] == ["First", "Second"]


async def test_a_blocked_identity_passes_the_notification_to_another_linked_one(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    bob_telegram = await linked_on(bob)
    await writing_to(alice, bob)
    await bob_telegram.send("/menu")  # telegram is where bob was seen last
    bob_telegram.platform_answers(Unreachable("Forbidden: bot was blocked by the user"))
    await alice.send("Are you there?")
    assert "Are you there?" in bob.screen.plain
    assert "Are you there?" not in bob_telegram.screen.plain


async def test_repeated_errors_back_off_then_park_and_doctor_shows_it(
    app: App, alice: Harness, clock: ManualClock, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    bob = await client_and_freelancer(alice)
    await writing_to(alice, bob)
    attempts = alice.dispatcher.policy.max_attempts
    bob.platform_answers(*[TransientError("timed out")] * attempts)
    had = len(bob.screens)
    await alice.send("Hello?")
    retries = []
    for _ in range(attempts - 1):
        (row,) = [row for row in await rows(app) if row.sent_at is None]
        retries.append(row.next_attempt_at - clock.now())
        clock.advance(hours=2)
        await alice.delivered()
    assert retries == sorted(retries)  # exponential backoff
    assert retries[1] == 2 * retries[0]
    (row,) = [row for row in await rows(app) if row.sent_at is None]
    assert row.parked_at is not None
    assert (row.attempts, row.last_error) == (attempts, "timed out")
    assert len(bob.screens) == had

    settings: Settings = make_settings(tmp_path)
    assert await doctor(settings) == 1
    out = capsys.readouterr().out
    assert "BAD outbox: 0 to send (0 waiting for an unreachable person), 1 parked" in out
    assert f"parked #{row.id} message.received to account 2 after {attempts} attempts: timed out" in out


async def test_one_failing_sweep_item_does_not_hold_back_the_others(
    app: App, alice: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await sign_up(alice, "client", username="alice")

    async def handle(services: Services, item: int, notices: NoticeList) -> None:
        if item == 2:
            raise RuntimeError("a corrupt row")
        notices.add(
            1, message_notice, sender_name="gigbot", thread_id=0, job_title="", text=f"item {item}", file_name=""
        )

    async def due(services: Services) -> list[int]:
        return [1, 2, 3]

    with caplog.at_level(logging.ERROR):
        assert await app.engine.run_sweep(Sweep("test-sweep", due, handle)) == 2
    assert "sweep test-sweep: item 2 failed" in caplog.text
    sent = [message.screen.plain.split("\n")[1] for message in await delivered(app)]
    assert sent == ["item 1", "item 3"]


async def test_notifications_go_to_the_platform_the_person_chose(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    bob_telegram = await linked_on(bob)
    await bob_telegram.send("/account")
    assert "Notifications: wherever you last used gigbot" in bob_telegram.screen.plain
    await bob_telegram.click("Where notifications go")
    await bob_telegram.click("Only on Telegram")
    assert "Now: Telegram." in bob_telegram.screen.plain
    await bob.send("/menu")  # back on the other platform: still, Telegram it is
    await writing_to(alice, bob)
    await alice.send("Ping")
    assert "Ping" in bob_telegram.screen.plain
    assert "Ping" not in bob.screen.plain
    await bob.send("/notify_on discord")
    assert "You have no account on that platform linked to gigbot" in bob.screen.plain


async def test_a_long_message_reaches_a_discord_chat_whole_in_several_messages(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    bob_discord = await linked_on(bob, "discord")
    await writing_to(alice, bob)
    await bob_discord.send("/menu")
    long_text = "\n\n".join(f"Paragraph {n}: " + "all the details of the brief " * 6 for n in range(20))
    await app.engine.handle(Inbound(alice.actor, "alice", Text(long_text), "long-1"))  # 3,700 characters
    sent = await delivered(app)  # to Discord's limits: 2,000 characters a message
    parts = [message.screen for message in sent if message.chat.platform == "discord"]
    assert len(parts) == 2
    assert all(len(screen.text) <= 2000 for screen in parts)
    assert "\n\n".join(screen.plain for screen in parts).count("Paragraph") == 20
    assert parts[0].buttons == ()
    assert [button.label for button in parts[-1].all_buttons()] == ["↩️ Reply", "💬 Open the conversation"]


async def test_a_reply_the_platform_rate_limits_is_sent_once_the_pause_is_over(app: App, alice: Harness) -> None:
    await alice.send("/start")
    alice.platform_answers(RetryAfter(0.1), TransientError("timed out"))
    await alice.click("English")
    assert "How will you use gigbot" in alice.screen.plain  # after a 429 and a timeout, the reply still arrived
