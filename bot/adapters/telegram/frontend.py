"""The Telegram front end (python-telegram-bot 22): Bot API updates in, HTML messages with inline keyboards out.

The runtime drives PTB's ``Application`` (initialize, start, polling; stop, shutdown), so Telegram shares the
event loop with the dispatcher, the scheduler and any other front end. Updates are handled side by side across
chats and in order within one chat. A pressed button's callback query is answered at once, before the turn; an
inline query ("@bot words" in any chat) is answered by the engine's ``inline``, with no turn and no chat.
With a payment provider token, screens may carry invoices; a pre-checkout query is answered by the engine's
``checkout`` within Telegram's 10 seconds, outside the chat's queue, and the successful payment that follows is a
turn like a message.
Updates become core events in ``inbound``; screens become messages in ``outbound``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from telegram import BotCommand, PreCheckoutQuery, Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.adapters.telegram.inbound import PLATFORM, actor, checkout, inbound, inline_query
from bot.adapters.telegram.outbound import TelegramSender
from bot.config import TelegramSettings
from bot.core.actions import ActionCodec
from bot.core.delivery import CheckoutHandler, InlineHandler, SendOutcome, TurnHandler
from bot.core.events import ChatRef, Outbound
from bot.core.locks import KeyLocks

POLL_TIMEOUT_SECONDS = 10
CHECKOUT_WITHIN_SECONDS = 7.0  # Telegram waits 10 s for the answer to a pre-checkout query; the rest is the trip
log = logging.getLogger("gigbot.telegram")


class TelegramFrontEnd:
    platform = PLATFORM

    def __init__(
        self,
        codec: ActionCodec,
        settings: TelegramSettings,
        *,
        command_menus: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        inline: InlineHandler | None = None,
        checkout: CheckoutHandler | None = None,
    ) -> None:
        """``command_menus``: the "/" menu per language code ("" for any other language), as (command,
        description) pairs. ``inline``: what answers inline queries (the engine's ``inline``; without it they
        go unanswered). ``checkout``: who decides whether to take a payment (needed with a payment provider
        token)."""
        if settings.token is None:
            raise ValueError("the Telegram front end needs a token")
        if settings.payment_provider_token is not None and checkout is None:
            raise ValueError("a Telegram payment provider token needs a checkout handler to answer pre-checkouts")
        self.checkout = checkout
        self.codec = codec
        self.command_menus = dict(command_menus or {})
        self.application = (
            Application.builder()
            .token(settings.token.get_secret_value())
            .base_url(settings.api_base_url)
            .base_file_url(settings.api_base_file_url)
            .concurrent_updates(True)  # chats side by side; ``_chat_turns`` keeps each chat in order
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        provider_token = settings.payment_provider_token
        self.sender = TelegramSender(
            self.application.bot, codec, provider_token.get_secret_value() if provider_token else None
        )
        self.done = asyncio.Event()  # Telegram never runs out of input: only the runtime stops it
        self._on_event: TurnHandler | None = None
        self._inline = inline
        self._chat_turns: KeyLocks[str] = KeyLocks()  # each chat's turns one at a time, in arrival order

    # ---- lifecycle ------------------------------------------------------------------------------

    async def start(self, on_event: TurnHandler) -> None:
        self._on_event = on_event
        await self.application.initialize()
        await self._set_commands()
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            timeout=POLL_TIMEOUT_SECONDS,
            allowed_updates=[
                "message",
                "callback_query",
                "inline_query",
                *(["pre_checkout_query"] if self.checkout else []),
            ],
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
        query = inline_query(update)
        if query is not None:  # no chat and no turn: answered at once, beside every chat's turns
            if self._inline is not None:
                await self.sender.answer_inline(query.query_id, await self._inline(query))
            return
        if update.pre_checkout_query is not None:  # not a chat message: answered now, behind no turn
            await self._answer_checkout(update.pre_checkout_query)
            return
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

    async def _answer_checkout(self, query: PreCheckoutQuery) -> None:
        assert self.checkout is not None  # asked for pre-checkout queries only with one
        refusal = await self.checkout(actor(query.from_user), checkout(query), within=CHECKOUT_WITHIN_SECONDS)
        try:
            await self.application.bot.answer_pre_checkout_query(query.id, ok=refusal is None, error_message=refusal)
        except TelegramError as error:  # too late, or already answered: Telegram charges nothing then
            log.warning("pre-checkout query %s not answered: %s", query.id, error)

    # ---- messages out ---------------------------------------------------------------------------

    async def send(self, message: Outbound) -> SendOutcome:
        return await self.sender.send(message)

    async def delete(self, chat: ChatRef, message_id: str) -> SendOutcome:
        return await self.sender.delete(chat, message_id)

    # ---- files people sent ----------------------------------------------------------------------

    async def download(self, handle: str) -> bytes:
        """A file's bytes, for another platform: getFile, then its URL under ``api_base_file_url``."""
        file = await self.application.bot.get_file(handle)
        return bytes(await file.download_as_bytearray())
