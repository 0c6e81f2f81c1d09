"""How a job post looks: the compact card (lists, search results) and the full detail screen (/job ID).

The preview a client sees before publishing is the same detail text, so it is exactly what freelancers see.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

from babel.dates import format_timedelta

from bot.conversations.flow import CommandSpec, Ctx
from bot.core.errors import UserError
from bot.core.formats import format_number
from bot.core.i18n import N_, Day
from bot.core.jobs import (
    EXPERIENCE,
    HOURS_PER_WEEK,
    PROJECT_LENGTHS,
    STATUSES,
    ClientSummary,
    Job,
    PayTerms,
    rate_or_budget,
)
from bot.core.money import format_money
from bot.core.places import country_name
from bot.core.taxonomy import CATEGORIES
from bot.core.ui import Attachment, Button, Choice, Link, Screen, escape, rows, shortened

CARD_SKILLS = 5
NOT_STATED = N_("Not stated")  # what a feed does not say (experience, project length, pay)
PROPOSAL_BUCKETS = (
    (5, N_("Less than 5")),
    (10, N_("5 to 10")),
    (15, N_("10 to 15")),
    (20, N_("15 to 20")),
    (50, N_("20 to 50")),
)


def ago(ctx: Ctx, moment: datetime) -> str:
    """ "just now", "3 hours ago", "il y a 3 heures" (CLDR wording, so every language reads naturally)."""
    if ctx.now - moment < timedelta(minutes=1):
        return ctx.t(N_("just now"))
    return format_timedelta(moment - ctx.now, add_direction=True, locale=ctx.locale)


def proposals_bucket(ctx: Ctx, count: int) -> str:
    """Upwork's buckets: exact counts are not shown to freelancers."""
    return next((ctx.t(label) for limit, label in PROPOSAL_BUCKETS if count < limit), ctx.t(N_("50+")))


class CardJob(PayTerms, Protocol):
    """What a card shows of a job: a stored post or a search hit."""

    id: int
    title: str
    experience: str | None
    published_at: datetime | None
    proposals_count: int
    skills: list[str]


def terms(ctx: Ctx, job: PayTerms) -> str:
    if (job.rate_min_minor if job.job_type == "hourly" else job.budget_minor) is None:  # a feed that names none
        return ctx.t(N_("Pay: not stated"))
    amount = rate_or_budget(job, ctx.locale)
    if job.job_type == "hourly":
        return ctx.t(N_("Hourly: {amount}/hr"), amount=amount)
    return ctx.t(N_("Fixed price: {amount}"), amount=amount)


def file_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def client_facts(ctx: Ctx, client: ClientSummary) -> list[str]:
    """Payment verification, rating, hires, spending and country: what tells a freelancer whom they'd work for;
    for a job from an external feed, the feed it came from (its client is on the original site)."""
    if client.source is not None:
        return [ctx.t(N_("🌐 From {source}"), source=client.source)]
    verified = (
        ctx.t(N_("✅ Payment verified")) if client.payment_verified else ctx.t(N_("⚪ Payment method not verified"))
    )
    stars = format_number(client.rating or 0, ctx.locale, "0.0")
    rating = (
        ctx.tn("⭐ {rating} ({count} review)", "⭐ {rating} ({count} reviews)", client.reviews, rating=stars)
        if client.rating is not None
        else ctx.t(N_("No reviews yet"))
    )
    return [
        verified,
        rating,
        ctx.tn("{count} hire", "{count} hires", client.hires),
        ctx.t(N_("{amount} spent"), amount=format_money(client.total_spent_minor, ctx.locale)),
        escape(country_name(client.country, ctx.locale)),
    ]


def job_card(ctx: Ctx, job: CardJob, client: ClientSummary, number: int | None = None, *, saved: bool = False) -> str:
    """A few lines per job, for lists and search results (numbered when a list has buttons by number)."""
    skills = [escape(skill) for skill in job.skills[:CARD_SKILLS]]
    if len(job.skills) > CARD_SKILLS:
        skills.append(f"+{len(job.skills) - CARD_SKILLS}")
    posted = (
        ctx.t(N_("Posted {ago}"), ago=ago(ctx, job.published_at)) if job.published_at else ctx.t(N_("Not published"))
    )
    lines = [
        f"<b>{f'{number}. ' if number is not None else ''}{escape(job.title)}</b>" + (" ♥" if saved else ""),
        " · ".join([terms(ctx, job), ctx.t(EXPERIENCE.get(job.experience or "", NOT_STATED)), posted]),
        ctx.t(N_("Proposals: {bucket}"), bucket=proposals_bucket(ctx, job.proposals_count)),
    ]
    if skills:
        lines.append("🛠 " + " · ".join(skills))
    lines.append(" · ".join(client_facts(ctx, client)))
    return "\n".join(lines)


def numbered_cards(ctx: Ctx, cards: list[tuple[CardJob, ClientSummary, bool]], first: int) -> tuple[str, Choice | None]:
    """Cards numbered from ``first`` (with a ♥ on saved ones) and the choice that opens each by its title."""
    texts = [job_card(ctx, job, client, first + index, saved=saved) for index, (job, client, saved) in enumerate(cards)]
    items = [(f"{first + index}. {job.title}", "job", str(job.id)) for index, (job, _, _) in enumerate(cards)]
    return "\n\n".join(texts), ctx.command_options(ctx.t(N_("Open a job post")), items)


def audience(ctx: Ctx, job: Job) -> str:
    if job.visibility == "invite":
        return ctx.t(N_("✉️ Invite only: visible to the freelancers the client invites."))
    if job.visibility == "cloud":
        return ctx.t(N_("👥 Only for the talent cloud “{name}”."), name=job.cloud_name or "?")
    return ""


def job_detail(ctx: Ctx, job: Job, client: ClientSummary) -> str:
    """The whole post, as freelancers read it before they apply."""
    head = [
        f"<b>{escape(job.title)}</b>",
        ctx.t(
            N_("{category} · Posted {ago}"),
            category=ctx.t(CATEGORIES[job.category]),
            ago=ago(ctx, job.published_at or job.created_at),
        ),
    ]
    if job.status != "open":
        head.append(ctx.t(N_("Status: {status}"), status=ctx.t(STATUSES[job.status])))
    if audience(ctx, job):
        head.append(audience(ctx, job))
    facts = [
        "💵 " + terms(ctx, job),
        "🎓 " + ctx.t(N_("Experience: {level}"), level=ctx.t(EXPERIENCE.get(job.experience or "", NOT_STATED))),
        "📅 "
        + ctx.t(
            N_("Project length: {length}"), length=ctx.t(PROJECT_LENGTHS.get(job.project_length or "", NOT_STATED))
        ),
    ]
    if job.job_type == "hourly" and job.hours_per_week:
        facts.append("⏱ " + ctx.t(HOURS_PER_WEEK[job.hours_per_week]))
    facts.append("🛠 " + ctx.t(N_("Skills: {skills}"), skills=", ".join(job.skills)))
    if not job.external:
        facts.append("📨 " + ctx.t(N_("Proposals: {bucket}"), bucket=proposals_bucket(ctx, job.proposals_count)))
    sections = ["\n".join(head), escape(job.description), "\n".join(facts)]
    if job.questions:
        asked = [ctx.t(N_("<b>Screening questions</b>"))]
        asked += [f"{number}. {escape(question)}" for number, question in enumerate(job.questions, 1)]
        sections.append("\n".join(asked))
    if job.attachments:
        files = [ctx.t(N_("<b>Attachments</b>"))]
        files += [f"📎 {escape(file.filename)} ({file_size(file.size)})" for file in job.attachments]
        sections.append("\n".join(files))
    if job.external:
        sections.append(original_post(ctx, job))
    else:
        about = [ctx.t(N_("<b>About the client</b>")), *client_facts(ctx, client)]
        about.append(ctx.t(N_("Member since {date}"), date=Day(client.member_since.date())))
        sections.append("\n".join(about))
    return "\n\n".join(sections)


def original_post(ctx: Ctx, job: Job) -> str:
    """Where a job from a feed came from, and its original post (where one applies)."""
    lines = [ctx.t(N_("🌐 From {source}"), source=job.source_name)]
    if job.external_url:
        lines.append(ctx.t(N_('Original post: <a href="{url}">{host}</a>'), url=job.external_url, host=host(job)))
    return "\n".join(lines)


def host(job: Job) -> str:
    """The original post's site, as people name it ("remotive.com")."""
    return (urlsplit(job.external_url or "").hostname or "").removeprefix("www.")


def apply_button(ctx: Ctx, job: Job) -> Button:
    """Opens the original post where links exist; elsewhere /apply shows its address."""
    label = shortened(ctx.t(N_("🔗 Apply on {site}"), site=host(job)))
    return Button(label, ctx.command_button(label, "apply", str(job.id)).action, url=job.external_url)


async def apply_screen(ctx: Ctx, args: str) -> Screen:
    """/apply ID: a job from a feed is applied to on its original post; this says where."""
    job = await ctx.services.jobs.visible(ctx.account, args.strip() or "?")
    return apply_elsewhere(ctx, job)


def apply_elsewhere(ctx: Ctx, job: Job) -> Screen:
    """What a freelancer is told when they would apply here to a job from a feed."""
    if not job.external:
        raise UserError(N_("This job takes proposals here: send /propose {id}."), id=job.id)
    if job.external_url is None:
        text = ctx.t(
            N_("“{title}” comes from {source}, which gave no link to apply."), title=job.title, source=job.source_name
        )
        return Screen(text, name="job.apply")
    text = ctx.t(
        N_('“{title}” comes from {source}: you apply on its original post, <a href="{url}">{url}</a>.'),
        title=job.title,
        source=job.source_name,
        url=job.external_url,
    )
    buttons = rows(apply_button(ctx, job), ctx.command_button(ctx.t(N_("⬅️ Back to the job")), "job", str(job.id)))
    return Screen(text, buttons=buttons, name="job.apply")


async def proposal_buttons(ctx: Ctx, job: Job) -> list[Button]:
    """For a freelancer who is not the client: their proposal to the job if they sent one, else Submit (open jobs);
    for a job from a feed, Apply on its original post."""
    if job.external:
        return [apply_button(ctx, job)] if job.status == "open" and job.external_url else []
    sent = await ctx.services.proposals.active_on(ctx.account, job.id)
    if sent is not None:
        return [ctx.command_button(ctx.t(N_("📄 My proposal")), "proposal", str(sent))]
    if job.status == "open":
        return [ctx.command_button(ctx.t(N_("📨 Submit a proposal")), "propose", str(job.id))]
    return []


async def job_screen(ctx: Ctx, args: str) -> Screen:
    """/job ID: the post, if the asker may see it (the service enforces who may: someone without an account,
    who opened a shared link, sees public posts, as on Upwork, and is offered to sign up to apply); in a group,
    where everyone reads along, only a public post, with what anyone may do with it (each leads to their private
    chat)."""
    if ctx.in_group:
        job = await ctx.services.jobs.visible(None, args.strip() or "?")
        if job.external:
            buttons = [apply_button(ctx, job)] * (job.status == "open" and job.external_url is not None)
        else:
            buttons = [ctx.command_button(ctx.t(N_("📨 Submit a proposal")), "propose", str(job.id))] * (
                job.status == "open"
            )
        buttons.append(ctx.command_button(ctx.t(N_("♥ Save")), "save", str(job.id)))
        client = await ctx.services.jobs.client_summary(job.client_id)
        return Screen(job_detail(ctx, job, client), buttons=rows(*buttons), name="job")
    return await job_page(ctx, await ctx.services.jobs.visible(ctx.account, args.strip() or "?"))


def share_button(ctx: Ctx, job: Job) -> Button:
    """Where links exist, a share of the post's deep link; elsewhere /share shows what to pass on."""
    share = ctx.command_button(ctx.t(N_("📤 Share")), "share", str(job.id))
    return Button(share.label, share.action, link=Link(f"job_{job.id}", share=True))


async def job_page(ctx: Ctx, job: Job) -> Screen:
    """A post with what the viewer may do with it; its ♥ button says whether they saved it, and toggles."""
    client = await ctx.services.jobs.client_summary(job.client_id)
    buttons = []
    if job.attachments:
        buttons.append(ctx.command_button(ctx.t(N_("📎 Get the files")), "job_files", str(job.id)))
    if ctx.account is None and job.external:
        buttons += await proposal_buttons(ctx, job)
    elif ctx.account is None:
        if job.status == "open":  # applying needs an account: signing up comes first, then the proposal
            buttons.append(ctx.command_button(ctx.t(N_("📨 Sign up to apply")), "propose", str(job.id)))
    elif job.client_id == ctx.account.id:
        buttons.append(ctx.command_button(ctx.t(N_("⚙️ Manage")), "my_job", str(job.id)))
    elif ctx.account.is_freelancer:
        buttons += await proposal_buttons(ctx, job)
        if await ctx.services.saved.is_saved(ctx.account, job.id):
            buttons.append(ctx.command_button(ctx.t(N_("♥ Saved · Unsave")), "unsave", str(job.id)))
        else:
            buttons.append(ctx.command_button(ctx.t(N_("♥ Save")), "save", str(job.id)))
        buttons.append(ctx.command_button(ctx.t(N_("👎 Not interested")), "hide", str(job.id)))
    if job.shareable:
        buttons.append(share_button(ctx, job))
    buttons.append(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"))
    return Screen(job_detail(ctx, job, client), buttons=rows(*buttons), name="job")


async def file_attachments(ctx: Ctx, file_ids: list[int]) -> tuple[Attachment, ...]:
    """Stored files, to send with a screen (a file deleted meanwhile is left out). The caller checked the right."""
    attachments = []
    for file_id in file_ids:
        attachment = await ctx.services.files.attachment(file_id, ctx.actor.platform)
        if attachment is not None:
            attachments.append(attachment)
    return tuple(attachments)


async def job_files(ctx: Ctx, args: str) -> Screen:
    """/job_files ID: the post's attachments as files, for those who may see the post."""
    job = await ctx.services.jobs.visible(ctx.account, args.strip() or "?")
    return Screen(
        ctx.t(N_("📎 Files of “{title}”"), title=job.title),
        attachments=await file_attachments(ctx, [attached.id for attached in job.attachments]),
        buttons=rows(ctx.command_button(ctx.t(N_("⬅️ Back to the job")), "job", str(job.id))),
        name="job-files",
    )


async def share_screen(ctx: Ctx, args: str) -> Screen:
    """/share ID, what the 📤 Share button does where there are no link buttons: the card to pass on, and how
    anyone opens the post here."""
    job = await ctx.services.jobs.visible(ctx.account, args.strip() or "?")
    if not job.shareable:
        raise UserError(N_("Only open, public job posts can be shared."))
    card = job_card(ctx, job, await ctx.services.jobs.client_summary(job.client_id))
    text = ctx.t(
        N_("📤 Pass this on: anyone can open the post by sending <code>/job {id}</code> to gigbot."), id=job.id
    )
    back = ctx.command_button(ctx.t(N_("⬅️ Back to the job")), "job", str(job.id))
    return Screen(f"{text}\n\n{card}", buttons=rows(back), name="job.share")


COMMANDS = [
    CommandSpec(
        "job",
        N_("show a job post by its number: /job 42"),
        job_screen,
        needs_account=False,
        deep_link=True,
        in_groups=True,
    ),
    CommandSpec("share", N_("share a job post"), share_screen, needs_account=False, in_help=False),
    CommandSpec("job_files", N_("the files attached to a job post"), job_files, in_help=False),
    CommandSpec(
        "apply", N_("where to apply to a job from another site"), apply_screen, needs_account=False, in_help=False
    ),
]
