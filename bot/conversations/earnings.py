"""/earnings for freelancers: what is pending (every part still in its security period, and when it becomes
available), available, withdrawn, the recent history, and withdrawing.

A withdrawal first shows what will move and asks to confirm. The Confirm button carries a fresh token
(``/withdraw AMOUNT TOKEN``) that makes the payout's idempotency key, so a double click, an old Confirm pressed
again, a redelivered update or a re-run turn pays once; the ledger refuses more than is available.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from pydantic import BaseModel

from bot.conversations.feedback import day
from bot.conversations.flow import CommandSpec, Ctx, Finish, Flow, Outcome, StartFlow, Step
from bot.core.i18n import N_
from bot.core.ledger import Earnings
from bot.core.money import CURRENCY, format_money, parse_amount
from bot.core.ui import Button, Screen, rows

HISTORY_LINES = 10


class WithdrawData(BaseModel):
    """The amount is asked and confirmed within one screen each: nothing to keep between turns."""


def money(ctx: Ctx, minor: int) -> str:
    return format_money(minor, ctx.locale, CURRENCY)


def not_a_freelancer(ctx: Ctx) -> Screen:
    return Screen(
        ctx.t(N_("Earnings are for freelancers: your account doesn't work as one.")),
        buttons=rows(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu")),
        name="earnings.none",
    )


def history_lines(ctx: Ctx, earnings: Earnings) -> list[str]:
    """Earnings and payouts together, newest first."""
    moves: list[tuple[datetime, int, str]] = []
    for earning in earnings.history:
        text = ctx.t(
            N_("{date} · +{amount} from contract #{contract} (fee {fee})"),
            date=day(ctx.locale, earning.created_at),
            amount=money(ctx, earning.amount_minor),
            contract=earning.contract_id or "?",
            fee=money(ctx, earning.fee_minor),
        )
        moves.append((earning.created_at, earning.id, text))
    for payout in earnings.payouts:
        text = ctx.t(
            N_("{date} · −{amount} withdrawn (payout #{id})"),
            date=day(ctx.locale, payout.created_at),
            amount=money(ctx, payout.amount_minor),
            id=payout.id,
        )
        moves.append((payout.created_at, payout.id, text))
    moves.sort(key=lambda move: (move[0], move[1]), reverse=True)
    return [f"• {text}" for _when, _id, text in moves[:HISTORY_LINES]]


async def earnings_screen(ctx: Ctx, notice: str = "") -> Screen:
    account = ctx.account
    assert account is not None
    if not account.is_freelancer:
        return not_a_freelancer(ctx)
    earnings = await ctx.services.ledger.earnings(account.id, CURRENCY)
    days = ctx.services.rules.security_period.days
    lines = [
        ctx.t(N_("<b>Your earnings</b>")),
        ctx.t(N_("Available: {amount}"), amount=money(ctx, earnings.available_minor)),
        ctx.t(
            N_("Pending: {amount} (released payments wait {days} days before you can withdraw them)"),
            amount=money(ctx, earnings.pending_minor),
            days=days,
        ),
    ]
    lines += [
        ctx.t(
            N_("  • {amount} available on {date}"),
            amount=money(ctx, earning.amount_minor),
            date=day(ctx.locale, earning.available_at),
        )
        for earning in earnings.unmatured
    ]
    lines.append(ctx.t(N_("Withdrawn: {amount}"), amount=money(ctx, earnings.withdrawn_minor)))
    history = history_lines(ctx, earnings)
    lines += ["", ctx.t(N_("<b>Recent activity</b>")), *history] if history else []
    buttons: list[Button] = []
    if earnings.available_minor > 0:
        buttons.append(ctx.command_button(ctx.t(N_("💸 Withdraw")), "withdraw"))
    buttons.append(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"))
    screen = Screen("\n".join(lines), buttons=rows(*buttons), ephemeral=True, name="earnings")  # private
    return screen.with_notice(notice) if notice else screen


class AmountStep(Step):
    name = "amount"
    accepts_text = True

    async def _available(self, ctx: Ctx) -> int:
        assert ctx.account is not None
        return (await ctx.services.ledger.earnings(ctx.account.id, CURRENCY)).available_minor

    async def show(self, ctx: Ctx) -> Screen:
        available = await self._available(ctx)
        text = ctx.t(
            N_("<b>Withdraw</b>\nAvailable: {amount}. Type how much to withdraw, or take it all."),
            amount=money(ctx, available),
        )
        buttons = [ctx.button(ctx.t(N_("Cancel")), "cancel")]
        if available > 0:
            buttons.insert(0, ctx.button(ctx.t(N_("💸 Withdraw all {amount}"), amount=money(ctx, available)), "all"))
        return Screen(text, buttons=rows(*buttons))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return await self._confirm(ctx, parse_amount(text))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "cancel":
            return Finish(await earnings_screen(ctx))
        if value == "all":
            return await self._confirm(ctx, await self._available(ctx))
        return await super().on_click(ctx, value)

    async def _confirm(self, ctx: Ctx, amount: int) -> Outcome:
        assert ctx.account is not None
        await ctx.services.ledger.check_withdrawal(ctx.account.id, amount, CURRENCY)
        return Finish(confirm_screen(ctx, amount))


def confirm_screen(ctx: Ctx, amount: int) -> Screen:
    """What a withdrawal moves, with a Confirm button whose fresh token pays it once however often pressed."""
    return Screen(
        ctx.t(
            N_(
                "💸 <b>Withdraw {amount}?</b>\n\n{amount} goes from your available earnings to your payout method "
                "(sandbox: no real money moves). No fee is taken."
            ),
            amount=money(ctx, amount),
        ),
        buttons=rows(
            ctx.command_button(ctx.t(N_("✅ Confirm")), "withdraw", str(amount), secrets.token_hex(4)),
            ctx.command_button(ctx.t(N_("✖️ Cancel")), "earnings"),
        ),
        name="earnings.confirm",
    )


async def withdraw(ctx: Ctx, amount: int, token: str) -> Screen:
    """The confirmed withdrawal (``/withdraw AMOUNT TOKEN``)."""
    assert ctx.account is not None
    key = f"payout:{ctx.account.id}:{token}"
    payout = await ctx.services.ledger.withdraw(ctx.account.id, amount, CURRENCY, key)
    notice = (
        ctx.t(N_("That withdrawal was made already; nothing more was sent."))
        if payout is None
        else ctx.t(
            N_("💸 {amount} is on its way to your payout method (sandbox: no real money moves)."),
            amount=money(ctx, amount),
        )
    )
    return await earnings_screen(ctx, notice)


def nothing_to_withdraw(ctx: Ctx, earnings: Earnings) -> Screen:
    """Said instead of opening the withdrawal when nothing is available, with when the pending money will be."""
    if earnings.unmatured:
        text = ctx.t(
            N_("Nothing is available to withdraw yet: {amount} is pending until {date}."),
            amount=money(ctx, earnings.pending_minor),
            date=day(ctx.locale, max(earning.available_at for earning in earnings.unmatured)),
        )
    else:
        text = ctx.t(N_("There is nothing available to withdraw yet."))
    return Screen(
        text,
        buttons=rows(
            ctx.command_button(ctx.t(N_("💰 Earnings")), "earnings"),
            ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"),
        ),
        name="earnings.nothing",
    )


async def earnings_command(ctx: Ctx, _args: str) -> Screen:
    return await earnings_screen(ctx)


async def withdraw_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/withdraw: asks how much, when something is available; /withdraw AMOUNT TOKEN: a confirmed withdrawal."""
    assert ctx.account is not None
    if not ctx.account.is_freelancer:
        return not_a_freelancer(ctx)
    amount, _, token = args.strip().partition(" ")
    if amount.isdigit() and token.strip():
        return await withdraw(ctx, int(amount), token.strip())
    earnings = await ctx.services.ledger.earnings(ctx.account.id, CURRENCY)
    if earnings.available_minor <= 0:
        return nothing_to_withdraw(ctx, earnings)
    return StartFlow("withdraw")


FLOW = Flow("withdraw", N_("Withdraw"), WithdrawData, [AmountStep()], start="amount")

COMMANDS = [
    CommandSpec(
        "earnings",
        N_("your earnings and withdrawals (freelancers)"),
        earnings_command,
        role="freelancer",
        deep_link=True,
    ),
    CommandSpec("withdraw", N_("withdraw your available earnings"), withdraw_command, in_help=False, role="freelancer"),
]
