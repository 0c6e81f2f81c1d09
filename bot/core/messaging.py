"""Messages between a client and a freelancer, relayed by the bot, in one thread per relationship:
``proposal:<id>`` (opened by the proposal), ``invite:<job>:<freelancer>`` (opened by an invitation) and
``contract:<id>`` (opened by a contract; ``thread_for_contract``).

A thread exists only where the relationship does, so a freelancer can't write to a client before applying or
being invited. Only its two parties may read or write a thread; anyone else gets the same "not found" as for a
thread that does not exist. A client's first message on a proposal counts as answering it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.events import AttachmentIn
from bot.core.files import FileService
from bot.core.i18n import N_, Count
from bot.core.jobs import JobService
from bot.core.market import MarketRules
from bot.core.numbers import whole_number
from bot.core.proposals import ProposalService
from bot.storage.messages import InboxRow
from bot.storage.orm import MessageRow, ThreadRow
from bot.storage.repositories import Repositories

MESSAGE_MAX = 4_000


class ContractParties(Protocol):
    """What a thread needs of a contract (a ContractRow fits)."""

    id: int
    job_id: int | None
    client_id: int
    freelancer_id: int


@dataclass(frozen=True)
class Thread:
    id: int
    subject: str
    job_id: int | None
    job_title: str
    client_id: int
    freelancer_id: int
    other_id: int  # the party who is not the viewer
    other_name: str

    @property
    def proposal_id(self) -> int | None:
        kind, _, ident = self.subject.partition(":")
        return int(ident) if kind == "proposal" else None


@dataclass(frozen=True)
class Message:
    id: int
    sender_id: int | None
    sender_name: str
    text: str
    file_id: int | None
    file_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class Sent:
    """A message just sent, with what the recipient's notification needs."""

    thread: Thread
    message_id: int
    file_id: int | None = None


def clean_message(raw: str) -> str:
    text = raw.strip()
    if len(text) > MESSAGE_MAX:
        raise UserError(
            N_("A message can be at most {limit} characters, and yours has {length}. Please split it in two."),
            limit=Count(MESSAGE_MAX),
            length=Count(len(text)),
        )
    return text


def _not_found(thread_id: int | str) -> UserError:
    return UserError(N_("Conversation #{id} was not found."), id=str(thread_id)[:12])


class MessagingService:
    def __init__(self, repos: Repositories, now: datetime, rules: MarketRules) -> None:
        self._repos = repos
        self._messages = repos.messages
        self._now = now
        self._files = FileService(repos, now)
        self._proposals = ProposalService(repos, now, rules)
        self._jobs = JobService(repos, now)

    async def _view(self, row: ThreadRow, viewer_id: int) -> Thread:
        other_id = row.freelancer_id if viewer_id == row.client_id else row.client_id
        other = await self._repos.accounts.get(other_id)
        job = await self._repos.jobs.get(row.job_id) if row.job_id is not None else None
        return Thread(
            id=row.id,
            subject=row.subject,
            job_id=row.job_id,
            job_title=job.title if job else "",
            client_id=row.client_id,
            freelancer_id=row.freelancer_id,
            other_id=other_id,
            other_name=other.full_name if other else "",
        )

    async def _party_row(self, account: Account, thread_id: int | str) -> ThreadRow:
        row = await self._messages.get(ident) if (ident := whole_number(thread_id)) is not None else None
        if row is None or account.id not in (row.client_id, row.freelancer_id):
            raise _not_found(thread_id)
        return row

    # ---- opening threads ------------------------------------------------------------------------

    async def for_proposal(self, account: Account, proposal_id: int | str) -> Thread:
        """The thread of a proposal, for its freelancer or the client it was sent to."""
        proposal = await self._proposals.readable(account, proposal_id)
        row = await self._messages.open(
            f"proposal:{proposal.id}", proposal.job_id, proposal.client_id, proposal.freelancer_id, self._now
        )
        return await self._view(row, account.id)

    async def for_job(self, freelancer: Account, job_id: int | str) -> Thread:
        """A freelancer writing to a job's client: the thread of their proposal to it, else of their invitation.
        Someone who neither applied nor was invited is refused."""
        job = await self._jobs.visible(freelancer, job_id)
        if job.client_id == freelancer.id:
            raise UserError(N_("That is your own job post."))
        proposal = await self._proposals.active_on(freelancer, job.id)
        if proposal is not None:
            return await self.for_proposal(freelancer, proposal)
        if not await self._repos.jobs.is_invited(job.id, freelancer.id):
            raise UserError(
                N_("You can message this client once you have sent a proposal to their job or been invited to it.")
            )
        row = await self._messages.open(
            f"invite:{job.id}:{freelancer.id}", job.id, job.client_id, freelancer.id, self._now
        )
        return await self._view(row, freelancer.id)

    async def thread_for_contract(self, contract: ContractParties, viewer_id: int) -> Thread:
        """The thread of a contract (created on first use), as ``viewer_id`` sees it. The caller has checked that
        the viewer is a party of the contract."""
        if viewer_id not in (contract.client_id, contract.freelancer_id):
            raise UserError(N_("Contract #{id} was not found."), id=contract.id)
        row = await self._messages.open(
            f"contract:{contract.id}", contract.job_id, contract.client_id, contract.freelancer_id, self._now
        )
        return await self._view(row, viewer_id)

    async def note(self, thread_id: int, text: str) -> None:
        """A line from the bot in a thread (e.g. "offer sent"), shown to both parties."""
        row = await self._messages.get(thread_id)
        if row is not None:
            await self._messages.add(row, None, clean_message(text), None, self._now)

    # ---- reading and writing --------------------------------------------------------------------

    async def thread(self, account: Account, thread_id: int | str) -> Thread:
        return await self._view(await self._party_row(account, thread_id), account.id)

    async def send(self, sender: Account, thread_id: int | str, text: str, upload: AttachmentIn | None = None) -> Sent:
        """Store a message (text, a file, or both) from one party to the other."""
        row = await self._party_row(sender, thread_id)
        thread = await self._view(row, sender.id)
        other = await self._repos.accounts.get(thread.other_id)
        if other is None or other.deleted_at is not None:
            raise UserError(N_("{name} has left gigbot: they can't receive messages any more."), name=thread.other_name)
        text = clean_message(text)
        stored = await self._files.store(sender.id, upload) if upload is not None else None
        if not text and stored is None:
            raise UserError(N_("Please type a message or send a file."))
        message_id = await self._messages.add(row, sender.id, text, stored.id if stored else None, self._now)
        if sender.id == row.client_id and thread.proposal_id is not None:
            await self._proposals.client_answered(thread.proposal_id)
        return Sent(thread, message_id, stored.id if stored else None)

    async def page(
        self, account: Account, thread_id: int | str, page: int, size: int
    ) -> tuple[Thread, list[Message], int]:
        """One page of the thread's messages (page 1: the latest), oldest first within the page, and how many
        there are. Opening the latest page marks the thread read."""
        row = await self._party_row(account, thread_id)
        found = await self._messages.page(row.id, (page - 1) * size, size)
        if page == 1:
            await self._messages.mark_read(row.id, account.id, await self._messages.last_id(row.id))
        messages = [self._message(message, name, file_name) for message, name, file_name in reversed(found)]
        return await self._view(row, account.id), messages, await self._messages.count(row.id)

    @staticmethod
    def _message(row: MessageRow, name: str | None, file_name: str | None) -> Message:
        return Message(row.id, row.sender_id, name or "", row.text, row.file_id, file_name, row.created_at)

    async def inbox(self, account: Account, offset: int, limit: int) -> tuple[list[InboxRow], int]:
        return await self._messages.inbox(account.id, offset, limit), await self._messages.count_threads(account.id)

    async def unread(self, account: Account) -> int:
        return await self._messages.unread_total(account.id)

    async def files(self, account: Account, thread_id: int | str) -> tuple[Thread, list[int]]:
        """The ids of the files sent in the thread, oldest first."""
        row = await self._party_row(account, thread_id)
        return await self._view(row, account.id), await self._messages.file_ids(row.id)
