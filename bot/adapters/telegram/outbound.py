"""Screens to Telegram: HTML messages with inline keyboards, edits of the message a button was on, documents,
and the Bot API's answer in the dispatcher's four words (``SendOutcome``).

The sender sends exactly the parts it is given: the dispatcher has already split screens to Telegram's limits.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from urllib.parse import urlencode

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.error import RetryAfter as TelegramRetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.core.actions import Action, ActionCodec
from bot.core.delivery import RetryAfter, SendOutcome, Sent, TransientError, Unreachable
from bot.core.events import ChatRef, Outbound
from bot.core.markup import to_telegram
from bot.core.ui import Link, Screen

log = logging.getLogger("gigbot.telegram")


class TelegramSender:
    def __init__(self, bot: Bot, codec: ActionCodec) -> None:
        self.bot = bot
        self.codec = codec

    def keyboard(self, screen: Screen) -> InlineKeyboardMarkup | None:
        """Choice options one per row, then the screen's button rows; each button carries its signed action."""
        rows = (
            [[self._button(option.label, option.action)] for option in screen.choice.options] if screen.choice else []
        )
        rows += [[self._button(button.label, button.action, button.link) for button in row] for row in screen.buttons]
        return InlineKeyboardMarkup(rows) if rows else None

    def _button(self, label: str, action: Action, link: Link | None = None) -> InlineKeyboardButton:
        if link is None:
            return InlineKeyboardButton(label, callback_data=self.codec.pack(action))
        return InlineKeyboardButton(label, url=self.link_url(link))

    def link_url(self, link: Link) -> str:
        """``t.me/<bot>?start=<payload>``; a share link wraps it in Telegram's share page."""
        deep_link = f"https://t.me/{self.bot.username}?start={link.start}"
        return f"https://t.me/share/url?{urlencode({'url': deep_link})}" if link.share else deep_link

    async def send(self, message: Outbound) -> SendOutcome:
        """Edit ``message.replaces`` into the screen (a new message if Telegram cannot edit it), else send it;
        attachments follow as documents."""
        chat_id = int(message.chat.chat_id)
        text, keyboard = to_telegram(message.screen.text), self.keyboard(message.screen)
        try:
            sent: str | None = None
            if message.replaces is not None:
                sent = await self._edit(chat_id, int(message.replaces), text, keyboard)
            if sent is None:
                new = await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
                sent = str(new.message_id)
            for attachment in message.screen.attachments:
                document = InputFile(attachment.content, filename=attachment.filename)
                await self.bot.send_document(chat_id, document)
            return Sent(sent)
        except TelegramError as error:
            return outcome_of(error)

    async def _edit(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> str | None:
        """The edited message's id, or None when Telegram says this message cannot be edited."""
        try:
            await self.bot.edit_message_text(
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
            await self.bot.delete_message(int(chat.chat_id), int(message_id))
        except TelegramError as error:
            return outcome_of(error)
        return Sent(message_id)


def outcome_of(error: TelegramError) -> SendOutcome:
    """The Bot API's refusal in the dispatcher's four words. Network errors, timeouts and any other refusal are
    transient: tried again with backoff (a reply a few times at once, a notification by the outbox), and parked
    for `gigbot doctor` after the last attempt. Trying again is safe for an edit (one applied before the timeout
    is "not modified" the second time); a message sent is the one ambiguity, since the Bot API has no idempotency
    key: the only possible duplicate is a message Telegram accepted before the timeout."""
    if isinstance(error, TelegramRetryAfter):
        return RetryAfter(retry_after_seconds(error))
    if isinstance(error, Forbidden):
        return Unreachable(error.message)
    if isinstance(error, BadRequest) and "chat not found" in error.message.lower():
        return Unreachable(error.message)
    return TransientError(f"{type(error).__name__}: {error.message}")


def retry_after_seconds(error: TelegramRetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta; either is fine here
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
