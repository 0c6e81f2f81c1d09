"""How money and dates read in each language, by CLDR (Babel): one style for dates, one for moments.

Screens call these with the reader's locale; an error raised where the language is unknown passes
``i18n.Money``/``Day``/``Moment`` instead, and the translator formats them for whoever reads it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal

MINOR_PER_MAJOR = 100
FORMATS_KEPT = 4096  # amounts and numbers kept formatted: Babel takes about 0.1 ms each, and a list shows dozens


@lru_cache(maxsize=FORMATS_KEPT)
def format_number(value: float, locale: str, pattern: str | None = None) -> str:
    """A number with the language's grouping and decimal sign ("1,234.5", "1 234,5"), by ``pattern`` if given."""
    return format_decimal(value, pattern, locale=locale)


@lru_cache(maxsize=FORMATS_KEPT)
def format_money(minor: int, locale: str, currency: str = "USD") -> str:
    """ "$1,250.50" in English, "1 250,50 $US" in French; whole amounts without cents."""
    amount = Decimal(minor) / MINOR_PER_MAJOR
    if minor % MINOR_PER_MAJOR:
        return format_currency(amount, currency, locale=locale)
    whole = Locale.parse(locale).currency_formats["standard"].pattern.replace(".00", "")
    return format_currency(amount, currency, format=whole, locale=locale, currency_digits=False)


def format_day(day: date, locale: str) -> str:
    """The one date style of every screen: "Dec 3, 2026", "3 déc. 2026"."""
    return format_date(day, "medium", locale=locale)


def format_moment(moment: datetime, locale: str, timezone: str | None = None) -> str:
    """A date and time in the reader's time zone: "Dec 3, 2026, 2:05 PM"; "3 déc. 2026, 14:05 UTC" when the
    zone is not known."""
    local = moment.astimezone(ZoneInfo(timezone or "UTC"))
    text = get_datetime_format("medium", locale=locale).format(
        format_time(local, "short", locale=locale), format_day(local.date(), locale)
    )
    return text if timezone else f"{text} UTC"
