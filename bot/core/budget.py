"""A platform's sending budget, shared by every outbound call of that platform (replies and notifications).

Three leaky buckets (aiolimiter): overall per second, per chat (with a short burst), and per group per minute,
plus a pause for one chat when the platform answered "too many requests, retry after N s". A pause holds only
its own chat: every other chat goes on at full speed. ``None`` for a rate means no limit (the console).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

CHATS_REMEMBERED = 10_000  # per-chat buckets kept (least recently used dropped first: an idle bucket is empty)


@dataclass(frozen=True)
class Rates:
    per_second: float | None = None
    per_chat_per_second: float | None = None
    per_chat_burst: int = 1
    per_group_per_minute: float | None = None


class SendBudget:
    def __init__(self, rates: Rates) -> None:
        self.rates = rates
        # Overall, the platform counts any second: sends are evenly spaced, never a burst that would put more than
        # the rate into one second (a fan-out at full speed then meets no 429). A chat gets a short burst.
        self._overall = AsyncLimiter(1, 1 / rates.per_second) if rates.per_second else None
        self._chats: OrderedDict[str, AsyncLimiter] = OrderedDict()
        self._groups: OrderedDict[str, AsyncLimiter] = OrderedDict()
        self._paused_until: dict[str, float] = {}

    def pause(self, chat_id: str, seconds: float) -> None:
        """The platform asked this chat to wait (HTTP 429 with retry_after)."""
        until = time.monotonic() + seconds
        self._paused_until[chat_id] = max(until, self._paused_until.get(chat_id, 0.0))

    def paused_for(self, chat_id: str) -> float:
        """Seconds this chat must still wait (0 when it may send)."""
        until = self._paused_until.get(chat_id)
        if until is None:
            return 0.0
        left = until - time.monotonic()
        if left <= 0:
            del self._paused_until[chat_id]
            return 0.0
        return left

    @staticmethod
    def _bucket(buckets: OrderedDict[str, AsyncLimiter], chat_id: str, rate: float, period: float) -> AsyncLimiter:
        bucket = buckets.get(chat_id)
        if bucket is None:
            bucket = buckets[chat_id] = AsyncLimiter(rate, period)
            if len(buckets) > CHATS_REMEMBERED:
                buckets.popitem(last=False)
        else:
            buckets.move_to_end(chat_id)
        return bucket

    async def acquire(self, chat_id: str, *, group: bool = False) -> None:
        """Wait until one more message to ``chat_id`` fits every bucket (and any pause of that chat is over)."""
        left = self.paused_for(chat_id)
        if left > 0:  # one pause at a time: a second 429 during it extends it, and is seen on the next send
            await asyncio.sleep(left)
        rates = self.rates
        if rates.per_chat_per_second:
            burst = max(1, rates.per_chat_burst)
            await self._bucket(self._chats, chat_id, burst, burst / rates.per_chat_per_second).acquire()
        if group and rates.per_group_per_minute:
            await self._bucket(self._groups, chat_id, rates.per_group_per_minute, 60).acquire()
        if self._overall is not None:
            await self._overall.acquire()
