"""Offers as a client makes them from a proposal and a freelancer answers them, with the bad input people type."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.storage.orm import ClientProfileRow, ContractRow, MilestoneRow, ProposalRow, ThreadRow
from tests.flows.contract_steps import hire, send_offer
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.proposal_steps import submit_proposal
from tests.flows.signup_steps import sign_up


async def test_an_hourly_offer_is_prefilled_from_the_proposal_and_accepted(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    proposal_id = await submit_proposal(bob, await post_job(alice), bid="35")
    await alice.send(f"/offer {proposal_id}")
    preview = alice.screen.plain
    assert "Your offer to Bob Stone" in preview
    assert "Hourly: $35/hr, at most 30 hours a week" in preview  # the job says less than 30 hrs/week
    assert "Start date: Jan 5, 2026" in preview
    assert "Client pays: $35 + $1.75 marketplace fee = $36.75 an hour" in preview
    assert "Bob Stone receives: $35 − $3.50 service fee = $31.50 an hour" in preview

    await alice.click("Weekly limit")
    for wrong, reason in [("0", "from 1 to 80 hours"), ("81", "from 1 to 80 hours"), ("lots", "whole number")]:
        await alice.send(wrong)
        assert reason in alice.screen.plain
    await alice.send("20")
    await alice.click("Rate")
    await alice.send("-10")
    assert "can't be negative" in alice.screen.plain
    await alice.send("€40")
    assert "is not an amount in dollars" in alice.screen.plain
    await alice.send("40")
    await alice.click("Start date")
    await alice.send("2026-01-01")
    assert "between today and a year from now" in alice.screen.plain
    await alice.send("2026-01-12")
    assert "Hourly: $40/hr, at most 20 hours a week" in alice.screen.plain
    assert "Start date: Jan 12, 2026" in alice.screen.plain

    await alice.click("Send the offer")
    assert "Offer sent to Bob Stone" in alice.screen.plain
    offer = bob.screen
    assert "Alice Martin sent you an offer" in offer.plain
    assert "You receive $36 an hour after the $4 service fee." in offer.plain
    await bob.click("Accept", on=offer)
    assert "the contract has started" in bob.screen.plain
    assert "Bob Stone accepted your offer" in alice.screen.plain

    async with app.database.transaction() as session:
        contract = (await session.execute(select(ContractRow))).scalar_one()
        proposal = await session.get(ProposalRow, proposal_id)
        profile = await session.get(ClientProfileRow, contract.client_id)
        thread = (await session.execute(select(ThreadRow))).scalars().all()
    assert (contract.status, contract.kind, contract.rate_minor, contract.weekly_limit_minutes) == (
        "active",
        "hourly",
        40_00,
        20 * 60,
    )
    assert (contract.fee_schedule, contract.fee_bp, contract.client_fee_bp) == ("flat", 1000, 500)
    assert proposal is not None
    assert proposal.status == "hired"
    assert profile is not None
    assert profile.hires_count == 1
    assert f"contract:{contract.id}" in {row.subject for row in thread}
    await alice.send(f"/contract {contract.id}")
    await alice.click("Messages")
    assert alice.screen.name == "thread"


async def test_a_fixed_offer_takes_the_proposal_milestones_and_refuses_bad_ones(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice, hourly=False)
    milestones = [("Design", "400", "2026-02-01"), ("Build", "800", "")]
    proposal_id = await submit_proposal(bob, job_id, milestones=milestones)
    await alice.send(f"/offer {proposal_id}")
    preview = alice.screen.plain
    assert "Fixed price: $1,200" in preview
    assert "1. Design — $400 · due Feb 1, 2026" in preview
    assert "2. Build — $800" in preview
    assert "Client pays: $1,200 + $60 marketplace fee = $1,260" in preview
    assert "Bob Stone receives: $1,200 − $120 service fee = $1,080" in preview

    await alice.click("Milestones")
    refusals = [
        ("Logo; 0", "between $5 and $1,000,000"),
        ("Logo; -5", "can't be negative"),
        ("Logo; 1000000000000", "can't be more than"),
        ("Logo; 10.555", "is not an amount in dollars"),
        ("Logo; €50", "is not an amount in dollars"),
        ("Logo; 50; 2025-12-31", "between today and two years from now"),
        ("Logo 50", "Type the milestone like this"),
        ("; 50", "can't be empty"),
    ]
    for typed, reason in refusals:
        await alice.send(typed)
        assert reason in alice.screen.plain, typed
    await alice.click("Remove the last")
    await alice.send("Launch; 150.50; 2026-03-01")
    await alice.click("Done")
    preview = alice.screen.plain
    assert "Fixed price: $550.50" in preview
    assert "2. Launch — $150.50 · due Mar 1, 2026" in preview
    await alice.click("Send the offer")
    contract_id = int(alice.screen.plain.split("Contract #", 1)[1].split(" ", 1)[0])
    await bob.click("Accept")

    async with app.database.transaction() as session:
        rows = (await session.execute(select(MilestoneRow).order_by(MilestoneRow.position))).scalars().all()
    assert [(m.contract_id, m.position, m.description, m.amount_minor, m.status) for m in rows] == [
        (contract_id, 1, "Design", 400_00, "pending"),
        (contract_id, 2, "Launch", 150_50, "pending"),
    ]


async def test_a_fixed_bid_without_milestones_becomes_one_milestone(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    contract_id = await hire(alice, bob, hourly=False, bid="1200")
    await alice.send(f"/contract {contract_id}")
    assert "1. Build a Django REST API — $1,200" in alice.screen.plain
    assert "Not funded yet" in alice.screen.plain


async def test_a_declined_offer_leaves_the_proposal_open_for_another(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    contract_id = await send_offer(alice, bob)
    await bob.click("Decline")
    assert "You declined the offer" in bob.screen.plain
    assert "Bob Stone declined your offer" in alice.screen.plain
    await bob.send(f"/contract {contract_id} accept")
    assert "This offer was declined." in bob.screen.plain
    async with app.database.transaction() as session:
        proposal = (await session.execute(select(ProposalRow))).scalar_one()
    assert proposal.status == "active"
    await alice.send(f"/offer {proposal.id}")
    assert "Your offer to Bob Stone" in alice.screen.plain


async def test_the_client_withdraws_an_unanswered_offer(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    contract_id = await send_offer(alice, bob)
    offer = bob.screen
    await alice.send(f"/offer {await _proposal_of(alice, contract_id)}")
    assert "You already made an offer on this proposal" in alice.screen.plain
    await alice.send(f"/contract {contract_id}")
    await alice.click("Withdraw the offer")
    assert "You withdrew the offer" in alice.screen.plain
    assert "The client withdrew the offer" in bob.screen.plain
    await bob.click("Accept", on=offer)
    assert "This offer was withdrawn." in bob.screen.plain


async def _proposal_of(alice: Harness, contract_id: int) -> int:
    async with alice.engine.database.transaction() as session:
        contract = await session.get(ContractRow, contract_id)
    assert contract is not None
    assert contract.proposal_id is not None
    return contract.proposal_id


async def test_only_the_parties_may_act_on_an_offer(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    proposal_id = await submit_proposal(bob, job_id)
    carol = alice.user("carol")
    await sign_up(carol, "both", full_name="Carol Diaz", username="carol")
    await carol.send(f"/offer {proposal_id}")
    assert f"Proposal #{proposal_id} was not found." in carol.screen.plain
    await bob.send(f"/offer {proposal_id}")
    assert f"Proposal #{proposal_id} was not found." in bob.screen.plain

    await alice.send(f"/offer {proposal_id}")
    await alice.click("Send the offer")
    contract_id = int(alice.screen.plain.split("Contract #", 1)[1].split(" ", 1)[0])
    await carol.send(f"/contract {contract_id} accept")
    assert f"Contract #{contract_id} was not found." in carol.screen.plain
    await alice.send(f"/contract {contract_id} accept")
    assert "Only the freelancer the offer was made to can answer it." in alice.screen.plain
    await bob.send(f"/contract {contract_id} withdraw")
    assert "Only the client who made the offer can withdraw it." in bob.screen.plain


async def test_contracts_lists_offers_and_contracts_for_both_sides(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    await hire(alice, bob)
    await send_offer(alice, bob, hourly=False)
    await bob.send("/contracts")
    listed = bob.screen.plain
    assert listed.index("#2 Build a Django REST API · with Alice Martin · Offer sent") < listed.index(
        "#1 Build a Django REST API · with Alice Martin · Active · you are the freelancer"
    )
    await alice.send("/contracts")
    assert "with Bob Stone · Active · you are the client" in alice.screen.plain
    await alice.click("#1 Build")
    assert "Contract #1 · Build a Django REST API" in alice.screen.plain
    assert "Rate: $35/hr · weekly limit 30h" in alice.screen.plain


@pytest.mark.parametrize(("hours", "limit"), [("Less than 30", 30), ("More than 30", 40)])
async def test_the_weekly_limit_starts_from_the_jobs_hours_per_week(alice: Harness, hours: str, limit: int) -> None:
    bob = await client_and_freelancer(alice)
    proposal_id = await submit_proposal(bob, await post_job(alice, hours=hours), bid="35")
    await alice.send(f"/offer {proposal_id}")
    assert f"Hourly: $35/hr, at most {limit} hours a week" in alice.screen.plain
