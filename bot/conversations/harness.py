"""A chat-like driver for the engine, for tests: ``await h.send("/start")``, ``h.screen.plain``,
``await h.click("Freelancer")``, ``await h.submit({...})``, ``await h.reply(screen, "text")``.

Several users share one engine and one database. Each turn goes the way a runtime sends it: the replies through
the dispatcher to the acting chat, then the outbox drained, so a notification reaches the harness of whichever
identity routing picked (one per person), rendered from its stored row.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

from bot.conversations.dispatcher import Dispatcher
from bot.conversations.engine import Engine
from bot.conversations.flow import Sweep
from bot.core.actions import Action
from bot.core.delivery import SendOutcome, Sent
from bot.core.events import Actor, ChatRef, Click, FormSubmit, Inbound, Outbound, Payload, Text, parse_command
from bot.core.ui import CONSOLE, Screen

_update_ids = itertools.count(1)


class HarnessFrontEnd:
    """One test platform: every send lands in the harness listening on that chat, with a message id."""

    def __init__(self, platform: str, chats: _Chats) -> None:
        self.platform = platform
        self.done = asyncio.Event()
        self._chats = chats

    async def start(self, on_event: object) -> None:
        """Harness users deliver their own events."""

    async def stop(self) -> None:
        """Nothing runs in the background."""

    async def send(self, message: Outbound) -> SendOutcome:
        scripted = self._chats.answers.get((message.chat.platform, message.chat.chat_id))
        if scripted:
            outcome = scripted.pop(0)
            if not isinstance(outcome, Sent):
                return outcome  # the platform refused it: nobody sees it
        message_id = str(next(self._chats.message_ids))
        self._chats.sent.append(message)
        receiver = self._chats.by_chat.get((message.chat.platform, message.chat.chat_id))
        if receiver is not None:
            receiver.received(message_id, message.screen)
        return Sent(message_id)

    async def delete(self, chat: ChatRef, message_id: str) -> SendOutcome:
        return Sent(message_id)


@dataclass
class _Chats:
    """Who is listening on which (platform, chat), and the dispatcher every harness user shares."""

    by_chat: dict[tuple[str, str], Harness] = field(default_factory=dict)
    dispatcher: Dispatcher | None = None
    message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    sent: list[Outbound] = field(default_factory=list)  # everything sent, in order (sweep tests read it)
    answers: dict[tuple[str, str], list[SendOutcome]] = field(default_factory=dict)  # scripted platform answers

    def serve(self, engine: Engine, platform: str) -> Dispatcher:
        if self.dispatcher is None:
            # Whole screens, as the engine made them (splitting for a platform is tested on its own).
            unlimited = lambda _platform: CONSOLE  # noqa: E731
            self.dispatcher = Dispatcher(
                engine.database, engine.clock, {}, wake=engine.outbox_written, limits=unlimited
            )
        if platform not in self.dispatcher.front_ends:
            self.dispatcher.attach(HarnessFrontEnd(platform, self))
        return self.dispatcher


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
        chat: str | None = None,
        _chats: _Chats | None = None,
    ) -> None:
        """``chat``: a group chat this user writes in (by default their private chat, whose id is theirs)."""
        self.engine = engine
        self.actor = Actor(platform, user, display_name or user.title(), username_hint, locale)
        self.chat_id = chat or user
        self.screens: list[Screen] = []
        self.message_ids: dict[int, str] = {}  # id(screen) -> the message id it was sent with
        self._chats = _chats or _Chats()
        self._chats.by_chat[(platform, self.chat_id)] = self
        self.dispatcher = self._chats.serve(engine, platform)

    def user(self, name: str, **options: str | None) -> Harness:
        """Another user of the same engine (same platform unless ``platform=`` says otherwise)."""
        platform = options.pop("platform", None) or self.actor.platform
        return Harness(self.engine, name, platform=platform, _chats=self._chats, **options)  # type: ignore[arg-type]

    def platform_answers(self, *outcomes: SendOutcome) -> None:
        """The platform answers the next sends to this chat so (rate limited, blocked, failing), then as usual."""
        self._chats.answers.setdefault((self.actor.platform, self.chat_id), []).extend(outcomes)

    def received(self, message_id: str, screen: Screen) -> None:
        self.screens.append(screen)
        self.message_ids[id(screen)] = message_id

    @property
    def screen(self) -> Screen:
        """The last screen this user received."""
        if not self.screens:
            raise AssertionError(f"{self.actor.user_id} has received nothing yet")
        return self.screens[-1]

    async def deliver(
        self, payload: Payload, update_id: str | None = None, *, message_ref: str | None = None
    ) -> list[Screen]:
        """Send any inbound payload; returns the screens this user received for it (notifications included)."""
        event = Inbound(self.actor, self.chat_id, payload, update_id or f"u{next(_update_ids)}", message_ref)
        before = len(self.screens)
        for message in await self.engine.handle(event):
            await self.dispatcher.send_now(message)
        await self.dispatcher.drain()
        return self.screens[before:]

    async def send(self, text: str) -> list[Screen]:
        return await self.deliver(parse_command(text) or Text(text))

    async def reply(self, screen: Screen, text: str) -> list[Screen]:
        """Answer ``screen`` with the platform's reply feature."""
        return await self.deliver(Text(text), message_ref=self.message_ids[id(screen)])

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
        """Press a button of the last screen (or of an older screen ``on``), on the message it came in."""
        screen = on or self.screen
        packed = self.engine.codec.pack(self.find_action(label, screen))
        return await self.deliver(Click(packed), message_ref=self.message_ids.get(id(screen)))

    async def submit(self, values: dict[str, str]) -> list[Screen]:
        """Fill the form on screen: as one modal where the platform has them, else one answer per field."""
        form = self.screen.form
        if form is not None:
            return await self.deliver(FormSubmit(form.id, values))
        received = []
        for value in values.values():
            received = await self.send(value)
        return received

    async def delivered(self) -> list[Outbound]:
        """Deliver what is due in the outbox (what a sweep or a timeout queued); returns what was sent, to anyone."""
        before = len(self._chats.sent)
        await self.dispatcher.drain()
        return self._chats.sent[before:]

    async def run_sweep(self, sweep: Sweep, engine: Engine | None = None) -> list[Outbound]:
        """Run a scheduled sweep (on ``engine``, e.g. a restarted one) and deliver what it queued."""
        await (engine or self.engine).run_sweep(sweep)
        return await self.delivered()
