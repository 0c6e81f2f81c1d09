"""A client's job posts: the list, one post with what can be done to it, inviting freelancers, and expiry.

``/my_job ID ACTION`` carries the action in the command so its buttons keep working at any time; the
service checks on every action that the post is the asker's own.
"""

from __future__ import annotations

from pydantic import BaseModel

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
    Sweep,
    command_button,
)
from bot.conversations.job_views import ago, job_detail
from bot.conversations.notices import NoticeList, notice_kind
from bot.conversations.post_job import EDIT_FLOW, editing, not_a_client
from bot.core.actions import Action
from bot.core.errors import UserError
from bot.core.i18n import N_, Translator
from bot.core.jobs import STATUSES, Job
from bot.core.services import Services
from bot.core.ui import Choice, Option, Screen, rows, shorten

STATUS_ICONS = {"open": "🟢", "draft": "📝", "closed": "🔒", "expired": "⌛"}
LIST_LIMIT = 25
OPTION_LABEL_MAX = 60


async def my_jobs(ctx: Ctx, _args: str) -> Screen:
    """/my_jobs: the client's posts with their status, proposals and age; pick one to manage it."""
    assert ctx.account is not None
    jobs, total = await ctx.services.jobs.mine(ctx.account, LIST_LIMIT)
    if not jobs:
        if not ctx.account.is_client:
            return not_a_client(ctx)
        return Screen(
            ctx.t(N_("You haven't posted any jobs yet.")),
            buttons=rows(ctx.command_button(ctx.t(N_("➕ Post a job")), "post_job")),
            name="my-jobs",
        )
    lines = [ctx.t(N_("<b>Your job posts</b> ({count})"), count=total)]
    for job in jobs:
        when = job.published_at or job.created_at
        lines.append(
            ctx.t(
                N_("{icon} #{id} {title} · {status} · {proposals} · posted {ago}")
                if job.published_at
                else N_("{icon} #{id} {title} · {status} · {proposals} · created {ago}"),
                icon=STATUS_ICONS[job.status],
                id=job.id,
                title=job.title,
                status=ctx.t(STATUSES[job.status]),
                proposals=ctx.tn("{count} proposal", "{count} proposals", job.proposals_count),
                ago=ago(ctx, when),
            )
        )
    if total > len(jobs):
        lines.append(ctx.t(N_("Showing the latest {shown} of {total}."), shown=len(jobs), total=total))
    options = tuple(
        Option(
            f"{STATUS_ICONS[job.status]} {shorten(job.title, OPTION_LABEL_MAX)}",
            Action(RUN_COMMAND, ("my_job", str(job.id))),
        )
        for job in jobs
    )
    return Screen(
        "\n".join(lines),
        choice=Choice(options, placeholder=ctx.t(N_("Open a job post"))),
        buttons=rows(
            ctx.command_button(ctx.t(N_("➕ Post a job")), "post_job"),
            ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"),
        ),
        name="my-jobs",
    )


async def manage_screen(ctx: Ctx, job: Job, notice: str = "") -> Screen:
    """One post as its client sees it, with the actions its status allows."""
    client = await ctx.services.jobs.client_summary(job.client_id)
    status = ctx.t(N_("{icon} Status: {status}"), icon=STATUS_ICONS[job.status], status=ctx.t(STATUSES[job.status]))
    if job.status != "draft":
        status += " · " + ctx.tn("{count} proposal", "{count} proposals", job.proposals_count)
    ident = str(job.id)
    actions = [ctx.command_button(ctx.t(N_("✏️ Edit")), "my_job", ident, "edit")]
    if job.status != "draft":
        label = ctx.t(N_("📨 Proposals ({count})"), count=job.proposals_count)
        actions.insert(0, ctx.command_button(label, "job_proposals", ident))
    if job.status == "open":
        actions += [
            ctx.command_button(ctx.t(N_("✉️ Invite a freelancer")), "my_job", ident, "invite"),
            ctx.command_button(ctx.t(N_("🔒 Close")), "my_job", ident, "close"),
        ]
    if job.status in ("closed", "expired"):
        actions.append(ctx.command_button(ctx.t(N_("🔓 Reopen")), "my_job", ident, "reopen"))
    actions += [
        ctx.command_button(ctx.t(N_("📄 Post a copy")), "my_job", ident, "copy"),
        ctx.command_button(ctx.t(N_("📋 My jobs")), "my_jobs"),
    ]
    screen = Screen(f"{status}\n\n{job_detail(ctx, job, client)}", buttons=rows(*actions), name="my-job")
    return screen.with_notice(notice) if notice else screen


async def my_job(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/my_job ID [edit|copy|invite|close|close_confirmed|reopen]."""
    assert ctx.account is not None
    ident, _, action = args.strip().partition(" ")
    jobs = ctx.services.jobs
    job = await jobs.owned(ctx.account, ident or "?")
    action = action.strip()
    if action == "edit":
        return StartFlow(EDIT_FLOW.name, editing(job))
    if action == "copy":
        return StartFlow(EDIT_FLOW.name, editing(job, copy=True))
    if action == "invite":
        if job.status != "open":
            return await manage_screen(ctx, job, ctx.t(N_("⚠️ You can invite freelancers to an open job only.")))
        return StartFlow(INVITE_FLOW.name, {"job_id": job.id, "title": job.title})
    if action == "close":
        return Screen(
            ctx.t(
                N_("Close “{title}”? Freelancers will no longer be able to send proposals. You can reopen it later."),
                title=job.title,
            ),
            buttons=rows(
                ctx.command_button(ctx.t(N_("🔒 Yes, close it")), "my_job", str(job.id), "close_confirmed"),
                ctx.command_button(ctx.t(N_("⬅️ Keep it open")), "my_job", str(job.id)),
            ),
            name="close-job",
        )
    try:
        if action == "close_confirmed":
            return await manage_screen(ctx, await jobs.close(ctx.account, job.id), ctx.t(N_("🔒 The job is closed.")))
        if action == "reopen":
            reopened = await jobs.reopen(ctx.account, job.id)
            return await manage_screen(ctx, reopened, ctx.t(N_("🔓 The job is open again.")))
    except UserError as refused:  # raised before anything changed: show the post with the reason
        return await manage_screen(ctx, job, "⚠️ " + ctx.t(refused.message_id, **refused.params))
    return await manage_screen(ctx, job)


class InviteData(BaseModel):
    job_id: int
    title: str = ""


@notice_kind("job.invitation")
def invitation(translator: Translator, *, client_name: str, job_id: int, title: str) -> Screen:
    """The notification a freelancer gets, built in their language."""
    return Screen(
        translator.t(N_("📨 {name} invited you to apply to their job “{title}”."), name=client_name, title=title),
        buttons=rows(
            command_button(translator.t(N_("👀 View job")), "job", str(job_id)),
            command_button(translator.t(N_("💬 Message the client")), "contact", str(job_id)),
        ),
        name="job-invitation",
    )


class InviteStep(Step):
    name = "username"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        return Screen(
            ctx.t(N_("Who do you want to invite to “{title}”? Type their gigbot @username."), title=ctx.data.title),
            buttons=rows(ctx.button(ctx.t(N_("✅ Done")), "done")),
        )

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        job, freelancer = await ctx.services.jobs.invite(ctx.account, ctx.data.job_id, text)
        ctx.notify(freelancer.id, invitation, client_name=ctx.account.full_name, job_id=job.id, title=job.title)
        return Retry(
            ctx.t(
                N_("✅ Invited @{username}: they can now see the job. Type another @username, or press Done."),
                username=freelancer.username,
            )
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value != "done":
            return await super().on_click(ctx, value)
        return Finish(await manage_screen(ctx, await ctx.services.jobs.owned(ctx.account, ctx.data.job_id)))


INVITE_FLOW = Flow("invite_to_job", N_("Inviting a freelancer"), InviteData, [InviteStep()], start="username")


@notice_kind("job.expired")
def expiry_notice(translator: Translator, *, job_id: int, title: str) -> Screen:
    return Screen(
        translator.t(
            N_("⌛ Your job “{title}” expired after 30 days without activity. You can reopen it from /my_jobs."),
            title=title,
        ),
        buttons=rows(command_button(translator.t(N_("🔓 Open it")), "my_job", str(job_id))),
        name="job-expired",
    )


async def _expire(services: Services, job_id: int, notices: NoticeList) -> None:
    job = await services.jobs.expire_if_stale(job_id, services.now)
    if job is not None and not job.external:  # a feed's account has nobody to tell; it reopens if listed again
        notices.add(job.client_id, expiry_notice, key=f"job-expired:{job.id}", job_id=job.id, title=job.title)


# Hourly: expire posts idle for 30 days and tell their clients.
EXPIRE_STALE_JOBS = Sweep("expire-stale-jobs", lambda services: services.jobs.stale(services.now), _expire)


COMMANDS = [
    CommandSpec("my_jobs", N_("your job posts"), my_jobs, role="client", deep_link=True),
    CommandSpec("my_job", N_("manage one of your job posts"), my_job, in_help=False, role="client", deep_link=True),
]
