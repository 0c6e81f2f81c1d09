"""Translations from the gettext catalogs in bot/locales (compiled in memory once, at first use).

Mark strings with ``N_`` where they are defined and translate them where a user's language is known;
``Translator.t`` translates and fills placeholders, escaping the values for screen markup.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.core.formats import format_day, format_moment, format_money, format_number
from bot.core.ui import fmt

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"


class Msg(str):
    """A message id marked with ``N_``: when passed as a parameter of another message, it is translated into
    the reader's language too (e.g. a state name inside an error raised where the language is unknown)."""


def N_(message: str) -> Msg:
    return Msg(message)


class Count(int):
    """A number shown with the reader's digit grouping when passed as a parameter (1,000 / 1 000)."""


@dataclass(frozen=True)
class Money:
    """An amount shown in the reader's locale when passed as a parameter ("$1,250.50" / "1 250,50 $US")."""

    minor: int
    currency: str = "USD"


@dataclass(frozen=True)
class Day:
    """A date shown in the reader's date style when passed as a parameter ("Dec 3, 2026" / "3 déc. 2026")."""

    value: date


@dataclass(frozen=True)
class Moment:
    """A date and time shown in the reader's language and time zone when passed as a parameter."""

    value: datetime


@cache
def _catalog(language: str) -> NullTranslations:
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def supported(language: str | None) -> str | None:
    """The supported language for a platform's locale code ("fr-CA" -> "fr"), or None."""
    if not language:
        return None
    base = language.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


class Translator:
    """Messages in one language; ``timezone`` (the reader's, when known) places the moments it shows."""

    def __init__(self, language: str, timezone: str | None = None) -> None:
        self.language = supported(language) or DEFAULT_LANGUAGE
        self.timezone = timezone
        self._catalog = _catalog(self.language)

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {name: self._shown(value) for name, value in params.items()}

    def _shown(self, value: Any) -> Any:
        if isinstance(value, Msg):
            return self._catalog.gettext(value)
        if isinstance(value, Count):
            return format_number(int(value), self.language)
        if isinstance(value, Money):
            return format_money(value.minor, self.language, value.currency)
        if isinstance(value, Day):
            return format_day(value.value, self.language)
        if isinstance(value, Moment):
            return format_moment(value.value, self.language, self.timezone)
        return value

    def t(self, message: str, /, **params: Any) -> str:
        translated = self._catalog.gettext(message)
        return fmt(translated, **self._params(params)) if params else translated

    def tn(self, singular: str, plural: str, count: int, /, **params: Any) -> str:
        """Plural forms by ``count``; ``{count}`` shows it, unless ``params`` gives it formatted ("1,234")."""
        return fmt(self._catalog.ngettext(singular, plural, count), **self._params({"count": count, **params}))
