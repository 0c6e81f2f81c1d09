"""The marketplace's rules from the config, handed to the services: fees, proposal credits and timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.fees import FeeRules


@dataclass(frozen=True)
class CreditRules:
    enabled: bool = False
    per_proposal: int = 2
    monthly_allowance: int = 20


@dataclass(frozen=True)
class MarketRules:
    fees: FeeRules = field(default_factory=lambda: FeeRules("flat", 1000, 500))
    credits: CreditRules = CreditRules()
    security_period: timedelta = timedelta(days=5)  # released earnings stay pending this long
    auto_release: timedelta = timedelta(days=14)  # after a submission the client has not answered
    auto_release_reminders: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=1))  # before auto-release
    feedback_window: timedelta = timedelta(days=14)


DEFAULT_RULES = MarketRules()
