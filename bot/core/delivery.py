"""What a front end is to the runtime, and what it reports after each send.

A front end (console, Telegram, Discord) turns platform updates into ``Inbound`` events, renders ``Outbound``
screens, sends them, and says how each send went, in the platform's words translated to four outcomes the
dispatcher acts on: sent (with the platform's message id), retry after N seconds (a rate limit for that chat),
unreachable (blocked, kicked, chat gone: wait until the person writes again), or a transient error (back off).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.core.budget import SendBudget
from bot.core.events import Actor, ChatRef, Checkout, Inbound, InlineQuery, Outbound
from bot.core.ui import InlineAnswer


@dataclass(frozen=True)
class Sent:
    message_id: str


@dataclass(frozen=True)
class RetryAfter:
    seconds: float


@dataclass(frozen=True)
class Unreachable:
    reason: str


@dataclass(frozen=True)
class TransientError:
    reason: str


SendOutcome = Sent | RetryAfter | Unreachable | TransientError

TurnHandler = Callable[[Inbound], Awaitable[None]]  # the runtime's: run the turn, send its replies
InlineHandler = Callable[[InlineQuery], Awaitable[InlineAnswer]]  # the engine's: what to list for an inline query


class CheckoutHandler(Protocol):
    """The engine's answer to a platform asking, before it charges, whether to take a payment for one of our
    invoices: None to take it, else why not (plain text, in the payer's language), within ``within`` seconds."""

    async def __call__(self, actor: Actor, query: Checkout, *, within: float) -> str | None: ...


class FrontEnd(Protocol):
    """One platform's transport, registered with the runtime."""

    platform: str
    done: asyncio.Event  # set when it has no more input of its own (the console at end of file)

    async def start(self, on_event: TurnHandler) -> None:
        """Begin taking updates; each one goes to ``on_event``."""

    async def stop(self) -> None:
        """Stop taking updates (the runtime lets turns in flight finish)."""

    async def send(self, message: Outbound) -> SendOutcome:
        """Send ``message``, or edit ``message.replaces`` into it when set."""

    async def delete(self, chat: ChatRef, message_id: str) -> SendOutcome:
        """Delete one of our earlier messages."""


@runtime_checkable
class PacedFrontEnd(FrontEnd, Protocol):
    """A front end whose transport takes the budget in every call it makes (Telegram's rate limiter also covers
    the calls the dispatcher never makes), so the dispatcher hands it the budget and does not take it again."""

    def attach_budget(self, budget: SendBudget) -> None:
        """Take ``budget`` (the dispatcher's, for this platform) for every send from now on."""
