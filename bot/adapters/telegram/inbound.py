"""Telegram updates in the core's words: which person, which chat, what they did, and what it refers to."""

from __future__ import annotations

from telegram import PreCheckoutQuery, Update, User

from bot.core.events import Actor, Checkout, Click, Inbound, PaymentIn, Text, parse_command

PLATFORM = "telegram"


def inbound(update: Update) -> Inbound | None:
    """The core event for an update; None for what this front end does not take."""
    query = update.callback_query
    if query is not None:
        if query.data is None or query.message is None:
            return None
        return Inbound(
            actor(query.from_user),
            str(query.message.chat.id),
            Click(query.data),
            update_id=str(update.update_id),
            message_ref=str(query.message.message_id),
        )
    message = update.message
    if message is not None and message.successful_payment is not None and message.from_user is not None:
        paid = message.successful_payment
        payment = PaymentIn(
            paid.invoice_payload,
            paid.currency,
            paid.total_amount,
            paid.telegram_payment_charge_id,
            paid.provider_payment_charge_id,
        )
        return Inbound(actor(message.from_user), str(message.chat.id), payment, update_id=str(update.update_id))
    if message is None or message.text is None or message.from_user is None:
        return None
    reply_to = message.reply_to_message
    return Inbound(
        actor(message.from_user),
        str(message.chat.id),
        parse_command(message.text) or Text(message.text),
        update_id=str(update.update_id),
        message_ref=str(reply_to.message_id) if reply_to is not None else None,
    )


def checkout(query: PreCheckoutQuery) -> Checkout:
    """Telegram's amounts are in the currency's minor units (cents for USD and EUR), as the core counts them."""
    return Checkout(query.invoice_payload, query.currency, query.total_amount)


def actor(user: User) -> Actor:
    return Actor(
        PLATFORM,
        str(user.id),
        display_name=user.full_name,
        username_hint=user.username,
        locale_hint=user.language_code,
    )
