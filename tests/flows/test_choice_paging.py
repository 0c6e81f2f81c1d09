"""A choice longer than a select menu is paged by the engine: 24 options and "More…", then "◀ Back", on flow
steps and on command screens alike, and every option stays reachable (nothing is cut at 25)."""

from __future__ import annotations

from bot.bootstrap import App
from bot.conversations.harness import Harness
from tests.flows.job_steps import reach_preview
from tests.flows.money_fixtures import account, contract, parties, services
from tests.flows.signup_steps import sign_up

CLOUDS = 30


async def client_with_clouds(app: App, alice: Harness) -> None:
    await sign_up(alice, "client")
    owner = await account(app, alice)
    async with services(app) as bound:
        for number in range(1, CLOUDS + 1):
            await bound.clouds.create(owner, f"Cloud {number:02}", is_admin=False)


def options(user: Harness) -> list[str]:
    assert user.screen.choice is not None
    return [option.label for option in user.screen.choice.options]


async def test_a_flow_step_with_30_clouds_pages_them_and_each_can_be_picked(app: App, alice: Harness) -> None:
    await client_with_clouds(app, alice)
    await reach_preview(alice)
    await alice.click("Edit")
    await alice.click("Who can see it")
    first = options(alice)
    assert len(first) == 25
    assert first[0] == "👥 Cloud 01"
    assert first[-1] == "More…"
    await alice.click("More…")
    assert alice.screen.edit
    second = options(alice)
    assert second == ["◀ Back", *(f"👥 Cloud {n:02}" for n in range(25, CLOUDS + 1))]
    assert "Who can see this job?" in alice.screen.plain
    await alice.click("Cloud 30")
    assert "Cloud 30" in alice.screen.plain


async def test_back_returns_to_the_first_page_and_an_old_page_button_is_stale(app: App, alice: Harness) -> None:
    await client_with_clouds(app, alice)
    await reach_preview(alice)
    await alice.click("Edit")
    await alice.click("Who can see it")
    first_page = alice.screen
    await alice.click("More…")
    await alice.click("◀ Back")
    assert options(alice)[:2] == ["👥 Cloud 01", "👥 Cloud 02"]
    await alice.click("More…", on=first_page)
    assert "This button has expired" in alice.screen.plain


async def test_a_command_screen_with_30_clouds_pages_too(app: App, alice: Harness) -> None:
    await client_with_clouds(app, alice)
    await alice.send("/clouds")
    assert len(options(alice)) == 25
    assert options(alice)[-1] == "More…"
    await alice.click("More…")
    assert options(alice)[0] == "◀ Back"
    assert options(alice)[-1] == "👥 Cloud 30"
    await alice.click("Cloud 30")
    assert "Cloud 30" in alice.screen.plain


async def test_contracts_past_a_page_are_reached_with_next_and_previous(app: App, alice: Harness) -> None:
    alice, bob = await parties(alice)
    for number in range(1, 28):
        await contract(app, alice, bob, title=f"Contract number {number:02}")
    await bob.send("/contracts")
    assert len(options(bob)) == 25
    assert "Contract number 03" in bob.screen.plain
    await bob.click("Next ▶")
    assert [label.split(" ", 2)[-1] for label in options(bob)] == ["Contract number 02", "Contract number 01"]
    assert "Contract number 03" not in bob.screen.plain
    await bob.click("◀ Previous")
    assert len(options(bob)) == 25
