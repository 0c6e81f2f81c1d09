"""The Telegram front end (python-telegram-bot 22): Bot API updates in, HTML messages with inline keyboards out.

The runtime drives PTB's ``Application`` (initialize, start, polling; stop, shutdown), so Telegram shares the
event loop with the dispatcher, the scheduler and any other front end. Every Bot API call goes through the
dispatcher's budget for Telegram (``limiter``). Updates are handled side by side across chats and in order
within one chat. A pressed button's callback query is answered at once, before the turn.
Updates become core events in ``inbound``; screens become messages in ``outbound``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.adapters.telegram.inbound import PLATFORM, inbound
from bot.adapters.telegram.limiter import BudgetLimiter
from bot.adapters.telegram.outbound import TelegramSender
from bot.config import TelegramSettings
from bot.core.actions import ActionCodec
from bot.core.budget import SendBudget
from bot.core.delivery import SendOutcome, TurnHandler
from bot.core.events import ChatRef, Outbound
from bot.core.locks import KeyLocks

POLL_TIMEOUT_SECONDS = 10
log = logging.getLogger("gigbot.telegram")


class TelegramFrontEnd:
    platform = PLATFORM

    def __init__(
        self,
        codec: ActionCodec,
        settings: TelegramSettings,
        *,
        command_menus: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    ) -> None:
        """``command_menus``: the "/" menu per language code ("" for any other language), as (command,
        description) pairs."""
        if settings.token is None:
            raise ValueError("the Telegram front end needs a token")
        self.codec = codec
        self.command_menus = dict(command_menus or {})
        self.limiter = BudgetLimiter()  # every Bot API call through the dispatcher's budget for Telegram
        self.application = (
            Application.builder()
            .token(settings.token.get_secret_value())
            .base_url(settings.api_base_url)
            .base_file_url(settings.api_base_file_url)
            .concurrent_updates(True)  # chats side by side; ``_chat_turns`` keeps each chat in order
            .rate_limiter(self.limiter)
            .read_timeout(settings.read_timeout_seconds)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.sender = TelegramSender(self.application.bot, codec)
        self.done = asyncio.Event()  # Telegram never runs out of input: only the runtime stops it
        self._on_event: TurnHandler | None = None
        self._chat_turns: KeyLocks[str] = KeyLocks()  # each chat's turns one at a time, in arrival order

    # ---- lifecycle ------------------------------------------------------------------------------

    def attach_budget(self, budget: SendBudget) -> None:
        self.limiter.budget = budget

    async def start(self, on_event: TurnHandler) -> None:
        if self.limiter.budget is None:
            raise RuntimeError("the Telegram front end starts once the dispatcher has attached its budget")
        self._on_event = on_event
        await self.application.initialize()
        await self._set_commands()
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            timeout=POLL_TIMEOUT_SECONDS,
            allowed_updates=["message", "callback_query"],
            drop_pending_updates=False,
        )
        log.info("polling as @%s", self.application.bot.username)

    async def _set_commands(self) -> None:
        """The "/" menu in each language; nice to have, so a refusal is logged and start-up goes on."""
        for language, commands in self.command_menus.items():
            try:
                menu = [BotCommand(name, description) for name, description in commands]
                await self.application.bot.set_my_commands(menu, language_code=language or None)
            except TelegramError as error:
                log.warning("commands menu for %r not set: %s", language, error)

    async def stop(self) -> None:
        """Stop polling; updates being handled finish before PTB shuts its HTTP client."""
        assert self.application.updater is not None
        if self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    # ---- updates in -----------------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        event = inbound(update)
        if event is None or self._on_event is None:
            return
        if update.callback_query is not None:  # stop the button's spinner now, whatever the turn takes
            self.application.create_task(self._answer(update.callback_query.id), update=update)  # awaited on stop
        async with self._chat_turns.hold(event.chat_id):
            await self._on_event(event)

    async def _answer(self, query_id: str) -> None:
        try:
            await self.application.bot.answer_callback_query(query_id)
        except TelegramError as error:  # an old query (over 15 minutes) cannot be answered; the turn goes on
            log.info("callback query %s not answered: %s", query_id, error)

    # ---- messages out ---------------------------------------------------------------------------

    async def send(self, message: Outbound) -> SendOutcome:
        return await self.sender.send(message)

    async def delete(self, chat: ChatRef, message_id: str) -> SendOutcome:
        return await self.sender.delete(chat, message_id)
