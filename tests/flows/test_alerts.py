"""Job alerts: 🔔 Alert me on a search, a matching job posted by someone else reaching the freelancer with why and
what to do, once; the never-alert rules; quiet hours and the daily limit (a fake clock); /alerts to manage."""

from __future__ import annotations

from bot.bootstrap import App
from bot.conversations.alert_fanout import AlertFanOut
from bot.conversations.alerts import ALERT_DIGESTS
from bot.conversations.harness import Harness
from bot.core.clock import ManualClock
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.signup_steps import sign_up

ALERT = "🔔 Build a Django REST API"


def fan_out(app: App, clock: ManualClock) -> AlertFanOut:
    return AlertFanOut(app.engine.database, clock)


async def alert_me(freelancer: Harness, query: str) -> None:
    await freelancer.send(f"/search {query}")
    await freelancer.click("🔔 Alert me")


def alerts_to(harness: Harness, sent: list) -> list[str]:
    return [message.screen.plain for message in sent if message.chat.chat_id == harness.chat_id]


async def test_a_matching_job_alerts_the_freelancer_once_with_why_and_buttons(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    bob = await client_and_freelancer(alice)
    await alert_me(bob, "django")
    assert "🔔 Saved as “django”: new jobs like these will reach you here" in bob.screen.plain
    fanout = fan_out(app, clock)
    await fanout.step()  # the matcher is built with bob's search

    await post_job(alice)
    assert await fanout.step() == 1
    sent = await bob.delivered()
    [alert] = alerts_to(bob, sent)
    assert alert.startswith(ALERT)
    assert "Hourly: $25–$40/hr" in alert
    assert "Matches your search “django”: django" in alert
    labels = [button.label for button in bob.screen.all_buttons()]
    assert labels == ["👁 View", "♥ Save", "👎 Not interested", "📨 Submit a proposal"]
    assert not alerts_to(alice, sent)  # the client is never alerted of her own post

    await fanout.step()
    assert await bob.delivered() == []  # once
    await bob.click("📨 Submit a proposal")
    assert "Submit a proposal" in bob.screen.plain or "hourly rate" in bob.screen.plain


async def test_a_job_hidden_or_applied_to_or_not_visible_never_alerts(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    bob = await client_and_freelancer(alice)
    carol = alice.user("carol")
    await sign_up(carol, "freelancer", full_name="Carol Diaz", username="carol")
    for freelancer in (bob, carol):
        await alert_me(freelancer, "django")
    fanout = fan_out(app, clock)
    await fanout.step()
    job_id = await post_job(alice)
    await carol.send(f"/hide {job_id} skills")  # before the job was matched
    await post_job(alice, title="Django admin for a clinic", visibility="Invite only")
    await fanout.step()
    sent = await bob.delivered()
    assert [text.split("\n", 1)[0] for text in alerts_to(bob, sent)] == [ALERT]  # not the invite-only one
    assert alerts_to(carol, sent) == []


async def test_quiet_hours_and_the_daily_limit_keep_alerts_for_the_digest(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    bob = await client_and_freelancer(alice)  # in Paris (France); the clock says 10:00 there
    await alert_me(bob, "django")
    await bob.send("/alert_settings quiet")
    await bob.send("9:00-12:00")
    assert "🌙 quiet 09:00–12:00" in bob.screen.plain
    fanout = fan_out(app, clock)
    await fanout.step()
    await post_job(alice)
    await fanout.step()
    assert alerts_to(bob, await bob.delivered()) == []  # waits for the digest

    await bob.send("/alert_settings quiet")
    await bob.send("off")
    await bob.send("/alert_settings cap")
    await bob.send("1")
    assert "at most 1 a day" in bob.screen.plain
    await post_job(alice, title="Django REST API, part two")
    await post_job(alice, title="Django REST API, part three")
    await fanout.step()
    assert len(alerts_to(bob, await bob.delivered())) == 1  # the second waits for the digest


async def test_alerts_lists_searches_with_their_last_matches_and_manages_them(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    bob = await client_and_freelancer(alice)
    await alert_me(bob, "django")
    await bob.click("🔔 Alert me")
    assert "You already have this search saved as “django”." in bob.screen.plain
    fanout = fan_out(app, clock)
    await fanout.step()
    await post_job(alice)
    await fanout.step()
    await bob.delivered()

    await bob.send("/alerts")
    assert "🔔 Your job alerts (1 of 20)" in bob.screen.plain
    assert "1. django · Instant" in bob.screen.plain
    assert "↳ Build a Django REST API" in bob.screen.plain
    await bob.click("django")
    await bob.click("Daily digest")
    assert "✅ Alerts: Daily digest." in bob.screen.plain
    await bob.click("Rename")
    await bob.send("Django gigs")
    assert "🔔 Django gigs" in bob.screen.plain
    await bob.click("Pause")
    assert "⏸ Paused" in bob.screen.plain

    await post_job(alice, title="Another Django API")
    await fanout.step()
    assert alerts_to(bob, await bob.delivered()) == []  # paused: nothing, not even for the digest
    await bob.click("Delete")
    await bob.click("Yes, delete")
    assert "🗑 Deleted “Django gigs”." in bob.screen.plain
    assert "No saved searches yet" in bob.screen.plain


async def test_a_search_saved_or_changed_in_another_process_reaches_a_running_matcher(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    bob = await client_and_freelancer(alice)
    fanout = fan_out(app, clock)
    await fanout.step()  # built before bob saved anything
    await alert_me(bob, "django")  # as another process would: only the database knows
    await post_job(alice)
    await fanout.step()
    assert len(alerts_to(bob, await bob.delivered())) == 1


async def test_alerts_kept_for_later_arrive_as_one_digest_when_due(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    bob = await client_and_freelancer(alice)  # Paris: 10:00 there
    await alert_me(bob, "django")
    await bob.send("/alert_settings quiet")
    await bob.send("9:00-11:00")
    fanout = fan_out(app, clock)
    await fanout.step()
    await post_job(alice)
    await post_job(alice, title="Django REST API, part two")
    await fanout.step()
    assert alerts_to(bob, await bob.delivered()) == []
    assert alerts_to(bob, await bob.run_sweep(ALERT_DIGESTS)) == []  # still quiet

    clock.advance(hours=1)  # 11:00 in Paris: the quiet hours are over
    [digest] = alerts_to(bob, await bob.run_sweep(ALERT_DIGESTS))
    assert digest.startswith("🔔 2 new jobs for your searches")
    assert "1. Django REST API, part two · “django”" in digest
    assert alerts_to(bob, await bob.run_sweep(ALERT_DIGESTS)) == []  # once
    await bob.click("Build a Django REST API")
    assert "Build a Django REST API" in bob.screen.plain


async def test_a_daily_search_waits_for_the_morning(app: App, alice: Harness, clock: ManualClock) -> None:
    bob = await client_and_freelancer(alice)
    await alert_me(bob, "django")
    await bob.send("/alerts")
    await bob.click("django")
    await bob.click("Daily digest")
    fanout = fan_out(app, clock)
    await fanout.step()
    await post_job(alice)
    await fanout.step()
    clock.advance(hours=5)  # 15:00 in Paris
    assert alerts_to(bob, await bob.delivered()) + alerts_to(bob, await bob.run_sweep(ALERT_DIGESTS)) == []
    clock.advance(hours=17)  # 08:00 the next day
    [digest] = alerts_to(bob, await bob.run_sweep(ALERT_DIGESTS))
    assert digest.startswith("🔔 1 new job for your searches")


async def test_pause_all_keeps_every_alert_back_until_resumed(app: App, alice: Harness, clock: ManualClock) -> None:
    bob = await client_and_freelancer(alice)
    await alert_me(bob, "django")
    await bob.send("/alert_settings")
    await bob.click("⏸ Pause all")
    assert "⏸ All alerts paused." in bob.screen.plain
    fanout = fan_out(app, clock)
    await fanout.step()
    await post_job(alice)
    await fanout.step()
    assert alerts_to(bob, await bob.delivered()) == []

    await bob.click("▶️ Resume all")
    assert "▶️ Alerts resumed." in bob.screen.plain
    await post_job(alice, title="Django REST API, part two")
    await fanout.step()
    [alert] = alerts_to(bob, await bob.delivered())
    assert alert.startswith("🔔 Django REST API, part two")
