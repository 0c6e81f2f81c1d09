"""Disputes on a milestone or a weekly invoice: the money stays frozen in escrow until an admin decides.

Either party opens one on a funded, submitted or changes-requested milestone, or on an invoice under review;
the status becomes ``disputed`` by a conditional update from those states only, so of a concurrent approve and
dispute exactly one wins. Admins (config ``admins``) see the open ones oldest first with the evidence (terms,
the milestone or invoice, submissions, the contract's messages, the week's time entries) and release it all to
the freelancer, refund it all to the client, or split it. The resolution is claimed once (a second admin or a
double click is refused) and the money moves through the contracts service's settle functions, which move
each part through the ledger exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.accounts import Account
from bot.core.contracts import MILESTONE_STATUSES, Settlement
from bot.core.errors import UserError
from bot.core.i18n import N_, Money
from bot.core.profiles import clean_text
from bot.storage.orm import (
    ContractRow,
    DisputeRow,
    InvoiceRow,
    MilestoneRow,
    SubmissionRow,
    TimeEntryRow,
)
from bot.storage.repositories import Repositories

REASON_MAX = 1000
DISPUTABLE_MILESTONE = ("funded", "submitted", "changes")
DISPUTABLE_INVOICE = ("review",)
RESOLUTIONS = ("release", "refund", "split")
QUEUE_SIZE = 25
EVIDENCE_MESSAGES = 20


class Settler(Protocol):
    """The contracts service's settlement of a disputed milestone or invoice (each part moves once)."""

    async def settle_milestone(self, milestone_id: int, release_minor: int, refund_minor: int) -> Settlement: ...

    async def settle_invoice(self, invoice_id: int, pay_minor: int, refund_minor: int) -> Settlement: ...


@dataclass(frozen=True)
class Case:
    """A dispute with what it is about, as the queue and the resolution screens show it."""

    dispute: DisputeRow
    contract: ContractRow
    milestone: MilestoneRow | None
    invoice: InvoiceRow | None
    escrow_minor: int  # frozen and still to settle

    @property
    def subject(self) -> str:
        if self.milestone is not None:
            return self.milestone.description
        assert self.invoice is not None
        return self.invoice.week_start.isoformat()


@dataclass(frozen=True)
class Opened:
    case: Case
    other_id: int


@dataclass(frozen=True)
class ThreadMessage:
    sender: str | None  # None: the bot's own note
    text: str
    file_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class Evidence:
    case: Case
    client_name: str
    freelancer_name: str
    opened_by_name: str
    submissions: Sequence[SubmissionRow]
    messages: list[ThreadMessage]  # the latest EVIDENCE_MESSAGES, oldest first
    message_count: int
    time_entries: Sequence[TimeEntryRow]


@dataclass(frozen=True)
class Resolved:
    case: Case
    resolution: str
    freelancer_minor: int  # released to the freelancer (before the service fee)
    client_minor: int  # refunded to the client
    fee_minor: int = 0  # the service fee taken from ``freelancer_minor``


def _escrow(milestone: MilestoneRow | None, invoice: InvoiceRow | None) -> int:
    if milestone is not None:
        return milestone.funded_minor - milestone.released_minor - milestone.refunded_minor
    assert invoice is not None
    return invoice.amount_minor - invoice.paid_minor - invoice.refunded_minor


class DisputeService:
    def __init__(self, repos: Repositories, now: datetime, settler: Settler) -> None:
        self._repos = repos
        self._disputes = repos.disputes
        self._now = now
        self._settler = settler

    # ---- parties --------------------------------------------------------------------------------

    async def _target(
        self, account: Account, kind: str, target_id: int
    ) -> tuple[ContractRow, MilestoneRow | None, InvoiceRow | None]:
        """The milestone or invoice of a contract the account is a party to. Anyone else hears the same "not
        found" as for an id that does not exist, as /contract answers: a stranger learns nothing of it."""
        milestone = await self._disputes.milestone(target_id) if kind == "milestone" else None
        invoice = await self._disputes.invoice(target_id) if kind == "invoice" else None
        target = milestone or invoice
        contract = await self._disputes.contract(target.contract_id) if target is not None else None
        if contract is None or account.id not in (contract.client_id, contract.freelancer_id):
            if kind == "milestone":
                raise UserError(N_("Milestone #{id} was not found."), id=target_id)
            raise UserError(N_("Invoice #{id} was not found."), id=target_id)
        return contract, milestone, invoice

    async def may_open(self, account: Account, kind: str, target_id: int) -> None:
        """Refuse, before the reason is asked, a dispute that ``open`` would refuse: not a party, or nothing in
        escrow to freeze. Changes nothing."""
        _contract, milestone, invoice = await self._target(account, kind, target_id)
        if milestone is not None and milestone.status not in DISPUTABLE_MILESTONE:
            raise self._not_disputable(milestone.status, milestone=True)
        if invoice is not None and invoice.status not in DISPUTABLE_INVOICE:
            raise self._not_disputable(invoice.status, milestone=False)

    @staticmethod
    def _not_disputable(status: str, *, milestone: bool) -> UserError:
        if status == "disputed":
            return UserError(N_("There is already an open dispute on this; an admin will decide it."))
        if milestone:
            return UserError(
                N_("This milestone can't be disputed now: it is “{status}”."), status=MILESTONE_STATUSES[status]
            )
        return UserError(N_("Only an invoice under review can be disputed; this one is settled."))

    async def open(self, account: Account, kind: str, target_id: int, reason: str) -> Opened:
        """Open a dispute on a milestone or an invoice of the account's contract and freeze its money."""
        contract, milestone, invoice = await self._target(account, kind, target_id)
        text = clean_text(reason, REASON_MAX, multiline=True)
        if milestone is not None:
            frozen = await self._disputes.freeze_milestone(milestone.id, DISPUTABLE_MILESTONE)
        else:
            assert invoice is not None
            frozen = await self._disputes.freeze_invoice(invoice.id, DISPUTABLE_INVOICE)
        if not frozen:
            current = await (self._disputes.milestone(target_id) if milestone else self._disputes.invoice(target_id))
            assert current is not None
            raise self._not_disputable(current.status, milestone=milestone is not None)
        dispute = await self._disputes.add(
            DisputeRow(
                contract_id=contract.id,
                milestone_id=milestone.id if milestone else None,
                invoice_id=invoice.id if invoice else None,
                opened_by=account.id,
                reason=text,
                status="open",
                created_at=self._now,
            )
        )
        other_id = contract.freelancer_id if account.id == contract.client_id else contract.client_id
        return Opened(await self._case(dispute), other_id)

    # ---- admins ---------------------------------------------------------------------------------

    @staticmethod
    def _check_admin(account: Account, admins: frozenset[str]) -> None:
        if account.username not in admins:
            raise UserError(N_("Only gigbot admins can handle disputes."))

    async def _case(self, dispute: DisputeRow) -> Case:
        contract = await self._disputes.contract(dispute.contract_id)
        assert contract is not None
        milestone = await self._disputes.milestone(dispute.milestone_id) if dispute.milestone_id else None
        invoice = await self._disputes.invoice(dispute.invoice_id) if dispute.invoice_id else None
        return Case(dispute, contract, milestone, invoice, _escrow(milestone, invoice))

    async def queue(self, admin: Account, admins: frozenset[str]) -> list[Case]:
        """Open disputes, oldest first."""
        self._check_admin(admin, admins)
        return [await self._case(dispute) for dispute in await self._disputes.open_ones(QUEUE_SIZE)]

    async def _dispute(self, dispute_id: int) -> DisputeRow:
        dispute = await self._disputes.get(dispute_id)
        if dispute is None:
            raise UserError(N_("There is no dispute #{id}."), id=dispute_id)
        return dispute

    async def case(self, admin: Account, admins: frozenset[str], dispute_id: int) -> Case:
        self._check_admin(admin, admins)
        return await self._case(await self._dispute(dispute_id))

    async def evidence(self, admin: Account, admins: frozenset[str], dispute_id: int) -> Evidence:
        """Everything an admin reads before deciding."""
        case = await self.case(admin, admins, dispute_id)
        names = {}
        for person_id in (case.contract.client_id, case.contract.freelancer_id, case.dispute.opened_by):
            person = await self._repos.accounts.get(person_id) if person_id is not None else None
            names[person_id] = person.full_name if person is not None else ""
        messages, count = [], 0
        thread = await self._repos.messages.by_subject(f"contract:{case.contract.id}")
        if thread is not None:
            count = await self._repos.messages.count(thread.id)
            page = await self._repos.messages.page(thread.id, 0, EVIDENCE_MESSAGES)
            messages = [ThreadMessage(name, row.text, file, row.created_at) for row, name, file in reversed(page)]
        return Evidence(
            case,
            names[case.contract.client_id],
            names[case.contract.freelancer_id],
            names[case.dispute.opened_by],
            await self._disputes.submissions(case.milestone.id) if case.milestone else (),
            messages,
            count,
            await self._repos.contracts.time_in_week(case.contract.id, case.invoice.week_start) if case.invoice else (),
        )

    async def resolve(
        self, admin: Account, admins: frozenset[str], dispute_id: int, resolution: str, freelancer_minor: int = 0
    ) -> Resolved:
        """Decide a dispute once: ``release`` all to the freelancer, ``refund`` all to the client, or ``split``
        with ``freelancer_minor`` to the freelancer and the rest back to the client."""
        self._check_admin(admin, admins)
        case = await self._case(await self._dispute(dispute_id))
        if case.dispute.status != "open":
            raise UserError(N_("Dispute #{id} was already resolved."), id=dispute_id)
        if resolution not in RESOLUTIONS:
            raise UserError(N_("Choose Release, Refund or Split."))
        escrow = case.escrow_minor
        share = {"release": escrow, "refund": 0}.get(resolution, freelancer_minor)
        if share < 0:
            raise UserError(N_("The freelancer's share can't be negative."))
        if share > escrow:
            raise UserError(
                N_("The freelancer's share can't be more than the {amount} in escrow."),
                amount=Money(escrow, case.contract.currency),
            )
        if not await self._disputes.claim_resolution(dispute_id, resolution, share, admin.id, self._now):
            raise UserError(N_("Dispute #{id} was already resolved."), id=dispute_id)
        if case.milestone is not None:
            settled = await self._settler.settle_milestone(case.milestone.id, share, escrow - share)
        else:
            assert case.invoice is not None
            settled = await self._settler.settle_invoice(case.invoice.id, share, escrow - share)
        return Resolved(await self._case(case.dispute), resolution, share, escrow - share, settled.service_fee_minor)
