"""Hourly contracts: time the freelancer logs within the weekly limit, and the weekly invoice.

A week runs Monday 00:00 to Sunday 24:00 UTC, and time counts in the week it is logged. From Monday on, a sweep
invoices each finished week that has time (``minutes × rate / 60`` rounded half up to the cent) and charges the
client into the invoice's escrow at once, so a dispute opened during the review freezes real money. The client
may review (and dispute) it until the end of Friday UTC (``review_until`` is Saturday 00:00 UTC); after that a
sweep pays it to the freelancer. A week without time makes no invoice; time logged before a contract ended is
still invoiced. Every sweep is idempotent: an invoice
is unique per contract and week, and paying claims it first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.core.accounts import Account
from bot.core.contracts import Contract, ContractService, Invoice
from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.storage.orm import ContractRow, TimeEntryRow
from bot.storage.repositories import Repositories

log = logging.getLogger("gigbot.hourly")

MEMO_MAX = 200
MAX_ENTRY_MINUTES = 24 * 60
REVIEW_DAYS = 5  # Monday to the end of Friday
_UNIT_H = r"(?:h|hr|hrs|hour|hours)(?![a-z])"
_UNIT_M = r"(?:m|min|mins|minute|minutes)(?![a-z])"
_DURATION = re.compile(
    rf"^\s*(?:(?P<hours>\d{{1,3}}(?:[.,]\d{{1,3}})?)\s*{_UNIT_H}"
    rf"(?:(?P<attached>\d{{1,2}})(?![\d.,a-z])|\s*(?P<spaced>\d{{1,3}})\s*{_UNIT_M})?"
    rf"|(?P<minutes>\d{{1,4}})\s*{_UNIT_M})(?P<memo>.*)$",
    re.I | re.S | re.ASCII,  # digits 0-9 only (\d alone also reads other scripts' digits)
)


def parse_duration(text: str) -> tuple[int, str]:
    """ "2h30 Fixed the checkout" -> (150, "Fixed the checkout"); also "1.5h", "90m", "45 minutes", "1h 15m"."""
    match = _DURATION.match(text)
    if not match:
        raise UserError(N_("Start with the time you worked, like 2h30, 1.5h, 90m or 45 minutes."))
    if match["minutes"]:
        minutes = int(match["minutes"])
    else:
        hours = match["hours"].replace(",", ".")
        whole, _, fraction = hours.partition(".")
        exact = int(whole) * 60 * 1000 + int((fraction or "0").ljust(3, "0")) * 60
        minutes = (exact + 500) // 1000 + int(match["attached"] or match["spaced"] or 0)
    if not 1 <= minutes <= MAX_ENTRY_MINUTES:
        raise UserError(N_("One entry can be from 1 minute to 24 hours."))
    memo = " ".join(match["memo"].split())
    if len(memo) > MEMO_MAX:
        raise UserError(N_("The memo is too long: at most {limit} characters."), limit=MEMO_MAX)
    return minutes, memo


def week_start(moment: datetime) -> date:
    """The Monday (UTC) of the week ``moment`` falls in."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def invoice_amount(minutes: int, rate_minor: int) -> int:
    """``minutes × rate / 60`` rounded half up to the minor unit."""
    return (2 * minutes * rate_minor + 60) // 120


def review_end(week: date) -> datetime:
    """The end of the Friday after the invoiced week (Saturday 00:00 UTC)."""
    return datetime.combine(week + timedelta(days=7 + REVIEW_DAYS), time(), tzinfo=UTC)


@dataclass(frozen=True)
class Logged:
    contract: Contract
    minutes: int
    week_minutes: int  # logged this week, this entry included


@dataclass(frozen=True)
class Issued:
    contract: Contract
    invoice: Invoice
    charged: bool  # False: the provider declined; charged again before it is paid
    fee_minor: int = 0  # once paid: the service fee taken from the invoice's amount


class HourlyService:
    def __init__(self, repos: Repositories, now: datetime, contracts: ContractService) -> None:
        self._repos = repos
        self._contracts = repos.contracts
        self._now = now
        self._service = contracts

    async def choices(self, freelancer: Account) -> list[Contract]:
        """The freelancer's active hourly contracts, to pick the one time goes on."""
        return [Contract.from_row(row) for row in await self._contracts.active_hourly(freelancer.id)]

    async def week_entries(self, contract: Contract) -> Sequence[TimeEntryRow]:
        """This week's time entries, oldest first (the week still to be invoiced)."""
        return await self._contracts.time_in_week(contract.id, week_start(self._now))

    async def invoices(self, contract: Contract, limit: int = 4) -> list[Invoice]:
        return [Invoice.from_row(row) for row in await self._contracts.invoices(contract.id, limit)]

    async def log(self, freelancer: Account, contract_id: int | str | None, minutes: int, memo: str) -> Logged:
        """Log time on an active hourly contract of this freelancer, never past this week's limit. Without a
        contract id the freelancer's only active hourly contract is meant (a ``UserError`` when there are
        several: the caller asks which)."""
        if contract_id is None:
            mine = await self.choices(freelancer)
            if not mine:
                raise UserError(N_("You have no active hourly contract to log time on."))
            if len(mine) > 1:
                raise UserError(N_("You have several hourly contracts: say which, like /log #12 2h30 memo."))
            contract_id = mine[0].id
        contract = await self._service.readable(freelancer, contract_id)
        if contract.freelancer_id != freelancer.id:
            raise UserError(N_("Only the freelancer of this contract can log time on it."))
        if contract.kind != "hourly":
            raise UserError(N_("Time is logged on hourly contracts only; this one is fixed-price."))
        if contract.status != "active":
            raise UserError(N_("This contract isn't active: time can't be logged on it."))
        week = week_start(self._now)
        limit = contract.weekly_limit_minutes or 0
        before = await self._contracts.minutes_in_week(contract.id, week)
        if before + minutes > limit:
            raise UserError(
                N_("That would go past this week's limit of {limit}: {left} left until Sunday night (UTC)."),
                limit=format_minutes(limit),
                left=format_minutes(max(0, limit - before)),
            )
        await self._contracts.add_time(contract.id, week, minutes, memo, self._now)
        return Logged(contract, minutes, before + minutes)

    # ---- the scheduler --------------------------------------------------------------------------

    async def weeks_to_invoice(self, batch: int = 200) -> list[tuple[int, date, int]]:
        """(contract id, week start, minutes) of every finished week with logged time and no invoice yet."""
        return await self._contracts.weeks_to_invoice(week_start(self._now), batch)

    async def issue_invoice(self, contract_id: int, week: date, minutes: int) -> Issued | None:
        """Invoice one finished week and charge it into escrow; None when it was invoiced meanwhile."""
        row = await self._contracts.get(contract_id)
        assert row is not None
        assert row.rate_minor is not None
        values = {
            "contract_id": contract_id,
            "week_start": week,
            "minutes": minutes,
            "amount_minor": invoice_amount(minutes, row.rate_minor),
            "status": "review",
            "review_until": review_end(week),
            "paid_minor": 0,
            "refunded_minor": 0,
            "created_at": self._now,
            "closed_at": None,
            "version": 1,
        }
        invoice_id = await self._contracts.add_invoice(values)
        if invoice_id is None:
            return None
        invoice = await self._contracts.invoice(invoice_id)
        assert invoice is not None
        charged = await self._charge(row, invoice.id, invoice.amount_minor)
        return Issued(Contract.from_row(row), Invoice.from_row(invoice), charged)

    async def issue_invoices(self, batch: int = 200) -> list[Issued]:
        """Invoice every finished week with logged time and no invoice yet."""
        issued = [await self.issue_invoice(*week) for week in await self.weeks_to_invoice(batch)]
        return [one for one in issued if one is not None]

    async def _charge(self, contract: ContractRow, invoice_id: int, amount: int) -> bool:
        try:
            await self._service.hold(contract, f"invoice:{invoice_id}", amount)
        except UserError:
            log.warning("charge declined for invoice=%s client=%s", invoice_id, contract.client_id)
            return False
        return True

    async def reviewed_invoices(self, batch: int = 200) -> list[int]:
        """Invoices whose review ended, to pay."""
        return [invoice.id for invoice in await self._contracts.invoices_due(self._now, batch)]

    async def pay_invoice(self, invoice_id: int) -> Issued | None:
        """Pay an invoice whose review ended undisputed (charging first a charge that had been declined); None
        when it is not due, still declined, or was paid or disputed meanwhile."""
        invoice = await self._contracts.invoice(invoice_id)
        if invoice is None or invoice.status != "review" or invoice.review_until > self._now:
            return None
        row = await self._contracts.get(invoice.contract_id)
        assert row is not None
        if not await self._charge(row, invoice.id, invoice.amount_minor):
            return None
        values = {"paid_minor": invoice.amount_minor, "closed_at": self._now}
        if not await self._contracts.move_invoice(invoice.id, ("review",), status="paid", **values):
            return None
        fee = await self._service.pay_out(row, f"invoice:{invoice.id}", invoice.amount_minor)
        return Issued(Contract.from_row(row), Invoice.from_row(invoice), True, fee)

    async def pay_due_invoices(self, batch: int = 200) -> list[Issued]:
        paid = [await self.pay_invoice(invoice_id) for invoice_id in await self.reviewed_invoices(batch)]
        return [one for one in paid if one is not None]


def format_minutes(minutes: int) -> str:
    """150 -> "2h30", 120 -> "2h", 45 -> "45m"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"
