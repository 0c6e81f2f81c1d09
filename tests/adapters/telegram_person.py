"""A Telegram user of the fake Bot API server driven like the engine harness (``send``, ``click``, ``submit``,
``reply``, ``screen.plain``), so the step functions of tests/flows (sign up, post a job, propose, hire, fund...)
run unchanged over Telegram, against the bot in-process or the real ``gigbot run``.

Each action waits until the bot has answered it: something new in the chat (a message or an edit), then a short
quiet spell. A button is pressed on the newest message that has it, waiting for one to arrive (a notification
from the other person, say).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from tests.adapters.fake_bot_api import Message, User


@dataclass(frozen=True)
class Shown:
    """A bot message as the harness's ``Screen`` is read in the steps: ``plain`` text and button ``labels``."""

    message: Message

    @property
    def plain(self) -> str:
        return self.message.text

    @property
    def labels(self) -> list[str]:
        return self.message.labels


class TelegramPerson:
    def __init__(self, user: User, *, within: float = 20, quiet: float = 0.25) -> None:
        self.user = user
        self.within = within  # seconds the bot has to answer an action
        self.quiet = quiet  # seconds without anything new that mean it has finished answering

    @property
    def screen(self) -> Shown:
        return Shown(self.user.last)

    def _activity(self) -> int:
        return sum(1 + message.edits for message in self.user.messages)

    async def _answered(self, before: int, what: str) -> None:
        deadline = time.monotonic() + self.within
        while self._activity() == before:
            if time.monotonic() > deadline:
                last = self.user.last.text if self.user.messages else "nothing"
                raise AssertionError(f"no answer to {what!r} in {self.user.first_name}'s chat; last: {last}")
            await asyncio.sleep(0.02)
        seen = self._activity()
        while True:
            await asyncio.sleep(self.quiet)
            if self._activity() == seen:
                return
            seen = self._activity()

    async def send(self, text: str) -> None:
        before = self._activity()
        self.user.send(text)
        await self._answered(before, text)

    async def reply(self, screen: Shown, text: str) -> None:
        before = self._activity()
        self.user.reply(screen.message, text)
        await self._answered(before, text)

    async def click(self, label: str, *, on: Shown | None = None) -> None:
        message = on.message if on is not None else await self._with_button(label)
        before = self._activity()
        self.user.press(message, label)
        await self._answered(before, label)

    async def _with_button(self, label: str) -> Message:
        """The newest message with a button ``label`` (exactly, else uniquely containing it), once there is one."""

        def newest() -> Message | None:
            for message in reversed(self.user.messages):
                labels = message.labels
                if label in labels or sum(label.casefold() in text.casefold() for text in labels) == 1:
                    return message
            return None

        await self.user.wait_for(lambda _: newest() is not None, self.within)
        found = newest()
        assert found is not None
        return found

    async def submit(self, values: dict[str, str]) -> None:
        """A form is asked one field at a time on Telegram: one answer per field, in order."""
        for value in values.values():
            await self.send(value)
