"""Sending budgets: never faster than a platform allows, and a "retry after" holds back only its own chat."""

from __future__ import annotations

import asyncio
import time

from bot.core.budget import Rates, SendBudget


async def _timed(*sends: object) -> float:
    started = time.monotonic()
    await asyncio.gather(*sends)  # type: ignore[arg-type]
    return time.monotonic() - started


async def test_one_chat_gets_at_most_its_rate_after_the_burst() -> None:
    budget = SendBudget(Rates(per_chat_per_second=20, per_chat_burst=2))
    elapsed = await _timed(*(budget.acquire("chat") for _ in range(6)))
    assert elapsed >= (6 - 2) / 20 * 0.9  # two at once, then one every 50 ms


async def test_the_overall_rate_holds_across_chats() -> None:
    budget = SendBudget(Rates(per_second=50))
    elapsed = await _timed(*(budget.acquire(f"chat{n}") for n in range(100)))
    assert elapsed >= 1.0 * 0.9  # the first second's 50 at once, the next 50 over the following second


async def test_a_group_gets_its_per_minute_budget() -> None:
    budget = SendBudget(Rates(per_group_per_minute=600))  # 10 a second
    elapsed = await _timed(*(budget.acquire("-100", group=True) for _ in range(605)))
    assert elapsed >= 0.5 * 0.9
    private = await _timed(*(budget.acquire("42") for _ in range(50)))  # private chats are not groups
    assert private < 0.5


async def test_a_pause_holds_only_its_chat() -> None:
    budget = SendBudget(Rates(per_chat_per_second=1000, per_chat_burst=10))
    budget.pause("limited", 0.6)
    waited, other = await asyncio.gather(_timed(budget.acquire("limited")), _timed(budget.acquire("other")))
    assert waited >= 0.55
    assert other < 0.3
    assert budget.paused_for("limited") == 0
