"""Contracts as their parties see them: /contracts, /contract ID with what each side may do now, and the short
flows an action needs words for (submitting work, asking for changes, paying part, adding a milestone, ending).

``/contract ID ACTION [MILESTONE]`` carries the action in the command, so the buttons of a notification keep
working at any time; the service checks on every action that the clicker is the party allowed to do it.
Notifications are built in their recipient's language (``notice``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import BaseModel, Field

from bot.conversations import messages
from bot.conversations.flow import (
    RUN_COMMAND,
    CommandSpec,
    Ctx,
    Finish,
    Flow,
    Outcome,
    Retry,
    StartFlow,
    Step,
    command_button,
)
from bot.conversations.job_views import file_attachments
from bot.conversations.notices import notice_kind
from bot.core.actions import Action
from bot.core.contracts import (
    CONTRACT_STATUSES,
    END_REASONS,
    MILESTONE_STATUSES,
    Contract,
    Invoice,
    Milestone,
    Moved,
    check_part_payment,
    parse_milestone,
)
from bot.core.disputes import DISPUTABLE_INVOICE, DISPUTABLE_MILESTONE
from bot.core.errors import UserError
from bot.core.events import AttachmentIn
from bot.core.fees import FeeRules
from bot.core.formats import format_day
from bot.core.hourly import format_minutes, invoice_amount
from bot.core.i18n import N_, Day, Moment, Translator
from bot.core.jobs import AttachedFile
from bot.core.linking import platform_name
from bot.core.money import format_money, parse_amount
from bot.core.numbers import whole_number
from bot.core.ui import MAX_BUTTON_LABEL, Button, Choice, Option, Price, Screen, escape, plain, rows, shorten
from bot.core.ui import Invoice as ChatInvoice

LIST_LIMIT = 25
MAX_PAGE = 1_000  # of /contracts: far past anyone's list, and the rows read stay bounded
MAX_SUBMISSION_FILES = 5
STATUS_ICONS = {"offered": "📨", "active": "🟢", "ended": "🏁", "declined": "✖️", "withdrawn": "↩️"}
MILESTONE_ICONS = {
    "pending": "⚪",
    "funded": "🔒",
    "submitted": "📬",
    "changes": "✏️",
    "disputed": "⚖️",
    "released": "✅",
    "refunded": "↩️",
}
Amounts = dict[str, tuple[int, str]]  # placeholder -> (minor units, currency), formatted in the reader's locale


def money(tr: Translator, minor: int, currency: str = "USD") -> str:
    return format_money(minor, tr.language, currency)


@notice_kind("contract.notice")
def contract_notice(
    tr: Translator,
    *,
    message: str,
    contract_id: int,
    params: dict[str, object] | None = None,
    amounts: Amounts | None = None,
    buttons: Sequence[tuple[str, Sequence[str]]] = (),
    days: dict[str, str] | None = None,
    moments: dict[str, str] | None = None,
    name: str = "contract-notice",
) -> Screen:
    """A notification about a contract in the reader's language, with command buttons and "Open the contract";
    replying to it writes in the contract's conversation. ``days`` and ``moments`` (ISO dates and date-times)
    are shown in the reader's date style and time zone."""
    values: dict[str, object] = dict(params or {})
    values.update({key: money(tr, minor, currency) for key, (minor, currency) in (amounts or {}).items()})
    values.update({key: Day(date.fromisoformat(value)) for key, value in (days or {}).items()})
    values.update({key: Moment(datetime.fromisoformat(value)) for key, value in (moments or {}).items()})
    pressable = [command_button(tr.t(label), *command) for label, command in buttons]
    pressable.append(command_button(tr.t(N_("📄 Open the contract")), "contract", str(contract_id)))
    return Screen(
        tr.t(message, **values),
        buttons=rows(*pressable),
        reply_to=("contract", str(contract_id), "message"),
        name=name,
    )


def fee_lines(
    tr: Translator, fees: FeeRules, amount: int, *, billed_before: int, freelancer_name: str, per_hour: bool
) -> list[str]:
    """What the client pays and what the freelancer receives on ``amount`` (a total, or an hour's rate)."""
    quote = fees.quote(amount, billed_before_minor=billed_before, contract_bp=fees.freelancer_bp)
    client = (
        N_("Client pays: {amount} + {fee} marketplace fee = {total} an hour")
        if per_hour
        else N_("Client pays: {amount} + {fee} marketplace fee = {total}")
    )
    freelancer = (
        N_("{name} receives: {amount} − {fee} service fee = {total} an hour")
        if per_hour
        else N_("{name} receives: {amount} − {fee} service fee = {total}")
    )
    return [
        tr.t(N_("<b>Fees</b>")),
        tr.t(
            client,
            amount=money(tr, amount),
            fee=money(tr, quote.client_fee_minor),
            total=money(tr, quote.client_pays_minor),
        ),
        tr.t(
            freelancer,
            name=freelancer_name,
            amount=money(tr, amount),
            fee=money(tr, quote.service_fee_minor),
            total=money(tr, quote.freelancer_receives_minor),
        ),
    ]


def _percent(bp: int) -> str:
    return f"{bp / 100:g}"


def fee_summary(tr: Translator, fees: FeeRules) -> str:
    if fees.schedule == "tiered":
        return tr.t(
            N_("Service fee by tier (20%, 10%, 5% as this client's payments to you grow) · client fee {client}%"),
            client=_percent(fees.client_bp),
        )
    return tr.t(
        N_("Service fee {fee}% · client fee {client}%"),
        fee=_percent(fees.freelancer_bp),
        client=_percent(fees.client_bp),
    )


def milestone_line(tr: Translator, number: int, description: str, amount: int, due: date | None) -> str:
    due_text = " · " + tr.t(N_("due {date}"), date=Day(due)) if due else ""
    return f"{number}. {escape(description)} — {money(tr, amount)}{due_text}"


def _milestone_status(tr: Translator, milestone: Milestone) -> str:
    status = f"{MILESTONE_ICONS[milestone.status]} {tr.t(MILESTONE_STATUSES[milestone.status])}"
    if milestone.released_minor and milestone.in_escrow_minor:
        status += " · " + tr.t(
            N_("released {released} of {amount}, {held} still in escrow"),
            released=money(tr, milestone.released_minor),
            amount=money(tr, milestone.funded_minor),
            held=money(tr, milestone.in_escrow_minor),
        )
    elif milestone.in_escrow_minor:
        status += " · " + tr.t(N_("{amount} in escrow"), amount=money(tr, milestone.in_escrow_minor))
    if milestone.status == "submitted" and milestone.auto_release_at:
        status += " · " + tr.t(
            N_("pays itself on {date} unless the client answers"), date=Day(milestone.auto_release_at.date())
        )
    return status


def _role(ctx: Ctx, contract: Contract) -> str:
    assert ctx.account is not None
    return "client" if ctx.account.id == contract.client_id else "freelancer"


async def contract_text(ctx: Ctx, contract: Contract, milestones: list[Milestone], invoices: list[Invoice]) -> str:
    tr = Translator(ctx.locale)
    client = _role(ctx, contract) == "client"
    other = contract.freelancer_name if client else contract.client_name
    kind = tr.t(N_("Hourly")) if contract.kind == "hourly" else tr.t(N_("Fixed price"))
    head = [
        tr.t(N_("<b>Contract #{id} · {title}</b>"), id=contract.id, title=contract.title),
        tr.t(
            N_("{kind} · with {name} · {icon} {status}"),
            kind=kind,
            name=other,
            icon=STATUS_ICONS[contract.status],
            status=tr.t(CONTRACT_STATUSES[contract.status]),
        ),
        tr.t(N_("Start date: {date}"), date=Day(contract.start_date)),
    ]
    sections = ["\n".join(head)]
    if contract.kind == "hourly":
        assert contract.rate_minor is not None
        limit = contract.weekly_limit_minutes or 0
        lines = [
            tr.t(
                N_("Rate: {rate}/hr · weekly limit {limit}"),
                rate=money(tr, contract.rate_minor),
                limit=format_minutes(limit),
            )
        ]
        lines += await _this_week(ctx, tr, contract)
        if invoices:
            lines.append(tr.t(N_("<b>Invoices</b>")))
        for invoice in invoices:
            friday = (invoice.review_until - timedelta(days=1)).date()
            status = {
                "review": tr.t(N_("under review until the end of {date}"), date=Day(friday)),
                "disputed": tr.t(N_("in dispute")),
                "paid": tr.t(N_("paid")),
                "refunded": tr.t(N_("refunded")),
            }[invoice.status]
            lines.append(
                tr.t(
                    N_("Week of {week}: {hours} · {amount} · {status}"),
                    week=Day(invoice.week_start),
                    hours=format_minutes(invoice.minutes),
                    amount=money(tr, invoice.amount_minor),
                    status=status,
                )
            )
        sections.append("\n".join(lines))
    else:
        lines = [tr.t(N_("<b>Milestones</b>"))]
        for milestone in milestones:
            lines.append(
                milestone_line(
                    tr, milestone.position, milestone.description, milestone.amount_minor, milestone.due_date
                )
            )
            lines.append("   " + _milestone_status(tr, milestone))
        sections.append("\n".join(lines))
    sections.append(fee_summary(tr, contract.fees))
    if contract.status == "ended" and contract.end_reason:
        sections.append(tr.t(N_("Ended: {reason}"), reason=tr.t(END_REASONS[contract.end_reason])))
    return "\n\n".join(sections)


async def _this_week(ctx: Ctx, tr: Translator, contract: Contract) -> list[str]:
    """This week's time (still to be invoiced): each entry, the hours against the limit, the amount so far."""
    assert contract.rate_minor is not None
    entries = await ctx.services.hourly.week_entries(contract)
    if contract.status != "active" and not entries:
        return []
    logged, limit = sum(entry.minutes for entry in entries), contract.weekly_limit_minutes or 0
    lines = [
        tr.t(
            N_("<b>This week</b>: {logged} logged of {limit} ({left} left) · {amount} so far"),
            logged=format_minutes(logged),
            limit=format_minutes(limit),
            left=format_minutes(max(0, limit - logged)),
            amount=money(tr, invoice_amount(logged, contract.rate_minor)),
        )
    ]
    for entry in entries:
        line = f"• {escape(format_day(entry.created_at.date(), tr.language))} · {format_minutes(entry.minutes)}"
        lines.append(f"{line} · {escape(entry.memo)}" if entry.memo else line)
    if not entries:
        lines.append(tr.t(N_("No time logged this week yet.")))
    return lines


def _options(ctx: Ctx, contract: Contract, milestones: list[Milestone], invoices: list[Invoice]) -> list[Option]:
    """What this party can do now with each milestone or invoice, as a pick list (at most 25). Either party may
    open a dispute on money in escrow, on an ended contract too; the rest needs an active contract."""
    client, ident, active = _role(ctx, contract) == "client", str(contract.id), contract.status == "active"
    wanted: list[tuple[str, str, tuple[str, ...]]] = []  # label, what it acts on, the command
    for milestone in milestones:
        status, actions = milestone.status, []
        if active and client and status == "pending":
            actions.append((N_("💳 Fund"), "fund"))
        if active and client and status == "submitted":
            actions += [(N_("✅ Approve & pay"), "approve"), (N_("✏️ Request changes"), "changes")]
        if active and client and status in ("funded", "changes"):
            actions.append((N_("✅ Pay it all now"), "approve"))
        if active and client and status in ("funded", "submitted", "changes"):
            actions += [(N_("💸 Pay part"), "part"), (N_("↩️ Ask for a refund"), "refund_ask")]
        if active and not client and status in ("funded", "changes"):
            actions.append((N_("📤 Submit work"), "submit"))
        if active and not client and status in ("funded", "submitted", "changes"):
            actions.append((N_("↩️ Refund the client"), "refund"))
        if active and status in ("submitted", "changes", "released"):
            actions.append((N_("📎 Submitted work"), "work"))
        subject = f"{milestone.position}. {milestone.description}"
        wanted += [(label, subject, ("contract", ident, action, str(milestone.id))) for label, action in actions]
        if status in DISPUTABLE_MILESTONE:
            wanted.append((N_("⚖️ Open a dispute"), subject, ("dispute", "milestone", str(milestone.id))))
    for invoice in invoices:
        if invoice.status in DISPUTABLE_INVOICE:
            subject = ctx.t(N_("week of {week}"), week=Day(invoice.week_start))
            wanted.append((N_("⚖️ Open a dispute"), subject, ("dispute", "invoice", str(invoice.id))))
    return [
        Option(shorten(f"{ctx.t(label)} · {subject}", MAX_BUTTON_LABEL), Action(RUN_COMMAND, command))
        for label, subject, command in wanted
    ]


async def contract_screen(ctx: Ctx, contract: Contract, note: str = "") -> Screen:
    """One contract as this party sees it, with what they can do now."""
    milestones = await ctx.services.contracts.milestones(contract)
    invoices = await ctx.services.hourly.invoices(contract) if contract.kind == "hourly" else []
    text = await contract_text(ctx, contract, milestones, invoices)
    assert ctx.account is not None
    client, ident = _role(ctx, contract) == "client", str(contract.id)
    buttons: list[Button] = []
    if contract.status == "offered" and client:
        buttons.append(ctx.command_button(ctx.t(N_("↩️ Withdraw the offer")), "contract", ident, "withdraw"))
    if contract.status == "offered" and not client:
        buttons += [
            ctx.command_button(ctx.t(N_("✅ Accept")), "contract", ident, "accept"),
            ctx.command_button(ctx.t(N_("✖️ Decline")), "contract", ident, "decline"),
        ]
    if contract.status == "active":
        if client and contract.kind == "fixed":
            buttons.append(ctx.command_button(ctx.t(N_("➕ Add a milestone")), "contract", ident, "add"))
        if not client and contract.kind == "hourly":
            buttons.append(ctx.command_button(ctx.t(N_("⏱ Log time")), "log", f"#{ident}"))
        buttons.append(ctx.command_button(ctx.t(N_("🏁 End the contract")), "contract", ident, "end"))
    if contract.status == "ended":
        buttons.append(ctx.command_button(ctx.t(N_("⭐ Leave feedback")), "feedback", ident))
    if contract.status in ("active", "ended"):
        thread = await ctx.services.messaging.thread_for_contract(contract, ctx.account.id)
        buttons.append(ctx.command_button(ctx.t(N_("💬 Messages")), "thread", str(thread.id)))
    buttons.append(ctx.command_button(ctx.t(N_("📋 My contracts")), "contracts"))
    options = _options(ctx, contract, milestones, invoices)
    placeholder = N_("Act on a milestone") if contract.kind == "fixed" else N_("Act on an invoice")
    screen = Screen(
        text,
        buttons=rows(*buttons, per_row=3),
        choice=Choice(tuple(options), placeholder=ctx.t(placeholder)) if options else None,
        name="contract",
    )
    return screen.with_notice(note) if note else screen


async def contracts_list(ctx: Ctx, args: str) -> Screen:
    """/contracts [PAGE]: the person's offers and contracts, as client or freelancer; offers and active ones
    first, LIST_LIMIT a page with Previous and Next."""
    assert ctx.account is not None
    page = min(max(whole_number(args) or 1, 1), MAX_PAGE)
    fetched = await ctx.services.contracts.mine(ctx.account, page * LIST_LIMIT + 1)
    listed = fetched[(page - 1) * LIST_LIMIT : page * LIST_LIMIT]
    if not listed and page > 1:
        return await contracts_list(ctx, "")
    if not listed:
        return Screen(
            ctx.t(N_("You have no contracts yet. Clients make offers from the proposals to their jobs.")),
            buttons=rows(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu")),
            name="contracts",
        )
    lines = [ctx.t(N_("<b>Your contracts</b>"))]
    options = []
    for contract, other in listed:
        role = ctx.t(N_("client")) if contract.client_id == ctx.account.id else ctx.t(N_("freelancer"))
        lines.append(
            ctx.t(
                N_("{icon} #{id} {title} · with {name} · {status} · you are the {role}"),
                icon=STATUS_ICONS[contract.status],
                id=contract.id,
                title=contract.title,
                name=other,
                status=ctx.t(CONTRACT_STATUSES[contract.status]),
                role=role,
            )
        )
        label = shorten(f"{STATUS_ICONS[contract.status]} #{contract.id} {contract.title}", MAX_BUTTON_LABEL)
        options.append(Option(label, Action(RUN_COMMAND, ("contract", str(contract.id)))))
    paging = [ctx.command_button(ctx.t(N_("◀ Previous")), "contracts", str(page - 1))] if page > 1 else []
    if len(fetched) > page * LIST_LIMIT:
        paging.append(ctx.command_button(ctx.t(N_("Next ▶")), "contracts", str(page + 1)))
    return Screen(
        "\n".join(lines),
        choice=Choice(tuple(options), placeholder=ctx.t(N_("Open a contract"))),
        buttons=(*((tuple(paging),) if paging else ()), (ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"),)),
        name="contracts",
    )


# ---- actions ------------------------------------------------------------------------------------

ALREADY_DONE = N_("ℹ️ That was done already: no money moved a second time.")
CONFIRMED = "ok"  # the last word of a confirmed fund, approve or refund: /contract 12 fund 34 ok


def moved_amounts(moved: Moved) -> Amounts:
    """{amount} moved (gross), the {fee} taken from it, the {net} the freelancer receives, the {rest} in escrow."""
    currency = moved.contract.currency
    return {
        "amount": (moved.amount_minor or moved.milestone.amount_minor, currency),
        "fee": (moved.fee_minor, currency),
        "net": (moved.net_minor, currency),
        "rest": (moved.milestone.in_escrow_minor, currency),
    }


def moved_notice(
    moved: Moved, template: str, *, buttons: Sequence[tuple[str, tuple[str, ...]]] = (), **extra: object
) -> dict[str, object]:
    """The parameters of a contract notice about a milestone (its title and the amounts moved, for the reader)."""
    contract, milestone = moved.contract, moved.milestone
    return {
        "message": template,
        "contract_id": contract.id,
        "params": {"title": contract.title, "milestone": milestone.description, **extra},
        "amounts": moved_amounts(moved),
        "buttons": buttons,
    }


def _said(ctx: Ctx, message: str, moved: Moved) -> str:
    """The actor's own line about a move, with the amounts and the freelancer's name."""
    tr = Translator(ctx.locale)
    amounts = {key: money(tr, minor, currency) for key, (minor, currency) in moved_amounts(moved).items()}
    return ctx.t(message, name=moved.contract.freelancer_name, milestone=moved.milestone.description, **amounts)


# action: (service method, who is told, their notice, its buttons (label, action), the actor's notice)
MILESTONE_MOVES: dict[str, tuple[str, str, str, tuple[tuple[str, str], ...], str]] = {
    "fund": (
        "fund",
        "freelancer_id",
        N_("🔒 The client funded “{milestone}” ({amount}) on “{title}”: the money is in escrow. Start work!"),
        ((N_("📤 Submit work"), "submit"),),
        N_("✅ Funded: {amount} is in escrow."),
    ),
    "approve": (
        "approve",
        "freelancer_id",
        N_("💰 The client approved “{milestone}” and released {amount}: {fee} service fee, you receive {net}."),
        (),
        N_("✅ Released {amount} to {name}: {fee} service fee, {name} receives {net}."),
    ),
    "refund_ask": (
        "refund_request",
        "freelancer_id",
        N_("↩️ The client asks for the {amount} in escrow on “{milestone}” back. Do you agree?"),
        ((N_("↩️ Agree to refund"), "refund"), (N_("✖️ Keep it in escrow"), "refund_no")),
        N_("📨 Asked: the freelancer decides."),
    ),
    "refund": (
        "refund",
        "client_id",
        N_("↩️ The freelancer refunded the {amount} in escrow on “{milestone}”."),
        (),
        N_("↩️ Refunded {amount} to the client."),
    ),
}
MONEY_MOVES = ("fund", "approve", "refund")  # each shows what moves and asks to confirm first
INVOICE = "invoice"  # the last word of a fund paid in the chat: /contract 12 fund 34 invoice


async def moved_screen(ctx: Ctx, action: str, moved: Moved) -> Screen:
    """After a milestone move: the other party told (with what they can do next), the actor's contract screen
    saying what moved."""
    _method, told, message, then, done = MILESTONE_MOVES[action]
    ident, milestone_id = str(moved.contract.id), str(moved.milestone.id)
    buttons = [(label, ("contract", ident, next_action, milestone_id)) for label, next_action in then]
    ctx.notify(getattr(moved.contract, told), contract_notice, **moved_notice(moved, message, buttons=buttons))
    return await contract_screen(ctx, moved.contract, _said(ctx, done, moved))


def _confirm_buttons(ctx: Ctx, contract: Contract, *confirm: str, label: str = "") -> tuple[tuple[Button, ...], ...]:
    ident = str(contract.id)
    return rows(
        ctx.command_button(label or ctx.t(N_("✅ Confirm")), "contract", ident, *confirm),
        ctx.command_button(ctx.t(N_("✖️ Cancel")), "contract", ident),
    )


async def _release_line(ctx: Ctx, contract: Contract, amount: int) -> str:
    """What a release means for both sides: it leaves escrow, the service fee, what the freelancer receives."""
    tr, fee = Translator(ctx.locale), await ctx.services.contracts.service_fee(contract, amount)
    return ctx.t(
        N_("{amount} leaves escrow for {name}: {fee} service fee, {name} receives {net}."),
        amount=money(tr, amount, contract.currency),
        name=contract.freelancer_name,
        fee=money(tr, fee, contract.currency),
        net=money(tr, amount - fee, contract.currency),
    )


async def confirm_move(ctx: Ctx, contract: Contract, action: str, milestone_id: str) -> Screen:
    """Before money moves: what moves, how much (with the fees), from whom to whom; Confirm or Cancel."""
    assert ctx.account is not None
    contract = await ctx.services.contracts.may(ctx.account, contract.id, action, milestone_id)
    milestone = next(m for m in await ctx.services.contracts.milestones(contract) if m.id == whole_number(milestone_id))
    tr, currency = Translator(ctx.locale), contract.currency
    if action == "fund":
        fee = contract.fees.client_fee(milestone.amount_minor)
        text = ctx.t(
            N_(
                "💳 <b>Fund “{milestone}”?</b>\n\n{amount} + {fee} marketplace fee = {total}, charged to your "
                "payment method. The {amount} stays in escrow until you approve {name}'s work."
            ),
            milestone=milestone.description,
            amount=money(tr, milestone.amount_minor, currency),
            fee=money(tr, fee, currency),
            total=money(tr, milestone.amount_minor + fee, currency),
            name=contract.freelancer_name,
        )
    elif action == "approve":
        head = ctx.t(
            N_("✅ <b>Pay “{milestone}” to {name}?</b>"), milestone=milestone.description, name=contract.freelancer_name
        )
        text = f"{head}\n\n{await _release_line(ctx, contract, milestone.in_escrow_minor)}"
    else:
        fee_back = ctx.services.contracts.fee_refund(contract, milestone.funded_minor, milestone.released_minor)
        text = ctx.t(
            N_(
                "↩️ <b>Refund “{milestone}” to {client}?</b>\n\n{amount} goes from escrow back to {client}, with "
                "{fee} of marketplace fee. You will not be paid for this milestone."
            ),
            milestone=milestone.description,
            client=contract.client_name,
            amount=money(tr, milestone.in_escrow_minor, currency),
            fee=money(tr, fee_back, currency),
        )
    if action == "fund" and ctx.pays_in_chat:
        pay = ctx.t(N_("💳 Pay with {platform}"), platform=platform_name(ctx.actor.platform))
        buttons = _confirm_buttons(ctx, contract, action, milestone_id, INVOICE, label=pay)
    else:
        buttons = _confirm_buttons(ctx, contract, action, milestone_id, CONFIRMED)
    return Screen(text, buttons=buttons, name="contract-confirm")


async def invoice_screen(ctx: Ctx, contract: Contract, milestone_id: str) -> Screen:
    """The milestone's invoice, paid in the chat: the platform asks before it charges, and the payment funds
    the milestone once it arrives (bot/core/checkout.py, bot/conversations/checkout.py)."""
    assert ctx.account is not None
    billed = await ctx.services.checkout.bill(ctx.account, contract.id, milestone_id)
    tr, currency, milestone = Translator(ctx.locale), contract.currency, billed.milestone
    names = {"milestone": milestone.description, "title": contract.title, "name": contract.freelancer_name}
    text = ctx.t(
        N_(
            "💳 <b>Pay {total} for “{milestone}”</b>\n\nPay the invoice below: the milestone is funded as soon as "
            "your payment arrives, and {name} is told."
        ),
        total=money(tr, billed.bill.total_minor, currency),
        **names,
    )
    prices = [Price(ctx.t(N_("Escrow for the milestone")), milestone.amount_minor)]
    prices += [Price(ctx.t(N_("Marketplace fee")), billed.fee_minor)] if billed.fee_minor else []
    invoice = ChatInvoice(
        title=milestone.description,
        description=plain(
            ctx.t(N_("“{milestone}” on “{title}” with {name}: held in escrow until you approve the work."), **names)
        ),
        payload=billed.bill.action,
        currency=currency,
        prices=tuple(prices),
    )
    buttons = rows(ctx.command_button(ctx.t(N_("📄 Open the contract")), "contract", str(contract.id)))
    return Screen(text, buttons=buttons, invoice=invoice, name="contract-invoice")


async def confirm_part(ctx: Ctx, contract: Contract, milestone: Milestone, amount: int) -> Screen:
    """Before paying part of a milestone: the part with its fees and what stays in escrow. The Confirm button
    carries a fresh token, so confirming twice pays once."""
    tr = Translator(ctx.locale)
    head = ctx.t(
        N_("💸 <b>Pay {amount} of “{milestone}” to {name}?</b>"),
        amount=money(tr, amount, contract.currency),
        milestone=milestone.description,
        name=contract.freelancer_name,
    )
    rest = ctx.t(
        N_("{rest} stays in escrow in this milestone."),
        rest=money(tr, milestone.in_escrow_minor - amount, contract.currency),
    )
    text = f"{head}\n\n{await _release_line(ctx, contract, amount)}\n{rest}"
    buttons = _confirm_buttons(ctx, contract, "part", str(milestone.id), str(amount), secrets.token_hex(3))
    return Screen(text, buttons=buttons, name="contract-confirm")


async def _pay_part(ctx: Ctx, contract: Contract, milestone_id: str, amount: str, token: str) -> Screen:
    """The confirmed partial payment (``/contract ID part M AMOUNT TOKEN``)."""
    assert ctx.account is not None
    minor = whole_number(amount)
    if minor is None:
        return await contract_screen(ctx, contract, ctx.t(N_("⚠️ Use the Pay part button to say how much.")))
    moved = await ctx.services.contracts.release_part(ctx.account, contract.id, milestone_id, minor, token)
    if moved.repeated:
        return await contract_screen(ctx, moved.contract, ctx.t(ALREADY_DONE))
    ctx.notify(
        moved.contract.freelancer_id,
        contract_notice,
        **moved_notice(
            moved,
            N_(
                "💰 The client released {amount} of “{milestone}”: {fee} service fee, you receive {net}. "
                "{rest} stays in escrow."
            ),
        ),
    )
    said = N_(
        "✅ Released {amount} of “{milestone}” to {name}: {fee} service fee, {name} receives {net}. "
        "{rest} stays in escrow."
    )
    return await contract_screen(ctx, moved.contract, _said(ctx, said, moved))


async def _milestone_action(
    ctx: Ctx, contract: Contract, action: str, milestone_id: str, extra: list[str]
) -> Screen | StartFlow:
    assert ctx.account is not None
    service, account = ctx.services.contracts, ctx.account
    if action == "fund" and ctx.pays_in_chat and extra == [INVOICE]:
        return await invoice_screen(ctx, contract, milestone_id)
    in_chat = action == "fund" and ctx.pays_in_chat  # funded by paying its invoice here, not by the provider
    if action in MONEY_MOVES and (extra != [CONFIRMED] or in_chat):
        return await confirm_move(ctx, contract, action, milestone_id)
    if action in MILESTONE_MOVES:
        moved = await getattr(service, MILESTONE_MOVES[action][0])(account, contract.id, milestone_id)
        if moved.repeated:
            return await contract_screen(ctx, moved.contract, ctx.t(ALREADY_DONE))
        return await moved_screen(ctx, action, moved)
    if action == "part" and len(extra) == 2:
        return await _pay_part(ctx, contract, milestone_id, *extra)
    if action == "refund_no":
        await service.may(account, contract.id, action, milestone_id)
        ctx.notify(
            contract.client_id,
            contract_notice,
            message=N_("The freelancer keeps the money of “{title}” in escrow. You can talk it over in messages."),
            contract_id=contract.id,
            params={"title": contract.title},
        )
        return await contract_screen(ctx, contract, ctx.t(N_("The client has been told.")))
    if action == "work":
        return await submitted_work(ctx, contract, milestone_id)
    if action in FLOW_ACTIONS:
        await service.may(account, contract.id, action, milestone_id)
        return StartFlow(
            FLOW_ACTIONS[action].name, {"contract_id": contract.id, "milestone_id": whole_number(milestone_id)}
        )
    return await contract_screen(ctx, contract, ctx.t(N_("⚠️ I don't know that action.")))


async def submitted_work(ctx: Ctx, contract: Contract, milestone_id: str) -> Screen:
    """The last work submitted for a milestone, with its files, for both parties."""
    milestones = {str(m.id): m for m in await ctx.services.contracts.milestones(contract)}
    milestone = milestones.get(milestone_id)
    submission = await ctx.services.contracts.last_submission(milestone.id) if milestone else None
    if milestone is None or submission is None:
        return await contract_screen(ctx, contract, ctx.t(N_("⚠️ No work was submitted for that milestone.")))
    message, file_ids = submission
    text = ctx.t(N_("📎 <b>Work submitted for “{milestone}”</b>"), milestone=milestone.description)
    return Screen(
        f"{text}\n\n{escape(message)}",
        attachments=await file_attachments(ctx, file_ids),
        buttons=rows(ctx.command_button(ctx.t(N_("⬅️ Back to the contract")), "contract", str(contract.id))),
        name="contract-work",
    )


# action: (service method, whether the client is told (else the freelancer), their notice, the actor's notice)
OFFER_ANSWERS = {
    "accept": (
        "accept",
        True,
        N_("🎉 {name} accepted your offer “{title}”: the contract has started."),
        N_("🎉 Accepted: the contract has started."),
    ),
    "decline": ("decline", True, N_("{name} declined your offer “{title}”."), N_("You declined the offer.")),
    "withdraw": ("withdraw", False, N_("The client withdrew the offer “{title}”."), N_("You withdrew the offer.")),
}


async def contract_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/contract ID [accept|decline|withdraw|message|add|end|fund M|approve M|changes M|part M|submit M|refund_ask M|
    refund M|refund_no M|work M]; a money move confirmed: fund|approve|refund M ok, part M AMOUNT TOKEN."""
    assert ctx.account is not None
    words = args.split()
    ident, action, milestone_id = [*words, "", "", ""][:3]
    service, account = ctx.services.contracts, ctx.account
    contract = await service.readable(account, ident or "?")
    if action in OFFER_ANSWERS:
        answer, to_client, message, done = OFFER_ANSWERS[action]
        contract = await getattr(service, answer)(account, contract.id)
        ctx.notify(
            contract.client_id if to_client else contract.freelancer_id,
            contract_notice,
            message=message,
            contract_id=contract.id,
            params={"name": contract.freelancer_name, "title": contract.title},
        )
        return await contract_screen(ctx, contract, ctx.t(done))
    if action == "message":
        if contract.status not in ("active", "ended"):
            raise UserError(N_("Messages open once the contract has started."))
        thread = await ctx.services.messaging.thread_for_contract(contract, account.id)
        return StartFlow(messages.FLOW.name, {"thread_id": thread.id})
    if action in ("add", "end"):
        await service.may(account, contract.id, action)
        return StartFlow(FLOW_ACTIONS[action].name, {"contract_id": contract.id})
    if action:
        if whole_number(milestone_id) is None:
            return await contract_screen(ctx, contract, ctx.t(N_("⚠️ Say which milestone, by its number.")))
        return await _milestone_action(ctx, contract, action, milestone_id, words[3:])
    return await contract_screen(ctx, contract)


# ---- the flows of actions that need words -------------------------------------------------------


class ActionData(BaseModel):
    contract_id: int
    milestone_id: int | None = None
    files: list[AttachedFile] = Field(default_factory=list)


async def _finish(ctx: Ctx, contract_id: int, note: str) -> Finish:
    assert ctx.account is not None
    contract = await ctx.services.contracts.readable(ctx.account, contract_id)
    return Finish(await contract_screen(ctx, contract, note))


async def _milestone_title(ctx: Ctx) -> str:
    assert ctx.account is not None
    contract = await ctx.services.contracts.readable(ctx.account, ctx.data.contract_id)
    for milestone in await ctx.services.contracts.milestones(contract):
        if milestone.id == ctx.data.milestone_id:
            return milestone.description
    raise UserError(N_("Milestone #{id} was not found."), id=ctx.data.milestone_id)


class SubmitStep(Step):
    name = "work"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        files = [f"📎 {escape(file.filename)}" for file in ctx.data.files]
        text = ctx.t(
            N_(
                "📤 <b>Submit work for “{milestone}”</b>\n\nSend your files first if you have any (up to {max}), "
                "then type a message for the client: it submits the work."
            ),
            milestone=await _milestone_title(ctx),
            max=MAX_SUBMISSION_FILES,
        )
        return Screen("\n".join([text, *files]))

    async def on_attachment(self, ctx: Ctx, attachment: AttachmentIn) -> Outcome:
        assert ctx.account is not None
        if len(ctx.data.files) >= MAX_SUBMISSION_FILES:
            raise UserError(N_("A submission can have at most {max} files."), max=MAX_SUBMISSION_FILES)
        stored = await ctx.services.files.store(ctx.account.id, attachment)
        ctx.data.files.append(AttachedFile(id=stored.id, filename=stored.filename, size=stored.size))
        return Retry(ctx.t(N_("📎 Added {name}."), name=stored.filename))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        assert ctx.account is not None
        data = ctx.data
        file_ids = [file.id for file in data.files]
        moved = await ctx.services.contracts.submit(ctx.account, data.contract_id, data.milestone_id, text, file_ids)
        ident, milestone = str(moved.contract.id), str(moved.milestone.id)
        ctx.notify(
            moved.contract.client_id,
            contract_notice,
            files=file_ids,  # the work itself comes with the news
            **moved_notice(
                moved,
                N_(
                    "📬 {name} submitted work for “{milestone}” ({amount}):\n\n{message}\n\n"
                    "Approve it to pay, or ask for changes. Without an answer it pays itself in {days} days."
                ),
                name=moved.contract.freelancer_name,
                message=text.strip(),
                days=ctx.services.rules.auto_release.days,
                buttons=[
                    (N_("✅ Approve & pay"), ("contract", ident, "approve", milestone)),
                    (N_("✏️ Request changes"), ("contract", ident, "changes", milestone)),
                    (N_("📎 Submitted work"), ("contract", ident, "work", milestone)),
                ],
            ),
        )
        return await _finish(ctx, data.contract_id, ctx.t(N_("📤 Submitted: the client has been told.")))


class MilestoneQuestionStep(Step):
    """A question about one milestone, answered by typing; ``question`` names it as {milestone}."""

    question: ClassVar[str]

    async def show(self, ctx: Ctx) -> Screen:
        return Screen(ctx.t(self.question, milestone=await _milestone_title(ctx)))


class ChangesStep(MilestoneQuestionStep):
    name = "changes"
    accepts_text = True
    question = N_("✏️ <b>Request changes on “{milestone}”</b>\n\nWhat should the freelancer change?")

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        assert ctx.account is not None
        data = ctx.data
        moved = await ctx.services.contracts.request_changes(ctx.account, data.contract_id, data.milestone_id, text)
        ctx.notify(
            moved.contract.freelancer_id,
            contract_notice,
            **moved_notice(
                moved,
                N_("✏️ The client asks for changes on “{milestone}”:\n\n{message}"),
                message=text.strip(),
                buttons=[
                    (N_("📤 Submit work"), ("contract", str(moved.contract.id), "submit", str(moved.milestone.id)))
                ],
            ),
        )
        return await _finish(ctx, data.contract_id, ctx.t(N_("✏️ Changes requested: the freelancer has been told.")))


class PartStep(Step):
    name = "part"
    accepts_text = True

    async def _milestone(self, ctx: Ctx) -> tuple[Contract, Milestone]:
        assert ctx.account is not None
        data = ctx.data
        contract = await ctx.services.contracts.may(ctx.account, data.contract_id, "part", data.milestone_id)
        milestones = await ctx.services.contracts.milestones(contract)
        return contract, next(m for m in milestones if m.id == data.milestone_id)

    async def show(self, ctx: Ctx) -> Screen:
        contract, milestone = await self._milestone(ctx)
        return Screen(
            ctx.t(
                N_(
                    "💸 <b>Pay part of “{milestone}”</b>\n\n{amount} is in escrow. How much do you release now? "
                    "The rest stays in escrow in this milestone."
                ),
                milestone=milestone.description,
                amount=money(Translator(ctx.locale), milestone.in_escrow_minor, contract.currency),
            )
        )

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        if text.strip().startswith("-"):
            raise UserError(N_("An amount can't be negative."))
        amount = parse_amount(text, minimum_minor=0)
        contract, milestone = await self._milestone(ctx)
        check_part_payment(milestone.in_escrow_minor, amount, contract.currency)
        return Finish(await confirm_part(ctx, contract, milestone, amount))


class AddMilestoneStep(Step):
    name = "milestone"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        return Screen(
            ctx.t(
                N_(
                    "➕ <b>Add a milestone</b>\n\nType it like this: <i>Design mockups; 500; {example}</i> "
                    "(description; amount in dollars; due date, which you may leave out)."
                ),
                example=ctx.now.date().isoformat(),
            )
        )

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        assert ctx.account is not None
        draft = parse_milestone(text, ctx.now.date())
        moved = await ctx.services.contracts.add_milestone(
            ctx.account, ctx.data.contract_id, draft.description, draft.amount_minor, draft.due_date
        )
        ctx.notify(
            moved.contract.freelancer_id,
            contract_notice,
            **moved_notice(moved, N_("➕ The client added a milestone to “{title}”: {milestone} ({amount}).")),
        )
        return await _finish(ctx, ctx.data.contract_id, ctx.t(N_("➕ Added. Fund it when work should start.")))


class EndStep(Step):
    name = "reason"

    async def show(self, ctx: Ctx) -> Screen:
        return Screen(
            ctx.t(N_("🏁 <b>End the contract</b>\n\nWhy are you ending it? Ending it moves no money.")),
            buttons=rows(*(ctx.button(ctx.t(label), code) for code, label in END_REASONS.items())),
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        assert ctx.account is not None
        if value not in END_REASONS:
            return await super().on_click(ctx, value)
        contract = await ctx.services.contracts.end(ctx.account, ctx.data.contract_id, value)
        ident = str(contract.id)
        ctx.notify(
            contract.other_party(ctx.account.id),
            contract_notice,
            message=N_("🏁 {name} ended the contract “{title}”. How did it go?"),
            contract_id=contract.id,
            params={"name": ctx.account.full_name, "title": contract.title},
            buttons=[(N_("⭐ Leave feedback"), ("feedback", ident))],
        )
        return Finish(await contract_screen(ctx, contract, ctx.t(N_("🏁 The contract has ended."))))


SUBMIT_FLOW = Flow("submit_work", N_("Submitting work"), ActionData, [SubmitStep()], start="work")
CHANGES_FLOW = Flow("request_changes", N_("Requesting changes"), ActionData, [ChangesStep()], start="changes")
PART_FLOW = Flow("release_part", N_("Paying part of a milestone"), ActionData, [PartStep()], start="part")
ADD_FLOW = Flow("add_milestone", N_("Adding a milestone"), ActionData, [AddMilestoneStep()], start="milestone")
END_FLOW = Flow("end_contract", N_("Ending a contract"), ActionData, [EndStep()], start="reason")
FLOW_ACTIONS = {"submit": SUBMIT_FLOW, "changes": CHANGES_FLOW, "part": PART_FLOW, "add": ADD_FLOW, "end": END_FLOW}
FLOWS = list(FLOW_ACTIONS.values())

COMMANDS = [
    CommandSpec("contracts", N_("your contracts and offers"), contracts_list, deep_link=True),
    CommandSpec("contract", N_("one contract: /contract 12"), contract_command, deep_link=True),
]
