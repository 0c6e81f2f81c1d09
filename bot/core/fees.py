"""Fees, in integer minor units. Written-down rounding rules (tested in tests/unit/test_fees.py):

- A percent is held in basis points (1% = 100 bp). A fee is ``amount * bp / 10_000`` rounded half up to the
  minor unit, computed with integers only: 10% of $0.05 is $0.01, 10% of $0.04 is $0.00.
- Tiered fees: the amount is split at the tier edges, counted from what this freelancer has already billed
  this client; the exact fee of every slice is added up first and rounded once, so splitting a payment in two
  never costs more than a cent over paying it at once.
- The freelancer receives the amount minus the service fee; the client pays the amount plus the marketplace
  fee. When escrowed money goes back to the client, the marketplace fee is recomputed on what the client kept
  paying for (``client_fee(kept)``) and the difference is refunded, so after a full refund the client has paid
  no fee at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Schedule = Literal["flat", "tiered", "fixed"]
BASIS = 10_000  # basis points in 100%
# Upwork's 2016-2023 service fee by lifetime billings with the same client: (up to this amount, basis points).
TIERS: tuple[tuple[int | None, int], ...] = ((500_00, 2000), (10_000_00, 1000), (None, 500))


def basis_points(percent: Decimal) -> int:
    return int(percent * 100)


def _round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def percent_of(amount_minor: int, bp: int) -> int:
    return _round_half_up(amount_minor * bp, BASIS)


@dataclass(frozen=True)
class FeeQuote:
    """What one payment means for each side, as shown before a bid, an offer or a payment."""

    amount_minor: int
    service_fee_minor: int  # taken from the freelancer
    client_fee_minor: int  # added to what the client pays

    @property
    def freelancer_receives_minor(self) -> int:
        return self.amount_minor - self.service_fee_minor

    @property
    def client_pays_minor(self) -> int:
        return self.amount_minor + self.client_fee_minor


@dataclass(frozen=True)
class FeeRules:
    schedule: Schedule
    freelancer_bp: int  # the flat percent, and the percent a new contract gets under the fixed schedule
    client_bp: int

    def service_fee(self, amount_minor: int, *, billed_before_minor: int = 0, contract_bp: int | None = None) -> int:
        """The freelancer's fee on one payment. ``billed_before_minor``: what this freelancer has already billed
        this client (tiered schedule); ``contract_bp``: the percent fixed in the contract (fixed schedule)."""
        if self.schedule == "flat":
            return percent_of(amount_minor, self.freelancer_bp)
        if self.schedule == "fixed":
            return percent_of(amount_minor, self.freelancer_bp if contract_bp is None else contract_bp)
        exact, start, left = 0, billed_before_minor, amount_minor
        for edge, bp in TIERS:
            room = left if edge is None else max(0, min(left, edge - start))
            exact += room * bp
            start, left = start + room, left - room
        return _round_half_up(exact, BASIS)

    def client_fee(self, amount_minor: int) -> int:
        return percent_of(amount_minor, self.client_bp)

    def quote(self, amount_minor: int, *, billed_before_minor: int = 0, contract_bp: int | None = None) -> FeeQuote:
        return FeeQuote(
            amount_minor,
            self.service_fee(amount_minor, billed_before_minor=billed_before_minor, contract_bp=contract_bp),
            self.client_fee(amount_minor),
        )
