"""Disputes: a party opens one on a milestone or a weekly invoice (``/dispute milestone ID reason``), the money
stays frozen, and admins decide from their queue (``/disputes``) after reading the evidence: release it all,
refund it all, or split it. ``DisputeService`` checks the party, the states and the admin for every action.

Admin buttons are command buttons carrying only ids (``/dispute_case ID``, ``/resolve_dispute ID release``),
so they keep working at any time; releasing or refunding asks for a confirming click, a split for the amount.
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.conversations.feedback import day
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
from bot.conversations.notices import notice_kind
from bot.core.actions import Action
from bot.core.disputes import Case, Evidence, Resolved
from bot.core.errors import UserError
from bot.core.hourly import format_minutes
from bot.core.i18n import N_, Day, Translator
from bot.core.money import format_money, parse_amount
from bot.core.numbers import whole_number
from bot.core.ui import Choice, Option, Screen, rows, shorten

KINDS = ("milestone", "invoice")
SNIPPET = 300
OPTION_LABEL_MAX = 60


class OpenData(BaseModel):
    kind: str
    target_id: int


class SplitData(BaseModel):
    dispute_id: int


def snippet(text: str) -> str:
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _ident(raw: str, usage: str) -> int:
    ident = whole_number(raw.strip().removeprefix("#"))
    if ident is None:
        raise UserError(usage)
    return ident


def case_title(translator: Translator, case: Case) -> str:
    return subject_title(translator, **case_subject(case))


def case_subject(case: Case) -> dict[str, object]:
    """What a dispute is about, as notice parameters."""
    return {"milestone": case.milestone is not None, "subject": case.subject, "title": case.contract.title}


def subject_title(translator: Translator, *, milestone: bool, subject: str, title: str) -> str:
    if milestone:
        return translator.t(N_("milestone “{subject}” of contract “{title}”"), subject=subject, title=title)
    return translator.t(N_("the invoice for the week of {week} of contract “{title}”"), week=subject, title=title)


@notice_kind("dispute.opened")
def dispute_opened(
    translator: Translator, *, name: str, case: dict[str, object], amount_minor: int, currency: str, reason: str
) -> Screen:
    """What the other party is told."""
    return Screen(
        translator.t(
            N_(
                "⚖️ {name} opened a dispute on {what}. Its {amount} stays in escrow until a gigbot admin "
                "decides; they may ask you both for details.\nReason: {reason}"
            ),
            name=name,
            what=subject_title(translator, **case),
            amount=format_money(amount_minor, translator.language, currency),
            reason=snippet(reason),
        ),
        name="disputes.opened",
    )


@notice_kind("dispute.new")
def dispute_for_admins(
    translator: Translator, *, dispute_id: int, name: str, case: dict[str, object], amount_minor: int, currency: str
) -> Screen:
    ident = str(dispute_id)
    return Screen(
        translator.t(
            N_("⚖️ New dispute #{id} on {what}, opened by {name}: {amount} frozen."),
            id=ident,
            what=subject_title(translator, **case),
            name=name,
            amount=format_money(amount_minor, translator.language, currency),
        ),
        buttons=rows(
            command_button(translator.t(N_("🔎 Open dispute #{id}"), id=ident), "dispute_case", ident),
            command_button(translator.t(N_("⚖️ Dispute queue")), "disputes"),
        ),
        name="disputes.new",
    )


@notice_kind("dispute.resolved")
def dispute_resolved(
    translator: Translator,
    *,
    case: dict[str, object],
    paid_minor: int,
    refunded_minor: int,
    currency: str,
    fee_minor: int = 0,
) -> Screen:
    """Both parties hear the decision, each in their language: what the freelancer gets (gross, fee, net) and
    what goes back to the client."""
    amounts = {
        "paid": paid_minor,
        "fee": fee_minor,
        "net": paid_minor - fee_minor,
        "refunded": refunded_minor,
    }
    shown = {name: format_money(minor, translator.language, currency) for name, minor in amounts.items()}
    message = (
        N_(
            "⚖️ The dispute on {what} was decided by a gigbot admin: {paid} goes to the freelancer "
            "({fee} service fee, the freelancer receives {net}, pending for the security period, then in "
            "/earnings) and {refunded} back to the client."
        )
        if paid_minor
        else N_("⚖️ The dispute on {what} was decided by a gigbot admin: all {refunded} goes back to the client.")
    )
    return Screen(translator.t(message, what=subject_title(translator, **case), **shown), name="disputes.resolved")


# ---- opening ------------------------------------------------------------------------------------


async def open_dispute(ctx: Ctx, kind: str, target_id: int, reason: str) -> Screen:
    """Freeze the money, tell the other party and every admin; returns the opener's confirmation."""
    account = ctx.account
    assert account is not None
    opened = await ctx.services.disputes.open(account, kind, target_id, reason)
    case = opened.case
    ident = str(case.dispute.id)
    money = {"amount_minor": case.escrow_minor, "currency": case.contract.currency}
    ctx.notify(opened.other_id, dispute_opened, name=account.full_name, case=case_subject(case), reason=reason, **money)
    for admin in await ctx.services.profiles.admin_accounts(ctx.admins):
        if admin.id != account.id:
            ctx.notify(
                admin.id,
                dispute_for_admins,
                dispute_id=case.dispute.id,
                name=account.full_name,
                case=case_subject(case),
                **money,
            )
    return Screen(
        ctx.t(
            N_(
                "⚖️ Dispute #{id} is open on {what}. The {amount} in escrow stays frozen until a gigbot admin "
                "decides; both of you will be told the outcome."
            ),
            id=ident,
            what=case_title(Translator(ctx.locale), case),
            amount=format_money(case.escrow_minor, ctx.locale, case.contract.currency),
        ),
        buttons=rows(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu")),
        name="disputes.open",
    )


class ReasonStep(Step):
    name = "reason"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        what = (
            ctx.t(N_("milestone #{id}"), id=ctx.data.target_id)
            if ctx.data.kind == "milestone"
            else ctx.t(N_("invoice #{id}"), id=ctx.data.target_id)
        )
        text = ctx.t(
            N_(
                "<b>Open a dispute on {what}</b>\nIts money stays in escrow until a gigbot admin decides. "
                "Explain what went wrong (up to 1,000 characters): the admin reads it with the contract, the "
                "submitted work and your messages."
            ),
            what=what,
        )
        return Screen(text, buttons=rows(ctx.button(ctx.t(N_("Cancel")), "cancel")))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return Finish(await open_dispute(ctx, ctx.data.kind, ctx.data.target_id, text))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "cancel":
            return Finish(Screen(ctx.t(N_("No dispute was opened.")), name="disputes.cancelled"))
        return await super().on_click(ctx, value)


async def dispute_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/dispute milestone|invoice ID [reason]: with a reason it opens at once, without one it asks for it."""
    usage = N_("Send /dispute milestone ID followed by the reason (or /dispute invoice ID for a weekly invoice).")
    kind, _, rest = args.strip().partition(" ")
    raw_id, _, reason = rest.strip().partition(" ")
    if kind not in KINDS:
        raise UserError(usage)
    target_id = _ident(raw_id, usage)
    if reason.strip():
        return await open_dispute(ctx, kind, target_id, reason)
    assert ctx.account is not None
    await ctx.services.disputes.may_open(ctx.account, kind, target_id)
    return StartFlow("dispute", {"kind": kind, "target_id": target_id})


# ---- the admins' side ---------------------------------------------------------------------------


async def queue_command(ctx: Ctx, _args: str) -> Screen:
    """/disputes (admins): the open disputes, oldest first."""
    assert ctx.account is not None
    cases = await ctx.services.disputes.queue(ctx.account, ctx.admins)
    back = ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu")
    if not cases:
        return Screen(ctx.t(N_("⚖️ No open disputes.")), buttons=rows(back), name="disputes.queue")
    lines = [ctx.t(N_("<b>Open disputes</b> ({count}), oldest first"), count=len(cases))]
    translator = Translator(ctx.locale)
    for case in cases:
        lines.append(
            ctx.t(
                N_("#{id} · {date} · {amount} · {what}"),
                id=case.dispute.id,
                date=day(ctx.locale, case.dispute.created_at),
                amount=format_money(case.escrow_minor, ctx.locale, case.contract.currency),
                what=case_title(translator, case),
            )
        )
    options = tuple(
        Option(
            shorten(f"#{case.dispute.id} {case.contract.title}", OPTION_LABEL_MAX),
            Action(RUN_COMMAND, ("dispute_case", str(case.dispute.id))),
        )
        for case in cases
    )
    return Screen(
        "\n".join(lines),
        choice=Choice(options, placeholder=ctx.t(N_("Open a dispute"))),
        buttons=rows(back),
        name="disputes.queue",
    )


def _money(ctx: Ctx, evidence: Evidence, minor: int) -> str:
    return format_money(minor, ctx.locale, evidence.case.contract.currency)


def evidence_text(ctx: Ctx, evidence: Evidence) -> str:
    case, contract, dispute = evidence.case, evidence.case.contract, evidence.case.dispute
    lines = [
        ctx.t(
            N_("⚖️ <b>Dispute #{id}</b> · {status} · opened on {date} by {name}"),
            id=dispute.id,
            status=ctx.t(N_("open")) if dispute.status == "open" else ctx.t(N_("resolved")),
            date=day(ctx.locale, dispute.created_at),
            name=evidence.opened_by_name or ctx.t(N_("Deleted user")),
        ),
        ctx.t(N_("Reason: {reason}"), reason=dispute.reason),
        ctx.t(N_("In escrow: {amount}"), amount=_money(ctx, evidence, case.escrow_minor)),
        "",
        ctx.t(
            N_("<b>Contract #{id} “{title}”</b> · {kind} · started {date}"),
            id=contract.id,
            title=contract.title,
            kind=ctx.t(N_("hourly")) if contract.kind == "hourly" else ctx.t(N_("fixed price")),
            date=Day(contract.start_date),
        ),
        ctx.t(
            N_("Client: {client} · Freelancer: {freelancer}"),
            client=evidence.client_name or ctx.t(N_("Deleted user")),
            freelancer=evidence.freelancer_name or ctx.t(N_("Deleted user")),
        ),
    ]
    if contract.rate_minor is not None:
        lines.append(
            ctx.t(
                N_("Rate: {rate}/h · weekly limit: {hours} h"),
                rate=_money(ctx, evidence, contract.rate_minor),
                hours=(contract.weekly_limit_minutes or 0) // 60,
            )
        )
    if case.milestone is not None:
        milestone = case.milestone
        lines.append(
            ctx.t(
                N_("<b>Milestone #{id}</b> “{description}” · {amount} · funded {funded}{due}"),
                id=milestone.id,
                description=milestone.description,
                amount=_money(ctx, evidence, milestone.amount_minor),
                funded=_money(ctx, evidence, milestone.funded_minor),
                due=ctx.t(N_(" · due {date}"), date=Day(milestone.due_date)) if milestone.due_date else "",
            )
        )
        lines.append(ctx.t(N_("<b>Submissions</b> ({count})"), count=len(evidence.submissions)))
        lines += [
            ctx.t(
                N_("• {date}: {message} ({files} files)"),
                date=day(ctx.locale, item.created_at),
                message=snippet(item.message),
                files=len(item.file_ids),
            )
            for item in evidence.submissions
        ]
    if case.invoice is not None:
        invoice = case.invoice
        lines.append(
            ctx.t(
                N_("<b>Invoice #{id}</b> · week of {week} · {time} · {amount}"),
                id=invoice.id,
                week=Day(invoice.week_start),
                time=format_minutes(invoice.minutes),
                amount=_money(ctx, evidence, invoice.amount_minor),
            )
        )
        lines.append(ctx.t(N_("<b>Time logged that week</b>")))
        lines += [
            ctx.t(N_("• {time} {memo}"), time=format_minutes(entry.minutes), memo=entry.memo)
            for entry in evidence.time_entries
        ]
    lines.append(
        ctx.t(
            N_("<b>Messages</b> (latest {shown} of {total})"),
            shown=len(evidence.messages),
            total=evidence.message_count,
        )
    )
    for message in evidence.messages:
        body = snippet(message.text) if message.text else ""
        if message.file_name:
            body = f"{body} [{message.file_name}]".strip()
        lines.append(
            ctx.t(
                N_("• {date} {name}: {text}"),
                date=day(ctx.locale, message.created_at),
                name=message.sender or "gigbot",
                text=body,
            )
        )
    return "\n".join(lines)


async def case_command(ctx: Ctx, args: str) -> Screen:
    """/dispute_case ID (admins): the evidence pack with Release / Refund / Split."""
    assert ctx.account is not None
    dispute_id = _ident(args, N_("Open a dispute from the /disputes queue."))
    evidence = await ctx.services.disputes.evidence(ctx.account, ctx.admins, dispute_id)
    ident = str(dispute_id)
    buttons = []
    if evidence.case.dispute.status == "open":
        buttons += [
            ctx.command_button(ctx.t(N_("✅ Release all to the freelancer")), "resolve_dispute", ident, "release"),
            ctx.command_button(ctx.t(N_("↩️ Refund all to the client")), "resolve_dispute", ident, "refund"),
            ctx.command_button(ctx.t(N_("✂️ Split")), "resolve_dispute", ident, "split"),
        ]
    buttons.append(ctx.command_button(ctx.t(N_("⚖️ Dispute queue")), "disputes"))
    return Screen(evidence_text(ctx, evidence), buttons=rows(*buttons), name="disputes.case")


def notify_outcome(ctx: Ctx, resolved: Resolved) -> None:
    case = resolved.case
    for party in (case.contract.client_id, case.contract.freelancer_id):
        ctx.notify(
            party,
            dispute_resolved,
            case=case_subject(case),
            paid_minor=resolved.freelancer_minor,
            fee_minor=resolved.fee_minor,
            refunded_minor=resolved.client_minor,
            currency=case.contract.currency,
        )


def _settled_amounts(language: str, resolved: Resolved) -> dict[str, str]:
    """{paid} to the freelancer (gross), its service {fee}, the {net} they receive, and the {refunded} part."""
    currency = resolved.case.contract.currency
    amounts = {
        "paid": resolved.freelancer_minor,
        "fee": resolved.fee_minor,
        "net": resolved.freelancer_minor - resolved.fee_minor,
        "refunded": resolved.client_minor,
    }
    return {name: format_money(minor, language, currency) for name, minor in amounts.items()}


def resolved_screen(ctx: Ctx, resolved: Resolved) -> Screen:
    message = (
        N_(
            "✅ Dispute #{id} resolved: {paid} to the freelancer ({fee} service fee, the freelancer receives {net}), "
            "{refunded} back to the client."
        )
        if resolved.freelancer_minor
        else N_("✅ Dispute #{id} resolved: all {refunded} back to the client.")
    )
    return Screen(
        ctx.t(message, id=resolved.case.dispute.id, **_settled_amounts(ctx.locale, resolved)),
        buttons=rows(ctx.command_button(ctx.t(N_("⚖️ Dispute queue")), "disputes")),
        name="disputes.done",
    )


async def resolve_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/resolve_dispute ID release|refund [confirm] | split (admins)."""
    assert ctx.account is not None
    usage = N_("Use the Release, Refund or Split buttons of a dispute.")
    raw_id, _, rest = args.strip().partition(" ")
    verdict, _, confirm = rest.strip().partition(" ")
    dispute_id = _ident(raw_id, usage)
    disputes = ctx.services.disputes
    case = await disputes.case(ctx.account, ctx.admins, dispute_id)
    if case.dispute.status != "open":
        raise UserError(N_("Dispute #{id} was already resolved."), id=dispute_id)
    if verdict == "split":
        return StartFlow("dispute_split", {"dispute_id": dispute_id})
    if verdict not in ("release", "refund"):
        raise UserError(usage)
    if confirm != "confirm":
        amount = format_money(case.escrow_minor, ctx.locale, case.contract.currency)
        question = (
            N_("Release the whole {amount} to the freelancer?")
            if verdict == "release"
            else N_("Refund the whole {amount} to the client?")
        )
        ident = str(dispute_id)
        text = ctx.t(question, amount=amount)
        if verdict == "release":
            fee = await ctx.services.contracts.service_fee(case.contract, case.escrow_minor)
            text += "\n" + ctx.t(
                N_("{fee} service fee, the freelancer receives {net}."),
                fee=format_money(fee, ctx.locale, case.contract.currency),
                net=format_money(case.escrow_minor - fee, ctx.locale, case.contract.currency),
            )
        return Screen(
            text,
            buttons=rows(
                ctx.command_button(ctx.t(N_("✅ Yes, decide it")), "resolve_dispute", ident, verdict, "confirm"),
                ctx.command_button(ctx.t(N_("⬅️ Back to the dispute")), "dispute_case", ident),
            ),
            name="disputes.confirm",
        )
    resolved = await disputes.resolve(ctx.account, ctx.admins, dispute_id, verdict)
    notify_outcome(ctx, resolved)
    return resolved_screen(ctx, resolved)


class ShareStep(Step):
    name = "share"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        assert ctx.account is not None
        case = await ctx.services.disputes.case(ctx.account, ctx.admins, ctx.data.dispute_id)
        text = ctx.t(
            N_(
                "<b>Split dispute #{id}</b>\n{amount} is in escrow. Type the freelancer's share (from 0 to "
                "{amount}); the rest goes back to the client."
            ),
            id=ctx.data.dispute_id,
            amount=format_money(case.escrow_minor, ctx.locale, case.contract.currency),
        )
        return Screen(text, buttons=rows(ctx.button(ctx.t(N_("Cancel")), "cancel")))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        assert ctx.account is not None
        share = parse_amount(text, minimum_minor=0)
        resolved = await ctx.services.disputes.resolve(ctx.account, ctx.admins, ctx.data.dispute_id, "split", share)
        notify_outcome(ctx, resolved)
        return Finish(resolved_screen(ctx, resolved))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "cancel":
            return Finish(await case_command(ctx, str(ctx.data.dispute_id)))
        return Retry(ctx.t(N_("Type the freelancer's share, like 150 or 150.50.")))


FLOW = Flow("dispute", N_("Open a dispute"), OpenData, [ReasonStep()], start="reason")
SPLIT_FLOW = Flow("dispute_split", N_("Split a dispute"), SplitData, [ShareStep()], start="share")

COMMANDS = [
    CommandSpec("dispute", N_("dispute a milestone or invoice: /dispute milestone ID reason"), dispute_command),
    CommandSpec("disputes", N_("the open disputes (admins)"), queue_command, in_help=False),
    CommandSpec("dispute_case", N_("one dispute with its evidence (admins)"), case_command, in_help=False),
    CommandSpec("resolve_dispute", N_("decide a dispute (admins)"), resolve_command, in_help=False),
]
