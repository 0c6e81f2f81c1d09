"""A platform's sending budget, shared by every outbound call of that platform (replies and notifications).

The overall rate as the platform counts it (any second), and two leaky buckets (aiolimiter): per chat (with a
short burst) and per group per minute; plus a pause for one chat when the platform answered "too many requests,
retry after N s". A pause holds only its own chat: every other chat goes on at full speed. ``None`` for a rate
means no limit (the console).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

CHATS_REMEMBERED = 10_000  # per-chat buckets kept (least recently used dropped first: an idle bucket is empty)


@dataclass(frozen=True)
class Rates:
    per_second: float | None = None
    per_chat_per_second: float | None = None
    per_chat_burst: int = 1
    per_group_per_minute: float | None = None


class _Pacing:
    """The overall rate as the platform counts it: never more than ``per_second`` messages in any second at the
    platform's end, evenly spaced.

    Sends follow a grid of slots, so a wake-up that came late on a busy event loop is made up by the next ones,
    each at most half a slot early (the rate holds, where a bucket that only drains between calls loses that time
    for good). A send may go only when fewer than ``per_second`` others are on their way or were answered within
    the last second: the platform saw each of them before it answered, so however late a request left (a blocked
    loop, a slow network), it can never make one message too many in a second there.
    """

    def __init__(self, per_second: float) -> None:
        self.interval = 1 / per_second
        self.per_window = max(1, math.floor(per_second))
        self._answered: deque[float] = deque()  # when each send of the last second was answered
        self._on_the_way = 0
        self._next_slot = 0.0
        self._turn = asyncio.Lock()  # first come, first served
        self._freed = asyncio.Event()  # a send on its way was answered

    def _window_opens_at(self, now: float) -> float | None:
        """When one more send fits the window (``now`` or later), or None until a send on its way is answered."""
        while self._answered and now - self._answered[0] >= 1:
            self._answered.popleft()
        if len(self._answered) + self._on_the_way < self.per_window:
            return now
        return self._answered[0] + 1 if self._answered else None

    async def acquire(self) -> None:
        async with self._turn:
            while True:
                now = time.monotonic()
                opens = self._window_opens_at(now)
                if opens is None:
                    self._freed.clear()
                    await self._freed.wait()
                    continue
                start = max(opens, self._next_slot)
                if start <= now:
                    break
                await asyncio.sleep(start - now)
            self._on_the_way += 1
            self._next_slot = max(self._next_slot + self.interval, now + self.interval / 2)

    def release(self) -> None:
        """The send that acquired has been answered (or failed): it counts in the window from now."""
        self._on_the_way -= 1
        self._answered.append(time.monotonic())
        self._freed.set()


class SendBudget:
    def __init__(self, rates: Rates) -> None:
        self.rates = rates
        # Overall, the platform counts any second (a fan-out at full speed then meets no 429). A chat gets a burst.
        self._overall = _Pacing(rates.per_second) if rates.per_second else None
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

    @contextlib.asynccontextmanager
    async def sending(self, chat_id: str, *, group: bool = False) -> AsyncIterator[None]:
        """Around one message to ``chat_id``: waits until it fits every bucket (and any pause of that chat is
        over), and counts it in the overall window until the platform has answered it."""
        left = self.paused_for(chat_id)
        if left > 0:  # one pause at a time: a second 429 during it extends it, and is seen on the next send
            await asyncio.sleep(left)
        rates = self.rates
        if rates.per_chat_per_second:
            burst = max(1, rates.per_chat_burst)
            await self._bucket(self._chats, chat_id, burst, burst / rates.per_chat_per_second).acquire()
        if group and rates.per_group_per_minute:
            await self._bucket(self._groups, chat_id, rates.per_group_per_minute, 60).acquire()
        if self._overall is None:
            yield
            return
        await self._overall.acquire()
        try:
            yield
        finally:
            self._overall.release()
