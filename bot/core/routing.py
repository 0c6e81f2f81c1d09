"""Which chat one person's notification goes to: one identity, never one per platform.

The identity on the platform they chose in their settings, else the one they used last; identities the platform
told us are unreachable (blocked the bot, chat gone) are passed over until the person writes from them again, and
only platforms this runtime has a front end for are candidates.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from bot.storage.orm import IdentityRow

_NEVER = datetime.min.replace(tzinfo=UTC)


def choose_identity(
    identities: Sequence[IdentityRow], preferred_platform: str | None, served: Collection[str]
) -> IdentityRow | None:
    candidates = [i for i in identities if i.unreachable_at is None and i.platform in served]
    if not candidates:
        return None
    preferred = [i for i in candidates if i.platform == preferred_platform]
    return max(preferred or candidates, key=lambda i: (i.last_seen_at or _NEVER, i.id))
