"""What job-board feeds write as free text, read: HTML to plain text, pay ("$30k - $100k", "$3.00-$4.00",
"8000 - 12000 pln"), dates (ISO 8601, RFC 822, ctime-like, epoch) and ``<b>Label</b>: value`` lines.

Everything here is total: text it cannot read gives None, never an exception.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import ftfy

_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*/?\s*(br|p|div|li|h\d|tr|ul|ol)\b[^>]*>", re.IGNORECASE)
_INVISIBLE = re.compile(r"<\s*(script|style|head)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def html_to_text(markup: str) -> str:
    """What a reader sees of ``markup``: tags gone (line breaks kept), entities decoded (twice when a feed
    escaped them twice), mojibake repaired, spaces tidied."""
    text = _INVISIBLE.sub("", markup)
    text = _TAG.sub("", _BREAK.sub("\n", text))
    for _ in range(2):
        if not _ENTITY.search(text):
            break
        text = _TAG.sub("", html.unescape(text))
    text = ftfy.fix_text(text, normalization="NFC")
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


_LABELLED = re.compile(r"<b>\s*([^<:]{1,40}?)\s*:?\s*</b>\s*:?\s*(.*?)\s*(?:<br\s*/?>|\n|$)", re.IGNORECASE)


def labelled_lines(markup: str) -> dict[str, str]:
    """``<b>Budget</b>: $1,900<br />`` lines (Upwork, Just Join IT) as {"budget": "$1,900"}, values as text."""
    found: dict[str, str] = {}
    for label, value in _LABELLED.findall(markup):
        key = label.strip().casefold()
        if key not in found:
            found[key] = html_to_text(value)
    return found


# ---- pay ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pay:
    """A budget or rate read from a feed, in minor units. ``hourly``: a rate per hour, else a total amount."""

    low_minor: int
    high_minor: int
    currency: str
    hourly: bool


_CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP"}
_CURRENCY_CODES = {"usd", "eur", "gbp", "pln", "chf", "cad", "aud", "inr"}
_AMOUNT = re.compile(r"(\d[\d,. ]*\d|\d)\s*([km])?\b", re.IGNORECASE)
_HOURLY = re.compile(r"/\s*h(ou)?r\b|per\s+hour|hourly|an\s+hour|/\s*h\b", re.IGNORECASE)
_MAX_PAY_MINOR = 100_000_000 * 100


def _number(digits: str) -> float | None:
    """ "45,000" -> 45000, "31,2" -> 31.2, "3.00" -> 3.0, "1 900" -> 1900."""
    digits = digits.replace(" ", "")
    if "," in digits and "." not in digits:
        head, _, tail = digits.rpartition(",")
        digits = digits.replace(",", "") if len(tail) == 3 else f"{head.replace(',', '')}.{tail}"
    else:
        digits = digits.replace(",", "")
    try:
        return float(digits)
    except ValueError:
        return None


def parse_pay(text: str, *, hourly: bool | None = None) -> Pay | None:
    """The pay in ``text``, or None when it names no amount with a currency ("undisclosed", "OTE", "0")."""
    lowered = text.casefold()
    currency = next((code for sign, code in _CURRENCY_SIGNS.items() if sign in text), None)
    currency = currency or next((code.upper() for code in _CURRENCY_CODES if re.search(rf"\b{code}\b", lowered)), None)
    if currency is None:
        return None
    amounts = []
    for digits, multiplier in _AMOUNT.findall(text):
        value = _number(digits)
        if value is None:
            continue
        value *= {"k": 1_000, "m": 1_000_000}.get(multiplier.casefold(), 1)
        amounts.append(round(value * 100))
    amounts = [amount for amount in amounts[:2] if 0 < amount <= _MAX_PAY_MINOR]
    if not amounts:
        return None
    per_hour = bool(_HOURLY.search(text)) if hourly is None else hourly
    return Pay(min(amounts), max(amounts), currency, per_hour)


# ---- dates --------------------------------------------------------------------------------------------------

_CTIME_FORMATS = ("%a %b %d %H:%M:%S %Z %Y", "%a %b %d %H:%M:%S %Y")
_EARLIEST, _LATEST = datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def parse_when(value: object) -> datetime | None:
    """A moment in UTC from ISO 8601 (no zone: UTC), RFC 822, a ctime-like text or epoch seconds (or
    milliseconds); None for anything else or anything before 1990 or after 2100."""
    moment = _moment(value)
    if moment is None:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment if _EARLIEST <= moment < _LATEST else None


def _moment(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and re.fullmatch(r"\d{9,13}", value.strip())):
        seconds = float(value)
        seconds = seconds / 1000 if seconds > 1e11 else seconds
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    for pattern in _CTIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None
