"""What a flow is: a table of named steps, each showing a Screen and answering input with an Outcome.

A step never sends anything itself: it returns where to go next, and the engine renders, persists and
replies. Steps may raise ``UserError`` for bad input; the engine then rolls back whatever the turn did and
shows the same screen again with the message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel

from bot.conversations.notices import NoticeKind, NoticeList
from bot.core.accounts import Account
from bot.core.actions import Action
from bot.core.events import Actor, AttachmentIn
from bot.core.i18n import N_, Translator
from bot.core.services import Services
from bot.core.ui import Button, Choice, Option, Screen, shortened

CHOICE = "c"  # action kind of a button that belongs to the current flow screen: args (screen_tag, value)
RUN_COMMAND = "cmd"  # action kind of a button that runs a command: args (name,)
CHOICE_PAGE = "cp"  # action kind of "More…"/"◀ Back" in a flow's paged choice: args (screen_tag, page)
COMMAND_PAGE = "cpg"  # the same on a command's screen: args (page, name, *command args)


class FlowDefinitionError(Exception):
    """A flow table that cannot work (caught when the flow is registered, before any user meets it)."""


@dataclass(frozen=True)
class Goto:
    state: str
    notice: str = ""


@dataclass(frozen=True)
class Retry:
    """Stay on the same step and show its screen again, with ``message`` on top."""

    message: str


@dataclass(frozen=True)
class Finish:
    """Leave the flow showing ``screen``; then run ``then`` ("name args") as if typed, when given."""

    screen: Screen
    then: str = ""


@dataclass(frozen=True)
class StartFlow:
    """Begin ``flow`` with its data model built from ``data`` (e.g. the words after /search), at its start step
    or at step ``at`` (e.g. where a resumed draft has its first unanswered question)."""

    flow: str
    data: dict[str, Any] = field(default_factory=dict)
    at: str = ""


Outcome = Goto | Retry | Finish


def command_button(label: str, command: str, *args: str) -> Button:
    """A button that works like typing ``/command args``, from any screen, at any time."""
    return Button(label, Action(RUN_COMMAND, (command, *args)))


@dataclass
class Ctx:
    """What a step or command sees of the turn: who, in which language, the services, and the flow data."""

    services: Services
    actor: Actor
    chat_id: str
    account: Account | None
    locale: str
    data: Any = None
    screen_seq: int = 0
    flow_nonce: str = ""  # new for every flow started in this chat, so no button outlives its flow
    admins: frozenset[str] = frozenset()
    pays_in_chat: bool = False  # the person's platform takes payments in the chat: a screen may carry an Invoice
    in_group: bool = False  # the chat is a group: whatever is shown, everyone there reads
    notifications: NoticeList = field(default_factory=NoticeList)
    _translator: Translator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._translator = Translator(self.locale, self.account.timezone if self.account else None)

    @property
    def now(self) -> datetime:
        return self.services.now

    def set_locale(self, language: str) -> None:
        self.locale = language
        self._translator = Translator(language, self.account.timezone if self.account else None)

    def t(self, message: str, /, **params: Any) -> str:
        return self._translator.t(message, **params)

    def tn(self, singular: str, plural: str, count: int, /, **params: Any) -> str:
        return self._translator.tn(singular, plural, count, **params)

    @property
    def screen_tag(self) -> str:
        """Which screen of which flow a button was made for: the flow's nonce and the screen's number."""
        return f"{self.flow_nonce}{self.screen_seq}"

    def button(self, label: str, value: str) -> Button:
        """A button answering the screen being rendered; it goes stale once the flow moves on."""
        return Button(label, Action(CHOICE, (self.screen_tag, value)))

    def option(self, label: str, value: str, description: str = "") -> Option:
        return Option(label, Action(CHOICE, (self.screen_tag, value)), description)

    def command_button(self, label: str, command: str, *args: str) -> Button:
        return command_button(label, command, *args)

    def command_options(self, placeholder: str, items: list[tuple[str, str, str]]) -> Choice | None:
        """A list's items to open by their title, as (label, command, argument), each like typing
        ``/command argument``; None for an empty list. Labels are shortened to fit."""
        options = tuple(Option(shortened(label), Action(RUN_COMMAND, (command, arg))) for label, command, arg in items)
        return Choice(options, placeholder=placeholder) if options else None

    @property
    def is_admin(self) -> bool:
        """Admins are named by username in the config (``admins``)."""
        return self.account is not None and self.account.username in self.admins

    def notify(
        self, account_id: int, kind: NoticeKind, /, *, files: Sequence[int] = (), key: str = "", **params: Any
    ) -> None:
        """Tell another account something: an outbox row written with this turn's changes, rendered in their
        language and sent once, to the chat routing picks, after the turn commits."""
        self.notifications.add(account_id, kind, files=files, key=key, **params)


class Step:
    """One state of a flow. Subclasses set ``name``/``goes_to`` and override what they accept.

    ``accepts_text`` marks a step that asks for something typed (an amount, a number, a message): its screens
    say so (``Screen.expects_text``), so a front end reads a typed "1" as the answer, not as button 1.
    """

    name: ClassVar[str]
    goes_to: ClassVar[tuple[str, ...]] = ()
    accepts_text: ClassVar[bool] = False

    async def show(self, ctx: Ctx) -> Screen:
        raise NotImplementedError

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        return Retry(ctx.t(N_("That option is no longer available here.")))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return Retry(ctx.t(N_("Please choose one of the options below.")))

    async def check_field(self, ctx: Ctx, name: str, raw: str) -> str:
        """Validate and normalise one form value (raise UserError to refuse it)."""
        return raw.strip()

    async def on_form(self, ctx: Ctx, values: dict[str, str]) -> Outcome:
        return Retry(ctx.t(N_("Please choose one of the options below.")))

    async def on_attachment(self, ctx: Ctx, attachment: AttachmentIn) -> Outcome:
        return Retry(ctx.t(N_("I can't use a file here.")))


OnLeave = Callable[[Ctx, Any], Awaitable[None]]  # (the turn, the data of the flow being left)


class Flow:
    """A named table of steps with a pydantic model for its data, validated when constructed.

    ``on_leave`` runs when the person leaves the flow unfinished: another command or flow, /cancel, /menu, or
    the idle timeout (not when a step finishes it). It may keep what was entered, e.g. a job post's draft.
    """

    def __init__(
        self,
        name: str,
        title: str,
        data_model: type[BaseModel],
        steps: list[Step],
        start: str,
        *,
        needs_account: bool = True,
        on_leave: OnLeave | None = None,
    ) -> None:
        self.name = name
        self.title = title
        self.data_model = data_model
        self.start = start
        self.needs_account = needs_account
        self.on_leave = on_leave
        self.steps = {step.name: step for step in steps}
        problems = []
        if len(self.steps) != len(steps):
            problems.append("two steps share a name")
        if start not in self.steps:
            problems.append(f"start step {start!r} does not exist")
        for step in steps:
            problems += [
                f"step {step.name!r} goes to unknown step {target!r}"
                for target in step.goes_to
                if target not in self.steps
            ]
        if problems:
            raise FlowDefinitionError(f"flow {name!r}: " + "; ".join(problems))

    def step(self, name: str) -> Step | None:
        return self.steps.get(name)


@dataclass(frozen=True)
class CommandSpec:
    """A slash command outside any flow: shows a screen or starts a flow. ``run`` gets the words after it.
    ``role`` ("freelancer" or "client") keeps it out of the help of accounts without that role. ``deep_link``: a
    link anyone can post may run it (t.me/bot?start=job_42), so only commands that show something or ask to
    confirm first allow it. ``in_groups``: it may answer in a group chat, for anyone there to read
    (``ctx.in_group`` tells it so; it shows only what is public, without needing the asker's account); any other
    command asked in a group answers with a link to the private chat, where it runs."""

    name: str
    description: str
    run: Callable[[Ctx, str], Awaitable[Screen | StartFlow]]
    needs_account: bool = True
    in_help: bool = True
    role: Literal["", "freelancer", "client"] = ""
    deep_link: bool = False
    in_groups: bool = False


@dataclass(frozen=True)
class Sweep:
    """A scheduled job over due items (auto-releases, invoices, reminders...): ``due`` lists them, ``handle`` does
    one and asks for its notices. The engine runs each item in a transaction of its own."""

    name: str
    due: Callable[[Services], Awaitable[Sequence[Any]]]
    handle: Callable[[Services, Any, NoticeList], Awaitable[None]]
