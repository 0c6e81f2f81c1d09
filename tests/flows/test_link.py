"""Linking platforms to one account with one-time codes, and unlinking them, with every refusal."""

from __future__ import annotations

from bot.conversations.harness import Harness
from bot.core.clock import ManualClock
from tests.flows.signup_steps import sign_up


def code_on(screen_text: str) -> str:
    return screen_text.split("Your link code: ")[1].split()[0]


async def link_telegram(alice: Harness) -> Harness:
    """Alice, signed up here, links her Telegram account."""
    await alice.send("/link")
    telegram = alice.user("alice-tg", platform="telegram")
    await telegram.send(f"/link {code_on(alice.screen.plain)}")
    await telegram.click("Yes, link it")
    return telegram


async def test_a_code_links_another_platform_after_confirming(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/link")
    text = alice.screen.plain
    code = code_on(text)
    assert len(code) == 8
    assert not set(code) & set("01OIL")
    assert f"send /link {code} to the gigbot bot. The code works once, for 10 minutes." in text

    telegram = alice.user("alice-tg", platform="telegram")
    await telegram.send(f"/link {code[:4].lower()}-{code[4:].lower()}")  # case and a dash don't matter
    assert "Link this Telegram account to the gigbot account of Alice Martin (@alice)?" in telegram.screen.plain
    await telegram.click("Yes, link it")
    assert "✅ Linked! This is your gigbot account on Telegram too." in telegram.screen.plain
    assert "Hi Alice Martin!" in telegram.screen.plain
    await telegram.send("/account")
    assert "Username: @alice" in telegram.screen.plain


async def test_linking_ends_a_sign_up_begun_on_the_new_platform(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/link")
    code = code_on(alice.screen.plain)
    discord = alice.user("alice-dc", platform="discord")
    await discord.send("/start")
    await discord.click("English")
    await discord.send(f"/link {code}")
    await discord.click("Yes, link it")
    await discord.send("hello")
    assert "Here is what you can do" in discord.screen.plain  # no sign-up question any more


async def test_cancel_links_nothing(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/link")
    code = code_on(alice.screen.plain)
    telegram = alice.user("alice-tg", platform="telegram")
    await telegram.send(f"/link {code}")
    await telegram.click("Cancel")
    assert "Nothing was linked." in telegram.screen.plain
    assert "You don't have a gigbot account yet" in telegram.screen.plain


async def test_expired_used_unknown_and_replaced_codes_are_refused(alice: Harness, clock: ManualClock) -> None:
    await sign_up(alice)
    telegram = alice.user("alice-tg", platform="telegram")
    await telegram.send("/link HHHHHHHH")
    assert "That link code doesn't exist." in telegram.screen.plain

    await alice.send("/link")
    code = code_on(alice.screen.plain)
    clock.advance(minutes=10, seconds=1)
    await telegram.send(f"/link {code}")
    assert "That link code has expired." in telegram.screen.plain

    await alice.send("/link")
    first = code_on(alice.screen.plain)
    await alice.send("/link")
    second = code_on(alice.screen.plain)
    await telegram.send(f"/link {first}")
    assert "That link code doesn't exist." in telegram.screen.plain  # a new code replaces the old one
    clock.advance(minutes=9)
    await telegram.send(f"/link {second}")
    await telegram.click("Yes, link it")
    discord = alice.user("alice-dc", platform="discord")
    await discord.send(f"/link {second}")
    assert "That link code was already used." in discord.screen.plain


async def test_a_code_confirmed_after_it_expired_is_refused(alice: Harness, clock: ManualClock) -> None:
    await sign_up(alice)
    await alice.send("/link")
    telegram = alice.user("alice-tg", platform="telegram")
    await telegram.send(f"/link {code_on(alice.screen.plain)}")
    clock.advance(minutes=11)
    await telegram.click("Yes, link it")
    assert "That link code has expired." in telegram.screen.plain
    assert "You don't have a gigbot account yet" in telegram.screen.plain
    await telegram.send("/account")
    assert "Welcome to gigbot" in telegram.screen.plain


async def test_an_identity_with_its_own_account_cannot_be_linked(alice: Harness) -> None:
    await sign_up(alice)
    bob_tg = alice.user("bob-tg", platform="telegram")
    await sign_up(bob_tg, "client", username="bob", full_name="Bob Stone")
    await alice.send("/link")
    await bob_tg.send(f"/link {code_on(alice.screen.plain)}")
    assert "already belongs to another gigbot account (@bob)" in bob_tg.screen.plain
    await alice.send("/link")
    code = code_on(alice.screen.plain)
    await alice.send(f"/link {code}")
    assert "This Test account is already linked to your gigbot account." in alice.screen.plain


async def test_one_identity_per_platform(alice: Harness) -> None:
    await sign_up(alice)
    await link_telegram(alice)
    await alice.send("/link")
    other_tg = alice.user("someone-tg", platform="telegram")
    await other_tg.send(f"/link {code_on(alice.screen.plain)}")
    assert "already has a Telegram account linked" in other_tg.screen.plain


async def test_link_without_an_account_explains_itself(alice: Harness) -> None:
    await alice.send("/link")
    assert "send /link where you are signed in" in alice.screen.plain


async def test_unlink_refuses_the_current_and_the_last_platform(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/unlink")
    assert "This is your only platform." in alice.screen.plain
    await alice.send("/unlink test")
    assert "Test is the only platform linked" in alice.screen.plain
    telegram = await link_telegram(alice)
    await alice.send("/unlink test")
    assert "You are using Test right now" in alice.screen.plain
    await alice.send("/unlink discord")
    assert "No Discord account is linked to yours." in alice.screen.plain

    await telegram.send("/unlink")
    text = telegram.screen.plain
    assert "• Test, since Jan 5, 2026" in text
    assert "• Telegram, since Jan 5, 2026 (you are here)" in text
    assert [b.label for b in telegram.screen.all_buttons()] == ["✂️ Unlink Test", "⬅️ Main menu"]
    await telegram.click("Unlink Test")
    assert "Test is unlinked" in telegram.screen.plain

    await alice.send("/menu")
    assert "Welcome to gigbot" in alice.screen.plain  # a stranger again: sign-up starts
    await sign_up(alice, username="alice_again", full_name="Alice Again")
    assert "Your account is ready, Alice Again" in alice.screen.plain


async def test_unlinking_drops_that_platforms_conversation(alice: Harness) -> None:
    await sign_up(alice)
    telegram = await link_telegram(alice)
    await alice.send("/edit_profile")
    await telegram.send("/unlink test")
    await alice.send("some text")
    assert "Welcome to gigbot" in alice.screen.plain
