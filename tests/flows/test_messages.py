"""Messaging as both parties see it: relayed messages with Reply, the inbox with unread counts, threads with
older pages and files, the platform the recipient last used, and nobody else reading or writing a thread."""

from __future__ import annotations

from bot.conversations.harness import Harness
from bot.core.events import AttachmentIn
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.proposal_steps import submit_proposal
from tests.flows.signup_steps import sign_up
from tests.flows.test_link import code_on

PDF = AttachmentIn("spec.pdf", "application/pdf", b"%PDF-1.4 the spec")


async def proposal_thread(alice: Harness) -> tuple[Harness, int]:
    """bob sent a proposal to alice's job; returns bob and the proposal id."""
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    return bob, await submit_proposal(bob, job_id)


async def test_messages_are_relayed_with_a_reply_button(alice: Harness) -> None:
    bob, proposal_id = await proposal_thread(alice)
    await alice.send(f"/proposal {proposal_id}")
    await alice.click("Message")
    assert "Write to Bob Stone · “Build a Django REST API”" in alice.screen.plain
    await alice.send("Hello <b>Bob</b> & {team}, can you start Monday?")
    assert "Sent to Bob Stone." in alice.screen.plain
    assert "Hello <b>Bob</b> & {team}, can you start Monday?" in alice.screen.plain

    notice = bob.screen
    assert notice.plain == (
        "💬 Alice Martin about “Build a Django REST API”:\nHello <b>Bob</b> & {team}, can you start Monday?"
    )
    assert "Alice" not in notice.plain.replace("Alice Martin", "")  # her name on gigbot, not a platform handle
    await bob.click("Reply")
    await bob.send("Yes, Monday works.")
    assert "💬 Bob Stone about “Build a Django REST API”:\nYes, Monday works." in alice.screen.plain

    await bob.send(f"/proposal {proposal_id} edit")  # the client's message answered the proposal
    assert "The client has already answered this proposal" in bob.screen.plain


async def test_the_inbox_counts_unread_and_a_thread_pages_older_messages(alice: Harness) -> None:
    bob, proposal_id = await proposal_thread(alice)
    await bob.send(f"/proposal {proposal_id} message")
    await bob.send("Message 1")
    for number in range(2, 13):
        await bob.send("/reply 1")
        await bob.send(f"Message {number}")
    await alice.send("/messages")
    assert "Messages · 12 unread" in alice.screen.plain
    assert "1. Bob Stone · “Build a Django REST API” 🔵 12 · just now\n   Message 12" in alice.screen.plain
    await bob.send("/messages")
    assert "Messages · 0 unread" in bob.screen.plain

    assert [option.label for option in alice.screen.choice.options] == ["1. Bob Stone · Build a Django REST API"]
    await alice.click("1. Bob Stone")
    thread = alice.screen.plain
    assert "Page 1 of 2 (1 is the latest)" in thread
    assert "Message 3" in thread
    assert "Message 12" in thread
    assert "Message 2\n" not in thread
    assert thread.index("Message 3") < thread.index("Message 12")
    await alice.click("Older")
    assert "Message 1" in alice.screen.plain
    assert "Message 2" in alice.screen.plain
    await alice.send("/messages")
    assert "Messages · 0 unread" in alice.screen.plain


async def test_files_go_both_ways_once_to_the_platform_last_used(alice: Harness) -> None:
    bob, proposal_id = await proposal_thread(alice)
    await bob.send("/link")
    bob_telegram = bob.user("bob-tg", platform="telegram")
    await bob_telegram.send(f"/link {code_on(bob.screen.plain)}")
    await bob_telegram.click("Yes, link it")
    on_test = len(bob.screens)

    await alice.send(f"/proposal {proposal_id} message")
    await alice.deliver(PDF)
    screen = bob_telegram.screen  # bob last wrote from Telegram: the message goes there, and only there
    assert "💬 Alice Martin about “Build a Django REST API”:\n📎 spec.pdf" in screen.plain
    assert [file.filename for file in screen.attachments] == ["spec.pdf"]
    assert len(bob.screens) == on_test
    await bob_telegram.click("Open the conversation")
    assert "📎 spec.pdf" in bob_telegram.screen.plain
    await bob_telegram.click("Get the files")
    assert [(f.filename, f.content) for f in bob_telegram.screen.attachments] == [("spec.pdf", PDF.content)]


async def test_only_the_parties_and_only_after_applying_or_an_invitation(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    await bob.send(f"/contact {job_id}")
    assert "You can message this client once you have sent a proposal to their job or been invited to it." in (
        bob.screen.plain
    )

    await alice.send(f"/my_job {job_id} invite")
    await alice.send("@bob")
    await bob.click("Message the client")
    await bob.send("Thanks for the invitation!")
    assert "💬 Bob Stone about “Build a Django REST API”:\nThanks for the invitation!" in alice.screen.plain
    thread_id = alice.find_action("Reply").args[1]

    mallory = alice.user("mallory")
    await sign_up(mallory, "freelancer", full_name="Mallory Kane", username="mallory")
    for command in (f"/thread {thread_id}", f"/reply {thread_id}", f"/thread_files {thread_id}", "/thread 99"):
        await mallory.send(command)
        assert "was not found." in mallory.screen.plain
        assert "Thanks for the invitation" not in mallory.screen.plain
    await mallory.send(f"/contact {job_id}")
    assert "You can message this client once" in mallory.screen.plain
    await mallory.send("/messages")
    assert "No conversations yet." in mallory.screen.plain


async def test_an_empty_or_too_long_message_is_refused(alice: Harness) -> None:
    bob, proposal_id = await proposal_thread(alice)
    await bob.send(f"/proposal {proposal_id} message")
    await bob.send("x" * 4_001)
    assert "A message can be at most 4,000 characters, and yours has 4,001." in bob.screen.plain
    assert "Write to Alice Martin" in bob.screen.plain
    await bob.send("   ")
    assert "Please type a message or send a file." in bob.screen.plain
