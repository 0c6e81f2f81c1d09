"""The fee rules and their rounding, as bot/core/fees.py writes them down."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.fees import FeeRules, percent_of

FLAT = FeeRules("flat", 1000, 500)
TIERED = FeeRules("tiered", 1000, 500)
FIXED = FeeRules("fixed", 1000, 500)


@pytest.mark.parametrize(
    ("amount", "bp", "fee"),
    [(5, 1000, 1), (4, 1000, 0), (15, 1000, 2), (14, 1000, 1), (100_00, 1000, 10_00), (1, 500, 0), (10, 500, 1)],
)
def test_a_percent_rounds_half_up_to_the_cent(amount: int, bp: int, fee: int) -> None:
    assert percent_of(amount, bp) == fee


def test_the_quote_shows_both_sides() -> None:
    quote = FLAT.quote(1_250_00)
    assert (quote.service_fee_minor, quote.freelancer_receives_minor) == (125_00, 1_125_00)
    assert (quote.client_fee_minor, quote.client_pays_minor) == (62_50, 1_312_50)


@pytest.mark.parametrize(
    ("billed_before", "amount", "fee"),
    [
        (0, 500_00, 100_00),  # all in the 20% tier
        (0, 600_00, 110_00),  # $500 at 20% + $100 at 10%
        (450_00, 100_00, 15_00),  # $50 at 20% + $50 at 10%
        (9_900_00, 200_00, 15_00),  # $100 at 10% + $100 at 5%
        (20_000_00, 100_00, 5_00),  # all at 5%
        (0, 10_500_00, 100_00 + 950_00 + 25_00),  # across all three tiers
    ],
)
def test_tiers_count_from_what_was_billed_with_this_client(billed_before: int, amount: int, fee: int) -> None:
    assert TIERED.service_fee(amount, billed_before_minor=billed_before) == fee


def test_the_fixed_schedule_uses_the_contracts_percent() -> None:
    assert FIXED.service_fee(100_00) == 10_00
    assert FIXED.service_fee(100_00, contract_bp=750) == 7_50
    assert FLAT.service_fee(100_00, contract_bp=750) == 10_00  # only the fixed schedule reads it


@given(st.integers(0, 30_000_00), st.integers(1, 5_000_00), st.integers(1, 5_000_00))
def test_splitting_a_payment_never_costs_more_than_a_cent(billed: int, first: int, second: int) -> None:
    whole = TIERED.service_fee(first + second, billed_before_minor=billed)
    split = TIERED.service_fee(first, billed_before_minor=billed) + TIERED.service_fee(
        second, billed_before_minor=billed + first
    )
    assert abs(split - whole) <= 1
    assert 0 <= whole <= first + second
