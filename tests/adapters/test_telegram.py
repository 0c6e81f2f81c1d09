"""The Telegram front end through python-telegram-bot's real HTTP stack, against the fake Bot API server, with
the runtime in-process: what each simulated Telegram user sees in their chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.telegram.frontend import TelegramFrontEnd
from bot.bootstrap import App, build_app, command_menus, descriptions
from bot.conversations.harness import Harness
from bot.runtime import Runtime
from tests.adapters.fake_bot_api import TOKEN, FakeBotApi, Message, User, eventually
from tests.conftest import make_settings
from tests.flows.job_steps import post_job
from tests.flows.proposal_steps import submit_proposal
from tests.flows.signup_steps import sign_up

ALICE, BOB = 101, 102
RELAYED = "💬 Alice Martin about “Build a Django REST API”:\nCan you start Monday?"


class StartBot:
    """Starts the runtime with the Telegram front end (call it after any set-up); ``stop`` is the process
    exiting; whatever still runs is stopped at the end of the test."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.running: dict[Runtime, asyncio.Task[None]] = {}

    async def __call__(self) -> Runtime:
        app = self.app
        telegram = TelegramFrontEnd(
            app.engine.codec,
            app.settings.telegram,
            command_menus=command_menus(app.engine),
            inline=app.engine.inline,
            checkout=app.engine.checkout,
            descriptions=descriptions(app.engine),
        )
        runtime = Runtime(app.settings, app.engine, [telegram])
        self.running[runtime] = asyncio.create_task(runtime.run())
        return runtime

    async def stop(self, runtime: Runtime) -> None:
        runtime.stop()
        await asyncio.wait_for(self.running.pop(runtime), 15)


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def app(tmp_path: Path, bot_api: FakeBotApi) -> AsyncIterator[App]:
    fast = {"per_second": 100, "per_chat_per_second": 50, "per_chat_burst": 20}  # tests need no real pacing
    settings = make_settings(
        tmp_path,
        telegram={
            "token": TOKEN,
            "api_base_url": bot_api.base_url,
            "api_base_file_url": bot_api.file_base_url,
            "budget": fast,
        },
        outbox={"poll_seconds": 0.2},
    )
    app = await build_app(settings)
    yield app
    await app.close()


@pytest.fixture
async def start_bot(app: App) -> AsyncIterator[StartBot]:
    starter = StartBot(app)
    yield starter
    for runtime in list(starter.running):
        await starter.stop(runtime)


async def proposal_between(app: App) -> int:
    """Alice (client) and Bob (freelancer), signed up on Telegram, and Bob's proposal on Alice's job; its id.
    Set up through the engine harness, as Telegram identities, before the bot starts."""
    alice = Harness(app.engine, str(ALICE), platform="telegram")
    await sign_up(alice, "client", username="alice")
    bob = alice.user(str(BOB))
    await sign_up(bob, "freelancer", full_name="Bob Stone", username="bob")
    return await submit_proposal(bob, await post_job(alice))


async def welcomed(
    bot_api: FakeBotApi, start_bot: StartBot, name: str = "Alice", language: str = "en"
) -> tuple[User, Message]:
    """The bot running, and a new person who sent /start; returns them and the welcome they got."""
    await start_bot()
    user = bot_api.user(ALICE, name, language_code=language)
    user.send("/start")
    return user, await user.wait_for_text("gigbot")


async def test_signing_up_by_buttons_and_typed_answers(bot_api: FakeBotApi, start_bot: StartBot) -> None:
    alice, welcome = await welcomed(bot_api, start_bot)
    assert "Welcome to gigbot" in welcome.text
    assert welcome.parse_mode == "HTML"
    assert "English" in welcome.labels
    alice.press(welcome, "English")
    role = await alice.wait_for_text("How will you use gigbot?")
    assert role.message_id == welcome.message_id  # the press edited the message it was on
    alice.press(role, "Both")
    await alice.wait_for_text("Your full name")
    alice.send("Alice Martin")
    await alice.wait_for_text("Choose a username")
    alice.send("@Alice_M")
    await alice.wait_for_text("Which country")
    alice.send("germany")
    zones = await alice.wait_for_text("Germany has several time zones")
    alice.press(zones, "Berlin")
    summary = await alice.wait_for_text("Please check your details")
    assert "Username: @alice_m" in summary.text
    alice.press(summary, "Create my account")
    menu = await alice.wait_for_text("Your account is ready, Alice Martin")
    assert "🔎 Find work" in menu.labels
    await alice.wait_for(lambda _: len(bot_api.answered_queries) == 4)  # every press was answered


async def test_the_commands_menu_is_set_in_each_language(bot_api: FakeBotApi, start_bot: StartBot) -> None:
    await start_bot()
    await eventually(lambda: len(bot_api.commands) == 3)
    menus = {
        language: {c["command"]: c["description"] for c in commands} for language, commands in bot_api.commands.items()
    }
    assert menus["en"]["account"] == "your account details"
    assert menus["fr"]["account"] == "les informations de votre compte"
    assert menus[""] == menus["en"]  # any other language gets the default one


async def test_the_menu_button_and_the_descriptions_are_set_in_each_language(
    bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    await start_bot()
    await eventually(lambda: len(bot_api.profile) == 7)
    assert bot_api.profile["setChatMenuButton", ""] == {"type": "commands"}
    assert "freelance marketplace in chat" in bot_api.profile["setMyDescription", "en"]
    assert "marketplace freelance" in bot_api.profile["setMyDescription", "fr"]
    assert bot_api.profile["setMyShortDescription", ""] == bot_api.profile["setMyShortDescription", "en"]
    assert all(len(text) <= 120 for (method, _), text in bot_api.profile.items() if method == "setMyShortDescription")


async def test_refused_menus_and_descriptions_do_not_stop_the_bot(
    bot_api: FakeBotApi, start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot_api.refused |= {"setMyCommands", "setChatMenuButton", "setMyDescription", "setMyShortDescription"}
    _, welcome = await welcomed(bot_api, start_bot)
    assert "Welcome to gigbot" in welcome.text
    for what in ("commands menu for 'en'", "menu button", "description for 'fr'", "short description for ''"):
        assert f"{what} not set: " in caplog.text


async def test_a_forged_button_changes_nothing_and_says_so(bot_api: FakeBotApi, start_bot: StartBot) -> None:
    alice, welcome = await welcomed(bot_api, start_bot)
    forged = alice.press(welcome, "English", data=welcome.button("English")["callback_data"].replace("en", "fr"))
    refused = await alice.wait_for_text("That button isn't valid")
    assert "Choose your language" in refused.text
    assert bot_api.toasts[forged] == "⚠️ That button isn't valid."  # also in passing, over the chat
    assert "How will you use gigbot?" not in "".join(message.text for message in alice.messages)


async def writing_to_bob(app: App, bot_api: FakeBotApi, start_bot: StartBot) -> tuple[User, User]:
    """The bot running, Alice in the message box of Bob's proposal; returns Alice and Bob."""
    proposal_id = await proposal_between(app)
    await start_bot()
    alice, bob = bot_api.user(ALICE, "Alice"), bot_api.user(BOB, "Bob")
    alice.send(f"/proposal {proposal_id} message")
    await alice.wait_for_text("Write to Bob Stone")
    return alice, bob


async def test_a_relayed_message_is_pushed_and_answered_by_telegram_reply(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, bob = await writing_to_bob(app, bot_api, start_bot)
    alice.send("Can you start Monday?")
    await alice.wait_for_text("Sent to Bob Stone.")
    relayed = await bob.wait_for_text(RELAYED)
    assert "↩️ Reply" in relayed.labels

    bob.reply(relayed, "Yes, Monday works.")
    await bob.wait_for_text("Sent to Alice Martin.")
    await alice.wait_for_text("💬 Bob Stone about “Build a Django REST API”:\nYes, Monday works.")


async def test_a_rate_limited_chat_waits_alone(app: App, bot_api: FakeBotApi, start_bot: StartBot) -> None:
    alice, bob = await writing_to_bob(app, bot_api, start_bot)
    bot_api.fail_next(BOB, retry_after=2)
    asked = time.monotonic()
    alice.send("Can you start Monday?")
    await alice.wait_for_text("Sent to Bob Stone.")
    alice.send("/help")
    await alice.wait_for(lambda user: len(bot_api.sent_at[ALICE]) >= 2 and "/help" not in user.last.text)
    alice_done = bot_api.sent_at[ALICE][-1]
    await bob.wait_for_text(RELAYED)
    bob_got = bot_api.sent_at[BOB][-1]
    assert bob_got - asked >= 2  # Bob's chat waited the retry_after it was given
    assert alice_done < asked + 2 <= bob_got  # while Alice's chat went on


async def test_a_blocked_bot_holds_notifications_until_the_person_writes_again(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, bob = await writing_to_bob(app, bot_api, start_bot)
    bot_api.fail_next(BOB, blocked=True)
    alice.send("Can you start Monday?")
    await alice.wait_for_text("Sent to Bob Stone.")
    await bob.wait_for(lambda _: any(call[1].get("chat_id") == BOB for call in bot_api.calls))
    await asyncio.sleep(1)  # several dispatcher polls: it does not try again on its own
    assert not bob.messages

    bob.send("/menu")  # Bob unblocks the bot and writes to it
    await bob.wait_for_text(RELAYED)


async def test_a_screen_with_a_file_sends_it_as_a_document(app: App, bot_api: FakeBotApi, start_bot: StartBot) -> None:
    await sign_up(Harness(app.engine, str(ALICE), platform="telegram"), "client", username="alice")
    await start_bot()
    alice = bot_api.user(ALICE, "Alice")
    alice.send("/export")
    await alice.wait_for(lambda user: any(message.document for message in user.messages))
    assert [message.document for message in alice.messages if message.document] == ["gigbot-export.json"]


async def test_a_press_on_a_message_that_cannot_be_edited_answers_in_a_new_one(
    bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, welcome = await welcomed(bot_api, start_bot)
    alice.chat.remove(welcome)  # deleted on Telegram's side meanwhile: no longer editable
    alice.press(welcome, "English")
    role = await alice.wait_for_text("How will you use gigbot?")
    assert role.message_id != welcome.message_id


async def test_french_on_first_contact_and_typed_markup_shown_literally(
    bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    amelie, welcome = await welcomed(bot_api, start_bot, "Amélie", "fr")
    assert welcome.labels[0] == "Français"
    await amelie.converse(
        ("gigbot", "Français"),
        ("Comment allez-vous utiliser gigbot", "Freelance"),
        ("Votre nom complet", "<b>Amélie</b>"),
    )
    refused = await amelie.wait_for_text("mais pas")
    assert "<" in refused.text.split("mais pas", 1)[1]  # the character shown as typed, never taken as markup
    assert "&lt;" in refused.html
    amelie.send("Amélie Laurent")
    await amelie.wait_for_text("2/2")


async def test_a_double_press_and_an_earlier_screens_button_change_nothing(
    bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, welcome = await welcomed(bot_api, start_bot)
    english = welcome.button("English")["callback_data"]
    alice.press(welcome, "English")
    alice.press(welcome, "English", data=english)  # the second tap of a double press, before the edit arrived
    role = await alice.wait_for_text("How will you use gigbot?")
    alice.press(role, "Freelance")
    await alice.wait_for_text("Your full name")
    alice.press(role, "English", data=english)  # the first screen's button, pressed again much later
    await alice.wait_for(lambda _: len(bot_api.answered_queries) == 4)
    await asyncio.sleep(0.3)
    assert "Your full name" in alice.last.text  # still where she was
    alice.send("Alice Martin")
    await alice.wait_for_text("Choose a username")


async def test_a_button_copied_into_another_chat_does_nothing_for_its_presser(
    bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, welcome = await welcomed(bot_api, start_bot)
    mallory = bot_api.user(ALICE + 100, "Mallory")
    mallory.send("/start")
    theirs = await mallory.wait_for_text("gigbot")
    alice.press(welcome, "English")
    alice_role = await alice.wait_for_text("How will you use gigbot?")
    copied = mallory.press(theirs, "Both", data=alice_role.button("Both")["callback_data"])  # Alice's, in her chat
    refused = await mallory.wait_for_text("This button has expired")  # not her screen's: refused like a stale one
    assert bot_api.toasts[copied] == "⌛ This button has expired."
    assert "Choose your language" in refused.text  # and she is where she was
    alice.press(alice_role, "Freelance")
    await alice.wait_for_text("Your full name")  # Alice's sign-up went on untouched


async def test_a_restart_in_the_middle_of_a_form_carries_on_where_it_was(
    bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, _ = await welcomed(bot_api, start_bot)
    await alice.converse(("gigbot", "English"), ("How will you use gigbot?", "Both"), ("Your full name", "Alice M"))
    await alice.wait_for_text("Choose a username")
    await start_bot.stop(next(iter(start_bot.running)))
    alice.send("@alice_m")  # written while the bot was down: Telegram keeps it
    await start_bot()
    await alice.wait_for_text("Which country")
    alice.send("France")
    await alice.wait_for_text("Please check your details")
    assert "Alice M" in alice.last.text
    assert "@alice_m" in alice.last.text


async def test_hostile_html_typed_by_one_person_reaches_the_other_literally(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice, bob = await writing_to_bob(app, bot_api, start_bot)
    hostile = '<a href="tg://x">click</a> & <script>alert(1)</script> </b><i>'
    alice.send(hostile)
    await alice.wait_for_text("Sent to Bob Stone.")
    relayed = await bob.wait_for_text("<script>")
    assert hostile in relayed.text  # shown as typed, never taken as markup
    assert "<a href" not in relayed.html
    assert "<script>" not in relayed.html


async def test_a_5000_character_job_description_arrives_whole(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    paragraphs = [f"Paragraph {n}: " + "word " * 95 + "end." for n in range(10)]
    description = "\n\n".join(paragraphs)
    assert 4096 < len(description) <= 5000
    alice = Harness(app.engine, str(ALICE), platform="telegram")
    await sign_up(alice, "client", username="alice")
    job_id = await post_job(alice, description=description)
    await sign_up(alice.user(str(BOB)), "freelancer", full_name="Bob Stone", username="bob")
    await start_bot()
    bob = bot_api.user(BOB, "Bob")
    bob.send(f"/job {job_id}")
    await bob.wait_for_text("Paragraph 9:")
    parts = [message.text for message in bob.messages if "Paragraph" in message.text]
    assert len(parts) >= 2
    assert all(len(part) <= 4096 for part in parts)
    for paragraph in paragraphs:
        assert any(paragraph in part for part in parts)  # every paragraph whole, in one message
