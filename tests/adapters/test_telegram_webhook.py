"""Webhook mode through python-telegram-bot and the runtime: the fake Bot API server POSTs updates to the bot the
way Telegram does once setWebhook was called, and a request without the secret token is refused."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.bootstrap import App, build_app
from bot.storage.orm import ConversationRow
from tests.adapters import test_telegram
from tests.adapters.fake_bot_api import TOKEN, FakeBotApi, eventually
from tests.adapters.test_telegram import ALICE, StartBot
from tests.conftest import make_settings

SECRET = "webhook_Secret-123"
bot_api, start_bot = test_telegram.bot_api, test_telegram.start_bot  # the same fixtures, over this file's app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
async def app(tmp_path: Path, bot_api: FakeBotApi, port: int) -> AsyncIterator[App]:
    telegram = {
        "token": TOKEN,
        "api_base_url": bot_api.base_url,
        "budget": {"per_second": 100, "per_chat_per_second": 50, "per_chat_burst": 20},
        "webhook_url": f"http://127.0.0.1:{port}/telegram",
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
        "webhook_secret": SECRET,
    }
    app = await build_app(make_settings(tmp_path, telegram=telegram, outbox={"poll_seconds": 0.2}))
    yield app
    await app.close()


def start_update(update_id: int) -> dict[str, Any]:
    """Alice's "/start" as Telegram posts it."""
    alice = {"id": ALICE, "is_bot": False, "first_name": "Alice", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": ALICE, "type": "private", "first_name": "Alice"},
            "from": alice,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def post(port: int, update: dict[str, Any], secret: str | None) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{port}/telegram", json=update, headers=headers) as response,
    ):
        return response.status


async def conversations(app: App) -> int:
    async with app.database.transaction() as session:
        return int((await session.execute(select(func.count()).select_from(ConversationRow))).scalar_one())


async def test_updates_posted_with_the_secret_are_answered_and_the_secret_stays_out_of_the_logs(
    bot_api: FakeBotApi, start_bot: StartBot, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await start_bot()
    await eventually(lambda: bot_api.webhook is not None)
    assert bot_api.webhook == {
        "url": f"http://127.0.0.1:{port}/telegram",
        "secret_token": SECRET,
        "allowed_updates": ["message", "callback_query", "inline_query"],
        "drop_pending_updates": False,
    }
    alice = bot_api.user(ALICE, "Alice", language_code="en")
    alice.send("/start")
    welcome = await alice.wait_for_text("Welcome to gigbot")
    alice.press(welcome, "English")
    await alice.wait_for_text("How will you use gigbot?")
    assert not [method for method, _ in bot_api.calls if method in ("getUpdates", "deleteWebhook")]
    assert SECRET not in caplog.text
    assert "Calling Bot API endpoint `setWebhook`" in caplog.text  # PTB's debug line is there, masked


async def test_a_post_without_the_secret_or_with_another_gets_403_and_changes_nothing(
    bot_api: FakeBotApi, start_bot: StartBot, app: App, port: int
) -> None:
    await start_bot()
    await eventually(lambda: bot_api.webhook is not None)
    alice = bot_api.user(ALICE, "Alice", language_code="en")
    assert await post(port, start_update(7), None) == 403
    assert await post(port, start_update(7), "webhook_Secret-124") == 403
    assert await post(port, start_update(7), "") == 403
    await asyncio.sleep(0.5)
    assert alice.messages == []
    assert await conversations(app) == 0
    # Nothing was recorded either: the same update with the secret is new to the bot, and answered.
    assert await post(port, start_update(7), SECRET) == 200
    await alice.wait_for_text("Welcome to gigbot")
    assert await conversations(app) == 1


async def test_updates_sent_while_the_bot_is_down_wait_for_it(bot_api: FakeBotApi, start_bot: StartBot) -> None:
    runtime = await start_bot()
    await eventually(lambda: bot_api.webhook is not None)
    await start_bot.stop(runtime)
    alice = bot_api.user(ALICE, "Alice", language_code="en")
    alice.send("/start")  # Telegram keeps it while nobody answers at the webhook
    await asyncio.sleep(0.3)
    assert alice.messages == []
    await start_bot()
    await alice.wait_for_text("Welcome to gigbot")


async def test_polling_deletes_a_webhook_left_set_and_keeps_its_pending_updates(tmp_path: Path) -> None:
    server = FakeBotApi()
    await server.start()
    polling = make_settings(tmp_path, telegram={"token": TOKEN, "api_base_url": server.base_url})
    app = await build_app(polling)
    starter = StartBot(app)
    try:
        runtime = await starter()
        await eventually(lambda: bool(server.deleted_webhooks))
        assert server.deleted_webhooks == [{"drop_pending_updates": False}]
        await starter.stop(runtime)
    finally:
        await app.close()
        await server.stop()
