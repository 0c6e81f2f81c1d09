"""Contracts: an offer made on a proposal, accepted into a contract, fixed-price milestones with escrow, and
ending. Hourly time and weekly invoices are in bot/core/hourly.py.

Money moves only through the ledger (bot/core/ledger.py), whose keys derive from the escrow ref
("milestone:<id>" or "invoice:<id>"): a milestone is held once, released at most once and refunded at most
once. Every state change is first claimed by a conditional update of the milestone's status, so 50 clicks
on "Approve & pay", a replayed click and the auto-release sweep release it exactly once between them.

Paying part of a milestone keeps it one milestone: the part goes out of its escrow (a release of its own,
keyed by the confirmation it came from), ``released_minor`` grows, and the rest stays in the same escrow with
the same status, to be approved, paid in part again, refunded or disputed later. The client fee is refunded as
``client_fee(funded) - client_fee(released)`` (bot/core/fees.py).

Who may do what is checked here for every action (``MILESTONE_ACTIONS``): only the contract's client offers,
funds, approves, asks for changes, releases, adds milestones or asks for a refund; only its freelancer accepts,
submits or refunds; anyone who is not a party is told "not found". ``may`` answers the same question before a
confirmation or a form opens, so a refusal comes before anybody types anything. A milestone in dispute refuses
everything but ``settle_milestone``, which the disputes module calls once an admin has decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.fees import FeeRules, percent_of
from bot.core.i18n import N_, Money
from bot.core.jobs import FIXED_MAX_MINOR, FIXED_MIN_MINOR
from bot.core.ledger import LedgerService, escrow_key
from bot.core.market import MarketRules
from bot.core.messaging import MessagingService
from bot.core.money import CURRENCY, parse_amount
from bot.core.numbers import whole_number
from bot.core.proposals import (
    MAX_MILESTONES,
    MilestoneDraft,
    Proposal,
    ProposalService,
    check_bid,
    clean_milestone_text,
    parse_due_date,
)
from bot.storage.orm import ContractRow, InvoiceRow, MilestoneRow
from bot.storage.repositories import Repositories

WEEKLY_LIMIT_MAX_HOURS = 80
WEEKLY_LIMIT_DEFAULTS = {"lt30": 30, "gt30": 40}  # a job's hours per week -> an offer's weekly limit to start from
LATEST_START = timedelta(days=365)
END_REASONS = {
    "done": N_("The work is done"),
    "not_needed": N_("No longer needed"),
    "unresponsive": N_("The other side stopped answering"),
    "other": N_("Other"),
}
CONTRACT_STATUSES = {
    "offered": N_("Offer sent"),
    "active": N_("Active"),
    "ended": N_("Ended"),
    "declined": N_("Offer declined"),
    "withdrawn": N_("Offer withdrawn"),
}
MILESTONE_STATUSES = {
    "pending": N_("Not funded yet"),
    "funded": N_("Funded"),
    "submitted": N_("Work submitted"),
    "changes": N_("Changes requested"),
    "disputed": N_("In dispute"),
    "released": N_("Paid"),
    "refunded": N_("Refunded"),
}
RELEASABLE = ("funded", "submitted", "changes")  # the money is in escrow and nobody disputes it
# action on a milestone: (the party who may do it, the milestone statuses it starts from)
MILESTONE_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "fund": ("client", ("pending",)),
    "submit": ("freelancer", ("funded", "changes")),
    "changes": ("client", ("submitted",)),
    "approve": ("client", RELEASABLE),
    "part": ("client", RELEASABLE),
    "refund_ask": ("client", RELEASABLE),
    "refund": ("freelancer", RELEASABLE),
    "refund_no": ("freelancer", RELEASABLE),
}
# what someone who is not the right party is told, naming who may do it
ONLY_THE_PARTY = {
    "fund": N_("Only the client of this contract can fund its milestones."),
    "submit": N_("Only the freelancer of this contract can submit work."),
    "changes": N_("Only the client of this contract can request changes."),
    "approve": N_("Only the client of this contract can approve and pay."),
    "part": N_("Only the client of this contract can pay part of a milestone."),
    "refund_ask": N_("Only the client of this contract can ask for a refund."),
    "refund": N_("Only the freelancer of this contract can refund the client."),
    "refund_no": N_("Only the freelancer of this contract can answer a refund request."),
    "add": N_("Only the client of this contract can add milestones."),
}


class OfferTerms(BaseModel):
    """An offer as the client shapes it (kept in the conversation until it is sent)."""

    kind: Literal["hourly", "fixed"]
    title: str
    rate_minor: int | None = None  # hourly
    weekly_limit_hours: int | None = None  # hourly
    milestones: list[MilestoneDraft] = Field(default_factory=list)  # fixed
    start_date: date

    @property
    def total_minor(self) -> int:
        return sum(milestone.amount_minor for milestone in self.milestones)


@dataclass(frozen=True)
class OfferStart:
    """What an offer starts from: the proposal, its freelancer and the terms taken from it."""

    proposal_id: int
    freelancer_id: int
    freelancer_name: str
    terms: OfferTerms


@dataclass(frozen=True)
class Milestone:
    id: int
    contract_id: int
    position: int
    description: str
    amount_minor: int
    due_date: date | None
    status: str
    funded_minor: int
    released_minor: int
    refunded_minor: int
    submitted_at: datetime | None
    auto_release_at: datetime | None

    @classmethod
    def from_row(cls, row: MilestoneRow) -> Milestone:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})

    @property
    def in_escrow_minor(self) -> int:
        return self.funded_minor - self.released_minor - self.refunded_minor


@dataclass(frozen=True)
class Contract:
    id: int
    job_id: int | None
    proposal_id: int | None
    client_id: int
    freelancer_id: int
    title: str
    kind: str
    currency: str
    rate_minor: int | None
    weekly_limit_minutes: int | None
    fee_schedule: str
    fee_bp: int
    client_fee_bp: int
    status: str
    start_date: date
    offered_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    client_name: str = ""
    freelancer_name: str = ""

    @classmethod
    def from_row(cls, row: ContractRow, client_name: str = "", freelancer_name: str = "") -> Contract:
        names = {"client_name": client_name, "freelancer_name": freelancer_name}
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__ if name not in names}, **names)

    @property
    def fees(self) -> FeeRules:
        """The fee schedule as it was when the offer was made."""
        return FeeRules(self.fee_schedule, self.fee_bp, self.client_fee_bp)  # type: ignore[arg-type]

    def other_party(self, account_id: int) -> int:
        return self.freelancer_id if account_id == self.client_id else self.client_id


@dataclass(frozen=True)
class Invoice:
    id: int
    contract_id: int
    week_start: date
    minutes: int
    amount_minor: int
    status: str
    review_until: datetime
    paid_minor: int
    refunded_minor: int

    @classmethod
    def from_row(cls, row: InvoiceRow) -> Invoice:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Moved:
    """A milestone after an action, with its contract (for the notification to the other side)."""

    contract: Contract
    milestone: Milestone
    amount_minor: int = 0  # what the action moved (released, refunded, funded)
    fee_minor: int = 0  # on a release: the service fee taken from ``amount_minor``
    repeated: bool = False  # this very move had been done before: nothing moved now

    @property
    def net_minor(self) -> int:
        """What the freelancer receives of a release."""
        return self.amount_minor - self.fee_minor


@dataclass(frozen=True)
class Settlement:
    """What settling a dispute moved: paid to the freelancer (before ``service_fee_minor``) and refunded."""

    status: str
    released_minor: int
    refunded_minor: int
    service_fee_minor: int


def not_found(contract_id: int | str) -> UserError:
    return UserError(N_("Contract #{id} was not found."), id=str(contract_id).strip().removeprefix("#")[:12])


def _milestone_not_found(milestone_id: int | str) -> UserError:
    return UserError(N_("Milestone #{id} was not found."), id=str(milestone_id)[:12])


def _ident(raw: int | str) -> int | None:
    return whole_number(str(raw).strip().removeprefix("#"))


def check_weekly_limit(hours: int) -> int:
    if not 1 <= hours <= WEEKLY_LIMIT_MAX_HOURS:
        raise UserError(N_("The weekly limit must be from 1 to {max} hours."), max=WEEKLY_LIMIT_MAX_HOURS)
    return hours


def parse_weekly_limit(text: str) -> int:
    cleaned = text.strip().lower().removesuffix("hours").removesuffix("h").strip()
    hours = whole_number(cleaned.removeprefix("-"))
    if hours is None:
        raise UserError(N_("Type the weekly limit as a whole number of hours, like 20."))
    return check_weekly_limit(-hours if cleaned.startswith("-") else hours)


def parse_start_date(raw: str, today: date) -> date:
    try:
        start = date.fromisoformat(raw.strip())
    except ValueError:
        raise UserError(N_("Type the start date like {example}."), example=today.isoformat()) from None
    if not today <= start <= today + LATEST_START:
        raise UserError(N_("The start date must be between today and a year from now."))
    return start


def check_milestone_amount(minor: int) -> int:
    if not FIXED_MIN_MINOR <= minor <= FIXED_MAX_MINOR:
        raise UserError(
            N_("A milestone must be between {min} and {max}."),
            min=Money(FIXED_MIN_MINOR),
            max=Money(FIXED_MAX_MINOR),
        )
    return minor


def parse_milestone(text: str, today: date) -> MilestoneDraft:
    """ "Design mockups; 500; 2026-02-01" (the due date optional) -> a milestone, every part checked."""
    parts = [part.strip() for part in text.split(";")]
    if len(parts) not in (2, 3):
        raise UserError(N_("Type the milestone like this: Design mockups; 500; {example}"), example=today.isoformat())
    description = clean_milestone_text(parts[0])
    if parts[1].startswith("-"):
        raise UserError(N_("An amount can't be negative."))
    amount = check_milestone_amount(parse_amount(parts[1], minimum_minor=0))
    due = parse_due_date(parts[2], today) if len(parts) == 3 else None
    return MilestoneDraft(description=description, amount_minor=amount, due_date=due)


def check_part_payment(held: int, amount: int, currency: str) -> None:
    """Paying part of a milestone leaves something of the ``held`` escrow in it (else it is paying it all)."""
    if not 0 < amount < held:
        raise UserError(
            N_("A partial payment must be more than zero and less than the {amount} in escrow."),
            amount=Money(held, currency),
        )


def check_terms(terms: OfferTerms, today: date) -> None:
    """Every rule of an offer again, as it is sent: a stale or forged draft must not slip through."""
    if terms.kind == "hourly":
        if terms.rate_minor is None or terms.weekly_limit_hours is None:
            raise UserError(N_("An hourly offer needs a rate and a weekly limit."))
        check_bid(terms.rate_minor, hourly=True)
        check_weekly_limit(terms.weekly_limit_hours)
    else:
        if not 1 <= len(terms.milestones) <= MAX_MILESTONES:
            raise UserError(N_("A fixed-price offer needs 1 to {max} milestones."), max=MAX_MILESTONES)
        for milestone in terms.milestones:
            clean_milestone_text(milestone.description)
            check_milestone_amount(milestone.amount_minor)
            if milestone.due_date is not None and milestone.due_date < today:
                raise UserError(N_("A milestone's due date can't be in the past."))
        if terms.total_minor > FIXED_MAX_MINOR:
            raise UserError(
                N_("The milestones add up to {total}; a fixed-price contract can be at most {max}."),
                total=Money(terms.total_minor),
                max=Money(FIXED_MAX_MINOR),
            )
    if not today <= terms.start_date <= today + LATEST_START:
        raise UserError(N_("The start date must be between today and a year from now."))


class ContractService:
    def __init__(self, repos: Repositories, now: datetime, rules: MarketRules, ledger: LedgerService) -> None:
        self._repos = repos
        self._contracts = repos.contracts
        self._now = now
        self._rules = rules
        self._ledger = ledger
        self._proposals = ProposalService(repos, now, rules)
        self._messaging = MessagingService(repos, now, rules)

    @property
    def today(self) -> date:
        return self._now.date()

    # ---- reading --------------------------------------------------------------------------------

    async def _view(self, row: ContractRow) -> Contract:
        client = await self._repos.accounts.get(row.client_id)
        freelancer = await self._repos.accounts.get(row.freelancer_id)
        return Contract.from_row(row, client.full_name if client else "", freelancer.full_name if freelancer else "")

    async def _party_row(self, account: Account, contract_id: int | str) -> ContractRow:
        ident = _ident(contract_id)
        row = await self._contracts.get(ident) if ident is not None else None
        if row is None or account.id not in (row.client_id, row.freelancer_id):
            raise not_found(contract_id)
        return row

    async def readable(self, account: Account, contract_id: int | str) -> Contract:
        return await self._view(await self._party_row(account, contract_id))

    async def milestones(self, contract: Contract) -> list[Milestone]:
        return [Milestone.from_row(row) for row in await self._contracts.milestones(contract.id)]

    async def mine(self, account: Account, limit: int = 25) -> list[tuple[Contract, str]]:
        """The account's contracts and offers with the other party's name: offers first, then active ones."""
        return [(Contract.from_row(row), name) for row, name in await self._contracts.of_account(account.id, limit)]

    async def last_submission(self, milestone_id: int) -> tuple[str, list[int]] | None:
        row = await self._contracts.last_submission(milestone_id)
        return (row.message, list(row.file_ids)) if row else None

    # ---- offers ---------------------------------------------------------------------------------

    async def _offerable(self, client: Account, proposal_id: int | str) -> Proposal:
        proposal = await self._proposals.received_one(client, proposal_id)
        if proposal.status != "active":
            raise UserError(N_("You can make an offer on an active proposal only."))
        if await self._contracts.open_for_proposal(proposal.id) is not None:
            raise UserError(N_("You already made an offer on this proposal: see /contracts."))
        return proposal

    async def offer_terms(self, client: Account, proposal_id: int | str) -> OfferStart:
        """The terms of an offer the client may make, taken from the proposal: its rate with the weekly limit the
        job's hours per week suggest, or its milestones (one milestone of the whole bid if it has none)."""
        proposal = await self._offerable(client, proposal_id)
        if proposal.job_type == "hourly":
            job = await self._repos.jobs.get(proposal.job_id)
            hours = job.hours_per_week if job is not None else None
            terms = OfferTerms(
                kind="hourly",
                title=proposal.job_title,
                rate_minor=proposal.amount_minor,
                weekly_limit_hours=WEEKLY_LIMIT_DEFAULTS.get(hours or "", 40),
                start_date=self.today,
            )
        else:
            milestones = list(proposal.milestones) or [
                MilestoneDraft(description=proposal.job_title[:200], amount_minor=proposal.amount_minor)
            ]
            terms = OfferTerms(kind="fixed", title=proposal.job_title, milestones=milestones, start_date=self.today)
        return OfferStart(proposal.id, proposal.freelancer_id, proposal.freelancer_name, terms)

    async def billed_before(self, client_id: int, freelancer_id: int) -> int:
        return await self._ledger.billed_between(client_id, freelancer_id)

    async def send_offer(self, client: Account, proposal_id: int, terms: OfferTerms) -> Contract:
        """Store the offer (status ``offered``) with the fee schedule of today; the freelancer answers it."""
        proposal = await self._offerable(client, proposal_id)
        check_terms(terms, self.today)
        fees, hourly = self._rules.fees, terms.kind == "hourly"
        row = ContractRow(
            job_id=proposal.job_id,
            proposal_id=proposal.id,
            client_id=client.id,
            freelancer_id=proposal.freelancer_id,
            title=terms.title[:100],
            kind=terms.kind,
            currency=CURRENCY,
            rate_minor=terms.rate_minor if hourly else None,
            weekly_limit_minutes=(terms.weekly_limit_hours or 0) * 60 if hourly else None,
            fee_schedule=fees.schedule,
            fee_bp=fees.freelancer_bp,
            client_fee_bp=fees.client_bp,
            status="offered",
            start_date=terms.start_date,
            offered_at=self._now,
        )
        milestones = [
            MilestoneRow(
                description=clean_milestone_text(m.description),
                amount_minor=m.amount_minor,
                due_date=m.due_date,
                status="pending",
                funded_minor=0,
                released_minor=0,
                refunded_minor=0,
                reminders_sent=0,
            )
            for m in ([] if hourly else terms.milestones)
        ]
        await self._contracts.add(row, milestones)
        await self._proposals.client_answered(proposal.id)
        return await self._view(row)

    async def _answer(self, freelancer: Account, contract_id: int | str, status: str) -> ContractRow:
        row = await self._party_row(freelancer, contract_id)
        if row.freelancer_id != freelancer.id:
            raise UserError(N_("Only the freelancer the offer was made to can answer it."))
        values = {"status": status, "accepted_at": self._now} if status == "active" else {"status": status}
        if not await self._contracts.move(row.id, ("offered",), **values):
            raise self._closed(row)
        return row

    async def accept(self, freelancer: Account, contract_id: int | str) -> Contract:
        """The offer becomes the contract: the proposal is hired, the job is filled (it takes no more proposals
        unless the client reopens it from /my_jobs), the client's hires count grows, and the contract's message
        thread opens."""
        row = await self._answer(freelancer, contract_id, "active")
        if row.proposal_id is not None:
            proposal = await self._repos.proposals.get(row.proposal_id)
            if proposal is not None:
                proposal.status, proposal.updated_at = "hired", self._now
        job = await self._repos.jobs.get(row.job_id) if row.job_id is not None else None
        if job is not None and job.status == "open":
            job.status, job.closed_at = "closed", self._now
        await self._contracts.count_hire(row.client_id, self._now)
        await self._messaging.thread_for_contract(row, freelancer.id)
        return await self._view(row)

    async def decline(self, freelancer: Account, contract_id: int | str) -> Contract:
        return await self._view(await self._answer(freelancer, contract_id, "declined"))

    async def withdraw(self, client: Account, contract_id: int | str) -> Contract:
        row = await self._party_row(client, contract_id)
        if row.client_id != client.id:
            raise UserError(N_("Only the client who made the offer can withdraw it."))
        if not await self._contracts.move(row.id, ("offered",), status="withdrawn"):
            raise self._closed(row)
        return await self._view(row)

    @staticmethod
    def _closed(row: ContractRow) -> UserError:
        messages = {
            "active": N_("This offer was already accepted."),
            "declined": N_("This offer was declined."),
            "withdrawn": N_("This offer was withdrawn."),
            "ended": N_("This contract has ended: nothing more can be done on it."),
            "offered": N_("This offer hasn't been accepted yet."),
        }
        return UserError(messages[row.status])

    # ---- ending ---------------------------------------------------------------------------------

    async def end(self, account: Account, contract_id: int | str, reason: str) -> Contract:
        """Either side ends an active contract, once no money is left in escrow (ending refunds nothing)."""
        if reason not in END_REASONS:
            raise UserError(N_("Please pick one of the reasons offered."))
        row = await self._endable(account, contract_id)
        values = {"status": "ended", "ended_at": self._now, "ended_by": account.id, "end_reason": reason}
        if not await self._contracts.move(row.id, ("active",), **values):
            raise self._closed(row)
        return await self._view(row)

    async def _endable(self, account: Account, contract_id: int | str) -> ContractRow:
        row = await self._party_row(account, contract_id)
        if row.status != "active":
            raise self._closed(row)
        if await self._contracts.money_in_escrow(row.id):
            raise UserError(
                N_(
                    "Money is still in escrow on this contract. Approve, refund or settle every funded milestone "
                    "and wait for the open invoices before ending it."
                )
            )
        return row

    # ---- who may do what ------------------------------------------------------------------------

    async def may(
        self, account: Account, contract_id: int | str, action: str, milestone_id: int | str | None = None
    ) -> Contract:
        """The contract, if ``account`` may start ``action`` on it (or on its milestone) now; else the
        ``UserError`` the action itself would raise. Changes nothing: asked before a confirmation or a form
        opens, while the action checks everything again when it is done."""
        if action in MILESTONE_ACTIONS:
            row, milestone = await self._milestone(account, contract_id, milestone_id or "", action)
            if milestone.status not in MILESTONE_ACTIONS[action][1]:
                raise self._wrong_state(milestone)
        elif action == "add":
            row = await self._addable(account, contract_id)
        elif action == "end":
            row = await self._endable(account, contract_id)
        else:
            raise UserError(N_("I don't know that action."))
        return await self._view(row)

    # ---- milestones -----------------------------------------------------------------------------

    async def _milestone(
        self, account: Account, contract_id: int | str, milestone_id: int | str, action: str
    ) -> tuple[ContractRow, MilestoneRow]:
        """The milestone of an active contract where ``account`` is the party ``action`` needs."""
        row = await self._party_row(account, contract_id)
        ident = _ident(milestone_id)
        milestone = await self._contracts.milestone(ident) if ident is not None else None
        if milestone is None or milestone.contract_id != row.id:
            raise _milestone_not_found(milestone_id)
        role = MILESTONE_ACTIONS[action][0]
        if account.id != (row.client_id if role == "client" else row.freelancer_id):
            raise UserError(ONLY_THE_PARTY[action])
        if row.status != "active":
            raise self._closed(row)
        return row, milestone

    @staticmethod
    def _wrong_state(milestone: MilestoneRow) -> UserError:
        messages = {
            "pending": N_("This milestone isn't funded yet."),
            "funded": N_("This milestone is funded and waiting for the freelancer's work."),
            "submitted": N_("Work was already submitted for this milestone."),
            "changes": N_("Changes were requested on this milestone."),
            "disputed": N_("This milestone is in dispute: its money stays in escrow until the dispute is settled."),
            "released": N_("This milestone was already paid."),
            "refunded": N_("This milestone was already refunded."),
        }
        return UserError(messages[milestone.status])

    async def _move(self, milestone: MilestoneRow, from_statuses: tuple[str, ...], **values: object) -> None:
        """Claim the milestone's next state, or refuse with why (someone may have moved it a moment ago)."""
        if milestone.status not in from_statuses or not await self._contracts.move_milestone(
            milestone.id, from_statuses, **values
        ):
            await self._repos.session.refresh(milestone)
            raise self._wrong_state(milestone)

    async def service_fee(self, contract: ContractRow | Contract, amount: int) -> int:
        """The freelancer's fee under the contract's own schedule (tiered: on what this client paid them before)."""
        billed = await self._ledger.billed_between(contract.client_id, contract.freelancer_id)
        rules = FeeRules(contract.fee_schedule, contract.fee_bp, contract.client_fee_bp)  # type: ignore[arg-type]
        return rules.service_fee(amount, billed_before_minor=billed, contract_bp=contract.fee_bp)

    async def hold(self, contract: ContractRow, ref: str, amount: int, *, paid_by: str = "") -> None:
        """Charge the client ``amount`` plus the marketplace fee at the contract's rate into the escrow ``ref``
        (``paid_by``: the key of the payment the platform took for it, see ``LedgerService.hold``)."""
        fee = percent_of(amount, contract.client_fee_bp)
        await self._ledger.hold(
            ref, contract.client_id, amount, fee, contract.currency, contract_id=contract.id, paid_by=paid_by
        )

    @staticmethod
    def fee_refund(contract: ContractRow | Contract, funded: int, kept: int) -> int:
        """The client fee charged on ``funded`` minus the fee on what the client keeps paying for (fees.py)."""
        return percent_of(funded, contract.client_fee_bp) - percent_of(kept, contract.client_fee_bp)

    async def pay_out(self, contract: ContractRow, ref: str, amount: int, part: str = "") -> int:
        """Release ``amount`` of the escrow ``ref`` to the freelancer, minus the service fee (once per ref, or
        once per confirmation ``part`` of a partial payment); returns the service fee."""
        fee = await self.service_fee(contract, amount)
        await self._ledger.release(
            ref, contract.freelancer_id, amount, fee, contract.currency, contract_id=contract.id, part=part
        )
        await self._contracts.add_spent(contract.client_id, amount, self._now)
        return fee

    async def _moved(
        self, contract: ContractRow, milestone: MilestoneRow, amount: int = 0, fee: int = 0, *, repeated: bool = False
    ) -> Moved:
        return Moved(await self._view(contract), Milestone.from_row(milestone), amount, fee, repeated)

    async def _done_before(self, milestone: MilestoneRow, phase: str, part: str = "") -> bool:
        """This milestone's ``phase`` (hold, release, refund) was posted already: a repeated confirmation."""
        return await self._ledger.posted(escrow_key(f"milestone:{milestone.id}", phase, part))

    async def fund(
        self, client: Account, contract_id: int | str, milestone_id: int | str, *, paid_by: str = ""
    ) -> Moved:
        """Charge the client (amount + marketplace fee) into the milestone's escrow; a declined card moves nothing.
        ``paid_by``: the key of the payment the client made in the chat for it (bot/core/checkout.py), which
        funds it once or not at all: a milestone funded meanwhile refuses it (``UserError``), never repeats."""
        contract, milestone = await self._milestone(client, contract_id, milestone_id, "fund")
        if not paid_by and await self._done_before(milestone, "hold"):
            return await self._moved(contract, milestone, milestone.funded_minor, repeated=True)
        amount = milestone.amount_minor
        await self._move(milestone, ("pending",), status="funded", funded_minor=amount, funded_at=self._now)
        await self.hold(contract, f"milestone:{milestone.id}", amount, paid_by=paid_by)
        return await self._moved(contract, milestone, amount)

    async def submit(
        self, freelancer: Account, contract_id: int | str, milestone_id: int | str, message: str, file_ids: list[int]
    ) -> Moved:
        """The freelancer hands in work; the client has ``rules.auto_release`` to answer before it pays itself."""
        contract, milestone = await self._milestone(freelancer, contract_id, milestone_id, "submit")
        text = message.strip()
        if not text:
            raise UserError(N_("Please say what you are submitting: the message can't be empty."))
        await self._move(
            milestone,
            MILESTONE_ACTIONS["submit"][1],
            status="submitted",
            submitted_at=self._now,
            auto_release_at=self._now + self._rules.auto_release,
            reminders_sent=0,
        )
        await self._contracts.add_submission(milestone.id, text[:4000], file_ids, self._now)
        return await self._moved(contract, milestone)

    async def request_changes(
        self, client: Account, contract_id: int | str, milestone_id: int | str, message: str
    ) -> Moved:
        contract, milestone = await self._milestone(client, contract_id, milestone_id, "changes")
        if not message.strip():
            raise UserError(N_("Please say what should change: the message can't be empty."))
        await self._move(milestone, MILESTONE_ACTIONS["changes"][1], status="changes", auto_release_at=None)
        return await self._moved(contract, milestone)

    async def approve(self, client: Account, contract_id: int | str, milestone_id: int | str) -> Moved:
        """Release what is in escrow to the freelancer, minus the service fee."""
        contract, milestone = await self._milestone(client, contract_id, milestone_id, "approve")
        if await self._done_before(milestone, "release"):
            return await self._moved(contract, milestone, repeated=True)
        return await self._release(contract, milestone)

    async def _release(self, contract: ContractRow, milestone: MilestoneRow) -> Moved:
        amount = milestone.funded_minor - milestone.released_minor - milestone.refunded_minor
        await self._move(
            milestone, RELEASABLE, status="released", released_minor=milestone.funded_minor, closed_at=self._now
        )
        fee = await self.pay_out(contract, f"milestone:{milestone.id}", amount)
        return await self._moved(contract, milestone, amount, fee)

    async def release_part(
        self, client: Account, contract_id: int | str, milestone_id: int | str, amount: int, token: str
    ) -> Moved:
        """Pay ``amount`` of the escrow now and keep the rest in it (see the module docstring); ``token`` names
        the confirmation, so confirming twice pays once."""
        if not token:
            raise ValueError("a partial payment needs the token of its confirmation")
        contract, milestone = await self._milestone(client, contract_id, milestone_id, "part")
        if await self._done_before(milestone, "release", token):
            return await self._moved(contract, milestone, amount, repeated=True)
        if milestone.status not in RELEASABLE:
            raise self._wrong_state(milestone)
        check_part_payment(milestone.funded_minor - milestone.released_minor, amount, contract.currency)
        if not await self._contracts.release_part(milestone.id, RELEASABLE, milestone.released_minor, amount):
            await self._repos.session.refresh(milestone)
            if milestone.status not in RELEASABLE:
                raise self._wrong_state(milestone)
            raise UserError(
                N_("Part of this milestone was paid a moment ago: please check what is left and try again.")
            )
        fee = await self.pay_out(contract, f"milestone:{milestone.id}", amount, part=token)
        return await self._moved(contract, milestone, amount, fee)

    async def refund_request(self, client: Account, contract_id: int | str, milestone_id: int | str) -> Moved:
        """The client asks for the escrow back; nothing moves until the freelancer agrees (``refund``)."""
        contract, milestone = await self._milestone(client, contract_id, milestone_id, "refund_ask")
        if milestone.status not in RELEASABLE:
            raise self._wrong_state(milestone)
        held = milestone.funded_minor - milestone.released_minor - milestone.refunded_minor
        return await self._moved(contract, milestone, held)

    async def refund(self, freelancer: Account, contract_id: int | str, milestone_id: int | str) -> Moved:
        """The freelancer gives what is in escrow back to the client (with the client fee on it)."""
        contract, milestone = await self._milestone(freelancer, contract_id, milestone_id, "refund")
        if await self._done_before(milestone, "refund"):
            return await self._moved(contract, milestone, milestone.refunded_minor, repeated=True)
        funded, released = milestone.funded_minor, milestone.released_minor
        amount = funded - released - milestone.refunded_minor
        await self._move(milestone, RELEASABLE, status="refunded", refunded_minor=amount, closed_at=self._now)
        await self._ledger.refund(
            f"milestone:{milestone.id}",
            contract.client_id,
            amount,
            self.fee_refund(contract, funded, released),
            contract.currency,
            contract_id=contract.id,
        )
        return await self._moved(contract, milestone, amount)

    async def _addable(self, client: Account, contract_id: int | str) -> ContractRow:
        row = await self._party_row(client, contract_id)
        if row.client_id != client.id:
            raise UserError(ONLY_THE_PARTY["add"])
        if row.status != "active":
            raise self._closed(row)
        if row.kind != "fixed":
            raise UserError(N_("Milestones belong to fixed-price contracts."))
        if len(await self._contracts.milestones(row.id)) >= 2 * MAX_MILESTONES:
            raise UserError(N_("A contract can have at most {max} milestones."), max=2 * MAX_MILESTONES)
        return row

    async def add_milestone(
        self, client: Account, contract_id: int | str, description: str, amount: int, due: date | None
    ) -> Moved:
        """A new unfunded milestone on an active fixed-price contract (the freelancer is told)."""
        row = await self._addable(client, contract_id)
        if due is not None and due < self.today:
            raise UserError(N_("A milestone's due date can't be in the past."))
        milestone = await self._contracts.add_milestone(
            MilestoneRow(
                contract_id=row.id,
                description=clean_milestone_text(description),
                amount_minor=check_milestone_amount(amount),
                due_date=due,
                status="pending",
                funded_minor=0,
                released_minor=0,
                refunded_minor=0,
                reminders_sent=0,
            )
        )
        return await self._moved(row, milestone)

    # ---- the scheduler --------------------------------------------------------------------------

    async def submitted_soon(self, batch: int = 200) -> list[int]:
        """Submitted milestones that pay themselves soon enough to need a reminder, or are due now, soonest first."""
        offsets = self._rules.auto_release_reminders
        horizon = self._now + (max(offsets) if offsets else timedelta(0))
        return [milestone.id for milestone in await self._contracts.submitted_due(horizon, batch)]

    async def auto_release(self, milestone_id: int) -> Moved | None:
        """Release a submitted milestone the client left unanswered past ``auto_release_at``; None when it is not
        due or someone approved, disputed or released it meanwhile."""
        milestone = await self._contracts.milestone(milestone_id)
        if milestone is None or milestone.status != "submitted" or milestone.auto_release_at is None:
            return None
        if milestone.auto_release_at > self._now:
            return None
        contract = await self._contracts.get(milestone.contract_id)
        assert contract is not None
        amount = milestone.funded_minor - milestone.released_minor - milestone.refunded_minor
        values = {"released_minor": milestone.funded_minor, "closed_at": self._now}
        if not await self._contracts.move_milestone(milestone.id, ("submitted",), status="released", **values):
            return None
        fee = await self.pay_out(contract, f"milestone:{milestone.id}", amount)
        return await self._moved(contract, milestone, amount, fee)

    async def auto_release_due(self, batch: int = 200) -> list[Moved]:
        """Release every submitted milestone whose auto-release time has come."""
        released = [await self.auto_release(milestone_id) for milestone_id in await self.submitted_soon(batch)]
        return [moved for moved in released if moved is not None]

    async def remind(self, milestone_id: int) -> Moved | None:
        """Claim the auto-release reminder now owed on a submitted milestone (once: after a long downtime the
        reminders that fell due together count as one); None when none is owed."""
        offsets = self._rules.auto_release_reminders
        milestone = await self._contracts.milestone(milestone_id)
        if not offsets or milestone is None or milestone.status != "submitted" or milestone.auto_release_at is None:
            return None
        if milestone.auto_release_at <= self._now:
            return None  # the auto-release comes first
        left = milestone.auto_release_at - self._now
        owed = sum(1 for offset in offsets if left <= offset)
        if owed <= milestone.reminders_sent:
            return None
        if not await self._contracts.claim_reminders(milestone.id, milestone.reminders_sent, owed):
            return None
        contract = await self._contracts.get(milestone.contract_id)
        assert contract is not None
        return await self._moved(contract, milestone)

    # ---- disputes (called by bot/core/disputes.py once an admin has decided) ----------------------

    async def settle_milestone(self, milestone_id: int, release_minor: int, refund_minor: int) -> Settlement:
        """Settle a disputed milestone: pay ``release_minor`` to the freelancer (minus the service fee) and give
        ``refund_minor`` back to the client (with the client fee on it); together they must be exactly what is
        still in escrow (a part paid before the dispute stays paid). No authorization here: the caller checked
        it. Works from status ``disputed`` only (a ``UserError`` otherwise); each of the release and the refund
        happens at most once (ledger keys), and the milestone ends ``released`` (something was paid now) or
        ``refunded``."""
        milestone = await self._contracts.milestone(milestone_id)
        if milestone is None:
            raise _milestone_not_found(milestone_id)
        contract = await self._contracts.get(milestone.contract_id)
        assert contract is not None
        funded = milestone.funded_minor - milestone.released_minor - milestone.refunded_minor
        if release_minor < 0 or refund_minor < 0 or release_minor + refund_minor != funded:
            raise UserError(
                N_("The payment and the refund must add up to the {amount} in escrow."),
                amount=Money(funded, contract.currency),
            )
        status = "released" if release_minor else "refunded"
        released = milestone.released_minor + release_minor
        values = {"released_minor": released, "refunded_minor": refund_minor, "closed_at": self._now}
        await self._move(milestone, ("disputed",), status=status, **values)
        ref = f"milestone:{milestone.id}"
        fee = await self.pay_out(contract, ref, release_minor) if release_minor else 0
        if refund_minor:
            fee_refund = self.fee_refund(contract, milestone.funded_minor, released)
            await self._ledger.refund(
                ref, contract.client_id, refund_minor, fee_refund, contract.currency, contract_id=contract.id
            )
        return Settlement(status, release_minor, refund_minor, fee)

    async def settle_invoice(self, invoice_id: int, pay_minor: int, refund_minor: int) -> Settlement:
        """Settle a disputed weekly invoice like ``settle_milestone``: ``pay_minor`` to the freelancer,
        ``refund_minor`` back to the client, adding up to the invoice's amount. No authorization here; works
        from status ``disputed`` only; the invoice ends ``paid`` (something was paid) or ``refunded``. If the
        client's card had declined the weekly charge, it is charged now (a decline raises a ``UserError``)."""
        invoice = await self._contracts.invoice(invoice_id)
        if invoice is None:
            raise UserError(N_("Invoice #{id} was not found."), id=invoice_id)
        contract = await self._contracts.get(invoice.contract_id)
        assert contract is not None
        if pay_minor < 0 or refund_minor < 0 or pay_minor + refund_minor != invoice.amount_minor:
            raise UserError(
                N_("The payment and the refund must add up to the {amount} in escrow."),
                amount=Money(invoice.amount_minor, contract.currency),
            )
        ref = f"invoice:{invoice.id}"
        await self.hold(contract, ref, invoice.amount_minor)
        status = "paid" if pay_minor else "refunded"
        values = {"paid_minor": pay_minor, "refunded_minor": refund_minor, "closed_at": self._now}
        if not await self._contracts.move_invoice(invoice.id, ("disputed",), status=status, **values):
            raise UserError(N_("This invoice is not in dispute."))
        fee = await self.pay_out(contract, ref, pay_minor) if pay_minor else 0
        if refund_minor:
            fee_refund = self.fee_refund(contract, invoice.amount_minor, pay_minor)
            await self._ledger.refund(
                ref, contract.client_id, refund_minor, fee_refund, contract.currency, contract_id=contract.id
            )
        return Settlement(status, pay_minor, refund_minor, fee)

    # ---- a person's escrow (account deletion) -----------------------------------------------------

    async def money_in_escrow_for(self, account_id: int) -> bool:
        return await self._contracts.escrow_of_account(account_id)
