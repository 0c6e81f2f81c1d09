"""The sign-up as a user goes through it, for tests that need to get somewhere in it, or past it."""

from __future__ import annotations

from bot.conversations.harness import Harness


async def reach_details(user: Harness, role: str = "freelancer", *, language: str = "English") -> None:
    """/start, pick the language and the role: the name and username form is next."""
    await user.send("/start")
    await user.click(language)
    await user.click(role)


async def reach_confirm(
    user: Harness,
    role: str = "freelancer",
    *,
    language: str = "English",
    full_name: str = "Alice Martin",
    username: str = "alice",
    country: str = "France",
) -> None:
    """Everything up to the summary, whose button creates the account."""
    await reach_details(user, role, language=language)
    await user.submit({"full_name": full_name, "username": username})
    await user.send(country)


async def sign_up(user: Harness, role: str = "freelancer", **details: str) -> None:
    await reach_confirm(user, role, **details)
    await user.click("✅")
