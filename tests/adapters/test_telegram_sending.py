"""Sending to Telegram when Telegram pushes back: every Bot API call through one budget (PTB's rate limiter), a
429 that holds only its own chat, a blocked bot, a send that times out, an update delivered twice, and the pace
the budget keeps. Real PTB over HTTP to the fake Bot API server, the runtime in process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.adapters.telegram.limiter import BudgetLimiter
from bot.adapters.telegram.outbound import outcome_of
from bot.bootstrap import App, build_app
from bot.core.budget import Rates, SendBudget
from bot.core.delivery import TransientError
from bot.core.events import ChatRef, Outbound
from bot.core.ui import Screen
from bot.runtime import Runtime
from bot.storage.repositories import Repositories
from tests.adapters.fake_bot_api import TOKEN, FakeBotApi, User, eventually
from tests.adapters.test_telegram import ALICE, BOB, StartBot, proposal_between, welcomed
from tests.conftest import make_settings

FAST = {"per_second": 100, "per_chat_per_second": 50, "per_chat_burst": 20}  # no pacing unless a test asks
PACED = {"per_second": 20, "per_chat_per_second": 5, "per_chat_burst": 3}
OTHERS = range(201, 206)


@pytest.fixture
def budget() -> dict[str, float]:
    return FAST


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def app(tmp_path: Path, bot_api: FakeBotApi, budget: dict[str, float]) -> AsyncIterator[App]:
    settings = make_settings(
        tmp_path,
        telegram={"token": TOKEN, "api_base_url": bot_api.base_url, "budget": budget, "read_timeout_seconds": 0.5},
        outbox={"poll_seconds": 0.2, "backoff_base_seconds": 0.2},
    )
    app = await build_app(settings)
    yield app
    await app.close()


# ``start_bot`` (tests/adapters/conftest.py) starts the bot with this module's ``app``.


def relayed(text: str) -> str:
    return f"💬 Alice Martin about “Build a Django REST API”:\n{text}"


async def alice_and_bob(app: App, bot_api: FakeBotApi, start_bot: StartBot) -> tuple[User, User, int]:
    """The bot running, and Alice and Bob on Telegram with Bob's proposal on Alice's job (its id)."""
    proposal_id = await proposal_between(app)
    await start_bot()
    return bot_api.user(ALICE, "Alice"), bot_api.user(BOB, "Bob"), proposal_id


def sent_to_bob(text: str, note: str) -> bool:
    """Alice's screen once ``note`` went: "Sent", and the conversation so far, ending with it."""
    return text.startswith("✅ Sent to Bob Stone.") and text.endswith(note)


async def write(alice: User, proposal_id: int, *notes: str) -> None:
    """Alice writes each note to Bob from his proposal's message box."""
    for note in notes:
        alice.send(f"/proposal {proposal_id} message")
        await alice.wait_for(lambda user: bool(user.messages) and "Write to Bob Stone" in user.last.text)
        alice.send(note)
        await alice.wait_for(lambda user, note=note: sent_to_bob(user.last.text, note))


async def replied_within(user: User, text: str) -> float:
    """Seconds from ``user`` sending ``text`` to the bot's next message in their chat."""
    before, asked = len(user.messages), time.monotonic()
    user.send(text)
    await user.wait_for(lambda u: len(u.messages) > before)
    return user.server.sent_at[user.id][-1] - asked


async def chatting(others: list[User], rounds: int) -> list[float]:
    """Each of ``others`` asks for /help ``rounds`` times, side by side; every reply's delay."""

    async def one(user: User) -> list[float]:
        return [await replied_within(user, "/help") for _ in range(rounds)]

    return [delay for delays in await asyncio.gather(*(one(user) for user in others)) for delay in delays]


async def test_a_429_storm_loses_nothing_and_holds_only_its_chat(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, bob, proposal_id = await alice_and_bob(app, bot_api, start_bot)
    others = [bot_api.user(user_id, f"User{user_id}") for user_id in OTHERS]
    await chatting(others, 1)  # their first contact, before the storm
    bot_api.fail_next(BOB, 3, retry_after=2)
    notes = [f"Note {n}" for n in range(1, 6)]
    storm = time.monotonic()
    await write(alice, proposal_id, *notes)
    delays = await chatting(others, 3)  # while Bob's chat waits out three pauses of 2 s
    await bob.wait_for(lambda user: len(user.messages) == len(notes), within=20)
    assert [message.text for message in bob.messages] == [relayed(note) for note in notes]  # in order, once each
    assert bot_api.sent_at[BOB][0] - storm >= 6  # the rate-limited chat waited every retry_after it was given
    assert max(delays) < 1.5  # while every other chat went on, a pause of 2 s never in their way
    await asyncio.sleep(0.5)
    assert len(bob.messages) == len(notes)  # and nothing came twice


async def test_a_press_in_a_rate_limited_chat_is_answered_at_once(bot_api: FakeBotApi, start_bot: StartBot) -> None:
    alice, welcome = await welcomed(bot_api, start_bot)
    bot_api.fail_next(ALICE, retry_after=2)
    pressed = time.monotonic()
    query = alice.press(welcome, "English")
    await eventually(lambda: query in bot_api.answered_queries, within=0.5)  # the spinner stops at once
    role = await alice.wait_for_text("How will you use gigbot?")
    assert time.monotonic() - pressed >= 2  # the edit itself waited for the chat's pause
    assert role.message_id == welcome.message_id


async def waiting_rows(app: App) -> int:
    async with app.database.transaction() as session:
        return (await Repositories.bind(session).outbox.counts())["waiting"]


async def test_a_blocked_bot_holds_every_notification_until_the_person_writes(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, bob, proposal_id = await alice_and_bob(app, bot_api, start_bot)
    bot_api.fail_next(BOB, blocked=True)
    notes = ["First", "Second", "Third"]
    await write(alice, proposal_id, *notes)
    await asyncio.sleep(1)  # several dispatcher polls
    assert await waiting_rows(app) == len(notes)  # each waits for Bob, none parked or lost
    attempts = [call for call in bot_api.calls if call[0] == "sendMessage" and call[1].get("chat_id") == BOB]
    assert len(attempts) == 1  # after the 403 nothing more is tried while he cannot be reached
    assert not bob.messages

    bob.send("/menu")  # Bob unblocks the bot and writes to it
    await bob.wait_for(lambda user: sum("💬" in message.text for message in user.messages) == len(notes))
    assert [message.text for message in bob.messages if "💬" in message.text] == [relayed(note) for note in notes]
    assert await waiting_rows(app) == 0


async def test_a_send_that_times_out_is_tried_again_and_arrives_once(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, bob, proposal_id = await alice_and_bob(app, bot_api, start_bot)
    others = [bot_api.user(user_id, f"User{user_id}") for user_id in OTHERS]
    await chatting(others, 1)  # their first contact, before the timeouts
    alice.send(f"/proposal {proposal_id} message")
    await alice.wait_for_text("Write to Bob Stone")
    bot_api.fail_next(ALICE, timeout=True)  # her reply "Sent to Bob Stone." hangs past PTB's read timeout
    bot_api.fail_next(BOB, timeout=True)  # and so does the notification to Bob
    alice.send("Are you there?")
    delays = await chatting(others, 2)  # meanwhile
    await alice.wait_for_text("Sent to Bob Stone.")
    await bob.wait_for_text(relayed("Are you there?"))
    await asyncio.sleep(0.5)
    assert sum("Sent to Bob Stone." in message.text for message in alice.messages) == 1
    assert [message.text for message in bob.messages] == [relayed("Are you there?")]
    tries = [call for call in bot_api.calls if call[0] == "sendMessage" and call[1].get("chat_id") == BOB]
    assert len(tries) == 2  # the one that hung, then the one that arrived
    assert max(delays) < 1.2  # the other chats did not wait for the hung sends (1.5 s each)


def test_timeouts_and_network_errors_are_transient() -> None:
    assert isinstance(outcome_of(TimedOut()), TransientError)
    assert isinstance(outcome_of(NetworkError("connection reset")), TransientError)


async def test_an_update_delivered_again_after_a_restart_changes_nothing(
    bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, _ = await welcomed(bot_api, start_bot)
    await alice.converse(("gigbot", "English"), ("How will you use gigbot?", "Both"))
    await alice.wait_for_text("Your full name")
    name = alice.send("Alice Martin")
    await alice.wait_for_text("Choose a username")
    await start_bot.stop(next(iter(start_bot.running)))
    assert name.update_id is not None
    bot_api.replay(name.update_id)  # Telegram hands the answer out again, as if never confirmed
    seen = len(alice.messages)
    await start_bot()
    await eventually(lambda: not bot_api.updates)  # taken and confirmed by the new runtime
    await asyncio.sleep(0.3)
    assert len(alice.messages) == seen  # no second reply
    assert "Choose a username" in alice.last.text  # and she is where she was, not a step further
    alice.send("@alice_m")
    await alice.wait_for_text("Which country")


async def sent_to(runtime: Runtime, chats: list[int], per_chat: int) -> None:
    """``per_chat`` replies to each chat at once, through the runtime's dispatcher."""
    await asyncio.gather(
        *(
            runtime.dispatcher.send_now(Outbound(ChatRef("telegram", str(chat)), Screen(f"Message {n}")))
            for chat in chats
            for n in range(per_chat)
        )
    )


@pytest.mark.parametrize("budget", [PACED])
async def test_the_budget_paces_each_chat_and_all_of_them(bot_api: FakeBotApi, start_bot: StartBot) -> None:
    runtime = await start_bot()
    chats = [bot_api.user(user_id, f"User{user_id}").id for user_id in range(301, 309)]
    await eventually(lambda: bool(bot_api.commands))  # started

    start = time.monotonic()
    await sent_to(runtime, chats[:1], 20)  # one chat: 3 at once, then 5 a second
    one = bot_api.sent_at[chats[0]]
    assert len(one) == 20
    assert 0.9 * (20 - 3) / 5 <= one[-1] - start <= (20 - 3) / 5 + 1.5  # paced once per message, not twice

    await asyncio.sleep(1.5)  # the overall bucket empties
    start = time.monotonic()
    await sent_to(runtime, chats[1:], 5)  # 35 messages to 7 chats: each chat alone could take them in 0.4 s
    every = sorted(at for chat in chats[1:] for at in bot_api.sent_at[chat])
    assert len(every) == 35
    assert 0.9 * (35 - 20) / 20 <= every[-1] - start <= (35 - 20) / 20 + 1.5  # 20 at once, then 20 a second


async def test_the_limiter_paces_groups_and_never_holds_answers() -> None:
    budget = SendBudget(Rates(per_group_per_minute=2))
    limiter = BudgetLimiter()
    limiter.budget = budget
    done: list[str] = []

    async def call(endpoint: str, chat_id: int | None) -> None:
        async def callback() -> bool:
            done.append(f"{endpoint} {chat_id}")
            return True

        data = {} if chat_id is None else {"chat_id": chat_id}
        await limiter.process_request(callback, (), {}, endpoint, data, None)

    group = [asyncio.create_task(call("sendMessage", -100)) for _ in range(3)]
    await asyncio.sleep(0.2)
    assert done.count("sendMessage -100") == 2  # the third waits for the group's minute
    await call("sendMessage", 7)  # a private chat is not held by the group

    async def limited() -> bool:
        raise RetryAfter(30)

    with pytest.raises(RetryAfter):
        await limiter.process_request(limited, (), {}, "sendMessage", {"chat_id": 7}, None)
    assert budget.paused_for("7") > 29  # that chat waits
    await asyncio.wait_for(call("answerCallbackQuery", None), 0.1)  # an answer never does
    await asyncio.wait_for(call("getFile", 7), 0.1)
    await asyncio.wait_for(call("sendMessage", 8), 0.1)  # nor any other chat
    group[-1].cancel()
