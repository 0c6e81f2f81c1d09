"""The payment provider port: charging clients and paying freelancers out. The sandbox is the default.

A provider is called with an idempotency key; calling it again with the same key must not move money again
(the ledger also records each call once, in the ``payments`` table, before any entry is written).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ProviderResult:
    ok: bool
    reference: str = ""
    error: str = ""  # for the logs and the admins; users get a translated message


class PaymentProvider(Protocol):
    name: str

    async def charge(self, account_id: int, amount_minor: int, currency: str, key: str) -> ProviderResult:
        """Take money from the client's payment method."""
        ...

    async def refund(self, account_id: int, amount_minor: int, currency: str, key: str) -> ProviderResult:
        """Give money back to the client's payment method."""
        ...

    async def payout(self, account_id: int, amount_minor: int, currency: str, key: str) -> ProviderResult:
        """Send money to the freelancer's payout method."""
        ...


class SandboxProvider:
    """Succeeds at once with a reference derived from the key, or refuses every charge when told to."""

    name = "sandbox"

    def __init__(self, *, fail_charges: bool = False) -> None:
        self.fail_charges = fail_charges

    @staticmethod
    def _reference(key: str) -> str:
        return "sbx_" + hashlib.sha256(key.encode()).hexdigest()[:16]

    async def charge(self, account_id: int, amount_minor: int, currency: str, key: str) -> ProviderResult:
        if self.fail_charges:
            return ProviderResult(False, error="sandbox: card declined")
        return ProviderResult(True, self._reference(key))

    async def refund(self, account_id: int, amount_minor: int, currency: str, key: str) -> ProviderResult:
        return ProviderResult(True, self._reference(key))

    async def payout(self, account_id: int, amount_minor: int, currency: str, key: str) -> ProviderResult:
        return ProviderResult(True, self._reference(key))
