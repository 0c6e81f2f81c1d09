"""Money movements as a double-entry ledger: every transaction's entries sum to zero, and each one is written
once per idempotency key (asking again returns the first one).

Accounts (codes): ``world:provider`` is the outside world, money coming in through the payment provider and
going back out (the only account allowed below zero); ``client:<id>:funding`` is what a client paid in and not
yet placed; ``escrow:<ref>`` holds one milestone's or one weekly invoice's money; ``freelancer:<id>:pending``
are released earnings inside the security period, then ``freelancer:<id>:available``; ``payouts:<id>`` is what
was withdrawn; ``platform:fees`` collects both fees; ``platform:refunds_due`` holds payments taken that could fund
nothing (bot/core/checkout.py), until an admin refunds them through the provider.

Escrow is two-phase: ``hold`` once, then ``release`` at most once and ``refund`` at most once (a partial release
and a refund of the rest, as a dispute split does, is one of each); the keys are derived from the escrow
(``escrow_key``), so a repeated click, a replay or a concurrent twin cannot move the money twice. Paying part of
a milestone is a release of its own before the final one, keyed by the confirmation it came from, so each
confirmed part moves once. Fees: bot/core/fees.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.core.market import MarketRules
from bot.core.payments import PaymentProvider
from bot.storage.orm import EarningRow, PayoutRow
from bot.storage.repositories import Repositories

WORLD = "world:provider"
FEES = "platform:fees"
REFUNDS_DUE = "platform:refunds_due"
HISTORY_SIZE = 20


class LedgerError(Exception):
    """A movement that would break the books (unbalanced, or an account below zero): a bug, never user input."""


def client_funding(client_id: int) -> str:
    return f"client:{client_id}:funding"


def escrow(ref: str) -> str:
    """``ref``: "milestone:<id>" or "invoice:<id>"."""
    return f"escrow:{ref}"


def escrow_key(ref: str, phase: str, part: str = "") -> str:
    """The idempotency key of an escrow's ``hold``, ``release`` or ``refund``; ``part``: the confirmation token
    of a partial release."""
    return f"{escrow(ref)}:{phase}:part:{part}" if part else f"{escrow(ref)}:{phase}"


def pending(freelancer_id: int) -> str:
    return f"freelancer:{freelancer_id}:pending"


def available(freelancer_id: int) -> str:
    return f"freelancer:{freelancer_id}:available"


def payouts(freelancer_id: int) -> str:
    return f"payouts:{freelancer_id}"


def _owner(code: str) -> int | None:
    parts = code.split(":")
    return int(parts[1]) if parts[0] in ("client", "freelancer", "payouts") else None


@dataclass(frozen=True)
class Posted:
    transaction_id: int
    first_time: bool  # False: this key had been posted before, nothing moved now


@dataclass(frozen=True)
class Earnings:
    pending_minor: int
    available_minor: int
    withdrawn_minor: int
    history: Sequence[EarningRow]
    payouts: Sequence[PayoutRow]
    unmatured: Sequence[EarningRow]  # every earning still in its security period, the soonest available first


class LedgerService:
    def __init__(self, repos: Repositories, now: datetime, rules: MarketRules, provider: PaymentProvider) -> None:
        self._ledger = repos.ledger
        self._now = now
        self._rules = rules
        self._provider = provider

    async def post(
        self,
        key: str,
        kind: str,
        moves: Sequence[tuple[str, int]],
        currency: str,
        *,
        contract_id: int | None = None,
        memo: str = "",
    ) -> Posted:
        """Write one balanced transaction of (account code, amount) entries, once per key."""
        if sum(amount for _code, amount in moves) != 0:
            raise LedgerError(f"transaction {key} does not balance: {moves}")
        transaction_id = await self._ledger.open_transaction(key, kind, contract_id, memo, self._now)
        if transaction_id is None:
            first = await self._ledger.transaction_id(key)
            assert first is not None
            return Posted(first, first_time=False)
        for code, amount in moves:
            account_id = await self._ledger.account_id(code, currency, _owner(code))
            if await self._ledger.add_entry(transaction_id, account_id, amount) < 0 and code != WORLD:
                raise LedgerError(f"transaction {key} takes {code} below zero")
        return Posted(transaction_id, first_time=True)

    async def balance(self, code: str, currency: str) -> int:
        return await self._ledger.balance(code, currency)

    async def posted(self, key: str) -> bool:
        """Whether the movement of this idempotency key happened already (a repeated confirmation asks)."""
        return await self._ledger.transaction_id(key) is not None

    async def _call_provider(self, direction: str, key: str, account_id: int, amount: int, currency: str) -> None:
        """Ask the provider once per key (a retry with the same key asks again, as providers allow); a refusal
        is the user's to hear about, and nothing moves."""
        if (done := await self._ledger.payment(key)) is not None and done.status == "succeeded":
            return
        call = {"charge": self._provider.charge, "refund": self._provider.refund, "payout": self._provider.payout}
        result = await call[direction](account_id, amount, currency, key)
        if not result.ok:
            raise UserError(N_("The payment provider declined this payment. Please check your payment method."))
        await self._ledger.record_payment(
            {
                "idempotency_key": key,
                "provider": self._provider.name,
                "direction": direction,
                "account_id": account_id,
                "amount_minor": amount,
                "currency": currency,
                "status": "succeeded",
                "reference": result.reference,
                "created_at": self._now,
            }
        )

    async def hold(
        self,
        ref: str,
        client_id: int,
        amount: int,
        client_fee: int,
        currency: str,
        *,
        contract_id: int,
        paid_by: str = "",
    ) -> Posted:
        """Charge the client the amount plus the marketplace fee (the contract's rate: the caller computes it)
        and place the amount in escrow. ``paid_by``: the key of a payment the platform took already
        (``take_payment``), so the provider is not asked to charge."""
        key = escrow_key(ref, "hold")
        if (first := await self._ledger.transaction_id(key)) is not None:
            return Posted(first, first_time=False)
        fee = client_fee
        if not paid_by:
            await self._call_provider("charge", key, client_id, amount + fee, currency)
        funding = client_funding(client_id)
        moves = [(WORLD, -(amount + fee)), (funding, amount + fee), (funding, -amount), (escrow(ref), amount)]
        moves += [(funding, -fee), (FEES, fee)] if fee else []
        return await self.post(key, "hold", moves, currency, contract_id=contract_id, memo=paid_by)

    async def take_payment(
        self, key: str, provider: str, payer_id: int | None, amount: int, currency: str, reference: str
    ) -> bool:
        """Record a payment a platform took by itself (its own checkout, not our provider's charge), once per
        ``key``: False when it was recorded before, and nothing is to be done again. Its money moves with the
        ``hold`` it pays (``paid_by``), or to refunds due (``set_aside``)."""
        return await self._ledger.record_payment(
            {
                "idempotency_key": key,
                "provider": provider,
                "direction": "charge",
                "account_id": payer_id,
                "amount_minor": amount,
                "currency": currency,
                "status": "succeeded",
                "reference": reference[:100],
                "created_at": self._now,
            }
        )

    async def set_aside(self, key: str, amount: int, currency: str) -> Posted:
        """A payment taken (``take_payment``) that funds nothing: its money waits in refunds due, and the payment
        is marked for an admin to refund through the provider."""
        await self._ledger.mark_payment(key, "refund_due")
        return await self.post(key, "refund_due", [(WORLD, -amount), (REFUNDS_DUE, amount)], currency, memo=key)

    async def release(
        self,
        ref: str,
        freelancer_id: int,
        amount: int,
        service_fee: int,
        currency: str,
        *,
        contract_id: int,
        part: str = "",
    ) -> Posted:
        """Pay ``amount`` out of escrow: the service fee to the platform, the rest pending for the freelancer
        until the security period ends. ``part``: the confirmation token of a partial release."""
        moves = [(escrow(ref), -amount), (pending(freelancer_id), amount - service_fee)]
        moves += [(FEES, service_fee)] if service_fee else []
        key = escrow_key(ref, "release", part)
        posted = await self.post(key, "release", moves, currency, contract_id=contract_id)
        if posted.first_time:
            await self._ledger.add_earning(
                EarningRow(
                    freelancer_id=freelancer_id,
                    contract_id=contract_id,
                    transaction_id=posted.transaction_id,
                    amount_minor=amount - service_fee,
                    fee_minor=service_fee,
                    currency=currency,
                    created_at=self._now,
                    available_at=self._now + self._rules.security_period,
                )
            )
        return posted

    async def refund(
        self, ref: str, client_id: int, amount: int, fee_refund: int, currency: str, *, contract_id: int
    ) -> Posted:
        """Give ``amount`` of escrow back to the client with ``fee_refund`` of the marketplace fee (see fees.py)."""
        key = escrow_key(ref, "refund")
        if (first := await self._ledger.transaction_id(key)) is not None:
            return Posted(first, first_time=False)
        await self._call_provider("refund", key, client_id, amount + fee_refund, currency)
        funding = client_funding(client_id)
        moves = [(escrow(ref), -amount), (funding, amount)]
        moves += [(FEES, -fee_refund), (funding, fee_refund)] if fee_refund else []
        moves += [(funding, -(amount + fee_refund)), (WORLD, amount + fee_refund)]
        return await self.post(key, "refund", moves, currency, contract_id=contract_id)

    async def maturing_freelancers(self, limit: int = 500) -> list[int]:
        """Freelancers with earnings whose security period has ended."""
        due = await self._ledger.due_earnings(self._now, limit)
        return list(dict.fromkeys(earning.freelancer_id for earning in due))

    async def mature(self, limit: int = 500, *, freelancer_id: int | None = None) -> list[EarningRow]:
        """Move earnings whose security period has ended (of one freelancer, or of everyone) from pending to
        available; returns those moved (each is claimed once, so a second process moves nothing twice)."""
        moved = []
        for earning in await self._ledger.due_earnings(self._now, limit, freelancer_id):
            if not await self._ledger.mark_matured(earning.id, self._now):
                continue
            moves = [
                (pending(earning.freelancer_id), -earning.amount_minor),
                (available(earning.freelancer_id), earning.amount_minor),
            ]
            await self.post(
                f"earning:{earning.id}:mature", "mature", moves, earning.currency, contract_id=earning.contract_id
            )
            moved.append(earning)
        return moved

    async def withdraw(self, freelancer_id: int, amount: int, currency: str, key: str) -> PayoutRow | None:
        """Move available money to a payout; None when ``key`` was used before (the first payout stands)."""
        if await self._ledger.transaction_id(key) is not None:
            return None
        await self.check_withdrawal(freelancer_id, amount, currency)
        await self._call_provider("payout", key, freelancer_id, amount, currency)
        moves = [(available(freelancer_id), -amount), (payouts(freelancer_id), amount)]
        posted = await self.post(key, "payout", moves, currency)
        payout = PayoutRow(
            freelancer_id=freelancer_id,
            amount_minor=amount,
            currency=currency,
            transaction_id=posted.transaction_id,
            status="sent",
            created_at=self._now,
        )
        await self._ledger.add_payout(payout)
        return payout

    async def check_withdrawal(self, freelancer_id: int, amount: int, currency: str) -> None:
        """Refuse a withdrawal of nothing or of more than is available (asked before the confirmation too)."""
        if amount <= 0:
            raise UserError(N_("The amount must be more than zero."))
        if amount > await self.balance(available(freelancer_id), currency):
            raise UserError(N_("You can withdraw at most what is available."))

    async def earnings(self, freelancer_id: int, currency: str) -> Earnings:
        return Earnings(
            await self.balance(pending(freelancer_id), currency),
            await self.balance(available(freelancer_id), currency),
            await self.balance(payouts(freelancer_id), currency),
            await self._ledger.earnings(freelancer_id, HISTORY_SIZE),
            await self._ledger.payouts(freelancer_id, HISTORY_SIZE),
            [row for row in await self._ledger.unmatured_earnings(freelancer_id) if row.currency == currency],
        )

    async def billed_between(self, client_id: int, freelancer_id: int) -> int:
        """What this freelancer has been paid by this client so far (the base of the tiered service fee)."""
        return await self._ledger.billed_between(client_id, freelancer_id)
