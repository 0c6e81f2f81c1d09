"""⭐ Best matches: the freelancer's feed, ranked by bot/core/feed.py, with pages."""

from __future__ import annotations

from bot.conversations.flow import CommandSpec, Ctx
from bot.conversations.job_views import numbered_cards
from bot.core.i18n import N_
from bot.core.numbers import whole_number
from bot.core.ui import Screen, rows

FEED_PAGE_SIZE = 5


async def feed_command(ctx: Ctx, args: str) -> Screen:
    """``/feed [PAGE]``."""
    page = max(1, whole_number(args) or 1)
    result = await ctx.services.feed.feed(ctx.account, page, FEED_PAGE_SIZE)
    title = ctx.t(N_("<b>⭐ Best matches for you</b>"))
    if not result.total:
        return Screen(
            "\n".join(
                [
                    title,
                    ctx.t(
                        N_(
                            "No open jobs for you right now. Add skills to your profile to get better "
                            "matches, or search for work."
                        )
                    ),
                ]
            ),
            buttons=(
                (
                    ctx.command_button(ctx.t(N_("✏️ Edit profile")), "edit_profile"),
                    ctx.command_button(ctx.t(N_("🔎 Find work")), "search"),
                ),
            ),
            name="feed",
        )
    first = (result.page - 1) * FEED_PAGE_SIZE + 1
    cards, open_jobs = numbered_cards(ctx, [(hit, hit.client, hit.saved) for hit in result.hits], first)
    lines = [title, ctx.t(N_("Ranked by your skills, categories, rate and the jobs you saved or hid."))]
    lines += ["", cards] if cards else ["", ctx.t(N_("No jobs on this page."))]
    paging = []
    if result.page > 1:
        paging.append(ctx.command_button(ctx.t(N_("◀ Previous")), "feed", str(result.page - 1)))
    if result.page < result.pages:
        paging.append(ctx.command_button(ctx.t(N_("Next ▶")), "feed", str(result.page + 1)))
    if result.pages > 1:
        lines += ["", ctx.t(N_("Page {page} of {pages}"), page=result.page, pages=result.pages)]
    return Screen("\n".join(lines), buttons=rows(*paging), choice=open_jobs, name="feed")


COMMANDS = [CommandSpec("feed", N_("your best-matching jobs"), feed_command, role="freelancer", deep_link=True)]
