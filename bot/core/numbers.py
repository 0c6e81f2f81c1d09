"""Whole numbers typed by people (ids, pages, hours, years): ASCII digits only, small enough for an id.

``str.isdigit`` also says yes to "²" and "①", which ``int`` then refuses with a crash, and ``int`` reads the
digits of other scripts ("٤٢"); screens, buttons and ids here use 0-9 only, so that is all we read.
"""

from __future__ import annotations

import re

MAX_DIGITS = 18  # any 18-digit number fits a signed 64-bit database id
_WHOLE = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")


def whole_number(raw: int | str) -> int | None:
    """ "42", " 42 " or 42 -> 42; anything else ("-1", "4.2", "²", "４２", 19 digits or more) -> None."""
    if isinstance(raw, int):
        return raw if 0 <= raw < 10**MAX_DIGITS else None
    text = raw.strip()
    return int(text) if _WHOLE.fullmatch(text) else None
