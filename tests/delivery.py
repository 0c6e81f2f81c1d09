"""What the outbox sends, seen from the platforms: a recording front end for every platform the tests use."""

from __future__ import annotations

import asyncio
import itertools

from bot.bootstrap import App
from bot.conversations.dispatcher import Dispatcher
from bot.conversations.flow import Sweep
from bot.core.delivery import SendOutcome, Sent
from bot.core.events import ChatRef, Outbound

PLATFORMS = ("test", "modal", "console", "telegram", "discord")


class Recorder:
    """A front end that accepts every message and keeps it."""

    def __init__(self, platform: str, sent: list[Outbound]) -> None:
        self.platform = platform
        self.done = asyncio.Event()
        self.sent = sent
        self._ids = itertools.count(1)

    async def start(self, on_event: object) -> None:
        """Nothing to take in."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def send(self, message: Outbound) -> SendOutcome:
        self.sent.append(message)
        return Sent(f"{self.platform}-{next(self._ids)}")

    async def delete(self, chat: ChatRef, message_id: str) -> SendOutcome:
        return Sent(message_id)


async def delivered(app: App) -> list[Outbound]:
    """Deliver everything due in the outbox; returns the messages sent, in order."""
    sent: list[Outbound] = []
    dispatcher = Dispatcher(app.database, app.engine.clock, {p: Recorder(p, sent) for p in PLATFORMS})
    await dispatcher.drain()
    return sent


async def swept(app: App, *sweeps: Sweep) -> list[Outbound]:
    """Run scheduled sweeps as the scheduler would, then deliver what they queued."""
    for sweep in sweeps:
        await app.engine.run_sweep(sweep)
    return await delivered(app)
