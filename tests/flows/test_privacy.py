"""/export and /delete_account: everything out as JSON; erasure that keeps others' records consistent;
and signing up afresh afterwards."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.conversations.money_sweeps import MATURE_EARNINGS
from bot.core.clock import ManualClock
from bot.core.events import AttachmentIn
from bot.storage.orm import (
    AccountRow,
    FileRow,
    FreelancerProfileRow,
    IdentityRow,
    JobRow,
    PortfolioLinkRow,
    ProfileSkillRow,
    SavedJobRow,
)
from tests.delivery import swept
from tests.flows.money_fixtures import account, paid_and_ended, parties, services
from tests.flows.signup_steps import sign_up

PNG = AttachmentIn("me.png", "image/png", b"\x89PNG fake image bytes")


async def account_id(app: App, username: str) -> int:
    async with app.database.transaction() as session:
        return (await session.execute(select(AccountRow.id).where(AccountRow.username == username))).scalar_one()


async def add_job(app: App, client_id: int, now: datetime, status: str = "open", title: str = "Build a shop") -> int:
    """A job row as the job-posting flow leaves it (kept minimal: this file tests what deletion does to it)."""
    async with app.database.transaction() as session:
        job = JobRow(
            client_id=client_id,
            title=title,
            description="A small online shop.",
            category="dev",
            skills_text="Python",
            job_type="fixed",
            budget_minor=50_000,
            currency="USD",
            experience="entry",
            project_length="lt1",
            visibility="public",
            status=status,
            proposals_count=0,
            created_at=now,
            published_at=now,
            last_activity_at=now,
        )
        session.add(job)
        await session.flush()
        return job.id


async def count(app: App, table: type, *where: object) -> int:
    async with app.database.transaction() as session:
        return (await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def rich_freelancer(alice: Harness) -> None:
    await sign_up(alice, "Both")
    await alice.send("/edit_profile")
    await alice.click("Skills")
    await alice.send("Python, Django")
    await alice.click("Back")
    await alice.click("Portfolio")
    await alice.click("Add a link")
    await alice.submit({"title": "Shop", "url": "https://example.com/shop"})
    await alice.click("Back")
    await alice.click("Photo")
    await alice.deliver(PNG)


async def test_export_holds_all_my_data(app: App, alice: Harness, clock: ManualClock) -> None:
    await rich_freelancer(alice)
    alice_id = await account_id(app, "alice")
    job_id = await add_job(app, alice_id, clock.now())
    async with app.database.transaction() as session:
        session.add(SavedJobRow(account_id=alice_id, job_id=job_id, created_at=clock.now()))
    await alice.send("/export")
    screen = alice.screen
    assert "Here is everything gigbot keeps about you" in screen.plain
    (attachment,) = screen.attachments
    assert (attachment.filename, attachment.mime_type) == ("gigbot-export.json", "application/json")
    data = json.loads(attachment.content)
    assert data["account"]["username"] == "alice"
    assert data["account"]["full_name"] == "Alice Martin"
    assert data["linked_platforms"] == [
        {"platform": "test", "platform_user_id": "alice", "created_at": data["account"]["created_at"]}
    ]
    assert data["skills"] == ["Django", "Python"]
    assert data["portfolio"][0]["url"] == "https://example.com/shop"
    assert data["freelancer_profile"]["photo_file_id"] is not None
    assert data["jobs_posted"][0]["title"] == "Build a shop"
    assert data["saved_jobs"] == [{"job_id": job_id, "created_at": clock.now().isoformat()}]
    assert data["testimonials_received"] == []
    assert data["testimonials_given"] == []
    assert data["client_profile"] is None
    assert "content" not in json.dumps(data)  # file bytes are not dumped


async def test_delete_needs_a_confirmation_and_cancel_keeps_everything(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/delete_account")
    assert "Delete your account?" in alice.screen.plain
    assert "type your username, @alice" in alice.screen.plain
    await alice.send("bob")
    assert "That isn't your username, so nothing was deleted." in alice.screen.plain
    await alice.send("<b>")
    assert "That isn't your username" in alice.screen.plain
    await alice.click("Cancel")
    assert "Your account stays as it is." in alice.screen.plain
    await alice.send("/account")
    assert "Username: @alice" in alice.screen.plain


async def test_deleting_erases_personal_data_and_keeps_others_records(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    await rich_freelancer(alice)
    alice_id = await account_id(app, "alice")
    open_job = await add_job(app, alice_id, clock.now())
    closed_job = await add_job(app, alice_id, clock.now(), status="closed", title="Old job")
    telegram = alice.user("alice-tg", platform="telegram")
    await alice.send("/link")
    await telegram.send("/link " + alice.screen.plain.split("Your link code: ")[1].split()[0])
    await telegram.click("Yes, link it")
    await telegram.send("/edit_profile")  # a conversation left open on the other platform

    bob = alice.user("bob")
    await sign_up(bob, "client", username="bob", full_name="Bob Stone")
    clock.advance(hours=1)
    await alice.send("/delete_account")
    await alice.send("@Alice")
    assert "Your account and your personal data were deleted. Goodbye!" in alice.screen.plain
    assert "You don't have a gigbot account yet" in alice.screen.plain

    async with app.database.transaction() as session:
        row = await session.get(AccountRow, alice_id)
        assert (row.username, row.full_name) == (f"deleted_{alice_id}", "Deleted user")
        assert row.deleted_at == clock.now()
        jobs = {job.id: job.status for job in (await session.execute(select(JobRow))).scalars()}
    assert jobs == {open_job: "closed", closed_job: "closed"}
    for table in (IdentityRow, ProfileSkillRow, PortfolioLinkRow, FreelancerProfileRow):
        assert await count(app, table, table.account_id == alice_id) == 0
    assert await count(app, FileRow, FileRow.owner_id == alice_id) == 0

    await telegram.send("/menu")
    assert "Welcome to gigbot" in telegram.screen.plain  # a stranger now, and the old flow is gone
    await bob.send(f"/profile @deleted_{alice_id}")
    assert "Deleted user" in bob.screen.plain
    assert "Alice" not in bob.screen.plain
    await bob.send("/profile @alice")
    assert "There is nobody called @alice" in bob.screen.plain


async def test_after_deletion_the_same_person_can_sign_up_afresh(app: App, alice: Harness) -> None:
    await sign_up(alice)
    old_id = await account_id(app, "alice")
    await alice.send("/delete_account")
    await alice.click("Yes, delete my account")
    await alice.send("/account")
    assert "Welcome to gigbot" in alice.screen.plain
    await sign_up(alice, username="alice", full_name="Alice Martin")
    assert "Your account is ready, Alice Martin" in alice.screens[-2].plain
    assert "Username: @alice" in alice.screen.plain  # the /account asked for before signing up
    assert await account_id(app, "alice") != old_id
    await alice.send("/profile")
    assert "Profile completeness: 0%" in alice.screen.plain


async def test_a_deleted_username_cannot_be_chosen(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/delete_account")
    await alice.click("Yes, delete my account")
    bob = alice.user("bob")
    await bob.send("/start")
    await bob.click("English")
    await bob.click("client")
    await bob.send("Bob Stone")
    await bob.send("deleted_1")
    assert "@deleted_1 is reserved" in bob.screen.plain


async def test_a_testimonial_given_by_someone_who_left_stays(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/edit_profile")
    await alice.click("Testimonials")
    await alice.click("Ask a past client")
    await alice.submit({"client_name": "Carol", "project": "Shop"})
    token = alice.screen.plain.split("/testimonial ")[1].split()[0]
    carol = alice.user("carol")
    await sign_up(carol, "client", username="carol", full_name="Carol Jones")
    await carol.send(f"/testimonial {token}")
    await carol.send("Superb.")
    await carol.send("/delete_account")
    await carol.click("Yes, delete my account")
    await alice.send("/profile")
    assert "“Superb.” — Carol, Shop" in alice.screen.plain


async def test_export_holds_my_contracts_feedback_and_money(app: App, alice: Harness, clock: ManualClock) -> None:
    alice, bob = await parties(alice)
    contract_id = await paid_and_ended(app, alice, bob)
    async with services(app) as bound:
        await bound.feedback.leave(await account(app, bob), contract_id, 5, "Clear brief.", "Slow to answer.")
        await bound.feedback.leave(await account(app, alice), contract_id, 4, "Good logo.", "A day late.")
    clock.advance(days=5)
    await swept(app, MATURE_EARNINGS)
    await bob.send("/withdraw")
    await bob.click("Withdraw all $90")
    await bob.click("Confirm")

    await bob.send("/export")
    (attachment,) = bob.screen.attachments
    data = json.loads(attachment.content)
    (contract,) = data["contracts"]
    assert (contract["id"], contract["title"], contract["role"], contract["status"]) == (
        contract_id,
        "Logo design",
        "freelancer",
        "ended",
    )
    assert [(m["description"], m["amount_minor"], m["status"]) for m in contract["milestones"]] == [
        ("Part 1", 100_00, "released")
    ]
    assert [(e["contract_id"], e["amount_minor"], e["fee_minor"]) for e in data["earnings"]] == [
        (contract_id, 90_00, 10_00)
    ]
    assert [(p["amount_minor"], p["status"]) for p in data["payouts"]] == [(90_00, "sent")]
    assert [f["private_note"] for f in data["feedback_given"]] == ["Slow to answer."]
    assert [(f["stars"], f["public_comment"]) for f in data["feedback_received"]] == [(4, "Good logo.")]
    assert "A day late." not in attachment.content.decode()  # the client's private note is never shown
    assert data["disputes_opened"] == []

    await alice.send("/export")
    mine = json.loads(alice.screen.attachments[0].content)
    assert [(c["id"], c["role"]) for c in mine["contracts"]] == [(contract_id, "client")]
    assert mine["earnings"] == mine["payouts"] == []
    assert "Slow to answer." not in alice.screen.attachments[0].content.decode()


async def test_a_deleted_party_shows_as_deleted_user_on_the_contract(app: App, alice: Harness) -> None:
    alice, bob = await parties(alice)
    contract_id = await paid_and_ended(app, alice, bob)
    await bob.send("/delete_account")
    await bob.send("@bob")
    assert "Your account and your personal data were deleted." in bob.screen.plain
    await alice.send(f"/contract {contract_id}")
    assert "Fixed price · with Deleted user" in alice.screen.plain
    assert "Bob Stone" not in alice.screen.plain
    await alice.send("/contracts")
    assert "with Deleted user" in alice.screen.plain
