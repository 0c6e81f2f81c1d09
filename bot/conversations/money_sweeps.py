"""The scheduler's money and feedback sweeps, each item in a transaction of its own through ``Engine.run_sweep``:

- earnings past the security period become available, and each freelancer hears how much;
- feedback reminders go to parties who have not left theirs a few days before the window closes (once each,
  see ``FeedbackService.remind``), and clients whose feedback windows just closed get their rating
  recomputed from the feedback now revealed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bot.conversations.feedback import day
from bot.conversations.flow import Sweep, command_button
from bot.conversations.notices import NoticeList, notice_kind
from bot.core.i18n import N_, Translator
from bot.core.money import format_money
from bot.core.services import Services
from bot.core.ui import Screen, rows


@notice_kind("earnings.available")
def available_notice(translator: Translator, *, amount_minor: int, currency: str) -> Screen:
    return Screen(
        translator.t(
            N_("💰 {amount} of your earnings is now available to withdraw."),
            amount=format_money(amount_minor, translator.language, currency),
        ),
        buttons=rows(command_button(translator.t(N_("💸 Earnings")), "earnings")),
        name="earnings.available",
    )


@notice_kind("feedback.reminder")
def reminder_notice(translator: Translator, *, title: str, contract_id: int, closes_at: str) -> Screen:
    return Screen(
        translator.t(
            N_("⭐ You haven't left feedback on “{title}” yet: it can be left until {date}."),
            title=title,
            date=day(translator.language, datetime.fromisoformat(closes_at)),
        ),
        buttons=rows(command_button(translator.t(N_("⭐ Leave feedback")), "feedback", str(contract_id))),
        name="feedback.reminder",
    )


async def _mature(services: Services, freelancer_id: int, notices: NoticeList) -> None:
    """One freelancer's matured earnings become available; they hear the total per currency."""
    totals: dict[str, int] = defaultdict(int)
    for earning in await services.ledger.mature(freelancer_id=freelancer_id):
        totals[earning.currency] += earning.amount_minor
    for currency, amount in totals.items():
        notices.add(freelancer_id, available_notice, amount_minor=amount, currency=currency)


MATURE_EARNINGS = Sweep("mature-earnings", lambda services: services.ledger.maturing_freelancers(), _mature)


async def _remind(services: Services, contract_id: int, notices: NoticeList) -> None:
    for reminder in await services.feedback.remind(contract_id):
        notices.add(
            reminder.account_id,
            reminder_notice,
            title=reminder.title,
            contract_id=reminder.contract_id,
            closes_at=reminder.closes_at.isoformat(),
        )


FEEDBACK_REMINDERS = Sweep("feedback-reminders", lambda services: services.feedback.contracts_to_remind(), _remind)


async def _rate(services: Services, client_id: int, _notices: NoticeList) -> None:
    await services.feedback.rate_client(client_id)


CLIENT_RATINGS = Sweep("client-ratings", lambda services: services.feedback.clients_to_rate(), _rate)
