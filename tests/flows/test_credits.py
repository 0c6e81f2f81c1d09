"""Proposal credits ("Connects") when enabled: the monthly allowance, the cost of a proposal shown before
sending, a polite refusal when short, and the refund when the client closes the job without hiring."""

from __future__ import annotations

from sqlalchemy import select

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.core.clock import ManualClock
from bot.storage.orm import CreditEntryRow
from tests.conftest import AppFactory
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.proposal_steps import reach_preview, submit_proposal

CREDITS = {"enabled": True, "per_proposal": 2, "monthly_allowance": 4}


async def start(make_app: AppFactory) -> tuple[App, Harness, Harness]:
    app = await make_app(credits=CREDITS)
    alice = Harness(app.engine, "alice")
    bob = await client_and_freelancer(alice)
    return app, alice, bob


async def entries(app: App) -> list[tuple[int, str, str]]:
    async with app.database.transaction() as session:
        rows = (await session.execute(select(CreditEntryRow).order_by(CreditEntryRow.id))).scalars()
        return [(row.delta, row.reason, row.key) for row in rows]


async def test_credits_are_shown_spent_and_refused_when_short(make_app: AppFactory) -> None:
    app, alice, bob = await start(make_app)
    await bob.send("/proposals")
    assert "Credits: 4 · a proposal costs 2" in bob.screen.plain
    first = await post_job(alice)
    await reach_preview(bob, first)
    assert "Sending it costs 2 credits; you have 4." in bob.screen.plain
    await bob.click("Send proposal")
    assert "Credits left: 2." in bob.screen.plain

    second = await post_job(alice, title="Build a Flask REST API")
    await submit_proposal(bob, second)
    third = await post_job(alice, title="Build a FastAPI REST API")
    await bob.send(f"/propose {third}")
    assert "Sending a proposal costs 2 credits and you have 0. You get 4 more on the 1st of each month." in (
        bob.screen.plain
    )
    await bob.send("/proposal 1")
    assert "Credits spent: 2" in bob.screen.plain
    assert await entries(app) == [
        (4, "allowance", "allowance:2:2026-01"),
        (-2, "proposal", "proposal:1"),
        (-2, "proposal", "proposal:2"),
    ]


async def test_closing_a_job_without_a_hire_refunds_once(make_app: AppFactory, clock: ManualClock) -> None:
    app, alice, bob = await start(make_app)
    job_id = await post_job(alice)
    proposal_id = await submit_proposal(bob, job_id)
    await alice.send(f"/my_job {job_id} close_confirmed")
    await alice.send(f"/my_job {job_id} reopen")
    await alice.send(f"/my_job {job_id} close_confirmed")
    assert "The job is closed." in alice.screen.plain
    await bob.send(f"/proposal {proposal_id}")
    assert "Credits spent: 2 · refunded, as the job closed without a hire" in bob.screen.plain
    await bob.send("/proposals")
    assert "Credits: 4" in bob.screen.plain

    clock.advance(days=31)  # February: this month's allowance is granted once, and unused credits carry over
    await bob.send("/proposals")
    await bob.send("/proposals")
    assert "Credits: 8" in bob.screen.plain
    assert [key for _delta, _reason, key in await entries(app)] == [
        "allowance:2:2026-01",
        "proposal:1",
        "refund:1",
        "allowance:2:2026-02",
    ]


async def test_a_withdrawn_proposal_is_not_refunded(make_app: AppFactory) -> None:
    app, alice, bob = await start(make_app)
    job_id = await post_job(alice)
    proposal_id = await submit_proposal(bob, job_id)
    await bob.send(f"/proposal {proposal_id} withdraw mistake")
    await alice.send(f"/my_job {job_id} close_confirmed")
    assert [reason for _delta, reason, _key in await entries(app)] == ["allowance", "proposal"]


async def test_credits_are_off_by_default(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    await reach_preview(bob, job_id)
    assert "credits" not in bob.screen.plain
    await bob.send("/proposals")
    assert "Credits" not in bob.screen.plain
