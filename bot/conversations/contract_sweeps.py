"""The scheduler's contract sweeps and what they tell people: auto-release reminders and releases of submitted
milestones, the weekly invoices of hourly contracts, and paying them once the review is over.

``Engine.run_sweep`` handles each milestone or invoice in a transaction of its own, its notices in the outbox
with it; each is idempotent (milestones and invoices are claimed by conditional updates, invoices are unique per
contract and week, reminders are counted on the milestone), so running a sweep twice, or again after a restart,
sends and moves nothing twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.conversations.contracts import contract_notice, moved_amounts
from bot.conversations.flow import Sweep
from bot.conversations.notices import NoticeList
from bot.core.hourly import format_minutes
from bot.core.i18n import N_
from bot.core.services import Services


async def _milestone(services: Services, milestone_id: int, notices: NoticeList) -> None:
    """Pay a milestone whose time has come (both parties are told), or remind its client before it does."""
    released = await services.contracts.auto_release(milestone_id)
    if released is not None:
        contract, milestone = released.contract, released.milestone
        for account_id in (contract.client_id, contract.freelancer_id):
            notices.add(
                account_id,
                contract_notice,
                key=f"auto-released:{milestone.id}",
                message=N_(
                    "💰 “{milestone}” on “{title}” was paid automatically: the client didn't answer the "
                    "submission in time. Released {amount} to {name}: {fee} service fee, {name} receives {net}."
                ),
                contract_id=contract.id,
                params={"milestone": milestone.description, "title": contract.title, "name": contract.freelancer_name},
                amounts=moved_amounts(released),
                name="auto-released",
            )
        return
    reminded = await services.contracts.remind(milestone_id)
    if reminded is None:
        return
    contract, milestone = reminded.contract, reminded.milestone
    assert milestone.auto_release_at is not None
    ident, milestone_ident = str(contract.id), str(milestone.id)
    notices.add(
        contract.client_id,
        contract_notice,
        message=N_(
            "⏰ “{milestone}” on “{title}” pays itself to the freelancer on {date} unless you approve "
            "it or ask for changes before then."
        ),
        contract_id=contract.id,
        params={"milestone": milestone.description, "title": contract.title},
        moments={"date": milestone.auto_release_at.isoformat()},
        buttons=[
            (N_("✅ Approve & pay"), ("contract", ident, "approve", milestone_ident)),
            (N_("✏️ Request changes"), ("contract", ident, "changes", milestone_ident)),
        ],
        name="auto-release-reminder",
    )


AUTO_RELEASE = Sweep("auto-release", lambda services: services.contracts.submitted_soon(), _milestone)


async def _issue(services: Services, week: tuple[int, date, int], notices: NoticeList) -> None:
    issued = await services.hourly.issue_invoice(*week)
    if issued is None:
        return
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
    notices.add(
        contract.client_id,
        contract_notice,
        key=f"invoice:{invoice.id}",
        message=message,
        contract_id=contract.id,
        params={"title": contract.title, "hours": format_minutes(invoice.minutes)},
        days={
            "week": invoice.week_start.isoformat(),
            "until": (invoice.review_until - timedelta(days=1)).date().isoformat(),  # the Friday
        },
        amounts={"amount": (invoice.amount_minor, contract.currency)},
        name="invoice",
    )


# From Monday 00:00 UTC: invoice last week's time on every hourly contract (and any week missed).
WEEKLY_INVOICES = Sweep("weekly-invoices", lambda services: services.hourly.weeks_to_invoice(), _issue)


async def _pay(services: Services, invoice_id: int, notices: NoticeList) -> None:
    paid = await services.hourly.pay_invoice(invoice_id)
    if paid is None:
        return
    contract, invoice = paid.contract, paid.invoice
    notices.add(
        contract.freelancer_id,
        contract_notice,
        key=f"invoice-paid:{invoice.id}",
        message=N_(
            "💰 Your invoice for “{title}”, week of {week} ({hours}), was paid: {amount}, {fee} service fee, "
            "you receive {net}."
        ),
        contract_id=contract.id,
        params={"title": contract.title, "hours": format_minutes(invoice.minutes)},
        days={"week": invoice.week_start.isoformat()},
        amounts={
            "amount": (invoice.amount_minor, contract.currency),
            "fee": (paid.fee_minor, contract.currency),
            "net": (invoice.amount_minor - paid.fee_minor, contract.currency),
        },
        name="invoice-paid",
    )


# Once the review ended (Saturday 00:00 UTC) undisputed: pay the weekly invoices.
PAY_INVOICES = Sweep("pay-invoices", lambda services: services.hourly.reviewed_invoices(), _pay)
