"""Countries and time zones, named in the user's language from CLDR data (Babel) and the tz database."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global


@dataclass(frozen=True)
class Country:
    code: str
    name: str


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for matching what people type."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    zones = get_global("territory_zones")
    return {code: tuple(names) for code, names in zones.items() if len(code) == 2 and code.isalpha()}


@cache
def countries(language: str) -> tuple[Country, ...]:
    """Every country that has a time zone, sorted by its name in ``language``."""
    names = Locale.parse(language).territories
    found = [Country(code, names.get(code, code)) for code in _zones_by_country()]
    return tuple(sorted(found, key=lambda country: _fold(country.name)))


@cache
def country_name(code: str, language: str) -> str:
    """Cached: every job card names its client's country, and parsing the locale each time cost more than the card."""
    return Locale.parse(language).territories.get(code, code)


def find_countries(query: str, language: str) -> list[Country]:
    """Countries matching what was typed: an ISO code, or a name (in this language or English) or its start.

    An exact match wins alone; otherwise names starting with the text, then names containing it.
    """
    wanted = _fold(query.strip())
    if not wanted:
        return []
    english = dict((c.code, c.name) for c in countries("en"))
    everything = countries(language)
    exact = [c for c in everything if wanted in (c.code.casefold(), _fold(c.name), _fold(english[c.code]))]
    if exact:
        return exact
    starts = [c for c in everything if _fold(c.name).startswith(wanted) or _fold(english[c.code]).startswith(wanted)]
    contains = [
        c for c in everything if c not in starts and (wanted in _fold(c.name) or wanted in _fold(english[c.code]))
    ]
    return starts + contains


def zones_of(country_code: str) -> tuple[str, ...]:
    return _zones_by_country().get(country_code, ())


def is_zone(name: str) -> bool:
    return any(name in zones for zones in _zones_by_country().values())


def utc_offset(zone: str, at: datetime) -> str:
    """ "UTC+05:30" for ``zone`` at the moment ``at``."""
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_label(zone: str, at: datetime) -> str:
    """ "Buenos Aires (UTC−03:00)": the last part of the tz name, for a person to pick from."""
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} ({utc_offset(zone, at)})"
