"""Proposals once sent: the freelancer's list and detail (withdraw with a reason, change the bid while the client
has not answered), and the client's review of the proposals to a job (newest or best match first, shortlist,
decline with a reason, archive, message, hire).

``/proposal ID ACTION`` carries the action in the command, so its buttons keep working at any time; the service
checks on every action that the proposal is the asker's own, or was sent to the asker's job. The screens that
show a proposal (the freelancer's preview before sending, too) are built here from the same pieces.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.conversations.flow import CommandSpec, Ctx, StartFlow, command_button
from bot.conversations.job_views import ago, file_attachments, file_size
from bot.conversations.notices import notice_kind
from bot.core.errors import UserError
from bot.core.fees import FeeQuote
from bot.core.i18n import N_, Day, Translator
from bot.core.jobs import PROJECT_LENGTHS, AttachedFile, Job
from bot.core.money import format_money
from bot.core.numbers import whole_number
from bot.core.places import country_name
from bot.core.proposals import (
    DECLINE_REASONS,
    STATUSES,
    WITHDRAW_REASONS,
    ListedProposal,
    MilestoneDraft,
    Proposal,
)
from bot.core.ui import Button, Choice, Screen, escape, rows

PAGE_SIZE = 10
STATUS_ICONS = {"active": "🟢", "withdrawn": "↩️", "declined": "🚫", "hired": "🤝"}


# ---- pieces of a proposal on screen ---------------------------------------------------------------


def bid_text(ctx: Ctx | Translator, bid_kind: str, amount_minor: int, locale: str) -> str:
    amount = format_money(amount_minor, locale)
    if bid_kind == "hourly":
        return ctx.t(N_("{amount}/hr"), amount=amount)
    if bid_kind == "milestones":
        return ctx.t(N_("{amount} in milestones"), amount=amount)
    return ctx.t(N_("{amount} fixed price"), amount=amount)


def milestone_lines(ctx: Ctx, milestones: Sequence[MilestoneDraft]) -> list[str]:
    lines = []
    for number, milestone in enumerate(milestones, 1):
        line = f"{number}. {escape(milestone.description)} · {format_money(milestone.amount_minor, ctx.locale)}"
        if milestone.due_date is not None:
            line += " · " + ctx.t(N_("due {date}"), date=Day(milestone.due_date))
        lines.append(line)
    return lines


async def quote_for(ctx: Ctx, client_id: int, freelancer_id: int, amount_minor: int) -> FeeQuote:
    """The fees on this bid, counting what the freelancer already billed this client (tiered schedule)."""
    billed = await ctx.services.ledger.billed_between(client_id, freelancer_id)
    return ctx.services.rules.fees.quote(amount_minor, billed_before_minor=billed)


def fee_lines(ctx: Ctx, quote: FeeQuote, *, hourly: bool) -> list[str]:
    """The bid, the service fee and what the freelancer receives (per hour for an hourly bid)."""

    def money(minor: int) -> str:
        amount = format_money(minor, ctx.locale)
        return ctx.t(N_("{amount}/hr"), amount=amount) if hourly else amount

    return [
        ctx.t(N_("Your bid: {amount}"), amount=money(quote.amount_minor)),
        ctx.t(N_("Service fee: −{amount}"), amount=money(quote.service_fee_minor)),
        ctx.t(N_("<b>You'll receive: {amount}</b>"), amount=money(quote.freelancer_receives_minor)),
    ]


def body_sections(
    ctx: Ctx,
    *,
    cover_letter: str,
    questions: Sequence[str],
    answers: Sequence[str],
    attachments: Sequence[AttachedFile],
    duration: str | None,
) -> list[str]:
    """The cover letter, the answers to the screening questions, the files and the estimated duration."""
    sections = [ctx.t(N_("<b>Cover letter</b>")) + "\n" + escape(cover_letter)]
    if questions:
        answered = [ctx.t(N_("<b>Screening questions</b>"))]
        answered += [
            f"{number}. <i>{escape(question)}</i>\n{escape(answer)}"
            for number, (question, answer) in enumerate(zip(questions, answers, strict=False), 1)
        ]
        sections.append("\n".join(answered))
    if attachments:
        files = [ctx.t(N_("<b>Attachments</b>"))]
        files += [f"📎 {escape(file.filename)} ({file_size(file.size)})" for file in attachments]
        sections.append("\n".join(files))
    if duration:
        sections.append("📅 " + ctx.t(N_("Estimated duration: {length}"), length=ctx.t(PROJECT_LENGTHS[duration])))
    return sections


def _body(ctx: Ctx, proposal: Proposal) -> list[str]:
    return body_sections(
        ctx,
        cover_letter=proposal.cover_letter,
        questions=proposal.questions,
        answers=proposal.answers,
        attachments=proposal.attachments,
        duration=proposal.duration,
    )


def _status_line(ctx: Ctx, proposal: Proposal, *, client: bool) -> str:
    line = ctx.t(
        N_("{icon} Status: {status}"), icon=STATUS_ICONS[proposal.status], status=ctx.t(STATUSES[proposal.status])
    )
    reasons = WITHDRAW_REASONS if proposal.status == "withdrawn" else DECLINE_REASONS
    if proposal.reason in reasons:
        line += " · " + ctx.t(N_("Reason: {reason}"), reason=ctx.t(reasons[proposal.reason]))
    if client and proposal.shortlisted:
        line += " · " + ctx.t(N_("⭐ Shortlisted"))
    if client and proposal.archived:
        line += " · " + ctx.t(N_("🗄 Archived"))
    if proposal.job_status != "open":
        line += "\n" + ctx.t(N_("The job is no longer taking proposals."))
    return line


# ---- the freelancer -------------------------------------------------------------------------------


def propose_data(job: Job) -> dict[str, object]:
    """What the propose and edit_bid flows (bot/conversations/propose.py) start with: the job's facts they show."""
    pay = job.model_dump(include={"job_type", "budget_minor", "rate_min_minor", "rate_max_minor", "currency"})
    return {"job_id": job.id, "job_title": job.title, "client_id": job.client_id, "questions": job.questions, **pay}


async def freelancer_detail(ctx: Ctx, proposal: Proposal, notice: str = "") -> Screen:
    head = [
        ctx.t(N_("📄 <b>Your proposal #{id}</b> to “{title}”"), id=proposal.id, title=proposal.job_title),
        ctx.t(N_("Sent {ago}"), ago=ago(ctx, proposal.created_at)),
        _status_line(ctx, proposal, client=False),
    ]
    quote = await quote_for(ctx, proposal.client_id, proposal.freelancer_id, proposal.amount_minor)
    terms = fee_lines(ctx, quote, hourly=proposal.bid_kind == "hourly") + milestone_lines(ctx, proposal.milestones)
    if proposal.credits_spent:
        spent = ctx.t(N_("Credits spent: {count}"), count=proposal.credits_spent)
        if await ctx.services.credits.refunded(proposal.id):
            spent += " · " + ctx.t(N_("refunded, as the job closed without a hire"))
        terms.append(spent)
    ident = str(proposal.id)
    buttons = [ctx.command_button(ctx.t(N_("👀 View job")), "job", str(proposal.job_id))]
    if proposal.status == "active":
        buttons.append(ctx.command_button(ctx.t(N_("💬 Message the client")), "proposal", ident, "message"))
    if proposal.terms_editable and proposal.job_status == "open":
        buttons.append(ctx.command_button(ctx.t(N_("✏️ Edit bid")), "proposal", ident, "edit"))
    if proposal.status == "active":
        buttons.append(ctx.command_button(ctx.t(N_("↩️ Withdraw")), "proposal", ident, "withdraw"))
    if proposal.attachments:
        buttons.append(ctx.command_button(ctx.t(N_("📎 Get the files")), "proposal", ident, "files"))
    buttons.append(ctx.command_button(ctx.t(N_("📄 My proposals")), "proposals"))
    text = "\n\n".join(["\n".join(head), "\n".join(terms), *_body(ctx, proposal)])
    screen = Screen(text, buttons=rows(*buttons), name="proposal")
    return screen.with_notice(notice) if notice else screen


def _reasons_screen(ctx: Ctx, proposal: Proposal, action: str, question: str) -> Screen:
    reasons = WITHDRAW_REASONS if action == "withdraw" else DECLINE_REASONS
    choices = [
        ctx.command_button(ctx.t(label), "proposal", str(proposal.id), action, code) for code, label in reasons.items()
    ]
    choices.append(ctx.command_button(ctx.t(N_("⬅️ Back")), "proposal", str(proposal.id)))
    return Screen(question, buttons=rows(*choices), name=f"proposal.{action}")


async def _freelancer_action(ctx: Ctx, proposal: Proposal, action: str, arg: str) -> Screen | StartFlow:
    proposals = ctx.services.proposals
    if action == "withdraw" and not arg and proposal.status == "active":
        question = ctx.t(N_("Withdraw your proposal to “{title}”? Tell the client why:"), title=proposal.job_title)
        return _reasons_screen(ctx, proposal, "withdraw", question)
    if action == "withdraw":
        withdrawn = await proposals.withdraw(ctx.account, proposal.id, arg)
        return await freelancer_detail(ctx, withdrawn, ctx.t(N_("↩️ Your proposal was withdrawn.")))
    if action == "edit":
        job = await proposals.may_change_terms(ctx.account, proposal.id)
        terms = {
            "bid_kind": proposal.bid_kind,
            "amount_minor": proposal.amount_minor if proposal.bid_kind != "milestones" else None,
            "milestones": [milestone.model_dump() for milestone in proposal.milestones],
        }
        return StartFlow("edit_bid", {**propose_data(job), "editing": proposal.id, "draft": terms})
    return await freelancer_detail(ctx, proposal)


# ---- the client -----------------------------------------------------------------------------------


async def client_detail(ctx: Ctx, proposal: Proposal, notice: str = "") -> Screen:
    job = await ctx.services.jobs.owned(ctx.account, proposal.job_id)
    profile = await ctx.services.profiles.freelancer(proposal.freelancer_id)
    head = [
        ctx.t(
            N_("📨 <b>Proposal #{id} from {name}</b> for “{title}”"),
            id=proposal.id,
            name=proposal.freelancer_name,
            title=proposal.job_title,
        ),
        ctx.t(N_("Received {ago}"), ago=ago(ctx, proposal.created_at)),
        _status_line(ctx, proposal, client=True),
    ]
    about = [ctx.t(N_("<b>About {name}</b>"), name=proposal.freelancer_name)]
    if profile.title:
        about.append(escape(profile.title))
    facts = [escape(country_name(proposal.freelancer_country, ctx.locale))]
    if profile.hourly_rate_minor is not None:
        rate = format_money(profile.hourly_rate_minor, ctx.locale)
        facts.append(ctx.t(N_("Profile rate: {amount}/hr"), amount=rate))
    about.append(" · ".join(facts))
    matching = [skill for skill in job.skills if skill in profile.skills]
    if job.skills:
        about.append(
            ctx.t(
                N_("🛠 Has {count} of the job's {total} skills: {skills}"),
                count=len(matching),
                total=len(job.skills),
                skills=", ".join(matching) or "–",
            )
        )
    pays = proposal.amount_minor + ctx.services.rules.fees.client_fee(proposal.amount_minor)
    hourly = proposal.bid_kind == "hourly"
    terms = [
        "💵 " + ctx.t(N_("Bid: {bid}"), bid=bid_text(ctx, proposal.bid_kind, proposal.amount_minor, ctx.locale)),
        ctx.t(
            N_("You pay {amount} with the marketplace fee."),
            amount=bid_text(ctx, "hourly" if hourly else "fixed", pays, ctx.locale),
        ),
        *milestone_lines(ctx, proposal.milestones),
    ]
    ident = str(proposal.id)
    buttons: list[Button] = []
    if proposal.status == "active":
        shortlist = N_("☆ Remove from shortlist") if proposal.shortlisted else N_("⭐ Shortlist")
        buttons += [
            ctx.command_button(ctx.t(N_("🤝 Hire")), "offer", ident),
            ctx.command_button(ctx.t(shortlist), "proposal", ident, "shortlist"),
            ctx.command_button(ctx.t(N_("🚫 Decline")), "proposal", ident, "decline"),
        ]
    buttons.append(ctx.command_button(ctx.t(N_("💬 Message")), "proposal", ident, "message"))
    archive = N_("📤 Unarchive") if proposal.archived else N_("🗄 Archive")
    buttons.append(ctx.command_button(ctx.t(archive), "proposal", ident, "archive"))
    if proposal.attachments:
        buttons.append(ctx.command_button(ctx.t(N_("📎 Get the files")), "proposal", ident, "files"))
    buttons += [
        ctx.command_button(ctx.t(N_("👤 Profile")), "profile", f"@{proposal.freelancer_username}"),
        ctx.command_button(ctx.t(N_("📋 All proposals")), "job_proposals", str(proposal.job_id)),
    ]
    text = "\n\n".join(["\n".join(head), "\n".join(about), "\n".join(terms), *_body(ctx, proposal)])
    screen = Screen(text, buttons=rows(*buttons), name="proposal.received")
    return screen.with_notice(notice) if notice else screen


@notice_kind("proposal.client_action")
def client_action_notice(
    translator: Translator,
    *,
    client_name: str,
    proposal_id: int,
    title: str,
    action: str,
    reason: str,
    shortlisted: bool,
) -> Screen:
    """What the freelancer is told when the client shortlists, declines or archives their proposal."""
    if action == "decline":
        text = translator.t(
            N_("🚫 {name} declined your proposal to “{title}”. Reason: {reason}"),
            name=client_name,
            title=title,
            reason=translator.t(DECLINE_REASONS[reason or "other"]),
        )
    elif action == "archive":
        text = translator.t(N_("🗄 {name} archived your proposal to “{title}”."), name=client_name, title=title)
    elif shortlisted:
        text = translator.t(N_("⭐ {name} shortlisted your proposal to “{title}”."), name=client_name, title=title)
    else:
        text = translator.t(
            N_("{name} took your proposal to “{title}” off their shortlist."), name=client_name, title=title
        )
    button = command_button(translator.t(N_("📄 View proposal")), "proposal", str(proposal_id))
    return Screen(text, buttons=rows(button), name="proposal.client-action")


async def _client_action(ctx: Ctx, proposal: Proposal, action: str, arg: str) -> Screen:
    proposals = ctx.services.proposals
    if action == "decline" and not arg and proposal.status == "active":
        question = ctx.t(N_("Decline {name}'s proposal? Pick the reason they will see:"), name=proposal.freelancer_name)
        return _reasons_screen(ctx, proposal, "decline", question)
    notices = {
        "decline": N_("🚫 Declined. {name} has been told."),
        "archive": N_("Done. {name} has been told."),
        "shortlist": N_("Done. {name} has been told."),
    }
    if action not in notices:
        return await client_detail(ctx, proposal)
    if action == "decline":
        changed = await proposals.decline(ctx.account, proposal.id, arg)
    elif action == "archive":
        changed = await proposals.archive(ctx.account, proposal.id)
    else:
        changed = await proposals.shortlist(ctx.account, proposal.id)
    ctx.notify(
        changed.freelancer_id,
        client_action_notice,
        client_name=ctx.account.full_name,
        proposal_id=changed.id,
        title=changed.job_title,
        action=action,
        reason=changed.reason or "",
        shortlisted=changed.shortlisted,
    )
    return await client_detail(ctx, changed, ctx.t(notices[action], name=changed.freelancer_name))


# ---- commands -------------------------------------------------------------------------------------


async def _files(ctx: Ctx, proposal: Proposal) -> Screen:
    return Screen(
        ctx.t(N_("📎 Files of proposal #{id}"), id=proposal.id),
        attachments=await file_attachments(ctx, [attached.id for attached in proposal.attachments]),
        buttons=rows(ctx.command_button(ctx.t(N_("⬅️ Back to the proposal")), "proposal", str(proposal.id))),
        name="proposal.files",
    )


async def proposal_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/proposal ID [message|files|withdraw [REASON]|edit|shortlist|decline [REASON]|archive]."""
    assert ctx.account is not None
    ident, _, rest = args.strip().partition(" ")
    action, _, arg = rest.strip().partition(" ")
    proposal = await ctx.services.proposals.readable(ctx.account, ident or "?")
    if action == "message":
        thread = await ctx.services.messaging.for_proposal(ctx.account, proposal.id)
        return StartFlow("reply", {"thread_id": thread.id})
    if action == "files":
        return await _files(ctx, proposal)
    mine = proposal.freelancer_id == ctx.account.id
    try:
        if mine:
            return await _freelancer_action(ctx, proposal, action, arg.strip())
        return await _client_action(ctx, proposal, action, arg.strip())
    except UserError as refused:  # raised before anything changed: show the proposal with the reason
        notice = "⚠️ " + ctx.t(refused.message_id, **refused.params)
        return await (freelancer_detail if mine else client_detail)(ctx, proposal, notice)


def _list_line(ctx: Ctx, number: int, item: ListedProposal, *, client: bool) -> str:
    bid = bid_text(ctx, item.bid_kind, item.amount_minor, ctx.locale)
    name = item.name if client else item.title
    marks = ("⭐ " if client and item.shortlisted else "") + f"{STATUS_ICONS[item.status]} "
    line = f"{number}. {marks}<b>{escape(name)}</b> · {escape(bid)} · {escape(ago(ctx, item.created_at))}"
    if item.status != "active":
        line += " · " + ctx.t(STATUSES[item.status])
    elif not client and item.job_status != "open":
        line += " · " + ctx.t(N_("job closed"))
    return line


def _paging(ctx: Ctx, page: int, total: int, command: str, *args: str) -> list[Button]:
    pages = max(1, -(-total // PAGE_SIZE))
    paging = []
    if page > 1:
        paging.append(ctx.command_button(ctx.t(N_("◀ Previous")), command, *args, str(page - 1)))
    if page < pages:
        paging.append(ctx.command_button(ctx.t(N_("Next ▶")), command, *args, str(page + 1)))
    return paging


def _opened_by_name(ctx: Ctx, items: list[ListedProposal], first: int, *, client: bool) -> Choice | None:
    """The list's proposals to open: by the freelancer's name for the client, by the job's title otherwise."""
    labels = [f"{number}. {item.name if client else item.title}" for number, item in enumerate(items, first)]
    opened = [(label, "proposal", str(item.id)) for label, item in zip(labels, items, strict=True)]
    return ctx.command_options(ctx.t(N_("Open a proposal")), opened)


def _page_of(words: list[str]) -> int:
    return next((max(1, number) for word in words if (number := whole_number(word)) is not None), 1)


async def proposals_command(ctx: Ctx, args: str) -> Screen:
    """/proposals [archived] [PAGE]: the freelancer's proposals, active ones or the others, newest first."""
    assert ctx.account is not None
    words = args.split()
    archived = "archived" in words
    page = _page_of(words)
    proposals = ctx.services.proposals
    items, total = await proposals.mine(ctx.account, archived=archived, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    _, other_total = await proposals.mine(ctx.account, archived=not archived, offset=0, limit=0)
    title = N_("<b>📄 Your archived proposals</b> ({count})") if archived else N_("<b>📄 Your proposals</b> ({count})")
    lines = [ctx.t(title, count=total)]
    if ctx.services.credits.enabled:
        lines.append(
            ctx.t(
                N_("Credits: {balance} · a proposal costs {cost}"),
                balance=await ctx.services.credits.balance(ctx.account.id),
                cost=ctx.services.credits.cost,
            )
        )
    first = (page - 1) * PAGE_SIZE + 1
    lines.append("")
    lines += [_list_line(ctx, first + index, item, client=False) for index, item in enumerate(items)]
    if not items:
        lines.append(
            ctx.t(N_("Nothing here yet."))
            if archived
            else ctx.t(N_("No active proposals. Find a job and press “Submit a proposal”."))
        )
    toggle = (
        ctx.command_button(ctx.t(N_("🟢 Active ({count})"), count=other_total), "proposals")
        if archived
        else ctx.command_button(ctx.t(N_("🗄 Archived ({count})"), count=other_total), "proposals", "archived")
    )
    view = ("archived",) if archived else ()
    nav = [
        toggle,
        *_paging(ctx, page, total, "proposals", *view),
        ctx.command_button(ctx.t(N_("🔎 Find work")), "search"),
    ]
    return Screen(
        "\n".join(lines),
        buttons=rows(*nav, per_row=4),
        choice=_opened_by_name(ctx, items, first, client=False),
        name="proposals",
    )


async def job_proposals_command(ctx: Ctx, args: str) -> Screen:
    """/job_proposals JOB [archived] [best] [PAGE]: the proposals to one of the client's jobs."""
    assert ctx.account is not None
    words = args.split()
    archived, best = "archived" in words[1:], "best" in words[1:]
    page = _page_of(words[1:])
    view = "archived" if archived else "active"
    job, items, total = await ctx.services.proposals.received(
        ctx.account,
        words[0] if words else "?",
        view,
        best_match=best,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    _, _, other_total = await ctx.services.proposals.received(
        ctx.account, job.id, "active" if archived else "archived", best_match=False, offset=0, limit=0
    )
    title = (
        N_("<b>🗄 Archived proposals</b> for “{title}” ({count})")
        if archived
        else N_("<b>📨 Proposals</b> for “{title}” ({count})")
    )
    order = ctx.t(N_("Best match first")) if best else ctx.t(N_("Newest first"))
    lines = [ctx.t(title, title=job.title, count=total), order, ""]
    first = (page - 1) * PAGE_SIZE + 1
    lines += [_list_line(ctx, first + index, item, client=True) for index, item in enumerate(items)]
    if not items:
        lines.append(ctx.t(N_("No proposals here yet.")))
    ident = str(job.id)
    view_args, sort_args = ("archived",) * archived, ("best",) * best
    sort = (
        ctx.command_button(ctx.t(N_("🕒 Newest first")), "job_proposals", ident, *view_args)
        if best
        else ctx.command_button(ctx.t(N_("🎯 Best match first")), "job_proposals", ident, *view_args, "best")
    )
    switch = (
        ctx.command_button(ctx.t(N_("📨 Active ({count})"), count=other_total), "job_proposals", ident, *sort_args)
        if archived
        else ctx.command_button(
            ctx.t(N_("🗄 Archived ({count})"), count=other_total), "job_proposals", ident, "archived", *sort_args
        )
    )
    options = [sort, switch]
    nav = [
        *_paging(ctx, page, total, "job_proposals", ident, *view_args, *sort_args),
        ctx.command_button(ctx.t(N_("⬅️ Back to the job")), "my_job", ident),
    ]
    return Screen(
        "\n".join(lines),
        buttons=(tuple(options), tuple(nav)),
        choice=_opened_by_name(ctx, items, first, client=True),
        name="job-proposals",
    )


COMMANDS = [
    CommandSpec("proposals", N_("your proposals"), proposals_command, role="freelancer", deep_link=True),
    CommandSpec(
        "proposal", N_("one of your proposals, or one sent to your job: /proposal 12"), proposal_command, deep_link=True
    ),
    CommandSpec(
        "job_proposals",
        N_("the proposals to one of your jobs"),
        job_proposals_command,
        in_help=False,
        role="client",
        deep_link=True,
    ),
]
