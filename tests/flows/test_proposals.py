"""Proposals as freelancers and clients see them: sending one (rate, price or milestones, fees, cover letter,
answers, files, duration, preview), the bad input people type, one active proposal per job, withdrawing and
changing the bid, and the client's review (sort, shortlist, decline, archive), with nobody else let in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.core.events import AttachmentIn
from bot.storage.orm import JobRow, ProfileSkillRow, ProposalMilestoneRow, ProposalRow
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.proposal_steps import COVER_LETTER, ask_questions, reach_preview, submit_proposal
from tests.flows.signup_steps import sign_up

PDF = AttachmentIn("portfolio.pdf", "application/pdf", b"%PDF-1.4 my work")


async def proposals_count(app: App, job_id: int) -> int:
    async with app.database.transaction() as session:
        job = await session.get(JobRow, job_id)
        assert job is not None
        return job.proposals_count


async def test_a_proposal_goes_from_the_job_to_the_client(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    await ask_questions(alice, job_id, "Which similar projects have you done?", "When can you start?")

    await bob.send(f"/job {job_id}")
    await bob.click("Submit a proposal")
    assert "The client offers Hourly: $25–$40/hr. What hourly rate do you bid" in bob.screen.plain
    await bob.send("35")
    fees = bob.screen.plain
    assert "Your bid: $35/hr\nService fee: −$3.50/hr\nYou'll receive: $31.50/hr" in fees
    await bob.click("Continue")
    assert "Write your cover letter" in bob.screen.plain
    await bob.send(COVER_LETTER)
    assert "The client asks (1 of 2):\nWhich similar projects have you done?" in bob.screen.plain
    await bob.send("A booking API for a gym chain")
    assert "The client asks (2 of 2):\nWhen can you start?" in bob.screen.plain
    await bob.click("Previous question")
    assert "Now: A booking API for a gym chain" in bob.screen.plain
    await bob.send("A booking API for a gym chain, <b>in Django</b>")
    await bob.send("Monday")
    await bob.deliver(PDF)
    assert "Attached portfolio.pdf" in bob.screen.plain
    await bob.click("Done")
    await bob.click("1 to 3 months")
    preview = bob.screen.plain
    assert "Preview of your proposal to “Build a Django REST API”" in preview
    assert COVER_LETTER in preview
    assert "1. Which similar projects have you done?\nA booking API for a gym chain, <b>in Django</b>" in preview
    assert "2. When can you start?\nMonday" in preview
    assert "📎 portfolio.pdf" in preview
    assert "Estimated duration: 1 to 3 months" in preview
    assert await proposals_count(app, job_id) == 0
    await bob.click("Send proposal")
    assert "Your proposal to “Build a Django REST API” is sent: #1. The client has been told." in bob.screen.plain
    assert await proposals_count(app, job_id) == 1

    assert "New proposal from Bob Stone for “Build a Django REST API”: $35/hr." in alice.screen.plain
    await alice.click("View proposal")
    seen = alice.screen.plain
    assert "Proposal #1 from Bob Stone for “Build a Django REST API”" in seen
    assert "Bid: $35/hr" in seen
    assert "You pay $36.75/hr with the marketplace fee." in seen
    assert "A booking API for a gym chain, <b>in Django</b>" in seen
    assert [b.label for b in alice.screen.all_buttons()] == [
        "🤝 Hire",
        "⭐ Shortlist",
        "🚫 Decline",
        "💬 Message",
        "🗄 Archive",
        "📎 Get the files",
        "👤 Profile",
        "📋 All proposals",
    ]
    assert alice.find_action("Hire").args == ("offer", "1")
    await alice.click("Get the files")
    assert [file.filename for file in alice.screen.attachments] == ["portfolio.pdf"]

    await alice.send(f"/my_job {job_id}")
    await alice.click("Proposals (1)")
    assert "Proposals for “Build a Django REST API” (1)" in alice.screen.plain
    assert "1. 🟢 Bob Stone · $35/hr · just now" in alice.screen.plain

    await bob.send(f"/job {job_id}")
    await bob.click("My proposal")
    assert "Your proposal #1 to “Build a Django REST API”" in bob.screen.plain
    assert "You'll receive: $31.50/hr" in bob.screen.plain


async def test_a_fixed_price_job_takes_a_price_or_milestones(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice, hourly=False)
    await bob.send(f"/propose {job_id}")
    assert "The client offers Fixed price: $1,500" in bob.screen.plain
    await bob.click("Split into milestones")
    await bob.submit({"description": "Design the API", "amount": "400", "due": "2026-02-01"})
    assert "Milestone 1 added." in bob.screen.plain
    await bob.submit({"description": "Build and test it", "amount": "$850.50", "due": "-"})
    assert "1. Design the API · $400 · due Feb 1, 2026" in bob.screen.plain
    assert "2. Build and test it · $850.50" in bob.screen.plain
    assert "Total: $1,250.50" in bob.screen.plain
    await bob.submit({"description": "Too much", "amount": "1,000,000", "due": ""})
    assert "The milestones would add up to $1,001,250.50; a fixed-price bid can be at most $1,000,000." in (
        bob.screen.plain
    )
    await bob.click("Done")
    assert "Your bid: $1,250.50\nService fee: −$125.05\nYou'll receive: $1,125.45" in bob.screen.plain
    await bob.click("Continue")
    await bob.send(COVER_LETTER)
    await bob.click("Skip")
    await bob.click("Less than 1 month")
    await bob.click("Send proposal")
    assert "is sent: #1" in bob.screen.plain
    await alice.click("View proposal")
    assert "Bid: $1,250.50 in milestones" in alice.screen.plain
    assert "1. Design the API · $400 · due Feb 1, 2026" in alice.screen.plain
    async with app.database.transaction() as session:
        proposal = await session.get(ProposalRow, 1)
        milestones = (await session.execute(select(ProposalMilestoneRow))).scalars().all()
    assert proposal is not None
    assert (proposal.bid_kind, proposal.amount_minor, proposal.duration) == ("milestones", 125050, "lt1")
    assert [(m.position, m.amount_minor) for m in milestones] == [(0, 40000), (1, 85050)]

    other = await post_job(alice, hourly=False, title="Write the API documentation")
    await submit_proposal(bob, other, bid="1,200")
    await alice.click("View proposal")
    assert "Bid: $1,200 fixed price" in alice.screen.plain


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("0", "An hourly rate must be between $3 and $999 an hour."),
        ("-40", "An amount can't be negative."),
        ("1000000000000", "The amount can't be more than $100,000,000."),
        ("40.505", "“40.505” is not an amount in dollars."),
        ("40 EUR", "“40 EUR” is not an amount in dollars."),
        ("1000", "An hourly rate must be between $3 and $999 an hour."),
    ],
)
async def test_bad_hourly_bids_are_refused_with_the_limit(alice: Harness, typed: str, complaint: str) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    await bob.send(f"/propose {job_id}")
    await bob.send(typed)
    assert complaint in bob.screen.plain
    assert "What hourly rate do you bid" in bob.screen.plain


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("0", "A fixed-price bid must be between $5 and $1,000,000."),
        ("2,000,000", "A fixed-price bid must be between $5 and $1,000,000."),
        ("12.345", "is not an amount in dollars"),
    ],
)
async def test_bad_fixed_bids_and_milestones_are_refused(alice: Harness, typed: str, complaint: str) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice, hourly=False)
    await bob.send(f"/propose {job_id}")
    await bob.send(typed)
    assert complaint in bob.screen.plain
    await bob.click("Split into milestones")
    await bob.send("Design")
    await bob.send("0")
    assert "A milestone must be between $5 and $1,000,000." in bob.screen.plain
    await bob.send("400")
    await bob.send("next friday")
    assert "Type the due date like 2026-01-19." in bob.screen.plain
    await bob.send("2025-12-01")
    assert "The due date must be between today and two years from now." in bob.screen.plain
    await bob.send("-")
    assert "Milestone 1 added." in bob.screen.plain


async def test_a_cover_letter_over_the_limit_is_kept(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    await bob.send(f"/propose {job_id}")
    await bob.send("35")
    await bob.click("Continue")
    long_letter = "word " * 1_200  # 5,999 characters once trimmed
    await bob.send(long_letter)
    assert "A cover letter can be at most 5,000 characters, and yours has 5,999. It is kept" in bob.screen.plain
    await bob.click("Show my text")
    assert long_letter.strip() in bob.screen.plain
    await bob.click("Keep the first 5,000 characters")
    assert "Files (optional)" in bob.screen.plain


async def test_one_active_proposal_per_job_and_other_refusals(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    proposal_id = await submit_proposal(bob, job_id)
    await bob.send(f"/propose {job_id}")
    assert "You already sent a proposal to “Build a Django REST API”: #1." in bob.screen.plain
    await bob.click("View my proposal")
    assert "Your proposal #1" in bob.screen.plain

    await alice.send(f"/propose {job_id}")
    assert "Proposals are sent by freelancers" in alice.screen.plain
    carol = alice.user("carol")  # both a freelancer and a client
    await sign_up(carol, "Both", full_name="Carol Diaz", username="carol")
    own = await post_job(carol)
    await carol.send(f"/propose {own}")
    assert "That is your own job post: you can't send a proposal to it." in carol.screen.plain

    await alice.send(f"/my_job {job_id} close_confirmed")
    await carol.send(f"/propose {job_id}")
    assert "This job is no longer taking proposals." in carol.screen.plain
    await carol.send(f"/job {job_id}")
    assert "Submit a proposal" not in [b.label for b in carol.screen.all_buttons()]

    for action in ("", " withdraw", " withdraw mistake", " edit", " shortlist", " decline other", " message"):
        await carol.send(f"/proposal {proposal_id}{action}")
        assert f"Proposal #{proposal_id} was not found." in carol.screen.plain
    await carol.send("/proposal 999")
    assert "Proposal #999 was not found." in carol.screen.plain
    assert await proposals_count(app, job_id) == 1


async def test_withdrawing_lists_and_sending_again(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    proposal_id = await submit_proposal(bob, job_id)
    await bob.send("/proposals")
    assert "Your proposals (1)" in bob.screen.plain
    assert "1. 🟢 Build a Django REST API · $35/hr" in bob.screen.plain
    await bob.click("1")
    await bob.click("Withdraw")
    assert "Withdraw your proposal to “Build a Django REST API”? Tell the client why" in bob.screen.plain
    await bob.click("Scheduling conflict")
    assert "Your proposal was withdrawn." in bob.screen.plain
    assert "Status: Withdrawn · Reason: Scheduling conflict" in bob.screen.plain
    assert "Withdraw" not in [b.label for b in bob.screen.all_buttons()]
    assert await proposals_count(app, job_id) == 0

    await bob.send(f"/proposal {proposal_id} withdraw other")
    assert "This proposal was withdrawn: it can't be changed any more." in bob.screen.plain
    await bob.send(f"/proposal {proposal_id} edit")
    assert "This proposal was withdrawn: it can't be changed any more." in bob.screen.plain
    await alice.send(f"/proposal {proposal_id}")
    assert f"Proposal #{proposal_id} was not found." in alice.screen.plain

    await bob.send("/proposals")
    assert "No active proposals." in bob.screen.plain
    await bob.click("Archived (1)")
    assert "Your archived proposals (1)" in bob.screen.plain
    assert "Withdrawn" in bob.screen.plain

    again = await submit_proposal(bob, job_id, bid="30")
    assert again != proposal_id
    assert await proposals_count(app, job_id) == 1


async def test_changing_the_bid_until_the_client_answers(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    proposal_id = await submit_proposal(bob, job_id)
    await bob.send(f"/proposal {proposal_id}")
    await bob.click("Edit bid")
    assert "New bid for proposal #1" in bob.screen.plain
    assert "Now: $35/hr" in bob.screen.plain
    await bob.send("38")
    await bob.click("Save the new bid")
    assert "Your new bid is saved." in bob.screen.plain
    assert "Your bid: $38/hr" in bob.screen.plain
    assert COVER_LETTER in bob.screen.plain  # the cover letter stays
    assert "Bob Stone changed their bid for “Build a Django REST API”: now $38/hr." in alice.screen.plain

    await alice.send(f"/proposal {proposal_id} shortlist")
    assert "Alice Martin shortlisted your proposal to “Build a Django REST API”." in bob.screen.plain
    await bob.click("View proposal")
    assert "Edit bid" not in [b.label for b in bob.screen.all_buttons()]
    await bob.send(f"/proposal {proposal_id} edit")
    assert "The client has already answered this proposal, so its terms can't change now." in bob.screen.plain


async def test_the_client_sorts_shortlists_declines_and_archives(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    carol = alice.user("carol")
    await sign_up(carol, "freelancer", full_name="Carol Diaz", username="carol")
    job_id = await post_job(alice)
    carols = await submit_proposal(carol, job_id, bid="60")  # outside the range, but she has the skills
    bobs = await submit_proposal(bob, job_id, bid="35")
    async with app.database.transaction() as session:
        carol_row = await session.get(ProposalRow, carols)
        assert carol_row is not None
        session.add_all(ProfileSkillRow(account_id=carol_row.freelancer_id, skill=s) for s in ("Python", "Django"))

    await alice.send(f"/job_proposals {job_id}")
    listed = alice.screen.plain
    assert listed.index("Bob Stone") < listed.index("Carol Diaz")  # newest first
    await alice.click("Best match first")
    listed = alice.screen.plain
    assert "Best match first" in listed
    assert listed.index("Carol Diaz") < listed.index("Bob Stone")
    await alice.click("1")
    assert "Has 2 of the job's 3 skills: Python, Django" in alice.screen.plain

    await alice.send(f"/proposal {bobs}")
    await alice.click("Decline")
    assert "Decline Bob Stone's proposal? Pick the reason they will see" in alice.screen.plain
    await alice.click("Rate too high")
    assert "Declined. Bob Stone has been told." in alice.screen.plain
    assert "Bob Stone" in alice.screen.plain
    assert "Status: Declined · Reason: Rate too high" in alice.screen.plain
    assert "Alice Martin declined your proposal to “Build a Django REST API”. Reason: Rate too high" in (
        bob.screen.plain
    )
    await alice.send(f"/proposal {bobs} decline other")
    assert "This proposal was declined: it can't be changed any more." in alice.screen.plain
    await bob.send(f"/propose {job_id}")
    assert "The client declined your proposal to this job" in bob.screen.plain

    await alice.send(f"/proposal {carols} archive")
    assert "Alice Martin archived your proposal to “Build a Django REST API”." in carol.screen.plain
    await alice.send(f"/job_proposals {job_id}")
    assert "Proposals for “Build a Django REST API” (0)" in alice.screen.plain
    await alice.click("Archived (2)")
    assert "Archived proposals for “Build a Django REST API” (2)" in alice.screen.plain
    await alice.send(f"/proposal {carols} archive")
    assert "Unarchive" not in [b.label for b in alice.screen.all_buttons()]
    assert await proposals_count(app, job_id) == 2  # declined ones still count


async def test_markup_in_a_proposal_shows_literally(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    tricky = "I <b>love</b> & <a href='x'>links</a> {braces} *stars* `code`"
    await reach_preview(bob, job_id, cover_letter=tricky)
    assert tricky in bob.screen.plain
    await bob.click("Send proposal")
    await alice.click("View proposal")
    assert tricky in alice.screen.plain


async def test_a_filled_job_takes_no_more_proposals_until_the_client_reopens_it(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    carol = alice.user("carol")
    await sign_up(carol, "freelancer", full_name="Carol Diaz", username="carol")
    job_id = await post_job(alice)
    proposal_id = await submit_proposal(bob, job_id)
    await alice.send(f"/offer {proposal_id}")
    await alice.click("Send the offer")
    contract_id = int(alice.screen.plain.split("Contract #", 1)[1].split(" ", 1)[0])
    await carol.send(f"/propose {job_id}")  # an offer alone does not fill the job
    assert "What hourly rate do you bid" in carol.screen.plain
    await carol.send("/cancel")

    await bob.send(f"/contract {contract_id} accept")
    await carol.send(f"/propose {job_id}")
    assert "This job has already been filled." in carol.screen.plain
    await bob.send(f"/contract {contract_id} end")
    await bob.click("The work is done")
    await carol.send(f"/propose {job_id}")
    assert "This job has already been filled." in carol.screen.plain  # an ended contract still filled it

    await alice.send(f"/my_job {job_id} reopen")
    assert "The job is open again." in alice.screen.plain
    await carol.send(f"/propose {job_id}")
    assert "What hourly rate do you bid" in carol.screen.plain
    await carol.send("/cancel")
    assert await submit_proposal(carol, job_id) > proposal_id


async def test_someone_elses_job_proposals_say_who_may_see_them(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    hidden_id = await post_job(alice, visibility="Invite only")
    await bob.send(f"/job_proposals {job_id}")
    assert "Only the client who posted this job can see its proposals." in bob.screen.plain
    for unseen in (hidden_id, 999):  # a job bob may not see is "not found", as one that does not exist
        await bob.send(f"/job_proposals {unseen}")
        assert f"Job #{unseen} was not found, or it is not visible to you." in bob.screen.plain
