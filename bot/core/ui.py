"""The neutral UI model: what the core and the flows show, and every adapter renders.

Screen text uses a small markup subset, the HTML tags ``<b> <i> <code> <a href="...">`` (``bot.core.markup``
parses and renders it). Text that came from a user is always escaped and neutralised on the way in
(``fmt``/``escape``), so it shows literally and never breaks rendering. ``plain()`` gives what a reader sees.

The limits of each platform are named here. Those no screen may pass anywhere (labels, rows of buttons, form
sizes) are checked when a Screen is built, so a label too long in any language fails in the tests that build
it; long texts and long choices are split or paged by the core (``bot.core.fit``), never cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from bot.core import markup
from bot.core.actions import Action

MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_CHOICE_OPTIONS = 25  # Discord's select menu; longer choices are paged (``fit.page_choice``)
MAX_BUTTON_LABEL = 80
MAX_OPTION_LABEL = 100
MAX_OPTION_DESCRIPTION = 100
MAX_CHOICE_PLACEHOLDER = 150
MAX_FORM_TITLE = 45
MAX_FORM_FIELDS = 5
MAX_FIELD_LABEL = 45
MAX_FIELD_LENGTH = 4_000  # a Discord text input
MAX_FIELD_PLACEHOLDER = 100
MAX_INVOICE_TITLE = 32  # Telegram's invoice limits
MAX_INVOICE_DESCRIPTION = 255
MAX_PRICE_LABEL = 64

escape = markup.escape


def fmt(template: str, /, **params: Any) -> str:
    """Fill a markup template, escaping every parameter (the template itself is trusted markup)."""
    return template.format(**{name: escape(str(value)) for name, value in params.items()})


def plain(text: str) -> str:
    """What a reader sees: tags dropped, entities decoded."""
    return markup.visible(text)


def shorten(text: str, limit: int) -> str:
    """A label that must fit ``limit`` characters, visibly shortened with "…" when it does not."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def telegram_length(text: str) -> int:
    """Telegram counts the UTF-16 code units of the text left after parsing the HTML entities."""
    return _utf16_units(markup.visible(text))


def discord_length(text: str) -> int:
    """Discord counts the characters of the Markdown it receives, escapes included."""
    return len(markup.to_discord(text))


@dataclass(frozen=True)
class PlatformLimits:
    """What one platform accepts in a message; None means no limit (the console has none).

    ``measure`` is how the platform counts ``text`` and ``caption`` for a screen's markup; ``per_character``, when
    known, the most it counts for one character of markup, so that a text short enough fits without measuring.
    """

    name: str
    measure: Callable[[str], int] = field(compare=False)
    text: int | None = None
    caption: int | None = None  # the text of a message that carries a file
    callback_data: int | None = None  # bytes of a button's id
    buttons: int | None = None  # per message, choice options shown as buttons included
    embed_description: int | None = None
    message_total: int | None = None  # everything in one message (Discord: content and embeds)
    select_options: int | None = None
    modal_inputs: int | None = None
    modal_label: int | None = None  # a modal's title and each input's label
    text_input: int | None = None
    button_label: int | None = None
    custom_id: int | None = None
    per_character: int | None = None

    def surely_fits(self, text: str, limit: int) -> bool:
        """Whether ``text`` measures at most ``limit``, told from its length alone (most texts are far shorter)."""
        return self.per_character is not None and len(text) * self.per_character <= limit


# Telegram counts at most two UTF-16 units for a character of markup (tags and entities count less, or nothing)
TELEGRAM = PlatformLimits(
    "telegram", telegram_length, text=4_096, caption=1_024, callback_data=64, buttons=100, per_character=2
)
DISCORD = PlatformLimits(
    "discord",
    discord_length,
    text=2_000,
    embed_description=4_096,
    message_total=6_000,
    select_options=25,
    modal_inputs=5,
    modal_label=45,
    text_input=4_000,
    button_label=80,
    custom_id=100,
)
CONSOLE = PlatformLimits("console", lambda text: len(markup.visible(text)))
STRICTEST = replace(  # Discord's limits, with Telegram's caption, callback data and button count on top
    DISCORD,
    name="strictest",
    measure=lambda text: max(telegram_length(text), discord_length(text)),
    caption=1_024,
    callback_data=64,
    buttons=100,
)
LIMITS: dict[str, PlatformLimits] = {limits.name: limits for limits in (TELEGRAM, DISCORD, CONSOLE)}


def limits_for(platform: str) -> PlatformLimits:
    """A platform's limits; one we do not know (the tests' "test" and "modal") gets the strictest of all."""
    return LIMITS.get(platform, STRICTEST)


def _check_length(what: str, text: str, limit: int, *, empty: bool = True) -> None:
    if len(text) > limit or (not empty and not text.strip()):
        low = 0 if empty else 1
        raise ValueError(f"{what} must be {low}..{limit} characters: {text!r}")


DEEP_LINK_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what Telegram's ?start= takes


@dataclass(frozen=True)
class Link:
    """Where a button leads on a platform with link buttons: this bot's deep link with ``start`` (it opens the
    private chat with the bot and arrives as ``/start <start>``), or, with ``share``, a button that offers to
    send that link to another chat. Where there are no link buttons, the button's action runs instead."""

    start: str
    share: bool = False

    def __post_init__(self) -> None:
        if not DEEP_LINK_PAYLOAD.fullmatch(self.start):
            raise ValueError(f"a deep link payload is 1..64 of A-Z a-z 0-9 _ -: {self.start!r}")


@dataclass(frozen=True)
class Button:
    """A button: ``action`` is what pressing it does; ``link`` (this bot's deep link) or ``url`` (a web page
    elsewhere, http or https only: a job's original post), if set, is where it leads where links exist."""

    label: str
    action: Action
    link: Link | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", markup.neutralise(self.label))
        _check_length("button label", self.label, MAX_BUTTON_LABEL, empty=False)
        if self.url is not None:
            parts = urlsplit(self.url)
            if parts.scheme not in ("http", "https") or not parts.netloc or self.link is not None:
                raise ValueError(f"a button's url is an http(s) address, instead of a link: {self.url[:80]!r}")

    @property
    def leads_somewhere(self) -> bool:
        """A link button where the platform has them: pressing it opens a page or a chat, not an action."""
        return self.link is not None or self.url is not None


@dataclass(frozen=True)
class Option:
    label: str
    action: Action
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", markup.neutralise(self.label))
        object.__setattr__(self, "description", markup.neutralise(self.description))
        _check_length("option label", self.label, MAX_OPTION_LABEL, empty=False)
        _check_length("option description", self.description, MAX_OPTION_DESCRIPTION)


@dataclass(frozen=True)
class Choice:
    """A pick-one list: a select menu on Discord, paged buttons on Telegram, numbered lines in the console.

    A flow step may list any number of options: the engine shows them 25 at a time with "More…"."""

    options: tuple[Option, ...]
    placeholder: str = ""

    def __post_init__(self) -> None:
        if not self.options:
            raise ValueError("a choice holds at least one option")
        _check_length("choice placeholder", self.placeholder, MAX_CHOICE_PLACEHOLDER)


@dataclass(frozen=True)
class Field:
    """One input of a form. The step that shows the form checks each value (``Step.check_field``).

    ``default`` is the current value when the form edits something: a modal shows it filled in, a chat
    prompt shows it and takes "." to keep it."""

    name: str
    label: str
    max_length: int = 200
    required: bool = True
    multiline: bool = False
    placeholder: str = ""
    hint: str = ""
    default: str = ""

    def __post_init__(self) -> None:
        _check_length("field label", self.label, MAX_FIELD_LABEL, empty=False)
        _check_length("field placeholder", self.placeholder, MAX_FIELD_PLACEHOLDER)
        if not 1 <= self.max_length <= MAX_FIELD_LENGTH:
            raise ValueError(f"a field's max_length must be 1..{MAX_FIELD_LENGTH}: {self.name} has {self.max_length}")
        if len(self.default) > self.max_length:
            raise ValueError(f"the default of {self.name} is longer than its max_length {self.max_length}")


@dataclass(frozen=True)
class Form:
    """A modal on Discord; elsewhere the engine asks its fields one at a time with the same checks."""

    id: str
    title: str
    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        _check_length("form title", self.title, MAX_FORM_TITLE, empty=False)
        if not 1 <= len(self.fields) <= MAX_FORM_FIELDS:
            raise ValueError(f"a form holds 1..{MAX_FORM_FIELDS} fields")


@dataclass(frozen=True)
class FileRef:
    """A file as the platform it came from keeps it: ``handle`` sends it again there without a download (Telegram's
    file_id), ``unique_id`` names the same file for good (Telegram's file_unique_id)."""

    platform: str
    handle: str
    unique_id: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with a screen: its bytes, or, for the platform that keeps it, its ``ref`` alone; ``caption`` is
    what its sender wrote with it."""

    filename: str
    content: bytes = field(default=b"", repr=False)
    mime_type: str = "application/octet-stream"
    ref: FileRef | None = None
    caption: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "filename", markup.neutralise(self.filename))
        object.__setattr__(self, "caption", markup.neutralise(self.caption))


@dataclass(frozen=True)
class Price:
    """One line of an invoice: what it is for, and its amount in the invoice currency's minor units."""

    label: str
    amount_minor: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", markup.neutralise(self.label))
        _check_length("price label", self.label, MAX_PRICE_LABEL, empty=False)
        if self.amount_minor <= 0:
            raise ValueError(f"a price is more than zero: {self}")


@dataclass(frozen=True)
class Invoice:
    """A bill paid inside the chat, on a platform that takes payments (Telegram Payments). Title and description
    are plain text (the platform shows them as they are); ``payload`` is the signed reference the platform hands
    back when the payer checks out and once it has taken the money (a front end packs it like a button's)."""

    title: str
    description: str
    payload: Action
    currency: str
    prices: tuple[Price, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", shorten(markup.neutralise(self.title), MAX_INVOICE_TITLE))
        object.__setattr__(self, "description", shorten(markup.neutralise(self.description), MAX_INVOICE_DESCRIPTION))
        _check_length("invoice title", self.title, MAX_INVOICE_TITLE, empty=False)
        _check_length("invoice description", self.description, MAX_INVOICE_DESCRIPTION, empty=False)
        if not self.prices:
            raise ValueError("an invoice has at least one price")

    @property
    def total_minor(self) -> int:
        return sum(price.amount_minor for price in self.prices)


@dataclass(frozen=True)
class Screen:
    """One message. ``edit`` asks to replace the screen the user clicked on instead of sending anew.

    ``reply_to`` names a command ("reply", "12"): answering this message with the platform's reply feature runs
    it with the answer, so a relayed message is answered in its thread.

    ``expects_text``: the screen asks a question answered by typing (a form field, an amount, a message), so
    what is typed is an answer even when it looks like a button's number.

    ``invoice``: a bill to pay in the chat, sent after the text (only to a platform that takes payments).

    ``toast``: a short word about the press that brought this screen (a refused button, say), shown in passing
    where the platform can (Telegram's answer to the button's callback); the text says it too.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    choice: Choice | None = None
    form: Form | None = None
    attachments: tuple[Attachment, ...] = ()
    edit: bool = False
    ephemeral: bool = False
    reply_to: tuple[str, ...] = ()
    expects_text: bool = False
    invoice: Invoice | None = None
    toast: str = ""
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if len(self.buttons) > MAX_ROWS or any(len(row) > MAX_BUTTONS_PER_ROW for row in self.buttons):
            raise ValueError(f"at most {MAX_ROWS} rows of {MAX_BUTTONS_PER_ROW} buttons")
        if any(not row for row in self.buttons):
            raise ValueError("empty button row")

    @property
    def plain(self) -> str:
        return plain(self.text)

    def all_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]

    def with_notice(self, notice: str) -> Screen:
        """The same screen with a line on top (an error, or a word about what just happened)."""
        return replace(self, text=f"{notice}\n\n{self.text}")

    def replace(self, **changes: Any) -> Screen:
        return replace(self, **changes)


@dataclass(frozen=True)
class InlineResult:
    """One item of an inline answer: a title and a plain line to pick it by, and the message it sends in the chat
    where it was picked. That message is sent by the person, not by us, and a press on it would come back with no
    chat to answer in, so its buttons are links only."""

    id: str
    title: str
    description: str
    message: Screen

    def __post_init__(self) -> None:
        if not all(button.leads_somewhere for button in self.message.all_buttons()):
            raise ValueError(f"the buttons of an inline result must all be links: {self.id}")


@dataclass(frozen=True)
class InlineAnswer:
    """The results for one inline query; ``next_offset`` asks for the next page when there is one ("" if not).
    Answers are the same for everyone who types the same words, so the platform may keep them ``cache_seconds``."""

    results: tuple[InlineResult, ...] = ()
    next_offset: str = ""
    cache_seconds: int = 30


def shortened(text: str, limit: int = MAX_BUTTON_LABEL) -> str:
    """A label cut to ``limit`` characters with an ellipsis (labels only: never text someone must read whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rows(*buttons: Button, per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows of ``per_row``."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
