"""Getting a client through /post_job, for tests that need a job post to exist."""

from __future__ import annotations

from bot.conversations.harness import Harness
from tests.flows.signup_steps import sign_up

DESCRIPTION = "We need a REST API for our booking app, with tests and docs."


async def reach_preview(
    client: Harness,
    *,
    title: str = "Build a Django REST API",
    description: str = DESCRIPTION,
    visibility: str = "Public",
    hourly: bool = True,
    hours: str = "Less than 30",
    skills: str = "python, django, PostgreSQL",
) -> None:
    """From /post_job to the preview with sensible answers (the client is signed up already)."""
    await client.send("/post_job")
    await client.send(title)
    await client.send(description)
    await client.click("Web, Mobile & Software Dev")
    await client.send(skills)
    await client.click("Done")
    if hourly:
        await client.click("By the hour")
        await client.send("25-40")
    else:
        await client.click("A fixed price")
        await client.send("$1,500")
    await client.click("Intermediate")
    await client.click("1 to 3 months")
    if hourly:
        await client.click(hours)
    await client.click("Skip")
    await client.click(visibility)
    await client.click("Skip")


async def post_job(client: Harness, **options: object) -> int:
    """Publish a job and return its id."""
    await reach_preview(client, **options)  # type: ignore[arg-type]
    await client.click("Publish")
    text = client.screen.plain
    assert "is live: job #" in text, text
    return int(text.split("job #", 1)[1].split(".", 1)[0])


async def client_and_freelancer(alice: Harness) -> Harness:
    """alice signs up as a client, bob as a freelancer; returns bob."""
    await sign_up(alice, "client", username="alice")
    bob = alice.user("bob")
    await sign_up(bob, "freelancer", full_name="Bob Stone", username="bob")
    return bob
