"""Job alerts: ``/alerts`` (your saved searches and their last matches), ``/alert ID`` (rename, how often,
pause, delete), ``/alert_settings`` (quiet hours, daily cap, pause all), and the alert a matching job sends.

Searches are saved from any search screen with **🔔 Alert me** (bot/conversations/search.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bot.conversations.flow import (
    RUN_COMMAND,
    CommandSpec,
    Ctx,
    Finish,
    Flow,
    Outcome,
    StartFlow,
    Step,
    Sweep,
    command_button,
)
from bot.conversations.notices import NoticeList, notice_kind
from bot.core.actions import Action
from bot.core.alerts.searches import FREQUENCIES, MAX_SEARCHES, AlertSettings, SavedSearch
from bot.core.formats import format_money
from bot.core.i18n import N_, Translator
from bot.core.services import Services
from bot.core.ui import Choice, Option, Screen, fmt, rows, shortened

FILTER_LABELS = {
    "experience": N_("experience level"),
    "job_types": N_("job type"),
    "fixed_budget": N_("budget"),
    "hourly_rate": N_("hourly rate"),
    "proposals": N_("number of proposals"),
    "client_hires": N_("client history"),
    "payment_verified": N_("payment verified"),
    "client_ids": N_("previous clients"),
    "project_length": N_("project length"),
    "hours_per_week": N_("hours per week"),
    "categories": N_("category"),
    "cloud_id": N_("talent cloud"),
}
CONFIRMED = "ok"


def _settings_line(ctx: Ctx, settings: AlertSettings) -> str:
    parts = []
    if settings.paused:
        parts.append(ctx.t(N_("⏸ all alerts paused")))
    if settings.quiet_from is not None and settings.quiet_to is not None:
        parts.append(
            ctx.t(
                N_("🌙 quiet {start}–{end}"),
                start=settings.quiet_from.strftime("%H:%M"),
                end=settings.quiet_to.strftime("%H:%M"),
            )
        )
    if settings.daily_cap is not None:
        parts.append(ctx.t(N_("at most {cap} a day"), cap=settings.daily_cap))
    return " · ".join(parts) or ctx.t(N_("no quiet hours, no daily limit"))


async def alerts_command(ctx: Ctx, args: str) -> Screen:
    searches = await ctx.services.alerts.mine(ctx.account)
    settings = await ctx.services.alerts.settings(ctx.account)
    lines = [
        ctx.t(N_("🔔 <b>Your job alerts</b> ({count} of {most})"), count=len(searches), most=MAX_SEARCHES),
        _settings_line(ctx, settings),
        "",
    ]
    if not searches:
        lines.append(ctx.t(N_("No saved searches yet. Search with /search, then press 🔔 Alert me.")))
    recent = await ctx.services.alerts.recent_matches(ctx.account)
    for number, search in enumerate(searches, 1):
        state = ctx.t(N_("paused")) if search.paused else ctx.t(FREQUENCIES[search.frequency])
        lines.append(fmt("{number}. <b>{name}</b> · {state}", number=number, name=search.name, state=state))
        for title in recent.get(search.id, [])[:3]:
            lines.append(fmt("   ↳ {title}", title=title))
    choice = ctx.command_options(
        ctx.t(N_("Open a saved search")), [(search.name, "alert", str(search.id)) for search in searches]
    )
    buttons = rows(
        ctx.command_button(ctx.t(N_("⚙️ Alert settings")), "alert_settings"),
        ctx.command_button(ctx.t(N_("🔎 Search")), "search"),
    )
    return Screen("\n".join(lines), buttons=buttons, choice=choice, name="alerts")


def _search_screen(ctx: Ctx, search: SavedSearch, notice: str = "") -> Screen:
    query = search.query or ctx.t(N_("(all jobs)"))
    lines = [
        fmt("🔔 <b>{name}</b>", name=search.name),
        ctx.t(N_("Search: {query}"), query=query),
        ctx.t(N_("Alerts: {how}"), how=ctx.t(FREQUENCIES[search.frequency]))
        + (" · " + ctx.t(N_("⏸ paused")) if search.paused else ""),
    ]
    ident = str(search.id)
    frequencies = [
        ctx.command_button(ctx.t(label), "alert", ident, frequency)
        for frequency, label in FREQUENCIES.items()
        if frequency != search.frequency
    ]
    pause = (
        ctx.command_button(ctx.t(N_("▶️ Resume")), "alert", ident, "resume")
        if search.paused
        else ctx.command_button(ctx.t(N_("⏸ Pause")), "alert", ident, "pause")
    )
    buttons = (
        *rows(*frequencies),
        *rows(
            pause,
            ctx.command_button(ctx.t(N_("✏️ Rename")), "alert", ident, "rename"),
            ctx.command_button(ctx.t(N_("🗑 Delete")), "alert", ident, "delete"),
            ctx.command_button(ctx.t(N_("⬅️ All alerts")), "alerts"),
        ),
    )
    screen = Screen("\n".join(lines), buttons=buttons, name="alert")
    return screen.with_notice(notice) if notice else screen


async def alert_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    words = args.split()
    alerts = ctx.services.alerts
    search = await alerts.own(ctx.account, words[0] if words else "?")
    action = words[1] if len(words) > 1 else ""
    if action in FREQUENCIES:
        search = await alerts.set_frequency(ctx.account, search.id, action)
        return _search_screen(ctx, search, ctx.t(N_("✅ Alerts: {how}."), how=ctx.t(FREQUENCIES[action])))
    if action in ("pause", "resume"):
        search = await alerts.set_paused(ctx.account, search.id, action == "pause")
        done = N_("⏸ Paused: no alerts from this search until you resume it.") if search.paused else N_("▶️ Resumed.")
        return _search_screen(ctx, search, ctx.t(done))
    if action == "rename":
        return StartFlow(RENAME_FLOW.name, data={"search_id": search.id})
    if action == "delete" and words[2:] == [CONFIRMED]:
        await alerts.delete(ctx.account, search.id)
        return (await alerts_command(ctx, "")).with_notice(ctx.t(N_("🗑 Deleted “{name}”."), name=search.name))
    if action == "delete":
        return Screen(
            ctx.t(N_("Delete the saved search “{name}”? Its alerts stop."), name=search.name),
            buttons=rows(
                ctx.command_button(ctx.t(N_("🗑 Yes, delete")), "alert", str(search.id), "delete", CONFIRMED),
                ctx.command_button(ctx.t(N_("✖️ Keep it")), "alert", str(search.id)),
            ),
            name="alert.delete",
        )
    return _search_screen(ctx, search)


class RenameData(BaseModel):
    search_id: int


class RenameStep(Step):
    name = "rename"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        search = await ctx.services.alerts.own(ctx.account, ctx.data.search_id)
        return Screen(
            ctx.t(N_("Type a new name for “{name}” (up to 60 characters)."), name=search.name), expects_text=True
        )

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        search = await ctx.services.alerts.rename(ctx.account, ctx.data.search_id, text)
        return Finish(_search_screen(ctx, search, ctx.t(N_("✅ Renamed."))))


RENAME_FLOW = Flow("alert_rename", N_("Renaming a saved search"), RenameData, [RenameStep()], start="rename")


def _settings_screen(ctx: Ctx, settings: AlertSettings, notice: str = "") -> Screen:
    lines = [ctx.t(N_("⚙️ <b>Alert settings</b>")), _settings_line(ctx, settings), ""]
    lines.append(
        ctx.t(
            N_(
                "During quiet hours (your time zone) alerts wait and come as one digest after. Past the daily limit, "
                "the day's other alerts come in the next digest."
            )
        )
    )
    pause = (
        ctx.command_button(ctx.t(N_("▶️ Resume all")), "alert_settings", "resume")
        if settings.paused
        else ctx.command_button(ctx.t(N_("⏸ Pause all")), "alert_settings", "pause")
    )
    buttons = rows(
        ctx.command_button(ctx.t(N_("🌙 Quiet hours")), "alert_settings", "quiet"),
        ctx.command_button(ctx.t(N_("🔢 Daily limit")), "alert_settings", "cap"),
        pause,
        ctx.command_button(ctx.t(N_("⬅️ All alerts")), "alerts"),
    )
    screen = Screen("\n".join(lines), buttons=buttons, name="alert_settings")
    return screen.with_notice(notice) if notice else screen


async def alert_settings_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    alerts, action = ctx.services.alerts, args.strip()
    if action in ("pause", "resume"):
        settings = await alerts.set_paused_all(ctx.account, action == "pause")
        done = N_("⏸ All alerts paused.") if settings.paused else N_("▶️ Alerts resumed.")
        return _settings_screen(ctx, settings, ctx.t(done))
    if action in ("quiet", "cap"):
        return StartFlow(SETTING_FLOW.name, data={"setting": action})
    return _settings_screen(ctx, await alerts.settings(ctx.account))


class SettingData(BaseModel):
    setting: str


class SettingStep(Step):
    name = "setting"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        asked = (
            N_("Type your quiet hours as two times, like 22:00-07:00, or off.")
            if ctx.data.setting == "quiet"
            else N_("Type how many alerts a day at most (1 to 500), or off.")
        )
        return Screen(ctx.t(asked), expects_text=True)

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        alerts = ctx.services.alerts
        if ctx.data.setting == "quiet":
            settings = await alerts.set_quiet_hours(ctx.account, text)
        else:
            settings = await alerts.set_daily_cap(ctx.account, text)
        return Finish(_settings_screen(ctx, settings, ctx.t(N_("✅ Saved."))))


SETTING_FLOW = Flow("alert_setting", N_("Changing alert settings"), SettingData, [SettingStep()], start="setting")

FLOWS = [RENAME_FLOW, SETTING_FLOW]
COMMANDS = [
    CommandSpec("alerts", N_("your job alerts (saved searches)"), alerts_command, role="freelancer", deep_link=True),
    CommandSpec("alert", N_("one saved search: /alert 3"), alert_command, in_help=False, role="freelancer"),
    CommandSpec(
        "alert_settings", N_("quiet hours, daily limit, pause all alerts"), alert_settings_command, in_help=False
    ),
]


# ---- the alert itself ---------------------------------------------------------------------------------------


def _pay(tr: Translator, job: dict[str, Any]) -> str:
    def money(minor: int) -> str:
        return format_money(minor, tr.language, job.get("currency", "USD"))

    if job["job_type"] == "hourly":
        low, high = job.get("rate_min_minor"), job.get("rate_max_minor")
        if low is None:
            return tr.t(N_("Hourly"))
        return tr.t(N_("Hourly: {rate}/hr"), rate=money(low) if high is None else f"{money(low)}–{money(high)}")
    budget = job.get("budget_minor")
    return tr.t(N_("Fixed price: {budget}"), budget=money(budget)) if budget else tr.t(N_("Fixed price"))


@notice_kind("alert.job")
def job_alert(tr: Translator, *, job: dict[str, Any], searches: list[dict[str, Any]]) -> Screen:
    """A new job that fits: what it is, which of the person's searches it matched and why, and what to do."""
    lines = [fmt("🔔 <b>{title}</b>", title=job["title"]), _pay(tr, job), "", fmt("{text}", text=job["snippet"]), ""]
    for search in searches:
        why = ", ".join([*search["words"], *(tr.t(FILTER_LABELS[name]) for name in search["filters"])])
        line = (
            tr.t(N_("Matches your search “{name}”: {why}"), name=search["name"], why=why)
            if why
            else tr.t(N_("Matches your search “{name}”"), name=search["name"])
        )
        lines.append(fmt("• {line}", line=line))
    ident = str(job["id"])
    return Screen(
        "\n".join(lines),
        buttons=rows(
            command_button(tr.t(N_("👁 View")), "job", ident),
            command_button(tr.t(N_("♥ Save")), "save", ident),
            command_button(tr.t(N_("👎 Not interested")), "hide", ident),
            command_button(tr.t(N_("📨 Submit a proposal")), "propose", ident),
        ),
        name="alert.job",
    )


DIGEST_SHOWN = 10


@notice_kind("alert.digest")
def digest_notice(tr: Translator, *, jobs: list[dict[str, Any]]) -> Screen:
    """The alerts that waited (quiet hours, the daily limit, hourly and daily searches), in one message."""
    lines = [
        tr.tn("🔔 <b>{count} new job for your searches</b>", "🔔 <b>{count} new jobs for your searches</b>", len(jobs))
    ]
    for number, job in enumerate(jobs[:DIGEST_SHOWN], 1):
        searches = ", ".join(f"“{name}”" for name in job["searches"])
        lines.append(fmt("{number}. <b>{title}</b> · {searches}", number=number, title=job["title"], searches=searches))
    if len(jobs) > DIGEST_SHOWN:
        lines.append(tr.t(N_("… and {count} more: see /alerts."), count=len(jobs) - DIGEST_SHOWN))
    options = tuple(
        Option(shortened(job["title"]), Action(RUN_COMMAND, ("job", str(job["id"])))) for job in jobs[:DIGEST_SHOWN]
    )
    return Screen(
        "\n".join(lines),
        choice=Choice(options, placeholder=tr.t(N_("Open a job"))) if options else None,
        buttons=rows(command_button(tr.t(N_("🔔 My alerts")), "alerts")),
        name="alert.digest",
    )


async def _digest(services: Services, account_id: int, notices: NoticeList) -> None:
    jobs = await services.alerts.take_digest(account_id)
    if jobs:
        notices.add(account_id, digest_notice, jobs=jobs)


ALERT_DIGESTS = Sweep("alert-digests", lambda services: services.alerts.digests_due(), _digest)
