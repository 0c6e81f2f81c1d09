"""Transport-free inbound events and outbound messages, exchanged between adapters and the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.core.ui import FileRef, Screen

ChatType = Literal["private", "group"]  # a group: a chat where others read along (Telegram groups, supergroups)


@dataclass(frozen=True)
class Actor:
    """Who sent an update, as the platform knows them. ``locale_hint``/``username_hint`` only if it tells."""

    platform: str
    user_id: str
    display_name: str = ""
    username_hint: str | None = None
    locale_hint: str | None = None


@dataclass(frozen=True)
class ChatRef:
    platform: str
    chat_id: str


@dataclass(frozen=True)
class Command:
    name: str
    args: str = ""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Click:
    packed_action: str


@dataclass(frozen=True)
class FormSubmit:
    form_id: str
    values: dict[str, str]


@dataclass(frozen=True)
class AttachmentIn:
    """A file the user sent: its bytes (the console), or the platform's reference to it with the size and type
    the platform declares (Telegram keeps the file; its bytes are fetched only when another platform needs them).
    ``caption`` is what the person wrote with it."""

    filename: str
    mime_type: str
    content: bytes = field(default=b"", repr=False)
    ref: FileRef | None = None
    declared_size: int | None = None
    caption: str = ""

    @property
    def size(self) -> int:
        """Its bytes' length, else what the platform declared (0 when it did not say)."""
        return len(self.content) if self.content else self.declared_size or 0


@dataclass(frozen=True)
class PaymentIn:
    """The platform took a payment for one of our invoices (``Invoice.payload`` packed, as it came back):
    ``charge_id`` is the platform's id of the charge, once per payment; ``provider_charge_id`` the provider's."""

    payload: str
    currency: str
    total_minor: int
    charge_id: str
    provider_charge_id: str


@dataclass(frozen=True)
class Checkout:
    """A payer about to pay one of our invoices: the platform asks, before it charges, whether to take it. Not
    a turn of the chat: it is answered at once, outside the chat's queue (``Engine.checkout``)."""

    payload: str
    currency: str
    total_minor: int


Payload = Command | Text | Click | FormSubmit | AttachmentIn | PaymentIn


@dataclass(frozen=True)
class Inbound:
    """One update from a platform. ``message_ref`` is the platform's id of the message it refers to: for a Click,
    the message the button was on; for a Text or an attachment, the message it replies to (None if not a reply).
    In a group, ``mentioned`` says the message names this bot (``/help@gigbot``), so it is surely meant for it."""

    actor: Actor
    chat_id: str
    payload: Payload
    update_id: str | None = None
    message_ref: str | None = None
    chat_type: ChatType = "private"
    mentioned: bool = False

    @property
    def chat(self) -> ChatRef:
        return ChatRef(self.actor.platform, self.chat_id)


@dataclass(frozen=True)
class InlineQuery:
    """Someone typing "@bot words" in any chat, to pick something to share there. It belongs to no chat and no
    conversation, so it is not an ``Inbound``: the engine answers it read-only, outside any turn. ``offset`` is
    where the previous page of its answer ended ("" for the first)."""

    actor: Actor
    query_id: str
    text: str
    offset: str = ""


@dataclass(frozen=True)
class Outbound:
    """A screen for one chat; ``replaces`` is the id of an earlier message of ours to edit into it instead.
    ``group``: the chat is a group (its sends also count against the platform's per-group budget)."""

    chat: ChatRef
    screen: Screen
    replaces: str | None = None
    group: bool = False


def parse_command(text: str) -> Command | None:
    """``/name args`` (also ``/name@botname``, as Telegram sends in groups) -> Command; else None."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name.replace("_", "").isalnum():
        return None
    return Command(name, args.strip())
