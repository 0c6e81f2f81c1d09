"""The dispatcher: every message leaves through here, replies and outbox notifications alike.

Notifications: claim due outbox rows (a lease, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), route each to one
identity of its recipient, render it in their language, send it within the platform's budget, and record what the
platform said: sent (with its message id), retry after N s (that chat alone waits), unreachable (the identity is
passed over until the person writes again; the row re-routes or waits), or a transient error (exponential
backoff, parked for `gigbot doctor` after the last attempt). Rows of one chat go in order; chats go side by side.

Replies: a turn's screens for the chat the person acted in go out at once through the same budget. Either way, a
screen too long for the platform goes as several messages (``fit``), and a message that can be answered by
replying to it is remembered with the command the answer runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.conversations.notices import render_notice
from bot.core.budget import Rates, SendBudget
from bot.core.clock import Clock
from bot.core.delivery import FrontEnd, PacedFrontEnd, RetryAfter, SendOutcome, Sent, TransientError, Unreachable
from bot.core.events import ChatRef, Outbound
from bot.core.files import FileService, FileSource, FileUnavailable
from bot.core.fit import fit
from bot.core.i18n import Translator
from bot.core.routing import choose_identity
from bot.core.ui import PlatformLimits, limits_for
from bot.storage.db import Database
from bot.storage.orm import OutboxRow
from bot.storage.repositories import Repositories

log = logging.getLogger("gigbot.dispatcher")

REPLY_ATTEMPTS = 3  # transient errors before a reply is given up
REPLY_BACKOFF_SECONDS = 0.5
REPLY_RATE_LIMITS = 10  # rate limits a reply waits out (each says how long) before it is given up
CLAIM_AHEAD_ROWS = 10  # rows still to send when the next batch is claimed: longer than rendering one takes
PAUSE_MARGIN_SECONDS = 0.25  # a row due in a paused chat comes back after the rows the 429 rescheduled


@dataclass(frozen=True)
class OutboxPolicy:
    batch: int = 50
    lease_seconds: float = 30
    max_attempts: int = 8
    backoff_base_seconds: float = 5
    backoff_cap_seconds: float = 3600
    unserved_retry_seconds: float = 60  # no front end here for any identity of the recipient: look again later
    poll_seconds: float = 2  # how often to look for rows other processes (or sweeps) wrote


@dataclass
class _Ready:
    """A claimed row with where it goes and what it says."""

    row: OutboxRow
    message: Outbound
    identity_user: str | None  # the platform user id routing picked (None for a row addressed to a chat)


@dataclass
class _Batch:
    """Claimed rows ready to go, by chat, counting down to the moment the next batch should be claimed."""

    claimed: int
    by_chat: dict[ChatRef, list[_Ready]]
    left: int  # rows neither sent nor given back yet
    nearly_done: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        if self.left <= CLAIM_AHEAD_ROWS:
            self.nearly_done.set()

    def settled(self, rows: int) -> None:
        self.left -= rows
        if self.left <= CLAIM_AHEAD_ROWS:
            self.nearly_done.set()


async def _first_of(task: asyncio.Task[None], event: asyncio.Event) -> None:
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


class Dispatcher:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        front_ends: Mapping[str, FrontEnd],
        *,
        budgets: Mapping[str, Rates] | None = None,
        policy: OutboxPolicy = OutboxPolicy(),
        default_language: str = "en",
        wake: asyncio.Event | None = None,
        limits: Callable[[str], PlatformLimits] = limits_for,
        file_sources: Mapping[str, FileSource] | None = None,
    ) -> None:
        """``file_sources``: the platforms that keep the files notifications carry, to fetch bytes for another."""
        self.database = database
        self.clock = clock
        self.rates = dict(budgets or {})
        self.front_ends: dict[str, FrontEnd] = {}
        self.budgets: dict[str, SendBudget] = {}
        self._paced: set[str] = set()  # platforms whose front end takes the budget itself
        for front_end in front_ends.values():
            self.attach(front_end)
        self.policy = policy
        self.default_language = default_language
        self.limits = limits  # each platform's message limits, that ``fit`` splits screens to
        self.file_sources = file_sources if file_sources is not None else {}
        self._batch_lock = asyncio.Lock()
        self._sending: dict[ChatRef, asyncio.Event] = {}  # chats a batch is sending to: set once it is done
        self.wake = wake or asyncio.Event()  # set by the engine when a turn or a sweep queued notifications

    def attach(self, front_end: FrontEnd) -> None:
        """Serve one more platform (routing only picks identities on platforms attached here)."""
        platform = front_end.platform
        self.front_ends[platform] = front_end
        budget = self.budgets[platform] = SendBudget(self.rates.get(platform, Rates()))
        if isinstance(front_end, PacedFrontEnd):
            front_end.attach_budget(budget)
            self._paced.add(platform)

    # ---- replies --------------------------------------------------------------------------------

    async def send_now(self, message: Outbound) -> SendOutcome:
        """Send one reply to the chat the person acted in (through the budget); returns what the platform said."""
        outcome = await self._send(message, reply=True)
        if isinstance(outcome, Sent) and message.screen.reply_to:
            async with self.database.transaction() as session:
                await self._remember(Repositories.bind(session), message, outcome)
        return outcome

    async def _send(self, message: Outbound, *, reply: bool = False) -> SendOutcome:
        """Send a screen as the platform can take it: split by ``fit`` into as many messages as its limits need
        (the buttons on the last), each within the budget. Returns the last message's outcome, or the first
        that was not "sent"."""
        chat = message.chat
        outcome: SendOutcome = TransientError("nothing to send")
        for index, part in enumerate(fit(message.screen, self.limits(chat.platform))):
            one = Outbound(chat, part, message.replaces if index == 0 else None, group=message.group)
            outcome = await (self._send_reply_part(one) if reply else self._send_part(one))
            if not isinstance(outcome, Sent):
                break
        return outcome

    async def _send_reply_part(self, message: Outbound) -> SendOutcome:
        """A reply has no outbox row to wait in, so it is tried again here, part by part (the parts already sent
        are not sent again): after a rate limit once the chat's pause is over (the budget waits for it), after
        a transient error with a short backoff."""
        failures = rate_limits = 0
        while True:
            outcome = await self._send_part(message)
            if isinstance(outcome, TransientError):
                failures += 1
                if failures >= REPLY_ATTEMPTS:
                    return outcome
                await asyncio.sleep(REPLY_BACKOFF_SECONDS * failures)
            elif isinstance(outcome, RetryAfter):
                rate_limits += 1
                if rate_limits > REPLY_RATE_LIMITS:
                    return outcome
            else:
                return outcome

    async def _send_part(self, message: Outbound) -> SendOutcome:
        """One message, within the budget (taken here unless the front end takes it in its own calls)."""
        chat = message.chat
        budget = self.budgets[chat.platform]
        try:
            if chat.platform in self._paced:
                outcome = await self.front_ends[chat.platform].send(message)
            else:
                async with budget.sending(chat.chat_id, group=message.group):
                    outcome = await self.front_ends[chat.platform].send(message)
        except Exception as error:  # a front end must report, not raise; treat a crash as transient
            log.exception("send failed platform=%s chat=%s", chat.platform, chat.chat_id)
            outcome = TransientError(f"{type(error).__name__}: {error}")
        if isinstance(outcome, RetryAfter):
            budget.pause(chat.chat_id, outcome.seconds)
        return outcome

    async def _remember(self, repos: Repositories, message: Outbound, sent: Sent) -> None:
        await repos.sent_messages.remember(
            message.chat.platform, message.chat.chat_id, sent.message_id, " ".join(message.screen.reply_to), self._now()
        )

    def _now(self) -> datetime:
        return self.clock.now()

    def _later(self, seconds: float) -> datetime:
        return self._now() + timedelta(seconds=seconds)

    # ---- the outbox ------------------------------------------------------------------------------

    async def deliver_due(self, stop: asyncio.Event | None = None) -> int:
        """Claim and deliver batches of due rows until one comes back short (or ``stop`` is set: the batches
        claimed already are delivered); returns how many rows were claimed.

        A full batch means more rows are waiting (a fan-out): when only its last few rows are still to go, the
        next batch is claimed, rendered and started, so the sending never stops between batches and the
        platform's budget is used whole. Claimed that late, not at once, a person-to-person notice written
        meanwhile still goes ahead of the alerts behind it. A chat's rows go in order across batches (a chat
        the previous batch is still sending to waits for it). Batches of one process are delivered by one
        caller at a time, so a drain returns only once what another had claimed is out too."""
        async with self._batch_lock:
            total = 0
            delivering: list[asyncio.Task[None]] = []
            try:
                batch = await self._claim_batch()
                while batch is not None:
                    total += batch.claimed
                    delivery = asyncio.create_task(self._deliver(batch))
                    delivering.append(delivery)
                    if batch.claimed < self.policy.batch:
                        break
                    await _first_of(delivery, batch.nearly_done)
                    if delivery.done():
                        delivery.result()  # a batch that failed stops the claiming
                    if stop is not None and stop.is_set():
                        break
                    batch = await self._claim_batch()
                await asyncio.gather(*delivering)
            except BaseException:
                for delivery in delivering:
                    delivery.cancel()  # rows it had not recorded come back when their lease ends
                raise
            return total

    async def _claim_batch(self) -> _Batch | None:
        now = self._now()
        lease_until = now + timedelta(seconds=self.policy.lease_seconds)
        async with self.database.transaction() as session:
            claimed = await Repositories.bind(session).outbox.claim_due(now, lease_until, self.policy.batch)
        if not claimed:
            return None
        by_chat = await self._prepare(claimed)
        return _Batch(len(claimed), by_chat, sum(len(items) for items in by_chat.values()))

    async def _deliver(self, batch: _Batch) -> None:
        await asyncio.gather(*(self._deliver_in_turn(chat, items, batch) for chat, items in batch.by_chat.items()))

    async def _deliver_in_turn(self, chat: ChatRef, items: list[_Ready], batch: _Batch) -> None:
        """A chat's rows, after those an earlier batch still has on their way to it."""
        earlier = self._sending.get(chat)
        done = self._sending[chat] = asyncio.Event()
        try:
            if earlier is not None:
                await earlier.wait()
            await self._deliver_chat(chat, items, batch)
        finally:
            done.set()
            if self._sending.get(chat) is done:
                del self._sending[chat]

    async def drain(self) -> int:
        """Deliver until nothing is due (tests, and a sweep that wants its notices out before it returns)."""
        total = 0
        while claimed := await self.deliver_due():
            total += claimed
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set: at once when a turn wrote notifications (``wake``), else every poll."""
        while not stop.is_set():
            try:
                await self.deliver_due(stop)
            except Exception:
                log.exception("dispatch failed; trying again shortly")
            self.wake.clear()
            waiters = [asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stop.wait())]
            try:
                await asyncio.wait(waiters, timeout=self.policy.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    async def _prepare(self, claimed: Sequence[OutboxRow]) -> dict[ChatRef, list[_Ready]]:
        """Route and render every claimed row, by chat; rows that cannot go now are rescheduled, waited or parked."""
        batch: dict[ChatRef, list[_Ready]] = {}
        now = self._now()
        async with self.database.transaction() as session:
            repos = Repositories.bind(session)
            for row in claimed:
                try:
                    ready = await self._address(repos, row)
                except FileUnavailable:
                    log.info("outbox row %s (%s) waits for a file's bytes", row.id, row.kind)
                    await self._back_off(repos, row, "a file's bytes could not be fetched")
                    continue
                except Exception as error:
                    log.exception("outbox row %s (%s) cannot be rendered; parked", row.id, row.kind)
                    await repos.outbox.park(row.id, now, f"render: {type(error).__name__}: {error}")
                    continue
                if ready is not None:
                    batch.setdefault(ready.message.chat, []).append(ready)
        return batch

    async def _address(self, repos: Repositories, row: OutboxRow) -> _Ready | None:
        now = self._now()
        payload = row.payload
        if row.recipient_id is None:
            assert row.platform is not None
            assert row.chat_id is not None
            if row.platform not in self.front_ends:
                await repos.outbox.retry_at(row.id, self._later(self.policy.unserved_retry_seconds), None, counts=False)
                return None
            chat, language, user, timezone = ChatRef(row.platform, row.chat_id), payload.get("locale"), None, None
        else:
            account = await repos.accounts.get(row.recipient_id)
            if account is None or account.deleted_at is not None:
                await repos.outbox.drop(row.id, now, "recipient deleted their account")
                return None
            identities = await repos.accounts.identities(account.id)
            identity = choose_identity(identities, account.notify_platform, self.front_ends.keys())
            if identity is None:
                if any(i.unreachable_at is None for i in identities):
                    later = self._later(self.policy.unserved_retry_seconds)
                    await repos.outbox.retry_at(row.id, later, "no front end for the recipient here", counts=False)
                else:
                    await repos.outbox.wait_for_recipient(row.id, "every identity of the recipient is unreachable")
                return None
            # A private chat's id is the user's id on that platform; front ends open the DM where needed.
            user = identity.platform_user_id
            chat, language, timezone = ChatRef(identity.platform, user), account.language, account.timezone
        screen = render_notice(row.kind, payload, Translator(language or self.default_language, timezone))
        files = FileService(repos, now, self.file_sources)
        for file_id in payload.get("files", []):
            attachment = await files.attachment(file_id, chat.platform)
            if attachment is not None:  # a file deleted meanwhile is left out
                screen = screen.replace(attachments=(*screen.attachments, attachment))
        return _Ready(row, Outbound(chat, screen), user)

    async def _deliver_chat(self, chat: ChatRef, items: list[_Ready], batch: _Batch) -> None:
        """Send one chat's rows in order; a rate limit or an unreachable chat stops the rest of them here. A chat
        still paused by a rate limit is not tried: its rows come back after the pause, the other chats go on."""
        paused = self.budgets[chat.platform].paused_for(chat.chat_id)
        if paused > 0:
            again = self._later(paused + PAUSE_MARGIN_SECONDS)
            async with self.database.transaction() as session:
                repos = Repositories.bind(session)
                for item in items:
                    await repos.outbox.retry_at(item.row.id, again, None, counts=False)
            batch.settled(len(items))
            return
        for index, item in enumerate(items):
            outcome = await self._send(item.message)
            async with self.database.transaction() as session:
                repos = Repositories.bind(session)
                stop = await self._record(repos, item, outcome)
                if stop:  # rate limited: after the pause; unreachable: now, to be routed again
                    again = self._later(outcome.seconds) if isinstance(outcome, RetryAfter) else self._now()
                    for rest in items[index + 1 :]:
                        await repos.outbox.retry_at(rest.row.id, again, None, counts=False)
            batch.settled(len(items) - index if stop else 1)
            if stop:
                return

    async def _record(self, repos: Repositories, item: _Ready, outcome: SendOutcome) -> bool:
        """Write what the platform said; True when the chat's other rows must wait too."""
        row, chat, now = item.row, item.message.chat, self._now()
        if isinstance(outcome, Sent):
            await repos.outbox.sent(row.id, now, chat.platform, chat.chat_id, outcome.message_id)
            if item.message.screen.reply_to:
                await self._remember(repos, item.message, outcome)
            return False
        if isinstance(outcome, RetryAfter):
            log.info("rate limited platform=%s chat=%s for %.1fs", chat.platform, chat.chat_id, outcome.seconds)
            await repos.outbox.retry_at(row.id, self._later(outcome.seconds), "rate limited", counts=False)
            return True
        if isinstance(outcome, Unreachable):
            log.info("unreachable platform=%s chat=%s: %s", chat.platform, chat.chat_id, outcome.reason)
            if item.identity_user is not None:
                await repos.accounts.mark_unreachable(chat.platform, item.identity_user, now)
                await repos.outbox.retry_at(row.id, now, f"unreachable: {outcome.reason}", counts=False)
            else:
                await repos.outbox.park(row.id, now, f"unreachable: {outcome.reason}")
            return True
        await self._back_off(repos, row, outcome.reason)
        return False

    async def _back_off(self, repos: Repositories, row: OutboxRow, reason: str) -> None:
        """A failed attempt: try again after an exponential backoff, or park the row after the last attempt."""
        if row.attempts >= self.policy.max_attempts:
            log.warning("outbox row %s parked after %d attempts: %s", row.id, row.attempts, reason)
            await repos.outbox.park(row.id, self._now(), reason)
        else:
            delay = min(self.policy.backoff_cap_seconds, self.policy.backoff_base_seconds * 2 ** (row.attempts - 1))
            await repos.outbox.retry_at(row.id, self._later(delay), reason, counts=True)
