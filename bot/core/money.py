"""Money as integer minor units with an ISO currency: parsing what people type and showing it back.

Only USD is offered for now; every amount still carries its currency so more can follow.
"""

from __future__ import annotations

import re

from bot.core.errors import UserError
from bot.core.formats import MINOR_PER_MAJOR as MINOR_PER_MAJOR
from bot.core.formats import format_money as format_money
from bot.core.i18n import N_, Money

CURRENCY = "USD"
MAX_AMOUNT_MINOR = 100_000_000 * MINOR_PER_MAJOR  # $100M: more than any job here will ever cost
_AMOUNT = re.compile(
    r"^\$?\s*(\d{1,3}(?:[ ,\u00a0\u202f]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s*(?:\$|usd)?$", re.I | re.ASCII
)


def parse_amount(text: str, *, minimum_minor: int = 1) -> int:
    """ "$1,250.50", "1250,5", "40" -> minor units. Refuses negatives, more than two decimals, other currencies."""
    cleaned = text.strip()
    match = _AMOUNT.match(cleaned)
    if not match:
        raise UserError(N_("“{text}” is not an amount in dollars. Type it like 40 or 1,250.50."), text=cleaned[:40])
    whole = re.sub(r"\D", "", match.group(1))
    cents = (match.group(2) or "").ljust(2, "0")
    minor = int(whole) * MINOR_PER_MAJOR + int(cents)
    if minor < minimum_minor:
        raise UserError(N_("The amount must be at least {amount}."), amount=Money(minimum_minor))
    if minor > MAX_AMOUNT_MINOR:
        raise UserError(N_("The amount can't be more than {amount}."), amount=Money(MAX_AMOUNT_MINOR))
    return minor
