"""The Telegram fixtures (fake Bot API server, app, bot starter) for every adapter test module."""

from tests.adapters.test_telegram import app, bot_api, start_bot

__all__ = ["app", "bot_api", "start_bot"]
