"""The Telegram front end (python-telegram-bot 22): Bot API updates in, HTML messages with inline keyboards out.

The runtime drives PTB's ``Application`` (initialize, start, polling; stop, shutdown), so Telegram shares the
event loop with the dispatcher, the scheduler and any other front end. Updates are handled side by side across
chats and in order within one chat. A pressed button's callback query is answered at once, before the turn.
Sends report the Bot API's answer as a ``SendOutcome``; the adapter sends exactly the parts it is given (the
dispatcher has already split screens to Telegram's limits).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Mapping, Sequence
from datetime import timedelta

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.error import RetryAfter as TelegramRetryAfter
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram.warnings import PTBDeprecationWarning

from bot.config import TelegramSettings
from bot.core.actions import Action, ActionCodec
from bot.core.delivery import RetryAfter, SendOutcome, Sent, TransientError, TurnHandler, Unreachable
from bot.core.events import Actor, ChatRef, Click, Inbound, Outbound, Text, parse_command
from bot.core.locks import KeyLocks
from bot.core.markup import to_telegram
from bot.core.ui import Screen

PLATFORM = "telegram"
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
        self.application = (
            Application.builder()
            .token(settings.token.get_secret_value())
            .base_url(settings.api_base_url)
            .base_file_url(settings.api_base_file_url)
            .concurrent_updates(True)  # chats side by side; ``_chat_turns`` keeps each chat in order
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.done = asyncio.Event()  # Telegram never runs out of input: only the runtime stops it
        self._on_event: TurnHandler | None = None
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
        event = self.event(update)
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

    def event(self, update: Update) -> Inbound | None:
        """The core event for an update; None for what this front end does not take (yet)."""
        query = update.callback_query
        if query is not None:
            if query.data is None or query.message is None:
                return None
            actor = _actor(query.from_user)
            return Inbound(
                actor,
                str(query.message.chat.id),
                Click(query.data),
                update_id=str(update.update_id),
                message_ref=str(query.message.message_id),
            )
        message = update.message
        if message is None or message.text is None or message.from_user is None:
            return None
        reply_to = message.reply_to_message
        return Inbound(
            _actor(message.from_user),
            str(message.chat.id),
            parse_command(message.text) or Text(message.text),
            update_id=str(update.update_id),
            message_ref=str(reply_to.message_id) if reply_to is not None else None,
        )

    # ---- messages out ---------------------------------------------------------------------------

    def keyboard(self, screen: Screen) -> InlineKeyboardMarkup | None:
        """Choice options one per row, then the screen's button rows; each button carries its signed action."""
        rows = (
            [[self._button(option.label, option.action)] for option in screen.choice.options] if screen.choice else []
        )
        rows += [[self._button(button.label, button.action) for button in row] for row in screen.buttons]
        return InlineKeyboardMarkup(rows) if rows else None

    def _button(self, label: str, action: Action) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=self.codec.pack(action))

    async def send(self, message: Outbound) -> SendOutcome:
        """Edit ``message.replaces`` into the screen (a new message if Telegram cannot edit it), else send it;
        attachments follow as documents."""
        chat_id = int(message.chat.chat_id)
        text, keyboard = to_telegram(message.screen.text), self.keyboard(message.screen)
        bot = self.application.bot
        try:
            sent: str | None = None
            if message.replaces is not None:
                sent = await self._edit(chat_id, int(message.replaces), text, keyboard)
            if sent is None:
                new = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
                sent = str(new.message_id)
            for attachment in message.screen.attachments:
                document = InputFile(attachment.content, filename=attachment.filename)
                await bot.send_document(chat_id, document)
            return Sent(sent)
        except TelegramError as error:
            return outcome_of(error)

    async def _edit(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> str | None:
        """The edited message's id, or None when Telegram says this message cannot be edited."""
        try:
            await self.application.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML, reply_markup=keyboard
            )
        except BadRequest as error:
            reason = error.message.lower()
            if "not modified" in reason:  # pressed twice: it already shows this
                return str(message_id)
            if "chat not found" in reason:
                raise
            log.info("message %s in chat %s not edited (%s); sending anew", message_id, chat_id, error.message)
            return None
        return str(message_id)

    async def delete(self, chat: ChatRef, message_id: str) -> SendOutcome:
        try:
            await self.application.bot.delete_message(int(chat.chat_id), int(message_id))
        except TelegramError as error:
            return outcome_of(error)
        return Sent(message_id)


def _actor(user: User) -> Actor:
    return Actor(
        PLATFORM,
        str(user.id),
        display_name=user.full_name,
        username_hint=user.username,
        locale_hint=user.language_code,
    )


def outcome_of(error: TelegramError) -> SendOutcome:
    """The Bot API's refusal in the dispatcher's four words (network errors, timeouts and any other refusal are
    transient: backed off, and parked for `gigbot doctor` after the last attempt)."""
    if isinstance(error, TelegramRetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta; either is fine here
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            wait = error.retry_after
        return RetryAfter(wait.total_seconds() if isinstance(wait, timedelta) else float(wait))
    if isinstance(error, Forbidden):
        return Unreachable(error.message)
    if isinstance(error, BadRequest) and "chat not found" in error.message.lower():
        return Unreachable(error.message)
    return TransientError(f"{type(error).__name__}: {error.message}")
