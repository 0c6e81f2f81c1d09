"""Screens to Telegram: HTML messages with inline keyboards, edits of the message a button was on, documents,
invoices (Telegram Payments), and the Bot API's answer in the dispatcher's four words (``SendOutcome``).

The sender sends exactly the parts it is given: the dispatcher has already split screens to Telegram's limits.
Every turn's reply is a sendMessage or an editMessageText: those two are called here in the Bot API's JSON (the
keyboard as plain dicts, the answer read for its message id), through the same budget and HTTP client as PTB's
calls. Through PTB's ``Bot`` each would build the keyboard's objects and then a ``Message``, with its keyboard
again, from Telegram's answer, which nothing reads: about a fifth of a turn's CPU on the throughput bench.
"""

from __future__ import annotations

import functools
import logging
from typing import Any
from urllib.parse import urlencode

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputFile,
    InputTextMessageContent,
    LabeledPrice,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.error import RetryAfter as TelegramRetryAfter

from bot.adapters.telegram.inbound import PLATFORM, photo_name
from bot.adapters.telegram.limiter import BudgetLimiter, retry_after_seconds
from bot.adapters.telegram.request import JsonCall
from bot.core.actions import Action, ActionCodec
from bot.core.delivery import RetryAfter, SendOutcome, Sent, TransientError, Unreachable
from bot.core.events import ChatRef, Outbound
from bot.core.markup import to_telegram
from bot.core.ui import Attachment, Button, InlineAnswer, Invoice, Link, Screen

log = logging.getLogger("gigbot.telegram")
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})  # what Telegram shows as a photo; any other file is a document
Keyboard = dict[str, list[list[dict[str, str]]]]  # the Bot API's InlineKeyboardMarkup, as JSON


class TelegramSender:
    def __init__(self, bot: Bot, limiter: BudgetLimiter, codec: ActionCodec, provider_token: str | None = None) -> None:
        """``limiter``: the one every call of ``bot`` goes through; ``provider_token``: the payment provider's, for
        invoices (the core sends none without it)."""
        self.bot = bot
        self.limiter = limiter
        self.codec = codec
        self._provider_token = provider_token

    def keyboard(self, screen: Screen) -> Keyboard | None:
        """Choice options one per row, then the screen's button rows; each button carries its signed action."""
        rows = (
            [[self._button(option.label, option.action)] for option in screen.choice.options] if screen.choice else []
        )
        rows += [[self._link_button(button) for button in row] for row in screen.buttons]
        return {"inline_keyboard": rows} if rows else None

    def _button(self, label: str, action: Action) -> dict[str, str]:
        return {"text": label, "callback_data": self.codec.pack(action)}

    def _link_button(self, button: Button) -> dict[str, str]:
        """A URL button for a deep link or a web page; else a callback button."""
        if button.url is not None:
            return {"text": button.label, "url": button.url}
        if button.link is not None:
            return {"text": button.label, "url": self.link_url(button.link)}
        return self._button(button.label, button.action)

    def link_url(self, link: Link) -> str:
        """``t.me/<bot>?start=<payload>``; a share link wraps it in Telegram's share page."""
        deep_link = f"https://t.me/{self.bot.username}?start={link.start}"
        return f"https://t.me/share/url?{urlencode({'url': deep_link})}" if link.share else deep_link

    async def send(self, message: Outbound) -> SendOutcome:
        """Edit ``message.replaces`` into the screen (a new message if Telegram cannot edit it), else send it;
        attachments follow as documents."""
        chat_id = int(message.chat.chat_id)
        shown = {
            "chat_id": chat_id,
            "text": to_telegram(message.screen.text),
            "parse_mode": ParseMode.HTML,
            "reply_markup": self.keyboard(message.screen),
        }
        try:
            sent: str | None = None
            if message.replaces is not None:
                sent = await self._edit(shown, int(message.replaces))
            if sent is None:
                new = await self.call("sendMessage", shown)
                sent = str(new["message_id"])
            for attachment in message.screen.attachments:
                await self._send_file(chat_id, attachment)
            if message.screen.invoice is not None:
                await self._send_invoice(chat_id, message.screen.invoice)
            return Sent(sent)
        except TelegramError as error:
            return outcome_of(error)

    async def _send_file(self, chat_id: int, attachment: Attachment) -> None:
        """A file Telegram keeps goes again by its file_id (no upload), as the photo or document it came as; any
        other is uploaded, JPEG and PNG as photos. Its caption goes as typed (no markup)."""
        caption = attachment.caption or None
        ref = attachment.ref
        if ref is not None and ref.platform == PLATFORM:
            if attachment.filename == photo_name(ref.unique_id):
                await self.bot.send_photo(chat_id, ref.handle, caption=caption)
            else:
                await self.bot.send_document(chat_id, ref.handle, caption=caption)
            return
        upload = InputFile(attachment.content, filename=attachment.filename)
        if attachment.mime_type in PHOTO_TYPES:
            await self.bot.send_photo(chat_id, upload, caption=caption)
        else:
            await self.bot.send_document(chat_id, upload, caption=caption)

    async def _send_invoice(self, chat_id: int, invoice: Invoice) -> None:
        """Telegram counts amounts in the currency's minor units, as the core does (2 decimals for USD and EUR)."""
        if self._provider_token is None:
            raise ValueError("an invoice needs [telegram] payment_provider_token")
        await self.bot.send_invoice(
            chat_id,
            invoice.title,
            invoice.description,
            self.codec.pack(invoice.payload),
            invoice.currency,
            [LabeledPrice(price.label, price.amount_minor) for price in invoice.prices],
            provider_token=self._provider_token,
        )

    async def _edit(self, shown: dict[str, Any], message_id: int) -> str | None:
        """The edited message's id (``shown``: its new text and keyboard), or None when Telegram says this message
        cannot be edited."""
        chat_id = shown["chat_id"]
        try:
            await self.call("editMessageText", {**shown, "message_id": message_id})
        except BadRequest as error:
            reason = error.message.lower()
            if "not modified" in reason:  # pressed twice: it already shows this
                return str(message_id)
            if "chat not found" in reason:
                raise
            log.info("message %s in chat %s not edited (%s); sending anew", message_id, chat_id, error.message)
            return None
        return str(message_id)

    async def call(self, method: str, parameters: dict[str, Any]) -> Any:
        """A Bot API method called with JSON parameters, within the budget; its result as JSON. Raises what PTB's
        calls raise (``BadRequest``, ``RetryAfter``, ``Forbidden``, ``TimedOut``...)."""
        post = functools.partial(self.bot.request.post, f"{self.bot.base_url}/{method}", JsonCall(parameters))
        return await self.limiter.within_budget(method, parameters.get("chat_id"), post)

    async def answer_inline(self, query_id: str, answer: InlineAnswer) -> None:
        """Answer an inline query: not a chat message, so no chat's budget; the same for everyone (not personal),
        cached briefly by Telegram. A query answered too late (they expire in seconds) is only logged."""
        results = [
            InlineQueryResultArticle(
                result.id,
                result.title,
                InputTextMessageContent(to_telegram(result.message.text), parse_mode=ParseMode.HTML),
                reply_markup=_markup(self.bot, self.keyboard(result.message)),
                description=result.description,
            )
            for result in answer.results
        ]
        try:
            await self.bot.answer_inline_query(
                query_id, results, cache_time=answer.cache_seconds, is_personal=False, next_offset=answer.next_offset
            )
        except TelegramError as error:
            log.info("inline query %s not answered: %s", query_id, error)

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


def _markup(bot: Bot, keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """The keyboard as PTB's object, for the calls PTB makes (inline query results)."""
    return InlineKeyboardMarkup.de_json(keyboard, bot) if keyboard else None
