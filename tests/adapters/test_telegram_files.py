"""Files both ways on Telegram, through the fake Bot API server with the real PTB stack and the runtime: a photo or
a document someone sends is kept by Telegram's reference (never downloaded to be sent on Telegram again), is
refused politely when too big or of the wrong type (the conversation stays where it was), and is downloaded once
when it must reach someone on another platform."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator

import pytest

from bot.adapters.console.frontend import ConsoleFrontEnd
from bot.adapters.telegram.frontend import TelegramFrontEnd
from bot.bootstrap import App, command_menus
from bot.conversations.harness import Harness
from bot.runtime import Runtime
from tests.adapters.fake_bot_api import FakeBotApi, User, eventually
from tests.adapters.test_telegram import BOB, StartBot
from tests.flows.job_steps import post_job
from tests.flows.proposal_steps import submit_proposal
from tests.flows.signup_steps import sign_up

JPEG = b"\xff\xd8\xff\xe0" + b"a photo of Bob " * 200
PDF = b"%PDF-1.4 the finished API, with tests " * 50
TEN_MB = 10 * 1024 * 1024


async def bob_on_telegram(app: App, start_bot: StartBot, bot_api: FakeBotApi) -> User:
    """Bob, a freelancer signed up on Telegram, with the bot running."""
    await sign_up(Harness(app.engine, str(BOB), platform="telegram"), "freelancer", full_name="Bob Stone")
    await start_bot()
    return bot_api.user(BOB, "Bob")


async def test_a_photo_becomes_the_profile_photo_and_is_shown_again_by_reference(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    bob = await bob_on_telegram(app, start_bot, bot_api)
    bob.send("/edit_profile")
    bob.press(await bob.wait_for_text("Profile completeness"), "Photo")
    await bob.wait_for_text("Send a clear photo of your face")
    sent = bob.send_photo(JPEG)
    await bob.wait_for_text("✅ Photo saved.")

    bob.send("/profile")
    await bob.wait_for(lambda user: any(message.photo for message in user.messages))
    shown = next(message for message in bob.messages if message.photo)
    largest = bot_api.files[sent.file_id or ""]
    assert shown.file_id == largest.file_id  # the largest size, sent again by its file_id
    assert largest.content == JPEG
    assert bot_api.downloads == 0


async def test_a_refused_file_is_explained_and_the_conversation_stays_where_it_was(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    bob = await bob_on_telegram(app, start_bot, bot_api)
    bob.send("/verify")
    await bob.wait_for_text("Verify your identity")

    bob.send_document("passport.pdf", b"%PDF" + b"x" * TEN_MB, "application/pdf")
    await bob.wait_for_text("That file is too big: at most 10 MB.")
    bob.send_document("id.txt", b"my passport number", "text/plain")
    await bob.wait_for_text("Please send a JPEG, PNG or PDF.")
    assert "Verify your identity" in bob.last.text  # asked again, in the same place

    bob.send_document("passport.pdf", PDF, "application/pdf", caption="My passport")
    await bob.wait_for_text("under review")
    assert bot_api.downloads == 0


class ConsoleChat:
    """A console front end in the same runtime as Telegram, on a pipe that never ends, printing to a buffer."""

    def __init__(self, app: App, user: str) -> None:
        read, self.write = os.pipe()
        self.output = io.StringIO()
        self.front_end = ConsoleFrontEnd(
            app.engine, data_dir=app.settings.data_dir, default_user=user, stdin=os.fdopen(read), stdout=self.output
        )

    def close(self) -> None:
        os.close(self.write)  # the reading thread sees the end of its input and ends


@pytest.fixture
async def alice_on_console(app: App) -> AsyncIterator[ConsoleChat]:
    chat = ConsoleChat(app, "alice")
    yield chat
    chat.close()


async def test_a_telegram_file_for_a_console_user_is_downloaded_once(
    app: App,
    bot_api: FakeBotApi,
    start_bot: StartBot,
    alice_on_console: ConsoleChat,
) -> None:
    alice = Harness(app.engine, "alice", platform="console")
    await sign_up(alice, "client", username="alice")
    bob_here = alice.user(str(BOB), platform="telegram")
    await sign_up(bob_here, "freelancer", full_name="Bob Stone", username="bob")
    job_id = await post_job(alice)
    await submit_proposal(bob_here, job_id)

    telegram = TelegramFrontEnd(app.engine.codec, app.settings.telegram, command_menus=command_menus(app.engine))
    runtime = Runtime(app.settings, app.engine, [telegram, alice_on_console.front_end])
    start_bot.running[runtime] = asyncio.create_task(runtime.run())
    bob = bot_api.user(BOB, "Bob")
    sent = None
    for _ in range(2):  # the same Telegram file, sent twice
        bob.send(f"/contact {job_id}")
        await bob.wait_for_text("Write to Alice Martin")
        sent = bob.send_again(sent) if sent else bob.send_document("brief.pdf", PDF, "application/pdf", caption="Plan")
        await bob.wait_for_text("Sent to Alice Martin.")
        bob.chat.clear()
    shown = f"📎 brief.pdf ({len(PDF):,} bytes) — Plan"
    console = alice_on_console.output.getvalue
    await eventually(lambda: console().count(shown) == 2, seen=console)

    os.write(alice_on_console.write, b"/thread_files 1\n")  # both files again, as Alice asks for them
    await eventually(lambda: console().count(shown) == 4, seen=console)
    assert bot_api.downloads == 1
