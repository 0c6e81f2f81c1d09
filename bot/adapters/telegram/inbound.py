"""Telegram updates in the core's words: which person, which chat, what they did, and what it refers to."""

from __future__ import annotations

from telegram import Update, User

from bot.core.events import Actor, Click, Inbound, InlineQuery, Text, parse_command

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


def inline_query(update: Update) -> InlineQuery | None:
    """The inline query an update carries ("@bot words" typed in any chat), if any."""
    query = update.inline_query
    if query is None:
        return None
    return InlineQuery(actor(query.from_user), query.id, query.query, query.offset)


def actor(user: User) -> Actor:
    return Actor(
        PLATFORM,
        str(user.id),
        display_name=user.full_name,
        username_hint=user.username,
        locale_hint=user.language_code,
    )
