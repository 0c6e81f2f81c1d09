"""Inline mode: "@bot python django" typed in any chat lists the matching open public jobs, to share there as a
job card with a link that opens the post in the bot. Empty words list the newest. Nothing here changes anything."""

from __future__ import annotations

from bot.conversations.flow import RUN_COMMAND, Ctx
from bot.conversations.job_views import job_card, terms
from bot.core.actions import Action
from bot.core.errors import UserError
from bot.core.events import InlineQuery
from bot.core.i18n import N_
from bot.core.numbers import whole_number
from bot.core.search import JobHit
from bot.core.ui import Button, InlineAnswer, InlineResult, Link, Screen, escape, plain, rows

PAGE_SIZE = 20
MAX_PAGES = 50  # the offset comes back from the platform: a forged one must not ask the database for row 10**18


def shared_card(ctx: Ctx, hit: JobHit) -> InlineResult:
    """The job card as the chat it is shared in sees it, with the start of the description."""
    opened = Button(
        ctx.t(N_("🔎 Open in gigbot")), Action(RUN_COMMAND, ("job", str(hit.id))), link=Link(f"job_{hit.id}")
    )
    text = f"{job_card(ctx, hit, hit.client)}\n\n{escape(hit.snippet)}"
    description = " · ".join([terms(ctx, hit), ", ".join(hit.skills)])
    return InlineResult(f"job-{hit.id}", hit.title, plain(description), Screen(text, buttons=rows(opened)))


async def answer(ctx: Ctx, query: InlineQuery) -> InlineAnswer:
    """One page of results; words that are not a valid search (an open quote) find nothing rather than fail."""
    page = min(whole_number(query.offset) or 1, MAX_PAGES)
    try:
        found = await ctx.services.search.public(query.text, page, PAGE_SIZE)
    except UserError:
        return InlineAnswer()
    more = str(page + 1) if found.has_next else ""
    return InlineAnswer(tuple(shared_card(ctx, hit) for hit in found.hits), next_offset=more)
