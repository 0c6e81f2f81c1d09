"""♥ Save, 👎 Not interested (with a reason) and the saved jobs list. Commands, so their buttons work on any
job card or detail screen at any time."""

from __future__ import annotations

from bot.conversations.flow import CommandSpec, Ctx
from bot.conversations.job_views import job_page, numbered_cards
from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.core.numbers import whole_number
from bot.core.saved import HIDE_REASONS
from bot.core.ui import Screen, rows

SAVED_PAGE_SIZE = 5


async def save_command(ctx: Ctx, args: str) -> Screen:
    """♥ Save on a job: the same job screen comes back, every button kept, the ♥ one now saying Unsave."""
    job = await ctx.services.saved.save(ctx.account, args.strip())
    page = await job_page(ctx, job)
    return page.with_notice(ctx.t(N_("♥ Saved “{title}”. Find it again under /saved."), title=job.title))


async def unsave_command(ctx: Ctx, args: str) -> Screen:
    await ctx.services.saved.unsave(ctx.account, args.strip())
    notice = ctx.t(N_("Removed from your saved jobs."))
    try:
        job = await ctx.services.jobs.visible(ctx.account, args.strip())
    except UserError:  # no longer visible to them (closed to a cloud, say): there is no page to go back to
        return Screen(
            notice, buttons=rows(ctx.command_button(ctx.t(N_("♥ Saved jobs")), "saved")), name="saved.unsaved"
        )
    return (await job_page(ctx, job)).with_notice(notice)


async def hide_command(ctx: Ctx, args: str) -> Screen:
    """``/hide ID`` asks why (optional); ``/hide ID REASON`` hides with that reason."""
    job_id, _, reason = args.strip().partition(" ")
    if not reason:
        job = await ctx.services.jobs.visible(ctx.account, job_id)
        choices = [ctx.command_button(ctx.t(label), "hide", str(job.id), code) for code, label in HIDE_REASONS.items()]
        choices.append(ctx.command_button(ctx.t(N_("Skip")), "hide", str(job.id), "-"))
        return Screen(
            ctx.t(
                N_("👎 Not interested in “{title}”? Tell us why and we'll show you fewer jobs like it."),
                title=job.title,
            ),
            buttons=rows(*choices, per_row=2),
            name="saved.why",
        )
    job = await ctx.services.saved.hide(ctx.account, job_id, None if reason == "-" else reason)
    return Screen(
        ctx.t(N_("Hidden: you won't see “{title}” again."), title=job.title),
        buttons=rows(ctx.command_button(ctx.t(N_("↩️ Undo")), "unhide", str(job.id))),
        name="saved.hidden",
    )


async def unhide_command(ctx: Ctx, args: str) -> Screen:
    await ctx.services.saved.unhide(ctx.account, args.strip())
    return Screen(ctx.t(N_("Done: that job can show up again.")), name="saved.unhidden")


async def saved_command(ctx: Ctx, args: str) -> Screen:
    """``/saved [PAGE]``: the freelancer's saved jobs, newest saved first, still visible ones only."""
    page = max(1, whole_number(args) or 1)
    ids, total = await ctx.services.saved.saved_ids(ctx.account, (page - 1) * SAVED_PAGE_SIZE, SAVED_PAGE_SIZE)
    pages = max(1, -(-total // SAVED_PAGE_SIZE))
    if not total:
        return Screen(
            ctx.t(N_("You have no saved jobs yet. Tap ♥ Save on a job you like.")),
            buttons=rows(ctx.command_button(ctx.t(N_("🔎 Find work")), "search")),
            name="saved.list",
        )
    first = (page - 1) * SAVED_PAGE_SIZE + 1
    jobs = await ctx.services.jobs.visible_many(ctx.account, ids)
    cards, open_jobs = numbered_cards(
        ctx, [(job, await ctx.services.jobs.client_summary(job.client_id), False) for job in jobs], first
    )
    lines = [ctx.t(N_("<b>♥ Saved jobs</b> · {count}"), count=total), "", cards]
    paging = []
    if page > 1:
        paging.append(ctx.command_button(ctx.t(N_("◀ Previous")), "saved", str(page - 1)))
    if page < pages:
        paging.append(ctx.command_button(ctx.t(N_("Next ▶")), "saved", str(page + 1)))
    if pages > 1:
        lines += ["", ctx.t(N_("Page {page} of {pages}"), page=page, pages=pages)]
    return Screen("\n".join(lines), buttons=rows(*paging), choice=open_jobs, name="saved.list")


COMMANDS = [
    CommandSpec("saved", N_("your saved jobs"), saved_command, role="freelancer", deep_link=True),
    CommandSpec("save", N_("save a job: /save 42"), save_command, in_help=False, role="freelancer", deep_link=True),
    CommandSpec("unsave", N_("remove a saved job"), unsave_command, in_help=False),
    CommandSpec("hide", N_("not interested in a job: /hide 42"), hide_command, in_help=False, role="freelancer"),
    CommandSpec("unhide", N_("show a hidden job again"), unhide_command, in_help=False),
]
