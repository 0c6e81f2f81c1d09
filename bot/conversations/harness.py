"""A chat-like driver for the engine, for tests: ``await h.send("/start")``, ``h.screen.plain``,
``await h.click("Freelancer")``, ``await h.submit({...})``. Several users share one engine and one
database; a screen addressed to another user's chat lands in that user's harness.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.conversations.engine import Engine
from bot.core.actions import Action
from bot.core.events import Actor, Click, FormSubmit, Inbound, Payload, Text, parse_command
from bot.core.ui import Screen

_update_ids = itertools.count(1)


@dataclass
class _Chats:
    """Who is listening on which (platform, chat): lets one user's turn reach another user's harness."""

    by_chat: dict[tuple[str, str], Harness] = field(default_factory=dict)


class Harness:
    def __init__(
        self,
        engine: Engine,
        user: str = "alice",
        *,
        platform: str = "test",
        locale: str | None = None,
        display_name: str | None = None,
        username_hint: str | None = None,
        _chats: _Chats | None = None,
    ) -> None:
        self.engine = engine
        self.actor = Actor(platform, user, display_name or user.title(), username_hint, locale)
        self.chat_id = user
        self.screens: list[Screen] = []
        self._chats = _chats or _Chats()
        self._chats.by_chat[(platform, self.chat_id)] = self

    def user(self, name: str, **options: str | None) -> Harness:
        """Another user of the same engine (same platform unless ``platform=`` says otherwise)."""
        platform = options.pop("platform", None) or self.actor.platform
        return Harness(self.engine, name, platform=platform, _chats=self._chats, **options)  # type: ignore[arg-type]

    @property
    def screen(self) -> Screen:
        """The last screen this user received."""
        if not self.screens:
            raise AssertionError(f"{self.actor.user_id} has received nothing yet")
        return self.screens[-1]

    async def deliver(self, payload: Payload, update_id: str | None = None) -> list[Screen]:
        """Send any inbound payload; returns the screens this user received for it."""
        event = Inbound(self.actor, self.chat_id, payload, update_id or f"u{next(_update_ids)}")
        mine = []
        for message in await self.engine.handle(event):
            receiver = self._chats.by_chat.get((message.chat.platform, message.chat.chat_id))
            if receiver is not None:
                receiver.screens.append(message.screen)
            if receiver is self:
                mine.append(message.screen)
        return mine

    async def send(self, text: str) -> list[Screen]:
        return await self.deliver(parse_command(text) or Text(text))

    def find_action(self, label: str, screen: Screen | None = None) -> Action:
        """The action behind the button or choice option whose label is, or uniquely contains, ``label``."""
        screen = screen or self.screen
        pressable = [(b.label, b.action) for b in screen.all_buttons()]
        pressable += [(o.label, o.action) for o in screen.choice.options] if screen.choice else []
        exact = [action for text, action in pressable if text == label]
        partial = [action for text, action in pressable if label.casefold() in text.casefold()]
        found = exact or partial
        if len(found) != 1:
            labels = [text for text, _ in pressable]
            raise AssertionError(f"{len(found)} buttons match {label!r} on screen; labels: {labels}")
        return found[0]

    async def click(self, label: str, *, on: Screen | None = None) -> list[Screen]:
        """Press a button of the last screen (or of an older screen ``on``)."""
        return await self.deliver(Click(self.engine.codec.pack(self.find_action(label, on))))

    async def submit(self, values: dict[str, str]) -> list[Screen]:
        """Fill the form on screen: as one modal where the platform has them, else one answer per field."""
        form = self.screen.form
        if form is not None:
            return await self.deliver(FormSubmit(form.id, values))
        received = []
        for value in values.values():
            received = await self.send(value)
        return received
