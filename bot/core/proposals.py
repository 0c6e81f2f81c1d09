"""Proposals: a freelancer's bid on a job (an hourly rate, a fixed price or milestones), a cover letter, the
answers to the job's screening questions and files; what the freelancer and the client may do with one.

A freelancer has at most one active proposal per job (the partial unique index ``uq_proposals_active`` holds
it even under a race). ``jobs.proposals_count`` counts the proposals a job received that their freelancers did
not withdraw: declined and hired ones still count (the client did receive them), a withdrawn one is as if never
sent, so withdrawing and sending again counts once. The search filter "number of proposals" reads it.

Every action names who does it and is checked here: a freelancer acts on their own proposals only, a client
on the proposals to their own jobs only, and anyone else is told the same "not found" as for an id that does
not exist. ``client_answered_at`` is set on the client's first message, shortlist, decline or offer; until
then the freelancer may still change the terms of their bid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from bot.core.accounts import Account
from bot.core.credits import CreditService
from bot.core.errors import UserError
from bot.core.events import AttachmentIn
from bot.core.files import DOCUMENT_TYPES, FileService
from bot.core.i18n import N_, Count, Money
from bot.core.jobs import (
    FIXED_MAX_MINOR,
    FIXED_MIN_MINOR,
    HOURLY_MAX_MINOR,
    HOURLY_MIN_MINOR,
    PROJECT_LENGTHS,
    AttachedFile,
    Job,
    JobService,
)
from bot.core.market import MarketRules
from bot.core.money import CURRENCY, parse_amount
from bot.core.numbers import whole_number
from bot.storage.orm import ProposalRow
from bot.storage.proposals import ClientView
from bot.storage.repositories import Repositories

COVER_LETTER_MAX = 5_000
ANSWER_MAX = 2_000
MAX_MILESTONES = 10
MILESTONE_TEXT_MAX = 200
MAX_FILES = 5
LATEST_DUE = timedelta(days=2 * 365)

STATUSES = {"active": N_("Active"), "withdrawn": N_("Withdrawn"), "declined": N_("Declined"), "hired": N_("Hired")}
WITHDRAW_REASONS = {
    "mistake": N_("Applied by mistake"),
    "schedule": N_("Scheduling conflict"),
    "rate": N_("Rate or budget too low"),
    "unresponsive": N_("Client not responding"),
    "other": N_("Other"),
}
DECLINE_REASONS = {
    "skills": N_("Skills don't match"),
    "rate": N_("Rate too high"),
    "experience": N_("Not enough experience"),
    "hired": N_("Hired someone else"),
    "other": N_("Other"),
}
_CLOSED_FOR_CHANGES = {
    "withdrawn": N_("This proposal was withdrawn: it can't be changed any more."),
    "declined": N_("This proposal was declined: it can't be changed any more."),
    "hired": N_("This proposal led to a hire: it can't be changed any more."),
}


class MilestoneDraft(BaseModel):
    description: str
    amount_minor: int
    due_date: date | None = None


class ProposalDraft(BaseModel):
    """The proposal as the freelancer writes it (kept in the conversation until it is sent)."""

    bid_kind: Literal["hourly", "fixed", "milestones"] | None = None
    amount_minor: int | None = None  # the hourly rate, or the fixed price
    milestones: list[MilestoneDraft] = Field(default_factory=list)
    duration: Literal["lt1", "1to3", "3to6", "gt6"] | None = None
    cover_letter: str = ""
    answers: list[str] = Field(default_factory=list)
    attachments: list[AttachedFile] = Field(default_factory=list)

    @property
    def bid_minor(self) -> int | None:
        """The bid: the rate or price, or the sum of the milestones."""
        if self.bid_kind == "milestones":
            return sum(milestone.amount_minor for milestone in self.milestones) or None
        return self.amount_minor


@dataclass(frozen=True)
class Proposal:
    id: int
    job_id: int
    job_title: str
    job_status: str
    job_type: str
    client_id: int
    freelancer_id: int
    freelancer_name: str
    freelancer_username: str
    freelancer_country: str
    bid_kind: str
    amount_minor: int
    currency: str
    duration: str
    cover_letter: str
    status: str
    shortlisted: bool
    archived: bool
    reason: str | None
    credits_spent: int
    client_answered_at: datetime | None
    created_at: datetime
    milestones: tuple[MilestoneDraft, ...]
    questions: tuple[str, ...]
    answers: tuple[str, ...]
    attachments: tuple[AttachedFile, ...]

    @property
    def terms_editable(self) -> bool:
        """The freelancer may still change the bid: it is active and the client has not answered yet."""
        return self.status == "active" and self.client_answered_at is None


@dataclass(frozen=True)
class ListedProposal:
    """One line of a list: the proposal, and the job's title and status or the freelancer's name."""

    id: int
    job_id: int
    title: str
    job_status: str
    name: str
    bid_kind: str
    amount_minor: int
    status: str
    shortlisted: bool
    archived: bool
    created_at: datetime


def not_found(proposal_id: int | str) -> UserError:
    return UserError(N_("Proposal #{id} was not found."), id=str(proposal_id)[:12])


def _too_long(text: str, limit: int) -> UserError:
    return UserError(
        N_("That is too long: at most {limit} characters, and you sent {length}."),
        limit=Count(limit),
        length=Count(len(text)),
    )


def parse_bid(text: str, *, hourly: bool) -> int:
    """An hourly rate or a fixed price as typed; refuses negatives, other currencies and amounts off the limits."""
    if text.strip().startswith("-"):
        raise UserError(N_("An amount can't be negative."))
    return check_bid(parse_amount(text, minimum_minor=0), hourly=hourly)


def check_bid(minor: int, *, hourly: bool) -> int:
    low, high = (HOURLY_MIN_MINOR, HOURLY_MAX_MINOR) if hourly else (FIXED_MIN_MINOR, FIXED_MAX_MINOR)
    if not low <= minor <= high:
        message = (
            N_("An hourly rate must be between {min} and {max} an hour.")
            if hourly
            else N_("A fixed-price bid must be between {min} and {max}.")
        )
        raise UserError(message, min=Money(low), max=Money(high))
    return minor


def parse_milestone_amount(text: str) -> int:
    if text.strip().startswith("-"):
        raise UserError(N_("An amount can't be negative."))
    return check_milestone_amount(parse_amount(text, minimum_minor=0))


def check_milestone_amount(minor: int) -> int:
    if not FIXED_MIN_MINOR <= minor <= FIXED_MAX_MINOR:
        raise UserError(
            N_("A milestone must be between {min} and {max}."),
            min=Money(FIXED_MIN_MINOR),
            max=Money(FIXED_MAX_MINOR),
        )
    return minor


def due_example(today: date) -> str:
    """A due date to show how one is typed: two weeks from today."""
    return (today + timedelta(days=14)).isoformat()


def parse_due_date(raw: str, today: date) -> date | None:
    """A due date typed as YYYY-MM-DD, from today to two years ahead; empty means none."""
    text = raw.strip()
    if not text:
        return None
    try:
        due = date.fromisoformat(text)
    except ValueError:
        raise UserError(N_("Type the due date like {example}."), example=due_example(today)) from None
    if not today <= due <= today + LATEST_DUE:
        raise UserError(N_("The due date must be between today and two years from now."))
    return due


def _clean(text: str, limit: int, empty: str) -> str:
    if not text:
        raise UserError(empty)
    if len(text) > limit:
        raise _too_long(text, limit)
    return text


def clean_milestone_text(raw: str) -> str:
    return _clean(" ".join(raw.split()), MILESTONE_TEXT_MAX, N_("Please describe the milestone: it can't be empty."))


def clean_cover_letter(raw: str) -> str:
    return _clean(raw.strip(), COVER_LETTER_MAX, N_("Please write a cover letter: it can't be empty."))


def clean_answer(raw: str) -> str:
    return _clean(raw.strip(), ANSWER_MAX, N_("Please answer the question: it can't be empty."))


def check_terms(job: Job, draft: ProposalDraft) -> None:
    """The bid fits the job: an hourly rate for an hourly job; a price or 1 to 10 milestones for a fixed one."""
    if job.job_type == "hourly":
        if draft.bid_kind != "hourly" or draft.amount_minor is None:
            raise UserError(N_("This job is paid by the hour: please bid an hourly rate."))
        check_bid(draft.amount_minor, hourly=True)
        return
    if draft.bid_kind == "fixed" and draft.amount_minor is not None:
        check_bid(draft.amount_minor, hourly=False)
        return
    if draft.bid_kind != "milestones" or not 1 <= len(draft.milestones) <= MAX_MILESTONES:
        raise UserError(N_("Please bid a fixed price, or 1 to {max} milestones."), max=MAX_MILESTONES)
    for milestone in draft.milestones:
        clean_milestone_text(milestone.description)
        check_milestone_amount(milestone.amount_minor)
    total = draft.bid_minor or 0
    if total > FIXED_MAX_MINOR:
        raise UserError(
            N_("The milestones add up to {total}; a fixed-price bid can be at most {max}."),
            total=Money(total),
            max=Money(FIXED_MAX_MINOR),
        )


def check_terms_editable(status: str, client_answered_at: datetime | None) -> None:
    """The freelancer may change the bid of an active proposal the client has not answered yet."""
    if status != "active":
        raise UserError(_CLOSED_FOR_CHANGES[status])
    if client_answered_at is not None:
        raise UserError(N_("The client has already answered this proposal, so its terms can't change now."))


class ProposalService:
    def __init__(self, repos: Repositories, now: datetime, rules: MarketRules) -> None:
        self._repos = repos
        self._proposals = repos.proposals
        self._now = now
        self._jobs = JobService(repos, now)
        self._files = FileService(repos, now)
        self.credits = CreditService(repos, now, rules.credits)

    # ---- reading --------------------------------------------------------------------------------

    async def _load(self, row: ProposalRow) -> Proposal:
        job = await self._repos.jobs.get(row.job_id)
        freelancer = await self._repos.accounts.get(row.freelancer_id)
        assert job is not None
        assert freelancer is not None
        milestones = await self._proposals.milestones(row.id)
        return Proposal(
            id=row.id,
            job_id=job.id,
            job_title=job.title,
            job_status=job.status,
            job_type=job.job_type,
            client_id=job.client_id,
            freelancer_id=row.freelancer_id,
            freelancer_name=freelancer.full_name,
            freelancer_username=freelancer.username,
            freelancer_country=freelancer.country,
            bid_kind=row.bid_kind,
            amount_minor=row.amount_minor,
            currency=row.currency,
            duration=row.duration,
            cover_letter=row.cover_letter,
            status=row.status,
            shortlisted=row.shortlisted,
            archived=row.archived,
            reason=row.reason,
            credits_spent=row.credits_spent,
            client_answered_at=row.client_answered_at,
            created_at=row.created_at,
            milestones=tuple(
                MilestoneDraft(description=m.description, amount_minor=m.amount_minor, due_date=m.due_date)
                for m in milestones
            ),
            questions=tuple(await self._repos.jobs.questions(job.id)),
            answers=tuple(await self._proposals.answers(row.id)),
            attachments=tuple(
                AttachedFile(id=i, filename=n, size=s) for i, n, s in await self._proposals.attachments(row.id)
            ),
        )

    async def _row(self, proposal_id: int | str) -> ProposalRow | None:
        ident = whole_number(proposal_id)
        return await self._proposals.get(ident) if ident is not None else None

    async def _own_row(self, freelancer: Account, proposal_id: int | str) -> ProposalRow:
        row = await self._row(proposal_id)
        if row is None or row.freelancer_id != freelancer.id:
            raise not_found(proposal_id)
        return row

    async def _received_row(self, client: Account, proposal_id: int | str) -> ProposalRow:
        """A proposal to one of the client's jobs; a withdrawn one is no longer theirs to read."""
        row = await self._row(proposal_id)
        job = await self._repos.jobs.get(row.job_id) if row is not None else None
        if row is None or job is None or job.client_id != client.id or row.status == "withdrawn":
            raise not_found(proposal_id)
        return row

    async def readable(self, account: Account, proposal_id: int | str) -> Proposal:
        """The proposal as its freelancer, or the client it was sent to, may read it."""
        row = await self._row(proposal_id)
        if row is not None and row.freelancer_id == account.id:
            return await self._load(row)
        return await self._load(await self._received_row(account, proposal_id))

    async def own(self, freelancer: Account, proposal_id: int | str) -> Proposal:
        return await self._load(await self._own_row(freelancer, proposal_id))

    async def active_on(self, freelancer: Account, job_id: int) -> int | None:
        """The id of the freelancer's active proposal on the job, if any."""
        return await self._proposals.active_for(job_id, freelancer.id)

    async def mine(
        self, freelancer: Account, *, archived: bool, offset: int, limit: int
    ) -> tuple[list[ListedProposal], int]:
        """The freelancer's active proposals, or the others (withdrawn, declined, hired), newest first."""
        rows = await self._proposals.by_freelancer(freelancer.id, archived=archived, offset=offset, limit=limit)
        listed = [
            ListedProposal(
                row.id,
                row.job_id,
                title,
                job_status,
                freelancer.full_name,
                row.bid_kind,
                row.amount_minor,
                row.status,
                row.shortlisted,
                row.archived,
                row.created_at,
            )
            for row, title, job_status in rows
        ]
        return listed, await self._proposals.count_by_freelancer(freelancer.id, archived=archived)

    async def received(
        self, client: Account, job_id: int | str, view: ClientView, *, best_match: bool, offset: int, limit: int
    ) -> tuple[Job, list[ListedProposal], int]:
        """The proposals to one of the client's jobs, newest first or by best match (see the storage query:
        the job's skills in the freelancer's profile, then the bid's distance from the client's rate range or
        over the budget, then newest)."""
        job = await self._posted_by(client, job_id)
        if job.job_type == "hourly":
            rate_range = (job.rate_min_minor or 0, job.rate_max_minor or job.rate_min_minor or 0)
        else:
            rate_range = (0, job.budget_minor or 0)
        rows = await self._proposals.for_job(
            job.id, view, best_match=best_match, rate_range=rate_range, offset=offset, limit=limit
        )
        listed = [
            ListedProposal(
                row.id,
                job.id,
                job.title,
                job.status,
                name,
                row.bid_kind,
                row.amount_minor,
                row.status,
                row.shortlisted,
                row.archived,
                row.created_at,
            )
            for row, name in rows
        ]
        return job, listed, await self._proposals.count_for_job(job.id, view)

    async def _posted_by(self, client: Account, job_id: int | str) -> Job:
        """The client's own job. Someone who may see the job but did not post it is told who may see its
        proposals; a job they may not see at all stays "not found"."""
        job = await self._jobs.visible(client, job_id)
        if job.client_id != client.id:
            raise UserError(N_("Only the client who posted this job can see its proposals."))
        return job

    # ---- the freelancer -------------------------------------------------------------------------

    async def job_to_propose(self, freelancer: Account, job_id: int | str) -> Job:
        """The job, if this freelancer may send a proposal to it now."""
        if not freelancer.is_freelancer:
            raise UserError(N_("Proposals are sent by freelancers, and your account is set up to hire."))
        job = await self._jobs.visible(freelancer, job_id)
        if job.client_id == freelancer.id:
            raise UserError(N_("That is your own job post: you can't send a proposal to it."))
        if job.external:
            raise UserError(N_("This job comes from {source}: you apply on its original post."), source=job.source_name)
        if job.status != "open" and await self._repos.contracts.hired_on_job(job.id):
            raise UserError(N_("This job has already been filled."))
        if job.status != "open":
            raise UserError(N_("This job is no longer taking proposals."))
        active = await self._proposals.active_for(job.id, freelancer.id)
        if active is not None:
            raise UserError(
                N_("You already sent a proposal to this job: #{id}. Open it with /proposal {id}."), id=active
            )
        if await self._proposals.was_declined(job.id, freelancer.id):
            raise UserError(N_("The client declined your proposal to this job, so you can't send another."))
        return job

    async def attach(self, freelancer: Account, draft: ProposalDraft, upload: AttachmentIn) -> None:
        if len(draft.attachments) >= MAX_FILES:
            raise UserError(N_("A proposal can have at most {max} files."), max=MAX_FILES)
        stored = await self._files.store(freelancer.id, upload, allowed=DOCUMENT_TYPES)
        draft.attachments.append(AttachedFile(id=stored.id, filename=stored.filename, size=stored.size))

    async def forget_files(self, freelancer: Account, file_ids: list[int]) -> None:
        """Delete uploads of a discarded proposal (nothing else refers to them)."""
        await self._proposals.forget_files(freelancer.id, file_ids)

    async def submit(self, freelancer: Account, job_id: int, draft: ProposalDraft) -> Proposal:
        """Check everything again (the job may have changed meanwhile), pay the credits, store and count it."""
        job = await self.job_to_propose(freelancer, job_id)
        check_terms(job, draft)
        if draft.duration not in PROJECT_LENGTHS:
            raise UserError(N_("Please say how long the work will take."))
        cover_letter = clean_cover_letter(draft.cover_letter)
        if len(draft.answers) != len(job.questions):
            raise UserError(N_("The client changed the screening questions meanwhile: please answer them again."))
        answers = [clean_answer(answer) for answer in draft.answers]
        file_ids = [attached.id for attached in draft.attachments]
        if len(file_ids) > MAX_FILES or await self._proposals.own_files(freelancer.id, file_ids) != set(file_ids):
            raise UserError(N_("A proposal can have at most {max} files."), max=MAX_FILES)
        await self.credits.require(freelancer.id)
        values = {
            "job_id": job.id,
            "freelancer_id": freelancer.id,
            "bid_kind": draft.bid_kind,
            "amount_minor": draft.bid_minor,
            "currency": CURRENCY,
            "duration": draft.duration,
            "cover_letter": cover_letter,
            "status": "active",
            "shortlisted": False,
            "archived": False,
            "reason": None,
            "credits_spent": 0,
            "client_answered_at": None,
            "created_at": self._now,
            "updated_at": self._now,
        }
        proposal_id = await self._proposals.add(values, self._milestone_values(draft), answers, file_ids)
        if proposal_id is None:  # a twin of this proposal was sent a moment ago
            await self.job_to_propose(freelancer, job.id)
            raise UserError(N_("You already sent a proposal to this job."))
        row = await self._proposals.get(proposal_id)
        assert row is not None
        row.credits_spent = await self.credits.charge(freelancer.id, proposal_id)
        await self._jobs.touch(job.id)
        return await self._load(row)

    @staticmethod
    def _milestone_values(draft: ProposalDraft) -> list[tuple[str, int, date | None]]:
        if draft.bid_kind != "milestones":
            return []
        return [(m.description, m.amount_minor, m.due_date) for m in draft.milestones]

    def _require_active(self, row: ProposalRow) -> None:
        if row.status != "active":
            raise UserError(_CLOSED_FOR_CHANGES[row.status])

    async def may_change_terms(self, freelancer: Account, proposal_id: int | str) -> Job:
        """The job, if the freelancer may change this proposal's bid now (asked before the edit opens, and again
        when it is saved): their own active proposal, unanswered, on a job still open."""
        row = await self._own_row(freelancer, proposal_id)
        check_terms_editable(row.status, row.client_answered_at)
        job = await self._jobs.visible(freelancer, row.job_id)
        if job.status != "open":
            raise UserError(N_("This job is no longer taking proposals."))
        return job

    async def change_terms(self, freelancer: Account, proposal_id: int | str, draft: ProposalDraft) -> Proposal:
        """A new bid (the cover letter stays), while the client has not answered and the job is open."""
        job = await self.may_change_terms(freelancer, proposal_id)
        row = await self._own_row(freelancer, proposal_id)
        check_terms(job, draft)
        row.bid_kind, row.amount_minor, row.updated_at = draft.bid_kind, draft.bid_minor, self._now
        await self._proposals.replace_milestones(row.id, self._milestone_values(draft))
        return await self._load(row)

    def _end(self, row: ProposalRow, status: str, reason: str, reasons: dict[str, str]) -> None:
        """Withdraw or decline an active proposal, with one of the offered reasons."""
        if reason not in reasons:
            raise UserError(N_("Please pick one of the reasons offered."))
        self._require_active(row)
        row.status, row.reason, row.shortlisted, row.updated_at = status, reason, False, self._now

    async def withdraw(self, freelancer: Account, proposal_id: int | str, reason: str) -> Proposal:
        row = await self._own_row(freelancer, proposal_id)
        self._end(row, "withdrawn", reason, WITHDRAW_REASONS)
        await self._proposals.count_on_job(row.job_id, -1)
        return await self._load(row)

    # ---- the client -----------------------------------------------------------------------------

    async def received_one(self, client: Account, proposal_id: int | str) -> Proposal:
        return await self._load(await self._received_row(client, proposal_id))

    def _answered(self, row: ProposalRow) -> None:
        if row.client_answered_at is None:
            row.client_answered_at = self._now
        row.updated_at = self._now

    async def client_answered(self, proposal_id: int) -> None:
        """The client wrote to the freelancer or made an offer on this proposal (called by messaging and offers)."""
        row = await self._proposals.get(proposal_id)
        if row is not None:
            self._answered(row)

    async def shortlist(self, client: Account, proposal_id: int | str) -> Proposal:
        """Shortlist, or take off the shortlist when shortlisted already."""
        row = await self._received_row(client, proposal_id)
        self._require_active(row)
        row.shortlisted = not row.shortlisted
        self._answered(row)
        return await self._load(row)

    async def archive(self, client: Account, proposal_id: int | str) -> Proposal:
        """Move to the archived list, or back when archived already."""
        row = await self._received_row(client, proposal_id)
        row.archived = not row.archived
        row.updated_at = self._now
        return await self._load(row)

    async def decline(self, client: Account, proposal_id: int | str, reason: str) -> Proposal:
        row = await self._received_row(client, proposal_id)
        self._end(row, "declined", reason, DECLINE_REASONS)
        self._answered(row)
        return await self._load(row)
