"""The neutral UI model: what the core and the flows show, and every adapter renders.

Screen text uses a small markup subset, the HTML tags ``<b> <i> <code> <a href="...">``. Text that came
from a user is always escaped on the way in (``fmt``/``escape``), so it shows literally and never breaks
rendering. ``plain()`` gives what a reader sees without markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot.core.actions import Action

MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_CHOICE_OPTIONS = 25
MAX_BUTTON_LABEL = 80
MAX_FORM_TITLE = 45
MAX_FORM_FIELDS = 5

_TAG = re.compile(r"</?(?:b|i|code|a)(?:\s+href=\"[^\"]*\")?>")


def escape(text: str) -> str:
    """Make user text safe to put inside screen markup."""
    return html.escape(text, quote=True)


def fmt(template: str, /, **params: Any) -> str:
    """Fill a markup template, escaping every parameter (the template itself is trusted markup)."""
    return template.format(**{name: escape(str(value)) for name, value in params.items()})


def plain(markup: str) -> str:
    """What a reader sees: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", markup))


@dataclass(frozen=True)
class Button:
    label: str
    action: Action

    def __post_init__(self) -> None:
        if not self.label.strip() or len(self.label) > MAX_BUTTON_LABEL:
            raise ValueError(f"button label must be 1..{MAX_BUTTON_LABEL} characters: {self.label!r}")


@dataclass(frozen=True)
class Option:
    label: str
    action: Action
    description: str = ""


@dataclass(frozen=True)
class Choice:
    """A pick-one list: a select menu on Discord, paged buttons on Telegram, numbered lines in the console."""

    options: tuple[Option, ...]
    placeholder: str = ""

    def __post_init__(self) -> None:
        if not 1 <= len(self.options) <= MAX_CHOICE_OPTIONS:
            raise ValueError(f"a choice holds 1..{MAX_CHOICE_OPTIONS} options, got {len(self.options)}")


@dataclass(frozen=True)
class Field:
    """One input of a form. The step that shows the form checks each value (``Step.check_field``)."""

    name: str
    label: str
    max_length: int = 200
    required: bool = True
    multiline: bool = False
    placeholder: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Form:
    """A modal on Discord; elsewhere the engine asks its fields one at a time with the same checks."""

    id: str
    title: str
    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        if len(self.title) > MAX_FORM_TITLE:
            raise ValueError(f"form title longer than {MAX_FORM_TITLE}: {self.title!r}")
        if not 1 <= len(self.fields) <= MAX_FORM_FIELDS:
            raise ValueError(f"a form holds 1..{MAX_FORM_FIELDS} fields")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Screen:
    """One message. ``edit`` asks to replace the screen the user clicked on instead of sending anew.
    ``expects_text``: the screen asks a question answered by typing (a form field, an amount, a message), so
    what is typed is an answer even when it looks like a button's number."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    choice: Choice | None = None
    form: Form | None = None
    attachments: tuple[Attachment, ...] = ()
    edit: bool = False
    ephemeral: bool = False
    expects_text: bool = False
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


def shortened(text: str, limit: int = MAX_BUTTON_LABEL) -> str:
    """A label cut to ``limit`` characters with an ellipsis (labels only: never text someone must read whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rows(*buttons: Button, per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows of ``per_row``."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
