"""⭐ Best matches as a freelancer sees it: ranked by their skills, and taught by what they hide."""

from __future__ import annotations

from bot.conversations.harness import Harness
from tests.flows.job_steps import post_job
from tests.flows.signup_steps import sign_up


async def _titles(user: Harness) -> list[str]:
    await user.send("/feed")
    return [line.split(". ", 1)[1] for line in user.screen.plain.splitlines() if line[:2] in {"1.", "2.", "3.", "4."}]


async def test_the_feed_puts_my_skills_first_and_learns_from_not_interested(alice: Harness) -> None:
    await sign_up(alice, "client", username="alice")
    carol = alice.user("carol")
    await sign_up(carol, "client", username="carol", full_name="Carol King")
    bob = alice.user("bob")
    await sign_up(bob, "freelancer", username="bob", full_name="Bob Stone")
    await bob.send("/edit_profile")
    await bob.click("Skills")
    await bob.send("Logo Design, Adobe Illustrator")

    await post_job(alice, title="Design our new logo", hourly=False, skills="Logo Design, Adobe Illustrator")
    await post_job(carol, title="Brand identity and logo", hourly=False, skills="Logo Design, Brand Identity")
    await post_job(carol, title="Write our company blog", hourly=False, skills="Blog Writing")
    await post_job(alice, title="Build a Django REST API")
    assert await _titles(bob) == [
        "Design our new logo",  # both of bob's skills
        "Brand identity and logo",  # one of them
        "Build a Django REST API",  # none, but the newest
        "Write our company blog",
    ]

    await bob.click("1")
    await bob.click("Not interested")
    await bob.click("Client history")
    assert await _titles(bob) == [
        "Brand identity and logo",
        "Write our company blog",
        "Build a Django REST API",  # the same client as the job bob hid, so it sinks
    ]  # and the hidden job never comes back


async def test_an_empty_feed_says_what_to_do(alice: Harness) -> None:
    await sign_up(alice, "freelancer")
    await alice.send("/feed")
    assert "No open jobs for you right now" in alice.screen.plain
    assert [b.label for b in alice.screen.all_buttons()] == ["✏️ Edit profile", "🔎 Find work"]
