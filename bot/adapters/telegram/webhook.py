"""Webhook mode: Telegram POSTs each update to us, and only a request carrying our secret token is taken.

A small aiohttp server (aiohttp comes with discord.py already; PTB's own webhook server needs tornado as well),
started and stopped by the front end like polling, so the runtime keeps the event loop. A request without the
``X-Telegram-Bot-Api-Secret-Token`` header, or with another value, is answered 403 and changes nothing; a good
one is put on PTB's update queue, where polled updates go too, and answered 200 (Telegram then forgets it).
The secret and the bot token are masked in PTB's debug log, which prints every call (setWebhook's included).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Sequence

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config import TelegramSettings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20  # an update is a few KB; Telegram never sends files in it, only their ids
log = logging.getLogger("gigbot.telegram")


class _Redacted(logging.Filter):
    """PTB's debug log prints each call's parameters (setWebhook's secret_token) and its URLs (with the token)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "[secret]")
            record.msg, record.args = message, None
        return True


_REDACTED = _Redacted()
for _name in ("telegram.Bot", "telegram.ext.ExtBot"):
    logging.getLogger(_name).addFilter(_REDACTED)


def keep_out_of_logs(*secrets: str) -> None:
    """Mask these values in the lines PTB's bot logs (its debug log of each call, the API URL with the token)."""
    _REDACTED.secrets.update(secret for secret in secrets if secret)


class WebhookServer:
    def __init__(self, application: Application, *, url: str, listen: str, port: int, path: str, secret: str) -> None:
        self.application = application
        self.url, self.listen, self.port, self.path = url, listen, port, path
        self._secret = secret
        keep_out_of_logs(secret)
        web_app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        web_app.router.add_post(path, self._receive)
        self._runner = web.AppRunner(web_app, access_log=None)  # the access log would print every caller's IP

    @classmethod
    def configured(cls, application: Application, settings: TelegramSettings) -> WebhookServer | None:
        """The server the settings ask for; None when they ask for polling."""
        if settings.webhook_url is None or settings.webhook_secret is None:
            return None
        return cls(
            application,
            url=settings.webhook_url,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            path=settings.webhook_path,
            secret=settings.webhook_secret.get_secret_value(),
        )

    async def start(self, allowed_updates: Sequence[str]) -> None:
        """Listen, then tell Telegram where to post (keeping the updates that waited while we were down)."""
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()
        log.info("webhook listening on %s:%d%s", self.listen, self.port, self.path)
        await self.application.bot.set_webhook(
            self.url, secret_token=self._secret, allowed_updates=allowed_updates, drop_pending_updates=False
        )

    async def stop(self) -> None:
        """Stop taking updates; those already taken are on the update queue, which PTB drains when it stops."""
        await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret.encode()):
            log.warning("webhook request from %s refused: missing or wrong secret token", request.remote)
            return web.Response(status=403)
        try:
            update = Update.de_json(json.loads(await request.read()), self.application.bot)
        except (ValueError, TypeError, AttributeError) as error:
            log.warning("webhook request with no readable update refused: %s", type(error).__name__)
            return web.Response(status=400)
        await self.application.update_queue.put(update)
        return web.Response()
