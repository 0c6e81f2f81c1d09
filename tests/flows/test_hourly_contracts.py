"""Hourly contracts: /log within the weekly limit (Monday-Sunday UTC), the Monday invoice held in escrow, the
review until the end of Friday, then payment; with the durations and mistakes people type."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.conversations.contract_sweeps import PAY_INVOICES, WEEKLY_INVOICES
from bot.conversations.harness import Harness
from bot.core.clock import ManualClock
from bot.core.errors import UserError
from bot.core.hourly import invoice_amount, parse_duration
from bot.core.ledger import FEES, escrow, pending
from bot.storage.orm import ClientProfileRow, InvoiceRow, TimeEntryRow
from tests.delivery import swept
from tests.flows.contract_steps import balances, hire, send_offer, told
from tests.flows.job_steps import client_and_freelancer
from tests.flows.signup_steps import sign_up


@pytest.mark.parametrize(
    ("typed", "minutes", "memo"),
    [
        ("2h30 Fixed the checkout", 150, "Fixed the checkout"),
        ("1.5h", 90, ""),
        ("1,25h review", 75, "review"),
        ("90m call", 90, "call"),
        ("45 minutes standup", 45, "standup"),
        ("2 hours  docs", 120, "docs"),
        ("1h 15m pairing", 75, "pairing"),
        ("3h 2 pages", 180, "2 pages"),
    ],
)
def test_durations_people_type(typed: str, minutes: int, memo: str) -> None:
    assert parse_duration(typed) == (minutes, memo)


@pytest.mark.parametrize("typed", ["soon", "2", "0m", "25h", "-1h", "h30"])
def test_durations_refused(typed: str) -> None:
    with pytest.raises(UserError):
        parse_duration(typed)


def test_invoice_amounts_round_half_up_to_the_cent() -> None:
    assert invoice_amount(150, 35_00) == 87_50
    assert invoice_amount(3, 10_10) == 51  # 50.5 cents
    assert invoice_amount(7, 35_00) == 4_08  # 408.33 cents


async def hourly(alice: Harness, limit: str = "") -> tuple[Harness, int]:
    """bob hired by alice at $35/hr (30 hours a week, as the job says less than 30, or ``limit``)."""
    bob = await client_and_freelancer(alice)
    if not limit:
        return bob, await hire(alice, bob)
    contract_id = await send_offer(alice, bob, limit=limit)
    await bob.send(f"/contract {contract_id} accept")
    return bob, contract_id


async def test_logging_time_within_the_weekly_limit(app: App, alice: Harness, clock: ManualClock) -> None:
    bob, contract_id = await hourly(alice, limit="5")
    await bob.send("/log")
    assert "Log time like this" in bob.screen.plain
    await bob.send("/log 2h30 Fixed the checkout")
    assert "Logged 2h30 on “Build a Django REST API”. This week: 2h30 of 5h." in bob.screen.plain
    await bob.send("/log 90m Code review")
    assert "This week: 4h of 5h." in bob.screen.plain
    await bob.send("/log 1.5h More review")
    assert "That would go past this week's limit of 5h: 1h left until Sunday night (UTC)." in bob.screen.plain
    await bob.send("/log soon")
    assert "Start with the time you worked" in bob.screen.plain
    await bob.send("/log 45 minutes Tests")
    await bob.send(f"/contract {contract_id}")
    assert "This week: 4h45 logged of 5h (15m left)" in bob.screen.plain

    clock.advance(days=6, hours=14, minutes=59)  # Sunday 23:59 UTC: still the same week
    await bob.send("/log 16m Deploy")
    assert "15m left" in bob.screen.plain
    clock.advance(minutes=1)  # Monday: a new week
    await bob.send("/log 5h Big day")
    assert "This week: 5h of 5h." in bob.screen.plain
    async with app.database.transaction() as session:
        weeks = [(str(e.week_start), e.minutes) for e in (await session.execute(select(TimeEntryRow))).scalars()]
    assert weeks == [("2026-01-05", 150), ("2026-01-05", 90), ("2026-01-05", 45), ("2026-01-12", 300)]


async def test_time_goes_on_a_contract_the_freelancer_picks(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    first = await hire(alice, bob)
    second = await hire(alice, bob)
    await bob.send("/log 2h Planning")
    assert "Which contract do the 2h go on?" in bob.screen.plain
    await bob.click(f"#{second} ")
    assert "Logged 2h" in bob.screen.plain
    await bob.send(f"/log #{first} 1h Setup")
    assert "Logged 1h" in bob.screen.plain
    await bob.send(f"/contract {second}")
    assert "This week: 2h logged of 30h" in bob.screen.plain
    await bob.send(f"/contract {first}")
    assert "This week: 1h logged of 30h" in bob.screen.plain


async def test_only_the_freelancer_logs_time_on_an_active_hourly_contract(alice: Harness) -> None:
    bob, contract_id = await hourly(alice)
    carol = alice.user("carol")
    await sign_up(carol, "freelancer", full_name="Carol Diaz", username="carol")
    await carol.send(f"/log #{contract_id} 1h Sneaky")
    assert f"Contract #{contract_id} was not found." in carol.screen.plain
    await carol.send("/log 1h Sneaky")
    assert "You have no active hourly contract to log time on." in carol.screen.plain
    await alice.send(f"/log #{contract_id} 1h Client time")
    assert "Only the freelancer of this contract can log time on it." in alice.screen.plain
    fixed_id = await hire(alice, bob, hourly=False)
    await bob.send(f"/log #{fixed_id} 1h Wrong one")
    assert "Time is logged on hourly contracts only" in bob.screen.plain

    await bob.send(f"/contract {contract_id} end")
    await bob.click("No longer needed")
    await bob.send(f"/log #{contract_id} 1h After the end")
    assert "This contract isn't active: time can't be logged on it." in bob.screen.plain


async def test_the_monday_invoice_is_held_reviewed_until_friday_then_paid(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    bob, contract_id = await hourly(alice)
    await bob.send("/log 2h30 Fixed the checkout")
    clock.advance(days=6, hours=14)  # Sunday 23:00: the week isn't over
    assert await swept(app, WEEKLY_INVOICES) == []

    clock.advance(hours=1, minutes=30)  # Monday 2026-01-12 00:30
    issued = await swept(app, WEEKLY_INVOICES)
    (text,) = told(issued, "alice")
    assert "Invoice for “Build a Django REST API”, week of Jan 5, 2026: 2h30 · $87.50, held in escrow." in text
    assert "Review it until the end of Friday Jan 16, 2026 (UTC)" in text
    assert await swept(app, WEEKLY_INVOICES) == []  # one invoice per week
    money = await balances(app)
    assert money[escrow("invoice:1")] == 87_50
    await alice.send(f"/contract {contract_id}")
    assert "Week of Jan 5, 2026: 2h30 · $87.50 · under review until the end of Jan 16, 2026" in alice.screen.plain

    clock.advance(days=4, hours=23, minutes=29)  # Friday 23:59
    assert await swept(app, PAY_INVOICES) == []
    clock.advance(minutes=1)  # Saturday 00:00 UTC: the review is over
    paid = await swept(app, PAY_INVOICES)
    (text,) = told(paid, "bob")
    assert "Your invoice for “Build a Django REST API”, week of Jan 5, 2026 (2h30), was paid: $87.50" in text
    assert "$87.50, $8.75 service fee, you receive $78.75." in text
    assert await swept(app, PAY_INVOICES) == []
    money = await balances(app)
    async with app.database.transaction() as session:
        invoice = (await session.execute(select(InvoiceRow))).scalar_one()
        profile = await session.get(ClientProfileRow, 1)
    assert (invoice.status, invoice.paid_minor, str(invoice.review_until)) == (
        "paid",
        87_50,
        "2026-01-17 00:00:00+00:00",
    )
    assert money[escrow("invoice:1")] == 0
    assert money[pending(2)] == 87_50 - 8_75
    assert money[FEES] == 4_38 + 8_75  # 5% client fee (4.375 rounded half up), 10% service fee
    assert profile is not None
    assert profile.total_spent_minor == 87_50


async def test_a_week_without_time_makes_no_invoice_and_missed_weeks_are_caught_up(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    bob, _contract_id = await hourly(alice)
    clock.advance(days=7)
    assert await swept(app, WEEKLY_INVOICES) == []  # nothing logged in the first week
    await bob.send("/log 1h Week two")
    clock.advance(days=7)
    await bob.send("/log 2h Week three")
    clock.advance(days=7)  # the bot was down both Mondays: both weeks are invoiced now
    issued = await swept(app, WEEKLY_INVOICES)
    assert [text.split("week of ")[1][:12] for text in told(issued, "alice")] == ["Jan 12, 2026", "Jan 19, 2026"]


async def test_a_declined_weekly_charge_is_retried_before_paying(
    make_app, alice: Harness, app: App, clock: ManualClock
) -> None:  # type: ignore[no-untyped-def]
    bob, _contract_id = await hourly(alice)
    await bob.send("/log 1h Work")
    clock.advance(days=7)
    declining = await make_app(payments={"sandbox_fail_charges": True})
    (text,) = told(await swept(declining, WEEKLY_INVOICES), "alice")
    assert "Your payment method declined the charge" in text
    clock.advance(days=5)
    assert await swept(declining, PAY_INVOICES) == []  # still declining: nothing paid, nothing lost
    assert len(told(await swept(app, PAY_INVOICES), "bob")) == 1  # the card works again


async def test_the_hourly_contract_shows_this_weeks_entries_and_the_invoices(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    bob, contract_id = await hourly(alice)
    await alice.send(f"/contract {contract_id}")
    assert "This week: 0m logged of 30h (30h left) · $0 so far\nNo time logged this week yet." in alice.screen.plain
    await bob.send("/log 2h30 Fixed the checkout")
    clock.advance(days=1)
    await bob.send("/log 45m Code review")
    await alice.send(f"/contract {contract_id}")
    text = alice.screen.plain
    assert "This week: 3h15 logged of 30h (26h45 left) · $113.75 so far" in text
    assert "• Jan 5, 2026 · 2h30 · Fixed the checkout\n• Jan 6, 2026 · 45m · Code review" in text

    clock.advance(days=6)  # the next Monday: last week is invoiced, this week starts empty
    await swept(app, WEEKLY_INVOICES)
    await bob.send(f"/contract {contract_id}")
    text = bob.screen.plain
    assert "This week: 0m logged of 30h (30h left) · $0 so far" in text
    assert "Invoices\nWeek of Jan 5, 2026: 3h15 · $113.75 · under review until the end of Jan 16, 2026" in text
