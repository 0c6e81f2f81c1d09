"""Funding a milestone by paying an invoice in the chat, on a platform that takes payments (Telegram Payments).

An invoice bills one milestone: its amount plus the marketplace fee, in the contract's currency. Its payload is a
signed ``Bill`` (an action id, packed by the front end like a button's, so a forged or edited one is refused).
Before the platform takes the money it asks ``check``: the payer is the contract's client, the milestone is still
unfunded, and the amount and currency are exactly what the milestone costs now. Once the platform took it,
``record`` funds the milestone, once per platform charge id: a replayed payment finds its charge recorded and
changes nothing. A payment that can no longer fund its milestone (funded meanwhile through another invoice or
another platform, the contract ended) is not lost: the ledger books it to refunds due and marks it for an admin
to refund through the provider (the platform's refunds go through the provider, not through us).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.core.accounts import Account
from bot.core.actions import Action
from bot.core.contracts import ONLY_THE_PARTY, Contract, ContractService, Milestone, Moved
from bot.core.errors import UserError
from bot.core.i18n import N_, Money
from bot.core.ledger import LedgerService
from bot.core.numbers import whole_number

PAY = "pay"  # the action kind of an invoice's payload: (contract id, milestone id, total, currency)
MAX_KEY = 120  # the ledger's idempotency keys


@dataclass(frozen=True)
class Bill:
    """What an invoice asks to be paid: funding one milestone, ``total_minor`` (amount and fee) in ``currency``."""

    contract_id: int
    milestone_id: int
    total_minor: int
    currency: str

    @property
    def action(self) -> Action:
        return Action(PAY, (str(self.contract_id), str(self.milestone_id), str(self.total_minor), self.currency))

    @classmethod
    def of(cls, action: Action) -> Bill | None:
        """The bill an unpacked payload names; None for any other action."""
        if action.kind != PAY or len(action.args) != 4:
            return None
        contract_id, milestone_id, total = (whole_number(arg) for arg in action.args[:3])
        if contract_id is None or milestone_id is None or total is None:
            return None
        return cls(contract_id, milestone_id, total, action.args[3])


@dataclass(frozen=True)
class Billed:
    """A milestone the client may fund now, with what it costs them."""

    contract: Contract
    milestone: Milestone
    fee_minor: int
    bill: Bill


@dataclass(frozen=True)
class Charge:
    """A payment the platform took: its charge id (one per payment), the provider's, what was paid."""

    platform: str
    charge_id: str
    provider_charge_id: str
    total_minor: int
    currency: str

    @property
    def key(self) -> str:
        """The payment's idempotency key in the ledger (a charge id too long for it is hashed)."""
        key = f"{self.platform}:charge:{self.charge_id}"
        if len(key) <= MAX_KEY:
            return key
        return f"{self.platform}:charge:sha256:{hashlib.sha256(self.charge_id.encode()).hexdigest()}"


@dataclass(frozen=True)
class Recorded:
    """What a payment did: funded ``moved``; or could not (``refused`` says why) and waits to be refunded; or
    neither, when this charge had been recorded before."""

    moved: Moved | None = None
    refused: UserError | None = None


class CheckoutService:
    def __init__(self, contracts: ContractService, ledger: LedgerService) -> None:
        self._contracts = contracts
        self._ledger = ledger

    async def bill(self, client: Account, contract_id: int | str, milestone_id: int | str) -> Billed:
        """What funding this milestone costs ``client`` now, refused as funding itself would be."""
        contract = await self._contracts.may(client, contract_id, "fund", milestone_id)
        wanted = whole_number(str(milestone_id))
        milestone = next(m for m in await self._contracts.milestones(contract) if m.id == wanted)
        fee = contract.fees.client_fee(milestone.amount_minor)
        bill = Bill(contract.id, milestone.id, milestone.amount_minor + fee, contract.currency)
        return Billed(contract, milestone, fee, bill)

    async def check(self, payer: Account | None, bill: Bill | None, total_minor: int, currency: str) -> Billed:
        """Whether the platform may take this payment now; a ``UserError`` says why not (shown to the payer)."""
        if bill is None:
            raise UserError(N_("This invoice is no longer valid. Open the contract to fund the milestone again."))
        if payer is None:
            raise UserError(ONLY_THE_PARTY["fund"])
        billed = await self.bill(payer, bill.contract_id, bill.milestone_id)
        if billed.bill != bill or (total_minor, currency) != (bill.total_minor, bill.currency):
            due = billed.bill
            raise UserError(
                N_("This payment doesn't match the milestone: {total} is due. Please pay the latest invoice."),
                total=Money(due.total_minor, due.currency),
            )
        return billed

    async def record(self, payer: Account | None, bill: Bill | None, charge: Charge) -> Recorded:
        """A payment the platform took: it funds the milestone, once per charge id, or is set aside for a
        refund when it no longer can (the books balance either way)."""
        payer_id = payer.id if payer is not None else None
        key = charge.key
        if not await self._ledger.take_payment(
            key, charge.platform, payer_id, charge.total_minor, charge.currency, charge.provider_charge_id
        ):
            return Recorded()
        try:
            billed = await self.check(payer, bill, charge.total_minor, charge.currency)
            assert payer is not None
            moved = await self._contracts.fund(payer, billed.contract.id, billed.milestone.id, paid_by=key)
        except UserError as refused:
            await self._ledger.set_aside(key, charge.total_minor, charge.currency)
            return Recorded(refused=refused)
        return Recorded(moved=moved)
