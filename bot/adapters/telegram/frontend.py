"""The Telegram front end (python-telegram-bot 22): Bot API updates in, HTML messages with inline keyboards out.

The runtime drives PTB's ``Application`` (initialize, start, polling or the webhook server; stop, shutdown), so
Telegram shares the event loop with the dispatcher, the scheduler and any other front end; either way, updates
that wait while the bot is down are kept. Updates are handled side by side across chats and in order within one
chat. A pressed button's callback query is answered at once, before the turn; an inline query ("@bot words" in
any chat) is answered by the engine's ``inline``, with no turn and no chat. With a payment provider token,
screens may carry invoices; a pre-checkout query is answered by the engine's ``checkout`` within Telegram's 10
seconds, outside the chat's queue, and the successful payment that follows is a turn like a message.
Every Bot API call goes through the dispatcher's budget for Telegram (``limiter``).
Updates become core events in ``inbound``; screens become messages in ``outbound``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping, Sequence

from telegram import BotCommand, MenuButtonCommands, PreCheckoutQuery, Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.adapters.telegram.inbound import PLATFORM, actor, checkout, inbound, inline_query
from bot.adapters.telegram.limiter import BudgetLimiter
from bot.adapters.telegram.outbound import TelegramSender
from bot.adapters.telegram.request import AiohttpRequest
from bot.adapters.telegram.webhook import WebhookServer, keep_out_of_logs
from bot.config import TelegramSettings
from bot.core.actions import ActionCodec
from bot.core.budget import SendBudget
from bot.core.delivery import CheckoutHandler, InlineHandler, SendOutcome, TurnHandler
from bot.core.events import ChatRef, Outbound
from bot.core.locks import KeyLocks

POLL_TIMEOUT_SECONDS = 10
ANSWER_WITHIN_SECONDS = 0.3  # a pressed button's spinner stops by then, even when the turn takes longer
CHECKOUT_WITHIN_SECONDS = 7.0  # Telegram waits 10 s for the answer to a pre-checkout query; the rest is the trip
ALLOWED_UPDATES = ["message", "callback_query", "inline_query"]
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
        descriptions: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        """``command_menus``: the "/" menu per language code ("" for any other language), as (command,
        description) pairs; ``descriptions``: the bot's (description, short description) the same way.
        ``inline``: what answers inline queries (the engine's ``inline``; without it they go unanswered).
        ``checkout``: who decides whether to take a payment (needed with a payment provider token)."""
        if settings.token is None:
            raise ValueError("the Telegram front end needs a token")
        if settings.payment_provider_token is not None and checkout is None:
            raise ValueError("a Telegram payment provider token needs a checkout handler to answer pre-checkouts")
        keep_out_of_logs(settings.token.get_secret_value())
        self.checkout = checkout
        self.takes_payments = settings.payment_provider_token is not None
        self.codec = codec
        self.command_menus = dict(command_menus or {})
        self.descriptions = dict(descriptions or {})
        self.limiter = BudgetLimiter()  # every Bot API call through the dispatcher's budget for Telegram
        self.application = (
            Application.builder()
            .token(settings.token.get_secret_value())
            .base_url(settings.api_base_url)
            .base_file_url(settings.api_base_file_url)
            .concurrent_updates(True)  # chats side by side; ``_chat_turns`` keeps each chat in order
            .rate_limiter(self.limiter)
            .request(AiohttpRequest(connections=256, read_timeout=settings.read_timeout_seconds))
            .get_updates_request(AiohttpRequest(connections=1, read_timeout=settings.read_timeout_seconds))
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        provider_token = settings.payment_provider_token
        self.sender = TelegramSender(
            self.application.bot, self.limiter, codec, provider_token.get_secret_value() if provider_token else None
        )
        self.webhook = WebhookServer.configured(self.application, settings)  # None: polling
        self.done = asyncio.Event()  # Telegram never runs out of input: only the runtime stops it
        self._on_event: TurnHandler | None = None
        self._inline = inline
        self._pressed: dict[str, _PressAnswer] = {}  # the press each chat's running turn answers
        self._chat_turns: KeyLocks[str] = KeyLocks()  # each chat's turns one at a time, in arrival order

    @property
    def allowed_updates(self) -> list[str]:
        """What Telegram should send: pre-checkout queries only when this bot takes payments."""
        return [*ALLOWED_UPDATES, *(["pre_checkout_query"] if self.takes_payments else [])]

    # ---- lifecycle ------------------------------------------------------------------------------

    def attach_budget(self, budget: SendBudget) -> None:
        self.limiter.budget = budget

    async def start(self, on_event: TurnHandler) -> None:
        if self.limiter.budget is None:
            raise RuntimeError("the Telegram front end starts once the dispatcher has attached its budget")
        self._on_event = on_event
        await self.application.initialize()
        await self._set_profile()
        await self.application.start()
        if self.webhook is None:
            assert self.application.updater is not None
            await self.application.updater.start_polling(  # deletes any webhook, keeping its pending updates
                timeout=POLL_TIMEOUT_SECONDS, allowed_updates=self.allowed_updates, drop_pending_updates=False
            )
            log.info("polling as @%s", self.application.bot.username)
            return
        await self.webhook.start(self.allowed_updates)
        log.info("webhook as @%s at %s", self.application.bot.username, self.webhook.url)

    async def _set_profile(self) -> None:
        """The "/" menu and the menu button that opens it, and the bot's descriptions, in each language."""
        bot = self.application.bot
        for language, commands in self.command_menus.items():
            menu = [BotCommand(name, description) for name, description in commands]
            await _nice_to_have(
                f"commands menu for {language!r}", bot.set_my_commands(menu, language_code=language or None)
            )
        await _nice_to_have("menu button", bot.set_chat_menu_button(menu_button=MenuButtonCommands()))
        for language, (description, short) in self.descriptions.items():
            code = language or None
            await _nice_to_have(f"description for {language!r}", bot.set_my_description(description, code))
            await _nice_to_have(f"short description for {language!r}", bot.set_my_short_description(short, code))

    async def stop(self) -> None:
        """Stop taking updates; those taken (and being handled) finish before PTB shuts its HTTP client."""
        assert self.application.updater is not None
        if self.webhook is not None:
            await self.webhook.stop()
        elif self.application.updater.running:
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
        press = None
        if update.callback_query is not None:  # the button's spinner stops soon, whatever the turn takes
            press = _PressAnswer(self.sender, update.callback_query.id)
            if self.application.running:  # stopping, the answer goes when the turn ends (below)
                self.application.create_task(press.give(after=ANSWER_WITHIN_SECONDS), update=update)
        async with self._chat_turns.hold(event.chat_id):
            if press is not None:
                self._pressed[event.chat_id] = press
            try:
                await self._on_event(event)
            finally:
                self._pressed.pop(event.chat_id, None)
        if press is not None:
            await press.give()

    async def _answer_checkout(self, query: PreCheckoutQuery) -> None:
        assert self.checkout is not None  # asked for pre-checkout queries only with one
        refusal = await self.checkout(actor(query.from_user), checkout(query), within=CHECKOUT_WITHIN_SECONDS)
        try:
            await self.application.bot.answer_pre_checkout_query(query.id, ok=refusal is None, error_message=refusal)
        except TelegramError as error:  # too late, or already answered: Telegram charges nothing then
            log.warning("pre-checkout query %s not answered: %s", query.id, error)

    # ---- messages out ---------------------------------------------------------------------------

    async def send(self, message: Outbound) -> SendOutcome:
        toast = message.screen.toast
        if toast and (press := self._pressed.get(message.chat.chat_id)) is not None:
            await press.give(toast)  # shown over the chat, as the press's answer, before the screen changes
        return await self.sender.send(message)

    async def delete(self, chat: ChatRef, message_id: str) -> SendOutcome:
        return await self.sender.delete(chat, message_id)

    # ---- files people sent ----------------------------------------------------------------------

    async def download(self, handle: str) -> bytes:
        """A file's bytes, for another platform: getFile, then its URL under ``api_base_file_url``."""
        file = await self.application.bot.get_file(handle)
        return bytes(await file.download_as_bytearray())


async def _nice_to_have(what: str, call: Awaitable[object]) -> None:
    """A start-up call the bot works without (menus, descriptions): a refusal is logged and start-up goes on."""
    try:
        await call
    except TelegramError as error:
        log.warning("%s not set: %s", what, error)


class _PressAnswer:
    """The one answer a pressed button's callback query gets: the turn's word about the press (a toast) when it
    has one in time, else an empty answer, at the latest ``ANSWER_WITHIN_SECONDS`` after the press."""

    def __init__(self, sender: TelegramSender, query_id: str) -> None:
        self._sender = sender
        self._query_id = query_id
        self._given = False

    async def give(self, toast: str = "", *, after: float = 0) -> None:
        if after:
            await asyncio.sleep(after)
        if self._given:
            return
        self._given = True
        try:
            await self._sender.call(
                "answerCallbackQuery", {"callback_query_id": self._query_id, "text": toast[:200] or None}
            )
        except TelegramError as error:  # an old query (over 15 minutes) cannot be answered; the turn goes on
            log.info("callback query %s not answered: %s", self._query_id, error)
