"""Logging time on an hourly contract: ``/log 2h30 Fixed the checkout`` (also 1.5h, 90m, 45 minutes). With
several active hourly contracts the freelancer names one (``/log #12 2h memo``) or picks it from a list; the
weekly limit is never passed (the refusal says how much is left).
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.conversations.flow import CommandSpec, Ctx, Finish, Flow, Outcome, StartFlow, Step
from bot.core.hourly import Logged, format_minutes, parse_duration
from bot.core.i18n import N_
from bot.core.numbers import whole_number
from bot.core.ui import MAX_BUTTON_LABEL, Choice, Screen, rows, shorten

USAGE = N_(
    "Log time like this: <b>/log 2h30 Fixed the checkout</b> (also 1.5h, 90m or 45 minutes). "
    "With several hourly contracts, name one: /log #12 2h memo."
)


class LogData(BaseModel):
    minutes: int
    memo: str


def logged_screen(ctx: Ctx, logged: Logged) -> Screen:
    limit = logged.contract.weekly_limit_minutes or 0
    text = ctx.t(
        N_("⏱ Logged {time} on “{title}”. This week: {week} of {limit}."),
        time=format_minutes(logged.minutes),
        title=logged.contract.title,
        week=format_minutes(logged.week_minutes),
        limit=format_minutes(limit),
    )
    ident = str(logged.contract.id)
    return Screen(
        text,
        buttons=rows(ctx.command_button(ctx.t(N_("📄 Open the contract")), "contract", ident)),
        name="time-logged",
    )


class PickContractStep(Step):
    name = "contract"

    async def show(self, ctx: Ctx) -> Screen:
        assert ctx.account is not None
        contracts = await ctx.services.hourly.choices(ctx.account)
        text = ctx.t(N_("⏱ Which contract do the {time} go on?"), time=format_minutes(ctx.data.minutes))
        if not contracts:
            return Screen(ctx.t(N_("You have no active hourly contract to log time on.")))
        options = tuple(ctx.option(shorten(f"#{c.id} {c.title}", MAX_BUTTON_LABEL), str(c.id)) for c in contracts)
        return Screen(text, choice=Choice(options, placeholder=ctx.t(N_("Contract"))))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        assert ctx.account is not None
        if whole_number(value) is None:
            return await super().on_click(ctx, value)
        logged = await ctx.services.hourly.log(ctx.account, value, ctx.data.minutes, ctx.data.memo)
        return Finish(logged_screen(ctx, logged))


FLOW = Flow("log_time", N_("Logging time"), LogData, [PickContractStep()], start="contract")


async def log_time(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/log [#ID] DURATION [memo]."""
    assert ctx.account is not None
    text = args.strip()
    if not text:
        return Screen(ctx.t(USAGE), name="log-usage")
    contract_id = None
    if text.startswith("#"):
        contract_id, _, text = text.partition(" ")
    minutes, memo = parse_duration(text)
    if contract_id is None and len(await ctx.services.hourly.choices(ctx.account)) > 1:
        return StartFlow(FLOW.name, {"minutes": minutes, "memo": memo})
    return logged_screen(ctx, await ctx.services.hourly.log(ctx.account, contract_id, minutes, memo))


COMMANDS = [
    CommandSpec("log", N_("log time on an hourly contract: /log 2h30 what you did"), log_time, role="freelancer")
]
