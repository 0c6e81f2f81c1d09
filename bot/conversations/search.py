"""Find work: ``/search words``, results as job cards, filter panels with a live count, sort, pages.

The query and the filters live in the conversation data (never in button ids), so a filter set survives a
restart and the buttons stay small.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from bot.conversations.flow import CommandSpec, Ctx, Flow, Goto, Outcome, Retry, StartFlow, Step
from bot.conversations.job_views import numbered_cards
from bot.core.errors import UserError
from bot.core.i18n import N_, Count
from bot.core.jobs import EXPERIENCE, HOURS_PER_WEEK, PROJECT_LENGTHS
from bot.core.money import format_money, parse_amount
from bot.core.numbers import whole_number
from bot.core.search import TOTAL_CAP, JobFilters, SearchPage, Sort, parse_query
from bot.core.taxonomy import CATEGORIES
from bot.core.ui import MAX_OPTION_DESCRIPTION, Button, Choice, Screen, rows, shorten

PAGE_SIZE = 5
TOGGLE, GROUP, PAGE, SORT, BACK, CLEAR, SHOW, ALERT = "t", "g", "p", "s", "back", "clear", "show", "alert"


@dataclass(frozen=True)
class FilterGroup:
    """One panel of the filters screen: a set-valued JobFilters field and its choices."""

    name: str
    title: str
    field: str
    options: tuple[tuple[str, str], ...]  # (value, label msgid)


GROUPS = (
    FilterGroup(
        "exp",
        N_("Experience level"),
        "experience",
        tuple(EXPERIENCE.items()),
    ),
    FilterGroup("type", N_("Job type"), "job_type", (("hourly", N_("Hourly")), ("fixed", N_("Fixed price")))),
    FilterGroup(
        "props",
        N_("Number of proposals"),
        "proposals",
        (
            ("0-4", N_("Less than 5")),
            ("5-9", "5-9"),
            ("10-14", "10-14"),
            ("15-19", "15-19"),
            ("20-49", "20-49"),
            ("50+", "50+"),
        ),
    ),
    FilterGroup(
        "hires",
        N_("Client history"),
        "client_hires",
        (("none", N_("No hires")), ("1-9", N_("1 to 9 hires")), ("10+", N_("10+ hires"))),
    ),
    FilterGroup(
        "budget",
        N_("Fixed price budget"),
        "budget",
        (
            ("lt100", N_("Less than $100")),
            ("100-499", N_("$100 - $499")),
            ("500-999", N_("$500 - $999")),
            ("1k-5k", N_("$1K - $5K")),
            ("5k+", N_("$5K+")),
        ),
    ),
    FilterGroup(
        "length",
        N_("Project length"),
        "project_length",
        tuple(PROJECT_LENGTHS.items()),
    ),
    FilterGroup(
        "hours",
        N_("Hours per week"),
        "hours_per_week",
        tuple(HOURS_PER_WEEK.items()),
    ),
    FilterGroup("cat", N_("Category"), "categories", tuple(CATEGORIES.items())),
)
GROUP_BY_NAME = {group.name: group for group in GROUPS}
SPECIAL_PANELS = ("client", "rate", "custom", "posted", "cloud")  # panels that are not a set of toggles
SORT_LABELS = {Sort.newest: N_("Newest"), Sort.relevance: N_("Relevance"), Sort.best_match: N_("Best match")}
POSTED_WITHIN = (
    (1, N_("Last 24 hours")),
    (3, N_("Last 3 days")),
    (7, N_("Last 7 days")),
    (14, N_("Last 14 days")),
    (30, N_("Last 30 days")),
)


class SearchData(BaseModel):
    query: str = ""
    filters: JobFilters = Field(default_factory=JobFilters)
    sort: Sort = Sort.newest
    page: int = 1
    editing: str = ""  # the filter panel on screen
    cloud_name: str = ""  # of filters.cloud_id, to show it without a lookup


def _active_count(filters: JobFilters) -> int:
    """How many filters are switched on (for the "Filters (3)" button)."""
    return sum(1 for name in JobFilters.model_fields if getattr(filters, name))  # off: None, False, empty


async def _live_count(ctx: Ctx) -> str:
    count = await ctx.services.search.count(ctx.account.id, ctx.data.query, ctx.data.filters)
    if count > TOTAL_CAP:
        return ctx.tn("{count}+ job matches", "{count}+ jobs match", TOTAL_CAP, count=Count(TOTAL_CAP))
    return ctx.tn("{count} job matches", "{count} jobs match", count, count=Count(count))


def _describe_special(ctx: Ctx, panel: str) -> str:
    """What the non-set filters are set to, in words ("" when off)."""
    filters: JobFilters = ctx.data.filters
    if panel == "client":
        parts = [ctx.t(N_("Payment verified"))] * filters.payment_verified
        parts += [ctx.t(N_("My previous clients"))] * filters.previous_clients
        return ", ".join(parts)
    if panel in ("rate", "custom"):
        low, high = (
            (filters.hourly_min_minor, filters.hourly_max_minor)
            if panel == "rate"
            else (filters.budget_min_minor, filters.budget_max_minor)
        )
        if low is None and high is None:
            return ""
        return f"{format_money(low or 0, ctx.locale)} – " + (format_money(high, ctx.locale) if high else "∞")
    if panel == "cloud":
        return ctx.data.cloud_name if filters.cloud_id is not None else ""
    days = filters.posted_within_days
    return next((ctx.t(label) for value, label in POSTED_WITHIN if value == days), "")


class ResultsStep(Step):
    name = "results"
    goes_to = ("filters", "sort")

    async def show(self, ctx: Ctx) -> Screen:
        data: SearchData = ctx.data
        result: SearchPage = await ctx.services.search.search(
            ctx.account.id, data.query, data.filters, data.sort, page=data.page, page_size=PAGE_SIZE
        )
        title = ctx.t(N_("🔎 Jobs matching “{query}”"), query=data.query) if data.query else ctx.t(N_("🔎 All jobs"))
        summary = (
            ctx.tn("{count}+ job", "{count}+ jobs", result.total, count=Count(result.total))
            if result.more
            else ctx.tn("{count} job", "{count} jobs", result.total, count=Count(result.total))
        )
        lines = [
            f"<b>{title}</b>",
            ctx.t(N_("{summary} · sorted by {sort}"), summary=summary, sort=ctx.t(SORT_LABELS[data.sort])),
        ]
        if not result.hits:
            lines.append("")
            lines.append(
                ctx.t(N_("No jobs on this page. Try fewer words or filters."))
                if result.total
                else ctx.t(N_("No jobs match. Try fewer words or filters, or type a new search."))
            )
        first = (result.page - 1) * PAGE_SIZE + 1
        cards, open_jobs = numbered_cards(ctx, [(hit, hit.client, hit.saved) for hit in result.hits], first)
        if cards:
            lines += ["", cards]
        if result.more:
            lines += ["", ctx.t(N_("Page {page} of {pages}+"), page=result.page, pages=result.pages)]
        elif result.pages > 1:
            lines += ["", ctx.t(N_("Page {page} of {pages}"), page=result.page, pages=result.pages)]
        lines += [
            "",
            ctx.t(
                N_(
                    '<i>Type new words to search again. Syntax: "exact phrase", a OR b, -exclude, '
                    "title:word, skills:python.</i>"
                )
            ),
        ]
        buttons: list[tuple[Button, ...]] = []
        paging = []
        if result.page > 1:
            paging.append(ctx.button(ctx.t(N_("◀ Previous")), f"{PAGE}:{result.page - 1}"))
        if result.has_next:
            paging.append(ctx.button(ctx.t(N_("Next ▶")), f"{PAGE}:{result.page + 1}"))
        if paging:
            buttons.append(tuple(paging))
        active = _active_count(data.filters)
        filters_label = ctx.t(N_("⚙️ Filters ({count})"), count=active) if active else ctx.t(N_("⚙️ Filters"))
        buttons.append(
            (
                ctx.button(filters_label, GROUP),
                ctx.button(ctx.t(N_("↕️ Sort: {sort}"), sort=ctx.t(SORT_LABELS[data.sort])), SORT),
            )
        )
        buttons.append((ctx.button(ctx.t(N_("🔔 Alert me")), ALERT),))
        return Screen("\n".join(lines), buttons=tuple(buttons), choice=open_jobs, name="search.results")

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        kind, _, arg = value.partition(":")
        if kind == PAGE and (page := whole_number(arg)) is not None:
            ctx.data.page = max(1, page)
            return Retry("")
        if kind == GROUP:
            return Goto("filters")
        if kind == SORT:
            return Goto("sort")
        if kind == ALERT:
            name = ctx.data.query or ctx.t(N_("All jobs"))
            saved = await ctx.services.alerts.save(ctx.account, ctx.data.query, ctx.data.filters, name)
            return Retry(
                ctx.t(
                    N_("🔔 Saved as “{name}”: new jobs like these will reach you here as they are posted. /alerts"),
                    name=saved.name,
                )
            )
        return await super().on_click(ctx, value)

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        parse_query(text)  # refuses a malformed query with its hint, before anything changes
        ctx.data.query, ctx.data.page = text.strip(), 1
        return Retry("")


class FiltersStep(Step):
    """The list of filter panels, with what is on and the live count."""

    name = "filters"
    goes_to = ("results", "filter")

    async def show(self, ctx: Ctx) -> Screen:
        filters: JobFilters = ctx.data.filters
        lines = [ctx.t(N_("<b>⚙️ Filters</b> · {count}"), count=await _live_count(ctx))]
        options = []
        for group in GROUPS:
            chosen = [ctx.t(label) for value, label in group.options if value in getattr(filters, group.field)]
            options.append(
                ctx.option(
                    ctx.t(group.title), f"{GROUP}:{group.name}", shorten(", ".join(chosen), MAX_OPTION_DESCRIPTION)
                )
            )
            if chosen:
                lines.append(ctx.t(N_("{filter}: {values}"), filter=group.title, values=", ".join(chosen)))
        for name, title in (
            ("client", N_("Client info")),
            ("rate", N_("Hourly rate")),
            ("custom", N_("Custom fixed budget")),
            ("posted", N_("Posted within")),
            *((("cloud", N_("Talent cloud")),) if await ctx.services.clouds.postable(ctx.account) else ()),
        ):
            described = _describe_special(ctx, name)
            options.append(ctx.option(ctx.t(title), f"{GROUP}:{name}", shorten(described, MAX_OPTION_DESCRIPTION)))
            if described:
                lines.append(ctx.t(N_("{filter}: {values}"), filter=title, values=described))
        return Screen(
            "\n".join(lines),
            choice=Choice(tuple(options), placeholder=ctx.t(N_("Choose a filter"))),
            buttons=((ctx.button(ctx.t(N_("✅ Show results")), SHOW), ctx.button(ctx.t(N_("🧹 Clear all")), CLEAR)),),
            name="search.filters",
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        kind, _, arg = value.partition(":")
        if value == SHOW:
            ctx.data.page = 1
            return Goto("results")
        if value == CLEAR:
            ctx.data.filters = JobFilters()
            return Retry(ctx.t(N_("All filters cleared.")))
        if kind == GROUP and (arg in GROUP_BY_NAME or arg in SPECIAL_PANELS):
            ctx.data.editing = arg
            return Goto("filter")
        return await super().on_click(ctx, value)


class FilterStep(Step):
    """One filter panel: toggles with ✓, or a typed range, with the live count after every change."""

    name = "filter"
    goes_to = ("filters",)

    async def show(self, ctx: Ctx) -> Screen:
        panel = ctx.data.editing
        filters: JobFilters = ctx.data.filters
        count = await _live_count(ctx)
        back = (ctx.button(ctx.t(N_("⬅️ Done")), BACK), ctx.button(ctx.t(N_("🧹 Clear")), CLEAR))
        if panel in GROUP_BY_NAME:
            group = GROUP_BY_NAME[panel]
            chosen = getattr(filters, group.field)
            marks = [
                (f"✓ {ctx.t(label)}" if value in chosen else ctx.t(label), value) for value, label in group.options
            ]
            text = f"<b>{ctx.t(group.title)}</b> · {count}\n" + ctx.t(N_("Tap to switch each one on or off."))
            if len(marks) > 8:
                choice = Choice(tuple(ctx.option(label, f"{TOGGLE}:{value}") for label, value in marks))
                return Screen(text, choice=choice, buttons=(back,), name="search.filter")
            toggles = rows(*(ctx.button(label, f"{TOGGLE}:{value}") for label, value in marks), per_row=3)
            return Screen(text, buttons=(*toggles, back), name="search.filter")
        if panel == "client":
            toggles = (
                ctx.button(("✓ " if filters.payment_verified else "") + ctx.t(N_("Payment verified")), f"{TOGGLE}:pv"),
                ctx.button(
                    ("✓ " if filters.previous_clients else "") + ctx.t(N_("My previous clients")), f"{TOGGLE}:prev"
                ),
            )
            return Screen(f"<b>{ctx.t(N_('Client info'))}</b> · {count}", buttons=(toggles, back), name="search.filter")
        if panel == "posted":
            options = [
                (("✓ " if filters.posted_within_days == days else "") + ctx.t(label), str(days))
                for days, label in POSTED_WITHIN
            ]
            buttons = rows(*(ctx.button(label, f"{TOGGLE}:{days}") for label, days in options), per_row=3)
            return Screen(
                f"<b>{ctx.t(N_('Posted within'))}</b> · {count}", buttons=(*buttons, back), name="search.filter"
            )
        if panel == "cloud":
            clouds = await ctx.services.clouds.postable(ctx.account)
            marked = [(("✓ " if filters.cloud_id == cloud.id else "") + cloud.name, cloud.id) for cloud in clouds]
            choice = Choice(tuple(ctx.option(label, f"{TOGGLE}:{cloud_id}") for label, cloud_id in marked))
            text = f"<b>{ctx.t(N_('Talent cloud'))}</b> · {count}\n" + ctx.t(N_("Only jobs shared with this cloud."))
            return Screen(text, choice=choice, buttons=(back,), name="search.filter")
        title = ctx.t(N_("Hourly rate")) if panel == "rate" else ctx.t(N_("Custom fixed budget"))
        current = _describe_special(ctx, panel) or ctx.t(N_("any"))
        text = "\n".join(
            [
                f"<b>{title}</b> · {count}",
                ctx.t(N_("Now: {current}"), current=current),
                ctx.t(N_("Type a range in dollars, like 20-50, or a minimum like 30+.")),
            ]
        )
        return Screen(text, buttons=(back,), expects_text=True, name="search.filter")

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        panel, filters = ctx.data.editing, ctx.data.filters
        kind, _, arg = value.partition(":")
        if value == BACK:
            return Goto("filters")
        if value == CLEAR:
            _clear_panel(filters, panel)
            return Retry("")
        if kind != TOGGLE:
            return await super().on_click(ctx, value)
        if panel in GROUP_BY_NAME:
            group = GROUP_BY_NAME[panel]
            if arg not in dict(group.options):
                return await super().on_click(ctx, value)
            getattr(filters, group.field).symmetric_difference_update({arg})
        elif panel == "client" and arg in ("pv", "prev"):
            if arg == "pv":
                filters.payment_verified = not filters.payment_verified
            else:
                filters.previous_clients = not filters.previous_clients
        elif panel == "posted" and (days := whole_number(arg)) in dict(POSTED_WITHIN):
            filters.posted_within_days = None if filters.posted_within_days == days else days
        elif panel == "cloud" and (cloud_id := whole_number(arg)) is not None:
            cloud = next((c for c in await ctx.services.clouds.postable(ctx.account) if c.id == cloud_id), None)
            if cloud is None:  # no longer a member: refuse like any foreign id
                return await super().on_click(ctx, value)
            chosen = filters.cloud_id != cloud.id
            filters.cloud_id, ctx.data.cloud_name = (cloud.id, cloud.name) if chosen else (None, "")
        else:
            return await super().on_click(ctx, value)
        ctx.data.page = 1
        return Retry("")

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        panel = ctx.data.editing
        if panel not in ("rate", "custom"):
            return await super().on_text(ctx, text)
        low, high = parse_range(text)
        if panel == "rate":
            ctx.data.filters.hourly_min_minor, ctx.data.filters.hourly_max_minor = low, high
        else:
            ctx.data.filters.budget_min_minor, ctx.data.filters.budget_max_minor = low, high
        ctx.data.page = 1
        return Retry("")


def _clear_panel(filters: JobFilters, panel: str) -> None:
    if panel in GROUP_BY_NAME:
        getattr(filters, GROUP_BY_NAME[panel].field).clear()
    elif panel == "client":
        filters.payment_verified = filters.previous_clients = False
    elif panel == "posted":
        filters.posted_within_days = None
    elif panel == "cloud":
        filters.cloud_id = None
    elif panel == "rate":
        filters.hourly_min_minor = filters.hourly_max_minor = None
    else:
        filters.budget_min_minor = filters.budget_max_minor = None


def parse_range(text: str) -> tuple[int | None, int | None]:
    """ "20-50", "30+", "-100" (at most) -> minor units; refuses min > max."""
    cleaned = text.strip().replace("–", "-")
    if cleaned.endswith("+"):
        return parse_amount(cleaned[:-1]), None
    low_text, dash, high_text = cleaned.partition("-")
    if not dash:
        raise UserError(N_("Type a range like 20-50, or a minimum like 30+."))
    low = parse_amount(low_text) if low_text.strip() else None
    high = parse_amount(high_text) if high_text.strip() else None
    if low is not None and high is not None and low > high:
        raise UserError(N_("The minimum is above the maximum: type the smaller amount first."))
    return low, high


class SortStep(Step):
    name = "sort"
    goes_to = ("results",)

    async def show(self, ctx: Ctx) -> Screen:
        buttons = tuple(
            (ctx.button(("✓ " if ctx.data.sort == sort else "") + ctx.t(label), sort.value),)
            for sort, label in SORT_LABELS.items()
        )
        return Screen(ctx.t(N_("Sort the results by:")), buttons=buttons, name="search.sort")

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value not in {sort.value for sort in Sort}:
            return await super().on_click(ctx, value)
        ctx.data.sort, ctx.data.page = Sort(value), 1
        return Goto("results")


FLOW = Flow(
    "search", N_("Job search"), SearchData, [ResultsStep(), FiltersStep(), FilterStep(), SortStep()], start="results"
)


async def _search(ctx: Ctx, args: str) -> StartFlow:
    """``/search words``: checks the query before anything is shown, so a bad one gets its hint at once."""
    if args.strip():
        parse_query(args)
    return StartFlow("search", {"query": args.strip()})


COMMANDS = [
    CommandSpec("search", N_("find work: /search words, with filters"), _search, role="freelancer", deep_link=True)
]
