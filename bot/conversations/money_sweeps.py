"""The scheduler's money and feedback sweeps, each one transaction through ``Engine.run_background``:

- earnings past the security period become available, and each freelancer hears how much;
- feedback reminders go to parties who have not left theirs a few days before the window closes (once each,
  see ``FeedbackService.reminders_due``), and clients whose feedback windows just closed get their rating
  recomputed from the feedback now revealed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial

from bot.conversations.engine import Deliver, Engine
from bot.conversations.feedback import day
from bot.conversations.flow import Notify, command_button
from bot.core.events import Outbound
from bot.core.feedback import Reminder
from bot.core.i18n import N_, Translator
from bot.core.money import format_money
from bot.core.services import Services
from bot.core.ui import Screen, rows


def available_notice(translator: Translator, amount_minor: int, currency: str) -> Screen:
    return Screen(
        translator.t(
            N_("💰 {amount} of your earnings is now available to withdraw."),
            amount=format_money(amount_minor, translator.language, currency),
        ),
        buttons=rows(command_button(translator.t(N_("💸 Earnings")), "earnings")),
        name="earnings.available",
    )


def reminder_notice(translator: Translator, reminder: Reminder) -> Screen:
    return Screen(
        translator.t(
            N_("⭐ You haven't left feedback on “{title}” yet: it can be left until {date}."),
            title=reminder.title,
            date=day(translator.language, reminder.closes_at),
        ),
        buttons=rows(command_button(translator.t(N_("⭐ Leave feedback")), "feedback", str(reminder.contract_id))),
        name="feedback.reminder",
    )


async def mature_earnings(engine: Engine, deliver: Deliver | None = None) -> list[Outbound]:
    """Hourly: move matured earnings to available and tell each freelancer the total per currency."""

    async def mature(services: Services, notify: Callable[[int, Notify], None]) -> None:
        totals: dict[tuple[int, str], int] = defaultdict(int)
        for earning in await services.ledger.mature():
            totals[(earning.freelancer_id, earning.currency)] += earning.amount_minor
        for (freelancer_id, currency), amount in totals.items():
            notify(freelancer_id, partial(available_notice, amount_minor=amount, currency=currency))

    return await engine.run_background(mature, deliver)


async def feedback_sweep(engine: Engine, deliver: Deliver | None = None) -> list[Outbound]:
    """Hourly: feedback reminders, and client ratings for windows that closed."""

    async def sweep(services: Services, notify: Callable[[int, Notify], None]) -> None:
        for reminder in await services.feedback.reminders_due():
            notify(reminder.account_id, partial(reminder_notice, reminder=reminder))
        await services.feedback.reveal_closed_windows()

    return await engine.run_background(sweep, deliver)
