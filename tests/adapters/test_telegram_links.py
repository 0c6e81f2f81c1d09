"""Deep links, the share button and inline mode on Telegram, through PTB's real HTTP stack against the fake Bot API:
what Telegram sends when a t.me link is opened, and what "@gigbot_test_bot python django" lists in any chat."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.bootstrap import App
from bot.conversations import inline
from bot.conversations.harness import Harness
from tests.adapters.fake_bot_api import FakeBotApi, eventually
from tests.adapters.test_telegram import ALICE, BOB, StartBot
from tests.flows.job_steps import post_job
from tests.flows.signup_steps import sign_up
from tests.flows.test_link import code_on

CAROL = 103


async def jobs_of_alice(app: App) -> dict[str, int]:
    """Alice (client) and Bob (freelancer) on Telegram; Alice's posts by name: public ones, one invite-only and one
    closed, all but "logo" about Python and Django. Set up through the engine before the bot starts."""
    alice = Harness(app.engine, str(ALICE), platform="telegram")
    await sign_up(alice, "client", username="alice")
    await sign_up(alice.user(str(BOB)), "freelancer", full_name="Bob Stone", username="bob")
    jobs = {
        "api": await post_job(alice),
        "shop": await post_job(alice, title="Django shop with Stripe", skills="python, django, stripe"),
        "logo": await post_job(alice, title="Logo for a bakery", skills="logo design", hourly=False),
        "secret": await post_job(alice, title="Secret Django rewrite", visibility="Invite only"),
        "closed": await post_job(alice, title="Old Django migration"),
    }
    await alice.send(f"/my_job {jobs['closed']} close_confirmed")
    return jobs


async def test_a_job_card_shares_the_bots_deep_link(app: App, bot_api: FakeBotApi, start_bot: StartBot) -> None:
    jobs = await jobs_of_alice(app)
    await start_bot()
    bob = bot_api.user(BOB, "Bob")
    bob.send(f"/job {jobs['api']}")
    card = await bob.wait_for_text("About the client")
    share = card.button("📤 Share")
    assert "callback_data" not in share
    url = urlsplit(share["url"])
    assert (url.netloc, url.path) == ("t.me", "/share/url")
    assert parse_qs(url.query)["url"] == [f"https://t.me/gigbot_test_bot?start=job_{jobs['api']}"]

    bob.send(f"/job {jobs['secret']}")
    await bob.wait_for_text("not visible to you")


async def test_a_new_person_opening_a_job_link_sees_it_and_signs_up_to_apply(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    jobs = await jobs_of_alice(app)
    await start_bot()
    carol = bot_api.user(CAROL, "Carol", language_code="en")
    carol.send(f"/start job_{jobs['api']}")  # what Telegram sends when t.me/gigbot_test_bot?start=job_1 is opened
    card = await carol.wait_for_text("Build a Django REST API")
    assert "About the client" in card.text
    assert "📤 Share" in card.labels
    carol.press(card, "Sign up to apply")
    welcome = await carol.wait_for_text("Welcome to gigbot")
    assert welcome.message_id == card.message_id


async def test_private_and_closed_posts_do_not_open_by_link(app: App, bot_api: FakeBotApi, start_bot: StartBot) -> None:
    jobs = await jobs_of_alice(app)
    await start_bot()
    carol = bot_api.user(CAROL, "Carol")
    carol.send(f"/start job_{jobs['secret']}")
    refused = await carol.wait_for_text(f"Job #{jobs['secret']} was not found, or it is not visible to you.")
    assert "Secret" not in refused.text
    carol.send(f"/start job_{jobs['closed']}")
    closed = await carol.wait_for_text("Status: Closed")
    assert "📤 Share" not in closed.labels


async def test_a_link_code_from_the_console_links_by_deep_link(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    console = Harness(app.engine, "dana", platform="console")
    await sign_up(console, "freelancer", full_name="Dana Wu", username="dana")
    await console.send("/link")
    await start_bot()
    dana = bot_api.user(CAROL, "Dana")
    dana.send(f"/start link_{code_on(console.screen.plain)}")
    confirm = await dana.wait_for_text("Link this Telegram account to the gigbot account of Dana Wu (@dana)?")
    dana.press(confirm, "Yes, link it")
    await dana.wait_for_text("✅ Linked! This is your gigbot account on Telegram too.")
    dana.send("/account")
    await dana.wait_for_text("Username: @dana")


async def test_inline_mode_lists_matching_public_jobs_to_share(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    jobs = await jobs_of_alice(app)
    await start_bot()
    carol = bot_api.user(CAROL, "Carol", language_code="fr")  # no account: her Telegram language
    query_id = carol.inline("python django")
    await eventually(lambda: query_id in bot_api.inline_answers)
    answer = bot_api.inline_answers[query_id]
    assert answer["cache_time"] == 30
    assert answer["is_personal"] is False
    assert answer.get("next_offset", "") == ""
    results = {result["id"]: result for result in answer["results"]}
    assert set(results) == {f"job-{jobs['api']}", f"job-{jobs['shop']}"}  # not the invite-only, closed or logo
    shop = results[f"job-{jobs['shop']}"]
    assert shop["type"] == "article"
    assert shop["title"] == "Django shop with Stripe"
    assert shop["description"] == "À l’heure\u00a0: 25\u00a0$US–40\u00a0$US/h · Django, Python"  # plain
    message = shop["input_message_content"]
    assert message["parse_mode"] == "HTML"
    assert "<b>Django shop with Stripe</b>" in message["message_text"]
    assert "Propositions" in message["message_text"]  # in French
    (button,) = [button for row in shop["reply_markup"]["inline_keyboard"] for button in row]
    assert button["text"] == "🔎 Ouvrir dans gigbot"
    assert button["url"] == f"https://t.me/gigbot_test_bot?start=job_{jobs['shop']}"
    getting = [params for method, params in bot_api.calls if method == "getUpdates"]
    assert "inline_query" in getting[0]["allowed_updates"]


async def test_inline_results_come_in_pages_newest_first_without_words(
    app: App, bot_api: FakeBotApi, start_bot: StartBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inline, "PAGE_SIZE", 2)
    jobs = await jobs_of_alice(app)
    await start_bot()
    bob = bot_api.user(BOB, "Bob")
    pages, offset = [], ""
    for _ in range(3):
        query_id = bob.inline("", offset)
        await eventually(lambda: query_id in bot_api.inline_answers)  # noqa: B023
        answer = bot_api.inline_answers[query_id]
        pages.append([result["id"] for result in answer["results"]])
        offset = answer.get("next_offset", "")
        if not offset:
            break
    newest = [f"job-{jobs[name]}" for name in ("logo", "shop", "api")]
    assert pages == [newest[:2], newest[2:]]
