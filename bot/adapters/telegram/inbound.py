"""Telegram updates in the core's words: which person, which chat, what they did, and what it refers to."""

from __future__ import annotations

from telegram import Chat, Message, PreCheckoutQuery, Update, User

from bot.core.events import (
    Actor,
    AttachmentIn,
    ChatType,
    Checkout,
    Click,
    Inbound,
    InlineQuery,
    PaymentIn,
    Text,
    parse_command,
)
from bot.core.ui import FileRef

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
    if message is None or message.from_user is None:
        return None
    payload = (parse_command(message.text) or Text(message.text)) if message.text is not None else attachment(message)
    if payload is None:
        return None
    kind = chat_type(message.chat)
    addressee = addressed_to(message.text or "")
    if kind is None or (addressee and addressee != (message.get_bot().username or "").casefold()):
        return None  # a channel, or a command for another bot in the group
    reply_to = message.reply_to_message
    return Inbound(
        actor(message.from_user),
        str(message.chat.id),
        payload,
        update_id=str(update.update_id),
        message_ref=str(reply_to.message_id) if reply_to is not None else None,
        chat_type=kind,
        mentioned=bool(addressee),
    )


def attachment(message: Message) -> AttachmentIn | None:
    """A document or a photo by Telegram's reference, with the name, size and type Telegram tells (the bytes stay
    on Telegram until another platform needs them); a photo is its largest size, named after its unique id."""
    caption = message.caption or ""
    document = message.document
    if document is not None:
        return AttachmentIn(
            document.file_name or "file",
            document.mime_type or "application/octet-stream",
            ref=FileRef(PLATFORM, document.file_id, document.file_unique_id),
            declared_size=document.file_size,
            caption=caption,
        )
    if message.photo:
        photo = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
        return AttachmentIn(
            photo_name(photo.file_unique_id),
            "image/jpeg",
            ref=FileRef(PLATFORM, photo.file_id, photo.file_unique_id),
            declared_size=photo.file_size,
            caption=caption,
        )
    return None


def photo_name(unique_id: str) -> str:
    """The name a Telegram photo is kept under (photos have none of their own)."""
    return f"photo_{unique_id}.jpg"


def inline_query(update: Update) -> InlineQuery | None:
    """The inline query an update carries ("@bot words" typed in any chat), if any."""
    query = update.inline_query
    if query is None:
        return None
    return InlineQuery(actor(query.from_user), query.id, query.query, query.offset)


def checkout(query: PreCheckoutQuery) -> Checkout:
    """Telegram's amounts are in the currency's minor units (cents for USD and EUR), as the core counts them."""
    return Checkout(query.invoice_payload, query.currency, query.total_amount)


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
