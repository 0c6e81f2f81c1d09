"""The scheduler's contract sweeps and what they tell people: auto-release reminders and releases of submitted
milestones, the weekly invoices of hourly contracts, and paying them once the review is over.

Each sweep runs in one transaction through ``Engine.run_background``; each is idempotent (milestones and
invoices are claimed by conditional updates, invoices are unique per contract and week, reminders are counted
on the milestone), so running it twice, or again after a restart, sends and moves nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from bot.conversations.contracts import moved_amounts, notice
from bot.conversations.engine import Deliver, Engine
from bot.conversations.flow import Notify
from bot.core.events import Outbound
from bot.core.hourly import format_minutes
from bot.core.i18n import N_
from bot.core.services import Services


async def _milestones(services: Services, notify: Callable[[int, Notify], None]) -> None:
    for moved in await services.contracts.reminders_due():
        contract, milestone = moved.contract, moved.milestone
        assert milestone.auto_release_at is not None
        ident, milestone_id = str(contract.id), str(milestone.id)
        notify(
            contract.client_id,
            partial(
                notice,
                message=N_(
                    "⏰ “{milestone}” on “{title}” pays itself to the freelancer on {date} (UTC) unless you approve "
                    "it or ask for changes before then."
                ),
                contract_id=contract.id,
                params={
                    "milestone": milestone.description,
                    "title": contract.title,
                    "date": milestone.auto_release_at.strftime("%Y-%m-%d %H:%M"),
                },
                buttons=[
                    (N_("✅ Approve & pay"), ("contract", ident, "approve", milestone_id)),
                    (N_("✏️ Request changes"), ("contract", ident, "changes", milestone_id)),
                ],
                name="auto-release-reminder",
            ),
        )
    for moved in await services.contracts.auto_release_due():
        contract, milestone = moved.contract, moved.milestone
        for account_id in (contract.client_id, contract.freelancer_id):
            notify(
                account_id,
                partial(
                    notice,
                    message=N_(
                        "💰 “{milestone}” on “{title}” was paid automatically: the client didn't answer the "
                        "submission in time. Released {amount} to {name}: {fee} service fee, {name} receives {net}."
                    ),
                    contract_id=contract.id,
                    params={
                        "milestone": milestone.description,
                        "title": contract.title,
                        "name": contract.freelancer_name,
                    },
                    amounts=moved_amounts(moved),
                    name="auto-released",
                ),
            )


async def release_due_milestones(engine: Engine, deliver: Deliver | None = None) -> list[Outbound]:
    """Hourly: remind clients before a submitted milestone pays itself, and pay those whose time has come."""
    return await engine.run_background(_milestones, deliver)


async def _issue(services: Services, notify: Callable[[int, Notify], None]) -> None:
    for issued in await services.hourly.issue_invoices():
        contract, invoice = issued.contract, issued.invoice
        message = (
            N_(
                "🧾 Invoice for “{title}”, week of {week}: {hours} · {amount}, held in escrow. Review it until the "
                "end of Friday {until} (UTC); then it is paid to the freelancer."
            )
            if issued.charged
            else N_(
                "🧾 Invoice for “{title}”, week of {week}: {hours} · {amount}. Your payment method declined the "
                "charge: please check it before the end of Friday {until} (UTC)."
            )
        )
        params = {
            "title": contract.title,
            "week": invoice.week_start.isoformat(),
            "hours": format_minutes(invoice.minutes),
            "until": (invoice.review_until - timedelta(days=1)).date().isoformat(),  # the Friday
        }
        notify(
            contract.client_id,
            partial(
                notice,
                message=message,
                contract_id=contract.id,
                params=params,
                amounts={"amount": (invoice.amount_minor, contract.currency)},
                name="invoice",
            ),
        )


async def issue_weekly_invoices(engine: Engine, deliver: Deliver | None = None) -> list[Outbound]:
    """From Monday 00:00 UTC: invoice last week's time on every hourly contract (and any week missed)."""
    return await engine.run_background(_issue, deliver)


async def _pay(services: Services, notify: Callable[[int, Notify], None]) -> None:
    for paid in await services.hourly.pay_due_invoices():
        contract, invoice = paid.contract, paid.invoice
        notify(
            contract.freelancer_id,
            partial(
                notice,
                message=N_(
                    "💰 Your invoice for “{title}”, week of {week} ({hours}), was paid: {amount}, {fee} service fee, "
                    "you receive {net}."
                ),
                contract_id=contract.id,
                params={
                    "title": contract.title,
                    "week": invoice.week_start.isoformat(),
                    "hours": format_minutes(invoice.minutes),
                },
                amounts={
                    "amount": (invoice.amount_minor, contract.currency),
                    "fee": (paid.fee_minor, contract.currency),
                    "net": (invoice.amount_minor - paid.fee_minor, contract.currency),
                },
                name="invoice-paid",
            ),
        )


async def pay_reviewed_invoices(engine: Engine, deliver: Deliver | None = None) -> list[Outbound]:
    """Once the review ended (Saturday 00:00 UTC) undisputed: pay the weekly invoices."""
    return await engine.run_background(_pay, deliver)
