"""A client's posts: the list, closing and reopening, editing, inviting, expiry; and nobody else's posts."""

from __future__ import annotations

import pytest

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.conversations.my_jobs import EXPIRE_STALE_JOBS
from bot.core.clock import ManualClock
from tests.delivery import swept
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.signup_steps import sign_up

NOT_FOUND = "was not found, or it is not visible to you"


async def test_my_jobs_lists_posts_and_closes_and_reopens_one(alice: Harness, clock: ManualClock) -> None:
    await sign_up(alice, "client", username="alice")
    await alice.send("/my_jobs")
    assert "You haven't posted any jobs yet" in alice.screen.plain
    job_id = await post_job(alice)
    clock.advance(hours=3)
    await alice.send("/my_jobs")
    assert f"🟢 #{job_id} Build a Django REST API · Open · 0 proposals · posted 3 hours ago" in alice.screen.plain
    await alice.click("Build a Django REST API")
    assert "Status: Open" in alice.screen.plain
    await alice.click("Close")
    assert "Freelancers will no longer be able to send proposals" in alice.screen.plain
    await alice.click("Yes, close it")
    assert "The job is closed." in alice.screen.plain
    assert "Status: Closed" in alice.screen.plain
    await alice.click("Reopen")
    assert "The job is open again." in alice.screen.plain
    await alice.send(f"/my_job {job_id} reopen")
    assert "Only a closed or expired job can be reopened" in alice.screen.plain


async def test_editing_a_published_job_saves_changes(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    await alice.send(f"/my_job {job_id}")
    await alice.click("Edit")
    assert [b.label for b in alice.screen.all_buttons()] == ["✅ Save changes", "✏️ Edit a field", "🗑 Discard"]
    await alice.click("Edit a field")
    await alice.click("Title")
    await alice.send("Build a FastAPI REST API")
    assert "Build a FastAPI REST API" in alice.screen.plain
    await alice.click("Save changes")
    assert "Changes to “Build a FastAPI REST API” are saved" in alice.screen.plain
    await bob.send(f"/job {job_id}")
    assert "Build a FastAPI REST API" in bob.screen.plain


@pytest.mark.parametrize("action", ["", "edit", "copy", "close", "close_confirmed", "reopen", "invite"])
async def test_someone_elses_job_is_refused_in_every_action(alice: Harness, action: str) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    mallory = alice.user("mallory")
    await sign_up(mallory, "client", full_name="Mallory Kane", username="mallory")
    for someone in (bob, mallory):
        await someone.send(f"/my_job {job_id} {action}".strip())
        assert f"Job #{job_id} {NOT_FOUND}" in someone.screen.plain
    await alice.send(f"/job {job_id}")
    assert "Status:" not in alice.screen.plain  # still open, untouched


async def test_inviting_a_freelancer_notifies_them_and_refuses_the_wrong_people(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    carol = alice.user("carol")
    await sign_up(carol, "client", full_name="Carol Diaz", username="carol")
    job_id = await post_job(alice, visibility="Invite only")
    assert "It is invite only" in alice.screen.plain
    await bob.send(f"/job {job_id}")
    assert NOT_FOUND in bob.screen.plain

    await alice.click("Invite freelancers")
    await alice.send("@alice")
    assert "You can't invite yourself" in alice.screen.plain
    await alice.send("@carol")
    assert "@carol is not a freelancer" in alice.screen.plain
    await alice.send("@nobody_here")
    assert "There is no gigbot user @nobody_here" in alice.screen.plain
    await alice.send("@Bob")
    assert "Invited @bob" in alice.screen.plain
    assert "Alice Martin invited you to apply to their job “Build a Django REST API”" in bob.screen.plain
    await alice.send("bob")
    assert "You already invited @bob to this job" in alice.screen.plain
    await alice.click("Done")
    assert "Status: Open" in alice.screen.plain

    await bob.click("View job")
    assert "Build a Django REST API" in bob.screen.plain
    assert "Invite only" in bob.screen.plain
    await carol.send(f"/job {job_id}")
    assert NOT_FOUND in carol.screen.plain


async def test_a_closed_job_takes_no_invitations(alice: Harness) -> None:
    await client_and_freelancer(alice)
    job_id = await post_job(alice)
    await alice.send(f"/my_job {job_id} close_confirmed")
    await alice.send(f"/my_job {job_id} invite")
    assert "You can invite freelancers to an open job only" in alice.screen.plain


async def test_a_job_without_activity_expires_after_30_days(app: App, alice: Harness, clock: ManualClock) -> None:
    await sign_up(alice, "client", username="alice")
    job_id = await post_job(alice)
    clock.advance(days=20)
    await alice.send(f"/my_job {job_id} edit")
    await alice.click("Save changes")  # an edit is activity
    clock.advance(days=29)
    assert await swept(app, EXPIRE_STALE_JOBS) == []
    clock.advance(days=1, seconds=1)
    notices = await swept(app, EXPIRE_STALE_JOBS)
    assert [(n.chat.platform, n.chat.chat_id) for n in notices] == [("test", "alice")]
    assert "Your job “Build a Django REST API” expired after 30 days without activity" in notices[0].screen.plain
    assert await swept(app, EXPIRE_STALE_JOBS) == []  # once
    await alice.send("/my_jobs")
    assert "Expired" in alice.screen.plain

    clock.advance(days=89)
    await alice.send(f"/my_job {job_id} reopen")
    assert "The job is open again." in alice.screen.plain
    clock.advance(days=30, seconds=1)
    await swept(app, EXPIRE_STALE_JOBS)
    clock.advance(days=91)
    await alice.send(f"/my_job {job_id} reopen")
    assert "stopped taking proposals more than 90 days ago. Post a copy of it instead." in alice.screen.plain
    await alice.click("Post a copy")
    await alice.click("Publish")
    assert f"job #{job_id + 1}" in alice.screen.plain
