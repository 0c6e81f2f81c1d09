"""Feedback after a contract ends, double-blind, and the Job Success Score derived from it.

Each party of an ended contract leaves feedback once: 1-5 stars, a public comment and a private note that only
the platform sees. Neither sees the other's until both have left it or the feedback window
(``MarketRules.feedback_window``, 14 days after the end) has closed; after that nobody can leave it any more.
Whether feedback is revealed is derived from those two facts, never stored. The freelancer's stars for the
client feed the client's rating (``client_profiles.rating_sum/rating_count``), recomputed from the revealed
feedback when it is revealed, so recomputing twice changes nothing. If both parties send theirs at the same
moment (neither transaction sees the other's), the sweep that recomputes ratings when the window closes
catches it; everything else reads "revealed" afresh each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.i18n import N_, Day
from bot.core.market import MarketRules
from bot.core.profiles import clean_text
from bot.storage.feedback import ReceivedFeedback
from bot.storage.orm import ContractRow, FeedbackRow
from bot.storage.repositories import Repositories

STARS = range(1, 6)
COMMENT_MAX = 1000
NOTE_MAX = 1000
JSS_PERIOD = timedelta(days=730)  # the Job Success Score looks at the last 24 months
JSS_MIN_CONTRACTS = 3
JSS_GOOD_STARS = 4
REMINDER_BEFORE = timedelta(days=3)  # the reminder goes out by a sweep in the window's last three days
RATING_LOOKBACK = timedelta(days=2)  # windows closed this recently get their client's rating recomputed
PROFILE_FEEDBACK = 5


@dataclass(frozen=True)
class Given:
    stars: int
    comment: str
    created_at: datetime


@dataclass(frozen=True)
class ContractFeedback:
    """A contract's feedback as one of its parties may see it."""

    contract_id: int
    title: str
    other_id: int
    other_name: str
    closes_at: datetime
    mine: Given | None
    theirs_given: bool
    theirs: Given | None  # only once revealed

    @property
    def revealed(self) -> bool:
        return self.theirs is not None


@dataclass(frozen=True)
class Left:
    """What leaving feedback did: the view after it, and whether both sides just became visible."""

    view: ContractFeedback
    revealed_now: bool


@dataclass(frozen=True)
class JobSuccess:
    score: int | None  # percent; None while there are fewer than JSS_MIN_CONTRACTS contracts
    contracts: int


@dataclass(frozen=True)
class Reminder:
    account_id: int
    contract_id: int
    title: str
    closes_at: datetime


def job_success_score(good: int, total: int) -> int | None:
    return round(100 * good / total) if total >= JSS_MIN_CONTRACTS else None


class FeedbackService:
    def __init__(self, repos: Repositories, now: datetime, rules: MarketRules) -> None:
        self._repos = repos
        self._feedback = repos.feedback
        self._now = now
        self._window = rules.feedback_window

    @property
    def _window_start(self) -> datetime:
        """Contracts that ended at or before this moment have their feedback window closed."""
        return self._now - self._window

    async def _ended_contract(self, account: Account, contract_id: int) -> ContractRow:
        contract = await self._feedback.contract(contract_id)
        if contract is None or account.id not in (contract.client_id, contract.freelancer_id):
            raise UserError(N_("There is no contract #{id} of yours."), id=contract_id)
        if contract.status != "ended" or contract.ended_at is None:
            raise UserError(N_("Feedback opens when the contract ends; contract #{id} is still going."), id=contract_id)
        return contract

    async def view(self, account: Account, contract_id: int) -> ContractFeedback:
        contract = await self._ended_contract(account, contract_id)
        assert contract.ended_at is not None
        closes_at = contract.ended_at + self._window
        rows = await self._feedback.for_contract(contract_id)
        mine = next((row for row in rows if row.author_id == account.id), None)
        theirs = next((row for row in rows if row.author_id != account.id), None)
        revealed = theirs is not None and (mine is not None or closes_at <= self._now)
        other_id = contract.freelancer_id if account.id == contract.client_id else contract.client_id
        other = await self._repos.accounts.get(other_id)
        return ContractFeedback(
            contract.id,
            contract.title,
            other_id,
            other.full_name if other is not None and other.deleted_at is None else "",
            closes_at,
            _given(mine),
            theirs is not None,
            _given(theirs) if revealed else None,
        )

    async def leave(self, account: Account, contract_id: int, stars: int, comment: str, note: str) -> Left:
        """Store the feedback once; when the other party had left theirs, both are revealed now."""
        before = await self.view(account, contract_id)
        if before.mine is not None:
            raise UserError(N_("You have already left feedback on this contract: it can be given only once."))
        if before.closes_at <= self._now:
            raise UserError(
                N_("The feedback window for this contract closed on {date}."), date=Day(before.closes_at.date())
            )
        if stars not in STARS:
            raise UserError(N_("Pick from 1 to 5 stars."))
        values = {
            "contract_id": contract_id,
            "author_id": account.id,
            "recipient_id": before.other_id,
            "stars": stars,
            "public_comment": clean_text(comment, COMMENT_MAX, multiline=True) if comment else "",
            "private_note": clean_text(note, NOTE_MAX, multiline=True) if note else "",
            "created_at": self._now,
        }
        if not await self._feedback.add(values):
            raise UserError(N_("You have already left feedback on this contract: it can be given only once."))
        after = await self.view(account, contract_id)
        if after.revealed:
            contract = await self._feedback.contract(contract_id)
            assert contract is not None
            await self._recompute_client_rating(contract.client_id)
        return Left(after, after.revealed)

    async def awaiting(self, account: Account) -> list[ContractRow]:
        return list(await self._feedback.awaiting(account.id, self._window_start))

    async def _recompute_client_rating(self, client_id: int) -> None:
        total, count = await self._feedback.stars_received(client_id, self._window_start, as_client=True)
        await self._feedback.set_client_rating(client_id, total, count, self._now)

    # ---- what profiles show ---------------------------------------------------------------------

    async def freelancer_rating(self, account_id: int) -> tuple[float | None, int]:
        """The average of the revealed stars clients gave this freelancer, and how many."""
        total, count = await self._feedback.stars_received(account_id, self._window_start, as_client=False)
        return (total / count if count else None), count

    async def received(self, account_id: int, limit: int = PROFILE_FEEDBACK) -> list[ReceivedFeedback]:
        return await self._feedback.received(account_id, self._window_start, limit)

    async def job_success(self, freelancer_id: int) -> JobSuccess:
        """The Job Success Score, Upwork-like: of the freelancer's contracts that ended in the last 24 months
        with money paid and whose feedback is settled (both parties gave it, or the window closed), the share
        with a good outcome, i.e. the client gave 4 or 5 stars and no dispute on it ended in a refund. A
        contract the client left no feedback on counts as not good. Shown from 3 such contracts on (fewer say
        too little), as a whole percent."""
        outcomes = await self._feedback.outcomes(freelancer_id, self._now - JSS_PERIOD, self._window_start)
        good = sum(
            1
            for outcome in outcomes
            if outcome.client_stars is not None
            and outcome.client_stars >= JSS_GOOD_STARS
            and not outcome.refunded_by_dispute
        )
        return JobSuccess(job_success_score(good, len(outcomes)), len(outcomes))

    # ---- the scheduler's sweep ------------------------------------------------------------------

    async def contracts_to_remind(self) -> list[int]:
        """Ended contracts in the last REMINDER_BEFORE of their feedback window with a party not yet reminded."""
        window_start = self._window_start
        due = await self._feedback.unreminded_between(window_start, window_start + REMINDER_BEFORE)
        return [contract.id for contract in due]

    async def remind(self, contract_id: int) -> list[Reminder]:
        """The parties of one contract who have not left feedback, each reminded once.

        Each reminder is claimed on the contract row (``client/freelancer_feedback_reminded_at``) by a
        conditional update, so an hourly sweep, a restart or a second process sends it once; a bot that was down
        on the day it fell due sends it on the next sweep while the window is still open.
        """
        contract = await self._repos.contracts.get(contract_id)
        start = self._window_start
        if contract is None or contract.ended_at is None or not start < contract.ended_at <= start + REMINDER_BEFORE:
            return []
        given = {row.author_id for row in await self._feedback.for_contract(contract.id)}
        due = []
        for party, account_id in (("client", contract.client_id), ("freelancer", contract.freelancer_id)):
            if account_id not in given and await self._feedback.claim_reminder(contract.id, party, self._now):
                due.append(Reminder(account_id, contract.id, contract.title, contract.ended_at + self._window))
        return due

    async def reminders_due(self) -> list[Reminder]:
        """Every feedback reminder owed now."""
        return [reminder for ident in await self.contracts_to_remind() for reminder in await self.remind(ident)]

    async def clients_to_rate(self) -> list[int]:
        """Clients whose contracts' feedback windows closed lately: their rating may have changed."""
        return await self._feedback.clients_rated_between(self._window_start - RATING_LOOKBACK, self._window_start)

    async def rate_client(self, client_id: int) -> None:
        """Recompute one client's rating from the feedback now revealed (idempotent)."""
        await self._recompute_client_rating(client_id)

    async def reveal_closed_windows(self) -> list[int]:
        """Recompute the rating of clients whose contracts' windows closed lately (idempotent); returns them."""
        clients = await self.clients_to_rate()
        for client_id in clients:
            await self.rate_client(client_id)
        return clients


def _given(row: FeedbackRow | None) -> Given | None:
    return None if row is None else Given(row.stars, row.public_comment, row.created_at)
