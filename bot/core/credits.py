"""Proposal credits (Upwork's "Connects"), when enabled in the config: sending a proposal costs a few.

Every freelancer gets ``monthly_allowance`` credits per calendar month (UTC), granted lazily the first time the
balance is looked at that month; unused credits carry over. Each move is a ``credit_entries`` row with a unique
key, so it happens at most once however often it is asked for: ``allowance:<account>:<YYYY-MM>``,
``proposal:<proposal id>`` (the cost) and ``refund:<proposal id>`` (given back when the client closes the job
without hiring anyone; a proposal its freelancer withdrew is not refunded).
"""

from __future__ import annotations

from datetime import datetime

from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.core.market import CreditRules
from bot.storage.repositories import Repositories


def allowance_key(account_id: int, now: datetime) -> str:
    return f"allowance:{account_id}:{now:%Y-%m}"


async def refund_closed_job(repos: Repositories, now: datetime, job_id: int) -> list[tuple[int, int]]:
    """Give back the credits spent on a job closed without a hire: (freelancer id, credits) per refund made."""
    if await repos.proposals.job_hired(job_id):
        return []
    refunded = []
    for proposal in await repos.proposals.refundable(job_id):
        key = f"refund:{proposal.id}"
        if await repos.credits.add(proposal.freelancer_id, proposal.credits_spent, "refund", key, now):
            refunded.append((proposal.freelancer_id, proposal.credits_spent))
    return refunded


class CreditService:
    def __init__(self, repos: Repositories, now: datetime, rules: CreditRules) -> None:
        self._credits = repos.credits
        self._now = now
        self.rules = rules

    @property
    def enabled(self) -> bool:
        return self.rules.enabled

    @property
    def cost(self) -> int:
        """What one proposal costs (0 when credits are off)."""
        return self.rules.per_proposal if self.rules.enabled else 0

    async def balance(self, account_id: int) -> int:
        """The freelancer's credits, this month's allowance included."""
        await self._credits.add(
            account_id, self.rules.monthly_allowance, "allowance", allowance_key(account_id, self._now), self._now
        )
        return await self._credits.balance(account_id)

    async def require(self, account_id: int) -> None:
        """Refuse politely when the freelancer can't pay for one more proposal."""
        if not self.enabled:
            return
        balance = await self.balance(account_id)
        if balance < self.cost:
            raise UserError(
                N_(
                    "Sending a proposal costs {cost} credits and you have {balance}. "
                    "You get {allowance} more on the 1st of each month."
                ),
                cost=self.cost,
                balance=balance,
                allowance=self.rules.monthly_allowance,
            )

    async def charge(self, account_id: int, proposal_id: int) -> int:
        """Take the cost of a proposal (once); returns the credits spent."""
        if not self.enabled:
            return 0
        await self.require(account_id)
        await self._credits.add(account_id, -self.cost, "proposal", f"proposal:{proposal_id}", self._now)
        return self.cost

    async def refunded(self, proposal_id: int) -> bool:
        return await self._credits.has(f"refund:{proposal_id}")
