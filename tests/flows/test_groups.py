"""Group chats, platform-free: what the engine answers there, what it leaves alone, and that group replies are
sent within the per-group budget."""

from __future__ import annotations

import asyncio

from bot.bootstrap import App
from bot.conversations.dispatcher import Dispatcher
from bot.conversations.harness import Harness
from bot.core.budget import Rates
from bot.core.events import ChatRef, Command, Inbound, Outbound, Payload, Text
from bot.core.ui import Link, Screen
from tests.delivery import Recorder
from tests.flows.job_steps import post_job
from tests.flows.signup_steps import sign_up

GROUP = "-100555"


async def in_group(app: App, alice: Harness, payload: Payload, *, mentioned: bool = False) -> list[Outbound]:
    event = Inbound(alice.actor, GROUP, payload, chat_type="group", mentioned=mentioned)
    return await app.engine.handle(event)


async def test_a_group_gets_answers_to_commands_only_and_nothing_personal(app: App, alice: Harness) -> None:
    await sign_up(alice, "client", username="alice")
    job_id = await post_job(alice)
    assert await in_group(app, alice, Text("hi all")) == []
    assert await in_group(app, alice, Command("weather")) == []  # another bot's, presumably

    (unknown,) = await in_group(app, alice, Command("weather"), mentioned=True)
    assert "I don't know the command /weather" in unknown.screen.plain
    assert "Hi Alice" not in unknown.screen.plain  # her menu is not shown to the group

    (card,) = await in_group(app, alice, Command("job", str(job_id)))
    assert (card.chat, card.group) == (ChatRef("test", GROUP), True)
    assert "Build a Django REST API" in card.screen.plain
    assert [button.link for row in card.screen.buttons for button in row] == [
        Link(f"propose-{job_id}"),
        Link(f"save-{job_id}"),
    ]

    (money,) = await in_group(app, alice, Command("earnings"))
    assert "between you and me" in money.screen.plain
    assert money.chat == ChatRef("test", GROUP)
    assert [button.link for row in money.screen.buttons for button in row] == [Link("earnings")]


async def test_the_way_to_the_private_chat_runs_the_command_there_where_links_do_not_exist(
    app: App, alice: Harness
) -> None:
    await sign_up(alice, "client", username="alice")
    (way,) = await in_group(app, alice, Command("post_job"))
    alice.received("g1", way.screen)
    await alice.click("Continue in private")
    assert "What is the title of your job?" in alice.screen.plain


async def test_group_replies_wait_for_the_per_group_budget_and_private_ones_do_not(app: App) -> None:
    sent: list[Outbound] = []
    dispatcher = Dispatcher(
        app.database,
        app.engine.clock,
        {"test": Recorder("test", sent)},
        budgets={"test": Rates(per_group_per_minute=1)},
    )
    to_group = Outbound(ChatRef("test", GROUP), Screen("one"), group=True)
    await dispatcher.send_now(to_group)
    second = asyncio.create_task(dispatcher.send_now(to_group))
    await dispatcher.send_now(Outbound(ChatRef("test", "alice"), Screen("private")))
    await asyncio.sleep(0.3)
    assert [message.screen.text for message in sent] == ["one", "private"]  # the group's second waits its minute
    second.cancel()
