"""The conversation engine: one inbound event in, the screens to send out.

Each event is one turn, run in one database transaction: record the update id (a redelivery is a no-op),
resolve the account, load the conversation, route to a command or the active step, persist the new state
with a version check. Events of one (platform, chat, user) run one at a time in this process; the version
check catches a second process. Bad input (a ``UserError``) rolls the whole turn back and shows the same
screen again with the reason; a crash rolls back too and the user gets a polite apology.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from bot.conversations import checkout, inline, menu
from bot.conversations.flow import (
    CHOICE,
    CHOICE_PAGE,
    COMMAND_PAGE,
    RUN_COMMAND,
    CommandSpec,
    Ctx,
    Flow,
    FlowDefinitionError,
    Goto,
    OnLeave,
    Outcome,
    Retry,
    StartFlow,
    Step,
    Sweep,
)
from bot.conversations.notices import NoticeList, PendingNotice, notice_kind, pending
from bot.core.actions import Action, ActionCodec, ExpiredAction, InvalidAction
from bot.core.checkout import Bill, Charge
from bot.core.clock import Clock
from bot.core.errors import UserError
from bot.core.events import (
    Actor,
    AttachmentIn,
    ChatRef,
    Checkout,
    Click,
    Command,
    FormSubmit,
    Inbound,
    InlineQuery,
    Outbound,
    PaymentIn,
    Text,
    parse_command,
)
from bot.core.files import FileSource
from bot.core.fit import page_choice
from bot.core.i18n import N_, Count, Translator, supported
from bot.core.locks import KeyLocks
from bot.core.market import DEFAULT_RULES, MarketRules
from bot.core.payments import PaymentProvider, SandboxProvider
from bot.core.services import Services
from bot.core.ui import DEEP_LINK_PAYLOAD, Button, Form, InlineAnswer, Link, Screen, plain, rows
from bot.storage.db import Database
from bot.storage.repositories import ConversationKey, Repositories, StoredConversation

log = logging.getLogger("gigbot.engine")

MAX_ATTEMPTS = 4
CHOICES_KEPT = 10_000  # conversations whose last screen's choices the engine remembers (see ``remember_choices``)
SIGNUP_FLOW = "signup"
BUILTIN_COMMANDS = ("start", "menu", "help", "cancel")
EXPIRED_BUTTON = N_("⌛ This button has expired: it belongs to an earlier screen. Here is where you are.")
EXPIRED_TOAST = N_("⌛ This button has expired.")


class VersionConflict(Exception):
    """Another process moved this conversation on while we worked; the turn is re-run."""


@notice_kind("conversation.timeout")
def timeout_notice(translator: Translator, *, flow_title: str, minutes: int) -> Screen:
    return Screen(
        translator.t(
            N_("⌛ <b>{flow}</b> was closed after {minutes} minutes without activity. Send /menu to carry on."),
            flow=translator.t(flow_title),
            minutes=minutes,
        ),
        name="timeout",
    )


async def write_notices(repos: Repositories, notices: list[PendingNotice], cause: str, now: Any) -> int:
    """Queue a turn's (or a sweep item's) notices in its transaction; each once, by its cause and recipient."""
    for index, notice in enumerate(notices):
        key = f"{notice.key}:{notice.recipient_id}" if notice.key else f"{cause}:{index}:{notice.recipient_id}"
        await repos.outbox.add(
            {
                "recipient_id": notice.recipient_id,
                "kind": notice.kind,
                "payload": notice.payload,
                "dedupe_key": key[:160],
                "priority": notice.priority,
                "created_at": now,
                "next_attempt_at": now,
            }
        )
    return len(notices)


class Engine:
    def __init__(
        self,
        database: Database,
        codec: ActionCodec,
        clock: Clock,
        *,
        flows: list[Flow],
        commands: list[CommandSpec],
        idle_timeout: timedelta,
        default_language: str = "en",
        form_platforms: frozenset[str] = frozenset({"discord"}),
        admins: frozenset[str] = frozenset(),
        rules: MarketRules = DEFAULT_RULES,
        payments: PaymentProvider | None = None,
        ephemeral_platforms: frozenset[str] = frozenset({"discord"}),
        payment_platforms: frozenset[str] = frozenset(),
    ) -> None:
        """``payment_platforms``: those whose front end takes payments in the chat (invoices, ``checkout``)."""
        self.database = database
        self.codec = codec
        self.clock = clock
        self.idle_timeout = idle_timeout
        self.default_language = default_language
        self.form_platforms = form_platforms
        self.admins = admins
        self.rules = rules
        self.payments = payments or SandboxProvider()
        self.ephemeral = ephemeral_platforms  # platforms that show a message to one member of a group only
        self.file_sources: dict[str, FileSource] = {}  # each served platform that keeps files (the runtime's)
        self.payment_platforms = payment_platforms
        self.outbox_written = asyncio.Event()  # set when a turn or sweep queued notifications: wakes the dispatcher
        self.flows: dict[str, Flow] = {}
        for flow in flows:
            if flow.name in self.flows:
                raise FlowDefinitionError(f"two flows are named {flow.name!r}")
            self.flows[flow.name] = flow
        if SIGNUP_FLOW not in self.flows:
            raise FlowDefinitionError(f"the {SIGNUP_FLOW!r} flow is required")
        self.commands: dict[str, CommandSpec] = {}
        for spec in commands:
            if spec.name in BUILTIN_COMMANDS or spec.name in self.commands:
                raise FlowDefinitionError(f"command /{spec.name} is defined twice")
            self.commands[spec.name] = spec
        self._locks: KeyLocks[ConversationKey] = KeyLocks()
        self._choices_shown: OrderedDict[ConversationKey, tuple[str, dict[str, str]]] = OrderedDict()

    def remember_choices(self, key: ConversationKey, screen_tag: str, screen: Screen) -> None:
        """What typing a label of the screen just rendered for ``key`` presses, so that the text typed next is
        matched without rendering the screen again (a search's screen runs the search). The latest rendering of a
        screen tag wins; the least recently rendered conversations are forgotten past ``CHOICES_KEPT``."""
        self._choices_shown[key] = (screen_tag, _typed_choices(screen))
        self._choices_shown.move_to_end(key)
        if len(self._choices_shown) > CHOICES_KEPT:
            self._choices_shown.popitem(last=False)

    def choices_shown(self, key: ConversationKey, screen_tag: str) -> dict[str, str] | None:
        """The choices ``remember_choices`` kept for this rendering; None when it was not this process's."""
        kept = self._choices_shown.get(key)
        return kept[1] if kept is not None and kept[0] == screen_tag else None

    def deep_link(self, payload: str) -> Command | None:
        """The command a deep link names: t.me/bot?start=job_42 arrives as "/start job_42". The payload is the
        longest command name it starts with, then "_" or "-" and the arguments (names hold underscores:
        job_files_42); None unless that command allows deep links (a link is not the person's own doing)."""
        payload = payload.strip()
        named = [name for name in self.commands if payload == name or payload.startswith((f"{name}_", f"{name}-"))]
        if not named or not self.commands[name := max(named, key=len)].deep_link:
            return None
        return Command(name, payload[len(name) + 1 :])

    def private_link(self, name: str, args: str) -> Link:
        """The deep link that runs ``/name args`` in the person's private chat with the bot (it arrives there as
        ``/start name-args``); the command alone when its arguments do not fit in a link; the private chat's menu
        for a command no link may run."""
        spec = self.commands.get(name)
        if spec is None or not spec.deep_link:
            return Link("menu")
        payload = f"{name}-{args}" if args else name
        return Link(payload if DEEP_LINK_PAYLOAD.fullmatch(payload) else name)

    @property
    def help_commands(self) -> list[CommandSpec]:
        return [spec for spec in self.commands.values() if spec.in_help]

    def knows(self, name: str) -> bool:
        return name in BUILTIN_COMMANDS or name in self.commands

    def answers_in_group(self, name: str) -> bool:
        """Whether /name answers in a group, for everyone there to read; anything else is for the private chat."""
        spec = self.commands.get(name)
        return name == "help" or (spec is not None and spec.in_groups)

    def meant_for_us(self, event: Inbound) -> bool:
        """In a group the bot takes the commands meant for it (named with its @, or a bare one it knows: other bots
        there have theirs) and presses on its own buttons; the members' chatter is not for it."""
        payload = event.payload
        if isinstance(payload, Command):
            return event.mentioned or self.knows(payload.name)
        return isinstance(payload, Click)

    async def handle(self, event: Inbound) -> list[Outbound]:
        """Run one turn; returns the replies for the chat the person acted in (notifications for anybody else
        are in the outbox by now, committed with the turn)."""
        key = (event.actor.platform, event.chat_id, event.actor.user_id)
        if event.chat_type == "group" and not self.meant_for_us(event):
            return []
        log.info(
            "inbound platform=%s chat=%s user=%s kind=%s update=%s",
            *key,
            type(event.payload).__name__.lower(),
            event.update_id,
        )
        async with self._locks.hold(key):
            replies, notified = await self._run(event)
        if notified:
            self.outbox_written.set()
        outbound = [self._addressed(event, index, screen) for index, screen in enumerate(replies)]
        for message in outbound:
            log.info(
                "outbound platform=%s chat=%s screen=%s buttons=%d edit=%s",
                message.chat.platform,
                message.chat.chat_id,
                message.screen.name or "-",
                len(message.screen.all_buttons()),
                message.replaces or "-",
            )
        return outbound

    async def inline(self, query: InlineQuery) -> InlineAnswer:
        """What to list for someone typing "@bot words" in any chat, in their language (their account's, else
        their platform's). Read-only and outside any turn: no conversation is loaded or saved, nothing is
        recorded, so answering cannot hold up or disturb anyone's chat. A failure lists nothing."""
        actor = query.actor
        try:
            async with self.database.transaction() as session:
                services = Services.bind(Repositories.bind(session), self.clock.now(), self.rules, self.payments)
                account = await services.accounts.for_identity(actor.platform, actor.user_id)
                locale = account.language if account else supported(actor.locale_hint) or self.default_language
                answer = await inline.answer(Ctx(services, actor, actor.user_id, account, locale), query)
        except Exception:
            log.exception("inline query failed platform=%s user=%s", actor.platform, actor.user_id)
            return InlineAnswer()
        log.info("inline platform=%s user=%s results=%d", actor.platform, actor.user_id, len(answer.results))
        return answer

    def _addressed(self, event: Inbound, index: int, screen: Screen) -> Outbound:
        """The first answer to a button press replaces the card it was on; an ephemeral screen shown in a group
        goes to the person's private chat where the platform has no "only you can see this" messages."""
        if screen.ephemeral and event.chat_id != event.actor.user_id and event.actor.platform not in self.ephemeral:
            return Outbound(ChatRef(event.actor.platform, event.actor.user_id), screen)
        if event.chat_type == "group":  # a card there is everyone's: a press answers below it, never over it
            return Outbound(event.chat, self._for_group(screen), group=True)
        if index == 0 and isinstance(event.payload, Click) and event.message_ref is not None:
            return Outbound(event.chat, screen.replace(edit=True), replaces=event.message_ref)
        return Outbound(event.chat, screen)

    def _for_group(self, screen: Screen) -> Screen:
        """A group's screen: its buttons that run a private command lead to the private chat instead, where the
        platform has link buttons (elsewhere the press answers with the way there)."""

        def private(button: Button) -> Button:
            action = button.action
            if (
                button.leads_somewhere
                or action.kind != RUN_COMMAND
                or not action.args
                or self.answers_in_group(action.args[0])
            ):
                return button
            return replace(button, link=self.private_link(action.args[0], " ".join(action.args[1:])))

        return screen.replace(buttons=tuple(tuple(private(button) for button in row) for row in screen.buttons))

    async def _run(self, event: Inbound) -> tuple[list[Screen], int]:
        """The replies to this chat, and how many notifications the turn queued for others."""
        refusal: UserError | None = None
        turn: _Turn | None = None
        cause = f"{event.actor.platform}:{event.update_id or uuid.uuid4().hex}"
        for _attempt in range(MAX_ATTEMPTS):
            try:
                async with self.database.transaction() as session:
                    repos = Repositories.bind(session)
                    if event.update_id is not None and not await repos.updates.first_time(
                        event.actor.platform, event.update_id, self.clock.now()
                    ):
                        log.info("duplicate update=%s ignored", event.update_id)
                        return [], 0
                    turn = await _Turn.open(self, repos, event)
                    if refusal is None:
                        await turn.dispatch()
                    else:
                        await turn.refuse(refusal)
                    await turn.persist()
                    await turn.note_seen()
                    notified = await write_notices(repos, turn.ctx.notifications.items, cause, turn.now)
                return turn.screens, notified
            except VersionConflict:
                log.info("version conflict, re-running turn user=%s", event.actor.user_id)
            except UserError as error:
                if refusal is not None:
                    raise
                refusal = error
            except Exception:
                log.exception(
                    "turn failed platform=%s chat=%s user=%s kind=%s flow=%s state=%s",
                    event.actor.platform,
                    event.chat_id,
                    event.actor.user_id,
                    type(event.payload).__name__,
                    turn.flow_name if turn else None,
                    turn.state if turn else None,
                )
                return [self._apology(turn.ctx.locale if turn else self._locale_hint(event))], 0
        return [self._apology(self._locale_hint(event))], 0

    def _locale_hint(self, event: Inbound) -> str:
        return supported(event.actor.locale_hint) or self.default_language

    def _apology(self, locale: str) -> Screen:
        return Screen(
            Translator(locale).t(
                N_("Sorry, something went wrong on our side and nothing was changed. Please try again.")
            ),
            name="error",
        )

    def timeout_screen(self, locale: str, flow_name: str) -> Screen:
        return timeout_notice.render(Translator(locale), **self._timeout_params(flow_name))

    def _timeout_params(self, flow_name: str) -> dict[str, Any]:
        flow = self.flows.get(flow_name)
        return {
            "flow_title": flow.title if flow else flow_name,
            "minutes": int(self.idle_timeout.total_seconds() // 60),
        }

    async def expire_idle(self, batch: int = 200) -> int:
        """Close conversations idle past the timeout (also those that went idle while we were down), each in
        its own transaction with the notice to its chat in the outbox; returns how many were closed."""
        async with self.database.transaction() as session:
            due = await Repositories.bind(session).conversations.idle_since(self.clock.now(), batch)
        closed = 0
        for row in due:
            key = (row.platform, row.chat_id, row.user_id)
            async with self._locks.hold(key), self.database.transaction() as session:
                repos = Repositories.bind(session)
                if not await repos.conversations.remove(key, row.version):
                    continue
                left = self.unfinished(row)
                if left is not None:
                    idle = Inbound(Actor(row.platform, row.user_id), row.chat_id, Text(""))
                    on_leave, data = left
                    await on_leave((await _Turn.open(self, repos, idle)).ctx, data)
                notice = pending(0, timeout_notice, self._timeout_params(row.flow))
                await repos.outbox.add(
                    {
                        "recipient_id": None,
                        "platform": row.platform,
                        "chat_id": row.chat_id,
                        "kind": notice.kind,
                        "payload": {**notice.payload, "locale": row.locale},
                        "dedupe_key": f"timeout:{row.platform}:{row.chat_id}:{row.user_id}:{row.version}"[:160],
                        "priority": notice.priority,
                        "created_at": self.clock.now(),
                        "next_attempt_at": self.clock.now(),
                    }
                )
            log.info("timeout platform=%s chat=%s user=%s flow=%s", *key, row.flow)
            closed += 1
        if closed:
            self.outbox_written.set()
        return closed

    def unfinished(self, row: StoredConversation) -> tuple[OnLeave, Any] | None:
        """The on_leave hook and data of a conversation closed unfinished, when its flow has such a hook."""
        flow = self.flows.get(row.flow)
        if flow is None or flow.on_leave is None:
            return None
        try:
            return flow.on_leave, flow.data_model.model_validate(row.data)
        except ValidationError:
            return None

    async def run_sweep(self, sweep: Sweep) -> int:
        """Run a scheduled sweep: its due items are listed, then each is handled in a transaction of its own with
        its notices, so one bad item is logged and skipped without holding back the rest. Returns items done."""
        async with self.database.transaction() as session:
            services = Services.bind(
                Repositories.bind(session), self.clock.now(), self.rules, self.payments, self.file_sources
            )
            items = await sweep.due(services)
        done = 0
        for item in items:
            try:
                async with self.database.transaction() as session:
                    repos = Repositories.bind(session)
                    services = Services.bind(repos, self.clock.now(), self.rules, self.payments, self.file_sources)
                    notices = NoticeList()
                    await sweep.handle(services, item, notices)
                    await write_notices(repos, notices.items, f"{sweep.name}:{uuid.uuid4().hex}", self.clock.now())
            except Exception:
                log.exception("sweep %s: item %r failed; the others go on", sweep.name, item)
                continue
            done += 1
            if notices.items:
                self.outbox_written.set()
        return done

    async def locale_of(self, platform: str, chat_id: str, user_id: str, locale_hint: str | None = None) -> str:
        """The language a user is spoken to in: their account's, else their sign-up's, else their platform's."""
        async with self.database.transaction() as session:
            event = Inbound(Actor(platform, user_id, locale_hint=locale_hint), chat_id, Text(""))
            return (await _Turn.open(self, Repositories.bind(session), event)).ctx.locale

    def bill(self, payload: str) -> Bill | None:
        """The bill an invoice's payload names, if we signed it."""
        try:
            return Bill.of(self.codec.unpack(payload))
        except InvalidAction:
            return None

    async def checkout(self, actor: Actor, query: Checkout, *, within: float) -> str | None:
        """Whether the platform may take a payment it is about to make for one of our invoices: None to take
        it, else why not, as plain text in the payer's language. Answered within ``within`` seconds (the
        platform's deadline, less a margin), outside the chat's turns; a check that takes longer refuses."""
        async with self.database.transaction() as session:
            services = Services.bind(Repositories.bind(session), self.clock.now(), self.rules, self.payments)
            account = await services.accounts.for_identity(actor.platform, actor.user_id)
            locale = account.language if account else supported(actor.locale_hint) or self.default_language
            try:
                if actor.platform not in self.payment_platforms:
                    raise UserError(N_("Payments in the chat are turned off. Open the contract to fund the milestone."))
                check = services.checkout.check(account, self.bill(query.payload), query.total_minor, query.currency)
                await asyncio.wait_for(check, within)
            except UserError as refused:
                log.info("checkout refused user=%s: %s", actor.user_id, refused.message_id)
                return plain(Translator(locale).t(refused.message_id, **refused.params))
            except TimeoutError:
                log.warning("checkout not checked within %ss user=%s", within, actor.user_id)
                return plain(Translator(locale).t(N_("We couldn't check this payment in time. Please try again.")))
        return None

    async def resume_screen(self, platform: str, chat_id: str, user_id: str, locale_hint: str | None = None) -> Screen:
        """Where a user is, re-rendered (the console shows it when it starts again and on /as): their flow's
        step; else their home, the main menu or the way to sign up. An idle conversation is left for the
        timeout sweep to close and announce."""
        async with self.database.transaction() as session:
            event = Inbound(Actor(platform, user_id, locale_hint=locale_hint), chat_id, Text(""))
            turn = await _Turn.open(self, Repositories.bind(session), event)
            await turn.show_where_we_are()
            if turn.flow is not None:
                await turn.persist()
        return turn.screens[-1]


class _Turn:
    """The handling of one event inside one transaction."""

    def __init__(
        self, engine: Engine, repos: Repositories, event: Inbound, ctx: Ctx, row: StoredConversation | None
    ) -> None:
        self.engine = engine
        self.repos = repos
        self.event = event
        self.ctx = ctx
        self.row = row
        self.key: ConversationKey = (event.actor.platform, event.chat_id, event.actor.user_id)
        self.now = ctx.now
        self.screens: list[Screen] = []
        self.flow: Flow | None = None
        self.state: str | None = None
        self.form_progress: dict[str, Any] | None = None
        self.left: list[tuple[OnLeave, Any]] = []  # flows left unfinished this turn, told so on saving
        if row is not None:
            self._restore(row)

    @classmethod
    async def open(cls, engine: Engine, repos: Repositories, event: Inbound) -> _Turn:
        """Resolve the account and load the conversation of the event's (platform, chat, user)."""
        services = Services.bind(repos, engine.clock.now(), engine.rules, engine.payments, engine.file_sources)
        actor = event.actor
        account = await services.accounts.for_identity(actor.platform, actor.user_id)
        row = await repos.conversations.get((actor.platform, event.chat_id, actor.user_id))
        if account:
            locale = account.language
        elif row:
            locale = row.locale
        else:
            locale = supported(actor.locale_hint) or engine.default_language
        pays = actor.platform in engine.payment_platforms
        in_group = event.chat_type == "group"
        ctx = Ctx(
            services, actor, event.chat_id, account, locale, admins=engine.admins, pays_in_chat=pays, in_group=in_group
        )
        return cls(engine, repos, event, ctx, row)

    def _restore(self, row: StoredConversation) -> None:
        if row.expires_at <= self.now:
            self.show(self.engine.timeout_screen(self.ctx.locale, row.flow))
            left = self.engine.unfinished(row)
            if left is not None:
                self.left.append(left)
            return
        flow = self.engine.flows.get(row.flow)
        try:
            if flow is None or flow.step(row.state) is None:
                raise LookupError(f"{row.flow}.{row.state}")
            self.ctx.data = flow.data_model.model_validate(row.data)
        except (LookupError, ValidationError):
            log.warning("conversation reset: stored state no longer fits flow=%s state=%s", row.flow, row.state)
            self.show(Screen(self.ctx.t(N_("Sorry, I couldn't pick up where we left off. Let's start that again."))))
            return
        self.flow, self.state = flow, row.state
        self.form_progress = row.form_progress
        self.ctx.screen_seq = row.screen_seq
        self.ctx.flow_nonce = row.flow_nonce

    @property
    def flow_name(self) -> str | None:
        return self.flow.name if self.flow else None

    @property
    def step(self) -> Step:
        if self.flow is None or self.state is None:
            raise RuntimeError("no active flow")
        return self.flow.steps[self.state]

    @property
    def modal_forms(self) -> bool:
        return self.event.actor.platform in self.engine.form_platforms

    # ---- saving ---------------------------------------------------------------------------------

    async def keep_what_was_left(self) -> None:
        """Run the on_leave hooks of the flows this turn left unfinished (each once)."""
        left, self.left = self.left, []
        for on_leave, data in left:
            await on_leave(self.ctx, data)

    async def persist(self) -> None:
        await self.keep_what_was_left()
        conversations = self.repos.conversations
        expected = self.row.version if self.row else None
        if self.flow is not None:
            saved = await conversations.save(
                self.key,
                expected,
                {
                    "flow": self.flow.name,
                    "state": self.state,
                    "data": self.ctx.data.model_dump(mode="json"),
                    "form_progress": self.form_progress,
                    "locale": self.ctx.locale,
                    "screen_seq": self.ctx.screen_seq,
                    "flow_nonce": self.ctx.flow_nonce,
                    "expires_at": self.now + self.engine.idle_timeout,
                    "updated_at": self.now,
                },
            )
        elif expected is not None:
            saved = await conversations.remove(self.key, expected)
        else:
            saved = True
        if not saved:
            raise VersionConflict

    async def note_seen(self) -> None:
        """Where the person was seen last is where their notifications go (this identity may have been made or
        linked by this very turn); one who blocked us and writes again gets what waited for them."""
        actor = self.event.actor
        if await self.repos.accounts.seen(actor.platform, actor.user_id, self.now):
            account = await self.repos.accounts.by_identity(actor.platform, actor.user_id)
            if account is not None:
                await self.repos.outbox.wake(account.id, self.now)

    # ---- showing --------------------------------------------------------------------------------

    def show(self, screen: Screen) -> None:
        self.screens.append(screen)

    async def render_current(
        self, notice: str = "", *, prompt_only: bool = False, page: int = 0, again: bool = False
    ) -> None:
        """Show the active step's screen (or, mid-form, the question being asked) with an optional notice;
        a choice longer than a select menu shows its ``page``, the step none the wiser. Each rendering's buttons
        replace the last one's, except ``again``: the same screen shown once more, whose buttons stay as they
        were (a double press must not make the buttons the person is looking at expire)."""
        if not again:
            self.ctx.screen_seq += 1
        screen = await self.step.show(self.ctx)
        self.engine.remember_choices(self.key, self.ctx.screen_tag, screen)
        screen = screen.replace(
            name=screen.name or f"{self.flow_name}.{self.state}",
            expects_text=screen.expects_text or self.step.accepts_text,
        )
        tag = self.ctx.screen_tag
        screen = self._paged(screen, page, lambda shown: Action(CHOICE_PAGE, (tag, str(shown))))
        if screen.form is not None and not self.modal_forms:
            if self.form_progress is None or self.form_progress.get("form") != screen.form.id:
                self.form_progress = {"form": screen.form.id, "index": 0, "values": {}}
            prompt = self._field_prompt(screen.form, self.form_progress["index"])
            text = prompt if prompt_only else f"{screen.text}\n\n{prompt}"
            screen = screen.replace(text=text, form=None, expects_text=True)
        self.show(screen.with_notice(notice) if notice else screen)

    def _paged(self, screen: Screen, page: int, page_action: Callable[[int], Action]) -> Screen:
        """``screen`` with page ``page`` of its choice, when it has more options than a select menu holds."""
        if screen.choice is None:
            return screen
        more, back = self.ctx.t(N_("More…")), self.ctx.t(N_("◀ Back"))
        return screen.replace(choice=page_choice(screen.choice, page, page_action=page_action, more=more, back=back))

    def _field_prompt(self, form: Form, index: int) -> str:
        field = form.fields[index]
        lines = [f"<b>{form.title}</b> · {index + 1}/{len(form.fields)}", field.label]
        if field.hint:
            lines.append(f"<i>{field.hint}</i>")
        if field.default:
            lines.append(self.ctx.t(N_("Now: {value}"), value=field.default))
            lines.append(self.ctx.t(N_("Send . to keep it.")))
        if not field.required:
            lines.append(self.ctx.t(N_("Send - to leave it empty.")))
        return "\n".join(lines)

    def home(self, notice: str = "") -> Screen:
        if self.ctx.in_group:  # nobody's menu is shown to a group
            screen = self.in_private(Command("menu"))
        else:
            screen = menu.main_menu(self.ctx) if self.ctx.account else menu.signed_out(self.ctx)
        return screen.with_notice(notice) if notice else screen

    async def show_where_we_are(self, notice: str = "") -> None:
        if self.flow is not None:
            await self.render_current(notice, again=True)
        else:
            self.show(self.home(notice))

    # ---- flow control ---------------------------------------------------------------------------

    def leave_flow(self, *, finished: bool = False) -> None:
        if self.flow is not None and self.flow.on_leave is not None and not finished:
            self.left.append((self.flow.on_leave, self.ctx.data))
        self.flow = self.state = self.form_progress = None
        self.ctx.data = None

    async def start_flow(self, name: str, *, data: dict[str, Any] | None = None, at: str = "") -> None:
        flow = self.engine.flows[name]
        if flow.needs_account and self.ctx.account is None:
            await self.run_command(Command("start"))
            return
        if at and flow.step(at) is None:
            raise FlowDefinitionError(f"flow {name!r} has no step {at!r} to start at")
        self.leave_flow()
        self.flow, self.state = flow, at or flow.start
        self.ctx.data = flow.data_model(**(data or {}))
        self.ctx.screen_seq, self.ctx.flow_nonce = 0, secrets.token_urlsafe(3)  # the old flow's buttons expire
        await self.render_current()

    async def apply(self, outcome: Outcome) -> None:
        if isinstance(outcome, Goto):
            if outcome.state not in self.step.goes_to:
                raise FlowDefinitionError(f"{self.flow_name}.{self.state} may not go to {outcome.state!r}")
            self.state, self.form_progress = outcome.state, None
            await self.render_current(outcome.notice)
        elif isinstance(outcome, Retry):
            await self.render_current(outcome.message, prompt_only=self.form_progress is not None)
        else:
            self.leave_flow(finished=True)
            self.show(outcome.screen)
            if outcome.then:
                await self.run_remembered(outcome.then)

    async def run_remembered(self, then: str) -> None:
        """Run what was asked for before the flow (e.g. ``job 999`` before signing up) in a savepoint: when it
        fails, only its own work is undone, the flow's (the new account) stands, and the reason shows on the
        screen the flow finished on."""
        name, _, args = then.partition(" ")
        shown = len(self.screens)
        try:
            async with self.repos.session.begin_nested():
                await self.run_command(Command(name, args))
        except UserError as error:
            del self.screens[shown:]
            self.screens[-1] = self.screens[-1].with_notice("⚠️ " + self.ctx.t(error.message_id, **error.params))

    async def refuse(self, error: UserError) -> None:
        """Bad input: everything the turn did was rolled back; show where we are with the reason."""
        message = "⚠️ " + self.ctx.t(error.message_id, **error.params)
        if self.flow is not None:
            try:
                await self.render_current(message, prompt_only=self.form_progress is not None)
                return
            except UserError:  # the step cannot even be shown any more (e.g. its job was deleted meanwhile)
                log.warning("flow=%s state=%s cannot be shown; leaving it", self.flow_name, self.state)
                self.leave_flow()
        self.show(self.home(message))

    # ---- routing --------------------------------------------------------------------------------

    async def dispatch(self) -> None:
        payload = self.event.payload
        if isinstance(payload, Text | AttachmentIn) and self.event.message_ref is not None:
            command = await self.repos.sent_messages.reply_command(
                self.event.actor.platform, self.event.chat_id, self.event.message_ref
            )
            if command is not None:
                await self.answer_by_reply(parse_command(f"/{command}") or Command("menu"), payload)
                return
        if isinstance(payload, Command):
            await self.run_command(payload)
        elif isinstance(payload, Click):
            await self.click(payload.packed_action)
        elif isinstance(payload, FormSubmit):
            await self.submit(payload)
        elif isinstance(payload, Text):
            await self.text(payload.text)
        elif isinstance(payload, PaymentIn):
            charge = Charge(
                self.event.actor.platform,
                payload.charge_id,
                payload.provider_charge_id,
                payload.total_minor,
                payload.currency,
            )
            paid = await checkout.payment_received(self.ctx, self.engine.bill(payload.payload), charge)
            if paid is not None:
                self.show(paid)
        elif isinstance(payload, AttachmentIn):
            if self.flow is None:
                await self.text("")
            else:
                await self.apply(await self.step.on_attachment(self.ctx, payload))

    async def answer_by_reply(self, command: Command, answer: Text | AttachmentIn) -> None:
        """A reply to one of our messages (a relayed message, a contract notice): run the command it names, which
        opens the writing step of that thread, and hand it the answer as if typed there."""
        await self.run_command(command)
        if self.flow is None or self.form_progress is not None:
            return
        self.screens.clear()
        if isinstance(answer, Text):
            await self.apply(await self.step.on_text(self.ctx, answer.text))
        else:
            await self.apply(await self.step.on_attachment(self.ctx, answer))

    async def run_command(self, command: Command, page: int = 0) -> None:
        ctx = self.ctx
        name = command.name
        if ctx.in_group and self.engine.knows(name) and not self.engine.answers_in_group(name):
            self.show(self.in_private(command))
        elif name == "cancel":
            if self.flow is None:
                self.show(self.home(ctx.t(N_("There is nothing to cancel."))))
            else:
                title = ctx.t(self.flow.title)
                self.leave_flow()
                self.show(self.home(ctx.t(N_("Cancelled: {flow}."), flow=title)))
        elif name == "help":
            self.show(menu.help_screen(ctx, self.engine.help_commands))
            if self.flow is not None:
                await self.render_current(
                    ctx.t(
                        N_("You are in the middle of <b>{flow}</b>: carry on below, or send /cancel."),
                        flow=ctx.t(self.flow.title),
                    )
                )
        elif name == "start" and (linked := self.engine.deep_link(command.args)) is not None:
            await self.run_command(linked)
        elif name in ("start", "menu") and ctx.account is not None:
            notice = ctx.t(N_("Left: {flow}."), flow=ctx.t(self.flow.title)) if self.flow else ""
            self.leave_flow()
            self.show(self.home(notice))
        elif name in ("start", "menu") or (
            name in self.engine.commands
            and ctx.account is None
            and self.engine.commands[name].needs_account
            and not ctx.in_group  # a command answering in a group shows what is public, to anyone
        ):
            await self.continue_signup(command)
        elif name in self.engine.commands:
            result = await self.engine.commands[name].run(ctx, command.args)
            if isinstance(result, StartFlow) and self.flow is not None and self.flow.on_leave is not None:
                # Leaving this flow keeps something (a post's draft): keep it now, and ask the command again,
                # so /post_job typed in the middle of a post offers to resume it.
                self.leave_flow()
                await self.keep_what_was_left()
                result = await self.engine.commands[name].run(ctx, command.args)
            if isinstance(result, StartFlow):
                await self.start_flow(result.flow, data=result.data, at=result.at)
            else:
                words = command.args.split()
                self.show(self._paged(result, page, lambda shown: Action(COMMAND_PAGE, (str(shown), name, *words))))
        else:
            await self.show_where_we_are(
                ctx.t(N_("I don't know the command /{name}. Send /help to see what I can do."), name=name)
            )

    def in_private(self, command: Command) -> Screen:
        """Asked in a group for something personal (an account, a proposal, money): the way to the private chat,
        where the command runs; nothing of it is shown to the group."""
        ctx = self.ctx
        button = Button(
            ctx.t(N_("💬 Continue in private")),
            Action(RUN_COMMAND, (command.name, *command.args.split())),
            link=self.engine.private_link(command.name, command.args),
        )
        return Screen(
            ctx.t(N_("🔒 That is between you and me: tap below to carry on in our private chat.")),
            buttons=rows(button),
            name="in-private",
        )

    async def continue_signup(self, asked_for: Command) -> None:
        """Someone without an account asked for something: sign them up (or resume their sign-up), and
        remember what they asked for, e.g. a testimonial link, to do it once they have an account."""
        wanted = "" if asked_for.name in ("start", "menu") else f"{asked_for.name} {asked_for.args}".strip()
        if self.flow is not None and self.flow.name == SIGNUP_FLOW:
            if wanted:
                self.ctx.data.then = wanted
            notice = (
                self.ctx.t(N_("You need an account for that: let's finish signing up first."))
                if wanted
                else self.ctx.t(N_("Welcome back! Let's carry on where you left off."))
            )
            await self.render_current(notice)
        else:
            await self.start_flow(SIGNUP_FLOW, data={"then": wanted})

    async def refuse_press(self, notice: str, toast: str) -> None:
        """A press that changes nothing: where the person is, with why on top, and the why in passing (``toast``)
        where the platform can show it over the chat."""
        await self.show_where_we_are(notice)
        self.screens[-1] = self.screens[-1].replace(toast=toast)

    async def click(self, packed: str) -> None:
        try:
            action = self.engine.codec.unpack(packed)
        except ExpiredAction:
            await self.refuse_press(self.ctx.t(EXPIRED_BUTTON), self.ctx.t(EXPIRED_TOAST))
            return
        except InvalidAction as problem:
            log.warning("refused action id (%s) user=%s", problem, self.event.actor.user_id)
            await self.refuse_press(
                self.ctx.t(N_("That button isn't valid. Here is where you are.")),
                self.ctx.t(N_("⚠️ That button isn't valid.")),
            )
            return
        if action.kind == RUN_COMMAND and action.args:
            await self.run_command(Command(action.args[0], " ".join(action.args[1:])))
        elif action.kind == COMMAND_PAGE and len(action.args) >= 2 and action.args[0].isdigit():
            await self.run_command(Command(action.args[1], " ".join(action.args[2:])), page=int(action.args[0]))
        elif (
            action.kind == CHOICE
            and len(action.args) == 2
            and self.flow is not None
            and action.args[0] == self.ctx.screen_tag
        ):
            await self.apply(await self.step.on_click(self.ctx, action.args[1]))
        elif (
            action.kind == CHOICE_PAGE
            and len(action.args) == 2
            and self.flow is not None
            and action.args[0] == self.ctx.screen_tag
            and action.args[1].isdigit()
        ):
            await self.render_current(page=int(action.args[1]))
        else:
            await self.refuse_press(self.ctx.t(EXPIRED_BUTTON), self.ctx.t(EXPIRED_TOAST))

    async def text(self, text: str) -> None:
        if self.flow is None:
            if self.ctx.account is None:
                await self.start_flow(SIGNUP_FLOW)
            else:
                self.show(self.home(self.ctx.t(N_("Here is what you can do. Send /help for the commands."))))
        elif self.form_progress is not None:
            await self.answer_field(text)
        else:
            value = await self._typed_choice(text)
            outcome = await (
                self.step.on_click(self.ctx, value) if value is not None else self.step.on_text(self.ctx, text)
            )
            await self.apply(outcome)

    async def _typed_choice(self, text: str) -> str | None:
        """Typing a button's label counts as pressing it (as with a reply keyboard)."""
        choices = self.engine.choices_shown(self.key, self.ctx.screen_tag)
        if choices is None:  # rendered by another process, or before a restart
            choices = _typed_choices(await self.step.show(self.ctx))
        return choices.get(text.strip().casefold())

    async def _current_form(self) -> Form | None:
        return (await self.step.show(self.ctx)).form

    async def _checked(self, form: Form, index: int, raw: str) -> str:
        field = form.fields[index]
        if field.default and raw.strip() == ".":
            raw = field.default
        if len(raw) > field.max_length:
            raise UserError(
                N_("“{field}” is too long: at most {limit} characters, and you sent {length}."),
                field=field.label,
                limit=field.max_length,
                length=Count(len(raw)),
            )
        if not raw.strip() or (not field.required and raw.strip() == "-"):
            if field.required:
                raise UserError(N_("“{field}” can't be empty."), field=field.label)
            return ""
        return await self.step.check_field(self.ctx, field.name, raw)

    async def answer_field(self, raw: str) -> None:
        assert self.form_progress is not None
        form = await self._current_form()
        if form is None or form.id != self.form_progress["form"]:
            self.form_progress = None
            await self.render_current()
            return
        index = self.form_progress["index"]
        self.form_progress["values"][form.fields[index].name] = await self._checked(form, index, raw)
        if index + 1 < len(form.fields):
            self.form_progress["index"] = index + 1
            await self.render_current(prompt_only=True)
        else:
            values = self.form_progress["values"]
            self.form_progress = None
            await self.apply(await self.step.on_form(self.ctx, values))

    async def submit(self, submitted: FormSubmit) -> None:
        form = await self._current_form() if self.flow is not None else None
        if form is None or form.id != submitted.form_id:
            await self.show_where_we_are(
                self.ctx.t(N_("That form belongs to an earlier screen and no longer applies. Here is where you are."))
            )
            return
        values, problems = {}, []
        for index, field in enumerate(form.fields):
            try:
                values[field.name] = await self._checked(form, index, submitted.values.get(field.name, ""))
            except UserError as error:
                problems.append("⚠️ " + self.ctx.t(error.message_id, **error.params))
        if problems:
            await self.apply(Retry("\n".join(problems)))
        else:
            await self.apply(await self.step.on_form(self.ctx, values))


def _typed_choices(screen: Screen) -> dict[str, str]:
    """The value each of the screen's choice buttons and options stands for, by its label casefolded (the first
    one where two share a label): typing the label presses it."""
    labelled = [(b.label, b.action) for b in screen.all_buttons()]
    labelled += [(o.label, o.action) for o in screen.choice.options] if screen.choice else []
    choices: dict[str, str] = {}
    for label, action in labelled:
        if action.kind == CHOICE:
            choices.setdefault(label.casefold(), action.args[1])
    return choices
