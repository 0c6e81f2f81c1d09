"""The sign-up as a user goes through it, reused by tests that need a signed-up user."""

from __future__ import annotations

from bot.conversations.harness import Harness


async def sign_up(
    user: Harness,
    *,
    language: str = "English",
    role: str = "freelancer",
    full_name: str = "Alice Martin",
    username: str = "alice",
    country: str = "France",
) -> None:
    await user.send("/start")
    await user.click(language)
    await user.click(role)
    await user.submit({"full_name": full_name, "username": username})
    await user.send(country)
    await user.click("✅")
