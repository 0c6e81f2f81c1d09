"""The bot in a Telegram supergroup, through python-telegram-bot and the runtime: it answers the commands meant for
it, keeps quiet otherwise, shows only what is public, and sends anything personal to the private chat."""

from __future__ import annotations

import asyncio

from bot.bootstrap import App
from bot.conversations.harness import Harness
from tests.adapters import test_telegram
from tests.adapters.fake_bot_api import FakeBotApi, Group, User
from tests.adapters.test_telegram import ALICE, BOB, StartBot
from tests.flows.job_steps import post_job
from tests.flows.signup_steps import sign_up

bot_api, app, start_bot = test_telegram.bot_api, test_telegram.app, test_telegram.start_bot
BOT_LINK = "https://t.me/gigbot_test_bot?start="


async def in_a_group(app: App, bot_api: FakeBotApi, start_bot: StartBot) -> tuple[Group, User, User, int]:
    """Alice (client, with a public job post) and Bob (freelancer), signed up on Telegram, in a supergroup with the
    bot running; returns the group, Alice, Bob and the job's id."""
    alice = Harness(app.engine, str(ALICE), platform="telegram")
    await sign_up(alice, "client", username="alice")
    await sign_up(alice.user(str(BOB)), "freelancer", full_name="Bob Stone", username="bob")
    job_id = await post_job(alice)
    await start_bot()
    return bot_api.group(-1001234567890, "Django devs"), bot_api.user(ALICE, "Alice"), bot_api.user(BOB, "Bob"), job_id


async def test_the_bot_answers_commands_meant_for_it_and_ignores_the_chatter(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    group, _, bob, _ = await in_a_group(app, bot_api, start_bot)
    bob.send("hello everyone", in_chat=group)
    bob.send("/help@other_bot", in_chat=group)  # another bot's
    bob.send("/weather", in_chat=group)  # a bare command this bot does not have: some other bot's
    bob.send("/help@gigbot_test_bot", in_chat=group)
    named = await group.wait_for_text("Commands:")
    bob.send("/help", in_chat=group)  # a bare command it has
    await bob.wait_for(lambda _: len(group.messages) == 2)
    await asyncio.sleep(0.3)
    assert [message.text for message in group.messages] == [named.text, named.text]
    assert bob.messages == []  # nothing went to his private chat either


async def test_personal_commands_in_a_group_lead_to_the_private_chat_and_run_there(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    group, alice, bob, job_id = await in_a_group(app, bot_api, start_bot)
    bob.send(f"/propose@gigbot_test_bot {job_id}", in_chat=group)
    way = await group.wait_for_text("between you and me")
    assert "Build a Django REST API" not in way.text
    assert way.button("Continue in private")["url"] == f"{BOT_LINK}propose-{job_id}"
    alice.send("/post_job@gigbot_test_bot", in_chat=group)
    await group.wait_for(lambda g: len(g.messages) == 2)
    assert group.messages[-1].button("Continue in private")["url"] == f"{BOT_LINK}post_job"

    bob.send(f"/start propose-{job_id}")  # what Telegram sends when he follows the link
    await bob.wait_for_text("Build a Django REST API")
    assert "bid" in bob.last.text.casefold()
    alice.send("/start post_job")
    await alice.wait_for_text("What is the title of your job?")
    assert len(group.messages) == 2  # the group saw none of it


async def test_a_public_job_card_in_a_group_with_its_proposal_button_leading_to_the_private_chat(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    group, alice, _, job_id = await in_a_group(app, bot_api, start_bot)
    alice.send("/post_job")  # Alice is writing a post in private meanwhile
    await alice.wait_for_text("What is the title of your job?")
    alice.send(f"/job@gigbot_test_bot {job_id}", in_chat=group)
    card = await group.wait_for_text("Build a Django REST API")
    assert "About the client" in card.text
    assert card.button("Submit a proposal")["url"] == f"{BOT_LINK}propose-{job_id}"
    assert "Manage" not in " ".join(card.labels)  # what its client could do is not for the group
    alice.send("A job asked in the group", in_chat=group)
    alice.send("Build a booking API")  # her draft in private goes on, untouched by the group
    await alice.wait_for_text("Describe the job")
    assert len(group.messages) == 1


async def test_a_job_not_open_to_everyone_is_not_shown_in_a_group(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice = Harness(app.engine, str(ALICE), platform="telegram")
    await sign_up(alice, "client", username="alice")
    hidden = await post_job(alice, visibility="✉️ Invite only")
    await start_bot()
    group, telegram_alice = bot_api.group(-100777, "Django devs"), bot_api.user(ALICE, "Alice")
    telegram_alice.send(f"/job@gigbot_test_bot {hidden}", in_chat=group)  # even its own client
    await group.wait_for_text(f"Job #{hidden} was not found, or it is not visible to you.")
    assert all("Build a Django REST API" not in message.text for message in group.messages)
