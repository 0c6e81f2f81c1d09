"""Every Bot API call through the platform's one sending budget (PTB's rate limiter hook).

The dispatcher hands the Telegram front end the same ``SendBudget`` it would otherwise take itself, so replies,
notifications and whatever else PTB sends share one set of buckets: a message to a chat (send, edit, copy,
forward) takes that chat's bucket, a group's also the per-group one, and then the overall one. Other calls
(answering a callback or pre-checkout query, getFile, getMe, setMyCommands...) are not messages and never wait,
least of all behind a chat's pause: a button's spinner stops at once even when its chat is rate limited.

A 429 pauses its chat alone (every other chat goes on) and is raised again, not retried here: the dispatcher
records it (a notification is rescheduled for after the pause, a reply is tried again once the pause is over), so
the only resend is the dispatcher's, of a message Telegram refused, and nothing is lost or sent twice.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.core.budget import SendBudget

MESSAGE_METHODS = ("send", "edit", "copy", "forward")  # Bot API methods that put a message in a chat

Result = bool | dict[str, Any] | list[dict[str, Any]]
T = TypeVar("T")


class BudgetLimiter(BaseRateLimiter[None]):
    def __init__(self) -> None:
        self.budget: SendBudget | None = None  # the dispatcher's, attached before the front end starts

    async def initialize(self) -> None:
        """Nothing to open: the budget belongs to the dispatcher."""

    async def shutdown(self) -> None:
        """Nothing to close: the budget belongs to the dispatcher."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        return await self.within_budget(endpoint, data.get("chat_id"), lambda: callback(*args, **kwargs))

    async def within_budget(self, endpoint: str, chat: int | str | None, call: Callable[[], Awaitable[T]]) -> T:
        """Make ``call`` (Bot API ``endpoint`` for ``chat``) once the budget lets it go, if it is a message."""
        if chat is None or self.budget is None or not endpoint.startswith(MESSAGE_METHODS):
            return await call()
        chat_id = str(chat)
        try:
            async with self.budget.sending(chat_id, group=chat_id.startswith(("-", "@"))):
                return await call()
        except RetryAfter as error:
            self.budget.pause(chat_id, retry_after_seconds(error))
            raise


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta; either is fine here
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
