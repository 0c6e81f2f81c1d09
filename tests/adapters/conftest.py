"""The Telegram fixtures (the fake Bot API server, the app, the bot's start) for every adapter test file."""

from tests.adapters.test_telegram import app, bot_api, start_bot

__all__ = ["app", "bot_api", "start_bot"]
