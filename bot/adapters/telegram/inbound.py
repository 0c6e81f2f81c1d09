"""Telegram updates in the core's words: which person, which chat, what they did, and what it refers to."""

from __future__ import annotations

from telegram import Chat, Update, User

from bot.core.events import Actor, ChatType, Click, Inbound, Text, parse_command

PLATFORM = "telegram"


def inbound(update: Update) -> Inbound | None:
    """The core event for an update; None for what this front end does not take."""
    query = update.callback_query
    if query is not None:
        kind = chat_type(query.message.chat) if query.message is not None else None
        if query.data is None or query.message is None or kind is None:
            return None
        return Inbound(
            actor(query.from_user),
            str(query.message.chat.id),
            Click(query.data),
            update_id=str(update.update_id),
            message_ref=str(query.message.message_id),
            chat_type=kind,
        )
    message = update.message
    if message is None or message.text is None or message.from_user is None:
        return None
    kind = chat_type(message.chat)
    addressee = addressed_to(message.text)
    if kind is None or (addressee and addressee != (message.get_bot().username or "").casefold()):
        return None  # a channel, or a command for another bot in the group
    reply_to = message.reply_to_message
    return Inbound(
        actor(message.from_user),
        str(message.chat.id),
        parse_command(message.text) or Text(message.text),
        update_id=str(update.update_id),
        message_ref=str(reply_to.message_id) if reply_to is not None else None,
        chat_type=kind,
        mentioned=bool(addressee),
    )


def chat_type(chat: Chat) -> ChatType | None:
    """Private chats and groups (basic or super); None for channels, where the bot does not converse."""
    if chat.type == Chat.PRIVATE:
        return "private"
    return "group" if chat.type in (Chat.GROUP, Chat.SUPERGROUP) else None


def addressed_to(text: str) -> str:
    """The bot a command names (``/help@gigbot_bot`` -> "gigbot_bot", casefolded), "" when it names none."""
    head = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    return head.partition("@")[2].casefold()


def actor(user: User) -> Actor:
    return Actor(
        PLATFORM,
        str(user.id),
        display_name=user.full_name,
        username_hint=user.username,
        locale_hint=user.language_code,
    )
