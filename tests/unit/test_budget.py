"""Sending budgets: never faster than a platform allows, even when answers are slow, and a "retry after" holds
back only its own chat."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from bot.core.budget import Rates, SendBudget


async def _send(budget: SendBudget, chat_id: str, *, group: bool = False, on_the_way: float = 0.0) -> None:
    async with budget.sending(chat_id, group=group):
        await asyncio.sleep(on_the_way)


async def _timed(*sends: object) -> float:
    started = time.monotonic()
    await asyncio.gather(*sends)  # type: ignore[arg-type]
    return time.monotonic() - started


async def test_one_chat_gets_at_most_its_rate_after_the_burst() -> None:
    budget = SendBudget(Rates(per_chat_per_second=20, per_chat_burst=2))
    elapsed = await _timed(*(_send(budget, "chat") for _ in range(6)))
    assert elapsed >= (6 - 2) / 20 * 0.9  # two at once, then one every 50 ms


async def test_the_overall_rate_holds_across_chats() -> None:
    budget = SendBudget(Rates(per_second=50))
    elapsed = await _timed(*(_send(budget, f"chat{n}") for n in range(100)))
    assert elapsed >= 99 / 50 * 0.9  # evenly spaced, one every 20 ms


async def test_a_group_gets_its_per_minute_budget() -> None:
    budget = SendBudget(Rates(per_group_per_minute=600))  # 10 a second
    elapsed = await _timed(*(_send(budget, "-100", group=True) for _ in range(605)))
    assert elapsed >= 0.5 * 0.9
    private = await _timed(*(_send(budget, "42") for _ in range(50)))  # private chats are not groups
    assert private < 0.5


async def test_a_pause_holds_only_its_chat() -> None:
    budget = SendBudget(Rates(per_chat_per_second=1000, per_chat_burst=10))
    budget.pause("limited", 0.6)
    waited, other = await asyncio.gather(_timed(_send(budget, "limited")), _timed(_send(budget, "other")))
    assert waited >= 0.55
    assert other < 0.3
    assert budget.paused_for("limited") == 0


async def test_the_platform_never_sees_more_than_the_rate_in_a_second_however_late_requests_arrive() -> None:
    rate, sends = 100, 300
    budget = SendBudget(Rates(per_second=rate))
    arrived: list[float] = []
    chance = random.Random(7)

    async def to_a_slow_platform(chat_id: str, delay: Callable[[], float]) -> None:
        async with budget.sending(chat_id):
            await asyncio.sleep(delay())  # the request on its way (a blocked loop, a slow network)
            arrived.append(time.monotonic())
            await asyncio.sleep(delay())  # the answer on its way back

    await asyncio.gather(*(to_a_slow_platform(f"chat{n}", lambda: chance.uniform(0, 0.05)) for n in range(sends)))
    arrived.sort()
    busiest = max(sum(1 for later in arrived[i:] if later - moment < 1) for i, moment in enumerate(arrived))
    assert rate * 0.9 <= busiest <= rate  # never more, and the budget is used, not wasted waiting
