"""The whole two-person cycle by two Telegram users, through the fake Bot API server with the real PTB stack and
the runtime: Alice (client) and Bob (freelancer) sign up, Alice posts a job, Bob finds it and proposes, Alice is
told, they talk (Alice answers with Telegram's reply), Alice hires and funds, Bob submits a PDF, Alice gets the
document (by Telegram's file_id: nothing downloaded) and approves by button, and Bob is told he is paid."""

from __future__ import annotations

from tests.adapters.fake_bot_api import FakeBotApi, User
from tests.adapters.test_telegram import ALICE, BOB, StartBot

PDF = b"%PDF-1.4 the booking API: code, tests and OpenAPI docs " * 40
COVER_LETTER = "I have built five booking APIs in Django REST framework, with tests and OpenAPI docs."


async def signs_up(user: User, role: str, full_name: str, username: str) -> None:
    user.send("/start")
    await user.converse(
        ("Welcome to gigbot", "English"),
        ("How will you use gigbot?", role),
        ("Your full name", full_name),
        ("Choose a username", username),
        ("Which country", "France"),
        ("Please check your details", "Create my account"),
    )
    await user.wait_for_text(f"Your account is ready, {full_name}")


async def posts_a_job(alice: User) -> int:
    alice.send("/post_job")
    await alice.converse(
        ("What is the title of your job?", "Build a Django REST API"),
        ("Describe the job", "We need a REST API for our booking app, with tests and docs."),
        ("Which category fits the job best?", "Web, Mobile & Software Dev"),
        ("Which skills does the job need?", "python, django"),
        ("Chosen (2/15)", "Done"),
        ("How do you want to pay?", "A fixed price"),
        ("What is your budget for the whole project", "1200"),
        ("What level of experience", "Intermediate"),
        ("How long will the project take?", "1 to 3 months"),
        ("Screening questions", "Skip"),
        ("Who can see this job?", "Public"),
        ("Files (optional)", "Skip"),
        ("Preview: this is your job", "Publish"),
    )
    live = await alice.wait_for_text("is live: job #")
    return int(live.text.split("job #", 1)[1].split(".", 1)[0])


async def finds_and_proposes(bob: User) -> None:
    bob.send("/search django")
    found = await bob.wait_for_text("Jobs matching “django”")
    bob.press(found, "Build a Django REST API")
    await bob.converse(
        ("About the client", "Submit a proposal"),
        ("What do you bid for the whole project", "1200"),
        ("Here is what your bid means for you", "Continue"),
        ("Write your cover letter", COVER_LETTER),
        ("Files (optional)", "Skip"),
        ("How long will the work take?", "1 to 3 months"),
        ("Preview of your proposal", "Send proposal"),
    )
    await bob.wait_for_text("The client has been told.")


async def test_the_two_person_cycle_on_telegram(bot_api: FakeBotApi, start_bot: StartBot) -> None:
    await start_bot()
    alice, bob = bot_api.user(ALICE, "Alice"), bot_api.user(BOB, "Bob")
    await signs_up(alice, "Client", "Alice Martin", "alice")
    await signs_up(bob, "Freelance", "Bob Stone", "bob")
    job_id = await posts_a_job(alice)

    await finds_and_proposes(bob)
    proposal = await alice.wait_for_text("📨 New proposal from Bob Stone for “Build a Django REST API”")

    bob.send(f"/contact {job_id}")
    await bob.wait_for_text("Write to Alice Martin")
    bob.send("Can we talk about the schedule?")
    await bob.wait_for_text("Sent to Alice Martin.")
    relayed = await alice.wait_for_text(
        "💬 Bob Stone about “Build a Django REST API”:\nCan we talk about the schedule?"
    )
    alice.reply(relayed, "Sure, Monday works.")
    await alice.wait_for_text("Sent to Bob Stone.")
    answer = await bob.wait_for_text("💬 Alice Martin about “Build a Django REST API”:\nSure, Monday works.")
    assert "↩️ Reply" in answer.labels  # in the thread, answerable in turn

    alice.press(proposal, "View proposal")
    await alice.converse(
        ("Proposal #", "Hire"),
        ("Your offer to Bob Stone", "Send the offer"),
    )
    await alice.wait_for_text("Offer sent to Bob Stone.")
    offer = await bob.wait_for_text("Alice Martin sent you an offer")
    assert "You receive $1,080 in all after the $120 service fee." in offer.text
    bob.press(offer, "Accept")
    await bob.wait_for_text("the contract has started")

    started = await alice.wait_for_text("Bob Stone accepted your offer")
    alice.press(started, "Open the contract")
    await alice.wait_for(lambda user: any("Fund" in label for label in user.last.labels))
    alice.press(alice.last, "Fund")
    await alice.converse(("$1,200 + $60 marketplace fee = $1,260", "Confirm"))
    await alice.wait_for_text("Funded: $1,200 is in escrow.")

    funded = await bob.wait_for_text("The client funded")
    bob.press(funded, "Submit work")
    await bob.wait_for_text("Submit work for “Build a Django REST API”")
    sent = bob.send_document("contract.pdf", PDF, "application/pdf", caption="The final version")
    await bob.wait_for_text("📎 Added contract.pdf.")
    bob.send("Here is the API, with tests.")
    await bob.wait_for_text("Submitted: the client has been told.")

    submitted = await alice.wait_for_text("Bob Stone submitted work for “Build a Django REST API” ($1,200)")
    await alice.wait_for(lambda user: any(message.document for message in user.messages))
    document = next(message for message in alice.messages if message.document)
    assert (document.document, document.file_id, document.text) == ("contract.pdf", sent.file_id, "The final version")
    assert bot_api.downloads == 0  # sent on by Telegram's file_id, never fetched

    alice.press(submitted, "Approve & pay")
    confirm = await alice.wait_for_text("Pay “Build a Django REST API” to Bob Stone?")
    assert "$1,200 leaves escrow for Bob Stone: $120 service fee, Bob Stone receives $1,080." in confirm.text
    alice.press(confirm, "Confirm")
    await alice.wait_for_text("Released $1,200 to Bob Stone: $120 service fee, Bob Stone receives $1,080.")
    await bob.wait_for_text(
        "The client approved “Build a Django REST API” and released $1,200: $120 service fee, you receive $1,080."
    )
