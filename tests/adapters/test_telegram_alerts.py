"""Job alerts on Telegram: a freelancer presses 🔔 Alert me on a search, a client posts a matching job, and the
alert arrives in the freelancer's chat within seconds, with its buttons, through the running bot."""

from __future__ import annotations

import time

from bot.bootstrap import App
from bot.conversations.harness import Harness
from tests.adapters.fake_bot_api import FakeBotApi
from tests.adapters.test_telegram import ALICE, BOB, StartBot
from tests.flows.job_steps import post_job
from tests.flows.signup_steps import sign_up


async def test_a_saved_search_alerts_on_telegram_within_seconds_of_the_post(
    app: App, bot_api: FakeBotApi, start_bot: StartBot
) -> None:
    alice = Harness(app.engine, str(ALICE), platform="telegram")
    await sign_up(alice, "client", username="alice")
    await sign_up(alice.user(str(BOB)), "freelancer", full_name="Bob Stone", username="bob")
    await start_bot()
    bob = bot_api.user(BOB, "Bob")
    bob.send("/search django")
    results = await bob.wait_for_text("Jobs matching “django”")
    bob.press(results, "🔔 Alert me")
    await bob.wait_for_text("🔔 Saved as “django”")

    posted = time.monotonic()
    await post_job(alice)
    alert = await bob.wait_for_text("🔔 Build a Django REST API", within=10)
    assert time.monotonic() - posted < 5
    assert "Matches your search “django”: django" in alert.text
    assert alert.labels == ["👁 View", "♥ Save", "👎 Not interested", "📨 Submit a proposal"]
    bob.press(alert, "♥ Save")
    await bob.wait_for_text("Saved")
