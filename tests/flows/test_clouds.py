"""Talent clouds: creating, inviting (only the invitee answers), members, leaving, and cloud-only jobs."""

from __future__ import annotations

import pytest

from bot.conversations.harness import Harness
from tests.conftest import AppFactory
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.signup_steps import sign_up

NOT_FOUND = "was not found, or it is not visible to you"


async def create_cloud(alice: Harness, name: str = "Trusted devs") -> None:
    await alice.send("/clouds")
    await alice.click("New talent cloud")
    await alice.send(name)
    assert f"Talent cloud “{name}” created" in alice.screen.plain


async def test_invite_join_list_and_cloud_only_jobs(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    carol = alice.user("carol")
    await sign_up(carol, "freelancer", full_name="Carol Diaz", username="carol")
    dave = alice.user("dave")
    await sign_up(dave, "freelancer", full_name="Dave Li", username="dave")
    await create_cloud(alice)
    await alice.click("Invite a freelancer")
    await alice.send("@bob")
    assert "Invited @bob" in alice.screen.plain
    await alice.send("@bob")
    assert "@bob is already invited to “Trusted devs”" in alice.screen.plain
    await alice.send("dave")
    await alice.click("Done")
    assert "⏳ Bob Stone (@bob)" in alice.screen.plain

    assert "Alice Martin invited you to their talent cloud “Trusted devs”" in bob.screen.plain
    invitation = bob.screen
    await carol.send("/cloud 1 join")  # only the invitee can answer
    assert f"Talent cloud #1 {NOT_FOUND}" in carol.screen.plain
    await bob.click("Join", on=invitation)
    assert "Welcome to “Trusted devs”!" in bob.screen.plain
    assert "@bob joined “Trusted devs”" in alice.screen.plain
    await bob.click("Join", on=invitation)
    assert "You are already a member" in bob.screen.plain

    job_id = await post_job(alice, visibility="Trusted devs")
    await bob.send(f"/job {job_id}")
    assert "Only for the talent cloud “Trusted devs”" in bob.screen.plain
    for outsider in (carol, dave):  # dave is invited but has not joined
        await outsider.send(f"/job {job_id}")
        assert f"Job #{job_id} {NOT_FOUND}" in outsider.screen.plain

    await bob.send("/clouds")
    assert "Trusted devs · member" in bob.screen.plain
    await bob.click("Trusted devs")
    await bob.click("Leave")
    await bob.click("Yes, leave")
    assert "You left “Trusted devs”" in bob.screen.plain
    assert "@bob left “Trusted devs”" in alice.screen.plain
    await bob.send(f"/job {job_id}")
    assert NOT_FOUND in bob.screen.plain


async def test_decline_and_remove(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    carol = alice.user("carol")
    await sign_up(carol, "freelancer", full_name="Carol Diaz", username="carol")
    await create_cloud(alice)
    await alice.send("/cloud 1 invite")
    await alice.send("bob")
    await alice.send("carol")
    await carol.click("Decline")
    assert "You declined to join “Trusted devs”" in carol.screen.plain
    assert "@carol declined to join" in alice.screen.plain
    await bob.click("Join")
    await alice.send("/cloud 1")
    assert "1 member" in alice.screen.plain
    await alice.click("Remove someone")
    await alice.click("Bob Stone")
    assert "Removed @bob" in alice.screen.plain
    assert "You are no longer in the talent cloud “Trusted devs”" in bob.screen.plain
    await bob.send("/cloud 1")
    assert NOT_FOUND in bob.screen.plain


async def test_only_the_owner_manages_a_cloud(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    await create_cloud(alice)
    await alice.send("/cloud 1 invite")
    await alice.send("bob")
    await bob.click("Join")
    for action in ("invite", "remove", "remove 2"):
        await bob.send(f"/cloud 1 {action}")
        assert "Only the owner of “Trusted devs” can do that" in bob.screen.plain
    await alice.send("/cloud 1 leave_confirmed")
    assert "You own “Trusted devs”, so you can't leave it" in alice.screen.plain


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("ab", "needs at least 3 characters"),
        ("x" * 61, "at most 60 characters, and you sent 61"),
        ("trusted   DEVS", "There is already a talent cloud named “trusted DEVS”"),
    ],
)
async def test_bad_cloud_names_are_refused(alice: Harness, name: str, complaint: str) -> None:
    await sign_up(alice, "client", username="alice")
    await create_cloud(alice)
    await alice.send("/clouds new")
    await alice.send(name)
    assert complaint in alice.screen.plain
    assert "What is the new talent cloud called?" in alice.screen.plain


async def test_a_freelancer_cannot_create_a_cloud_but_an_admin_can(make_app: AppFactory) -> None:
    app = await make_app(admins=["root_admin"])
    bob = Harness(app.engine, "bob")
    await sign_up(bob, "freelancer", full_name="Bob Stone", username="bob")
    await bob.send("/clouds")
    assert "New talent cloud" not in [b.label for b in bob.screen.all_buttons()]
    admin = bob.user("ada")
    await sign_up(admin, "freelancer", full_name="Ada Admin", username="root_admin")
    await create_cloud(admin, "Vetted experts")
    await admin.click("Invite a freelancer")
    await admin.send("bob")
    assert "Invited @bob" in admin.screen.plain


async def test_a_client_can_post_only_to_clouds_they_belong_to(alice: Harness) -> None:
    await sign_up(alice, "client", username="alice")
    await create_cloud(alice)
    mallory = alice.user("mallory")
    await sign_up(mallory, "client", full_name="Mallory Kane", username="mallory")
    await mallory.send("/post_job")
    for answer in ("A job for the cloud", "Some description of it."):
        await mallory.send(answer)
    await mallory.click("Writing")
    await mallory.send("Copywriting")
    await mallory.click("Done")
    await mallory.click("A fixed price")
    await mallory.send("100")
    await mallory.click("Entry level")
    await mallory.click("Less than 1 month")
    await mallory.click("Skip")
    assert mallory.screen.choice is None  # no clouds of hers to offer
    assert "Trusted devs" not in mallory.screen.plain


async def test_cloud_jobs_reach_members_in_search_and_feed_and_filter_by_cloud(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    carol = alice.user("carol")
    await sign_up(carol, "freelancer", full_name="Carol Diaz", username="carol")
    await create_cloud(alice)
    await alice.click("Invite a freelancer")
    await alice.send("@bob")
    await bob.click("Join")
    await post_job(alice, title="Cloud-only Django work", visibility="Trusted devs")
    await post_job(alice, title="Public Django work")
    await post_job(alice, title="Invite-only Django work", visibility="Invite only")

    for outsider_view in ("/search django", "/feed"):
        await carol.send(outsider_view)
        assert "Public Django work" in carol.screen.plain
        assert "Cloud-only" not in carol.screen.plain
        assert "Invite-only" not in carol.screen.plain
    await bob.send("/feed")
    assert "Cloud-only Django work" in bob.screen.plain
    assert "Invite-only" not in bob.screen.plain

    await bob.send("/search django")
    assert "2 jobs" in bob.screen.plain
    await bob.click("Filters")
    await bob.click("Talent cloud")
    await bob.click("Trusted devs")
    assert "1 job matches" in bob.screen.plain
    await bob.click("Done")
    await bob.click("Show results")
    assert "Cloud-only Django work" in bob.screen.plain
    assert "Public Django work" not in bob.screen.plain
    await carol.send("/search django")
    await carol.click("Filters")
    assert "Talent cloud" not in [option.label for option in carol.screen.choice.options]
