"""Deep links (``/start job_42``, ``/start link_CODE``, ``/start testimonial-TOKEN``) and the 📤 Share button
where a platform has no link buttons: what a person sees, signed up or not, and what never leaks."""

from __future__ import annotations

from bot.conversations.harness import Harness
from bot.core.events import Actor, InlineQuery
from bot.core.ui import Link
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.signup_steps import sign_up
from tests.flows.test_link import code_on

NOT_FOUND = "was not found, or it is not visible to you"


async def test_a_job_link_opens_the_post_for_someone_signed_up(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    await bob.send(f"/start job_{job_id}")
    assert "Build a Django REST API" in bob.screen.plain
    assert "📨 Submit a proposal" in [button.label for button in bob.screen.all_buttons()]
    await bob.send(f"/start job-{job_id}")  # the older dash form still works
    assert "Build a Django REST API" in bob.screen.plain


async def test_the_longest_command_name_wins_and_only_linkable_commands_run(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    await bob.send(f"/start job_files_{job_id}")  # /job_files, not /job "files_1"; it does not allow links
    assert "Hi Bob Stone! What would you like to do?" in bob.screen.plain
    await bob.send(f"/save {job_id}")
    await bob.send(f"/start unsave_{job_id}")  # a link anyone can post must not act for whoever opens it
    await bob.send("/saved")
    assert "Build a Django REST API" in bob.screen.plain
    await bob.send("/start account")
    assert "Your account" in bob.screen.plain


async def test_someone_without_an_account_sees_a_public_post_and_signs_up_to_apply(alice: Harness) -> None:
    await sign_up(alice, "client", username="alice")
    job_id = await post_job(alice)
    stranger = alice.user("carol")
    await stranger.send(f"/start job_{job_id}")
    assert "Build a Django REST API" in stranger.screen.plain
    assert "About the client" in stranger.screen.plain
    labels = [button.label for button in stranger.screen.all_buttons()]
    assert "📨 Sign up to apply" in labels
    assert "📤 Share" in labels
    await stranger.click("Sign up to apply")
    assert "Welcome to gigbot" in stranger.screen.plain
    await sign_up(stranger, "freelancer", full_name="Carol Diaz", username="carol")
    assert "Your account is ready, Carol Diaz" in "\n".join(screen.plain for screen in stranger.screens[-2:])
    assert "Build a Django REST API" in stranger.screen.plain  # straight into the proposal, as asked


async def test_private_draft_and_closed_posts_do_not_leak_through_links(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    invite_only = await post_job(alice, visibility="Invite only", title="Secret rebrand")
    stranger = alice.user("carol")
    for viewer in (stranger, bob):
        await viewer.send(f"/start job_{invite_only}")
        assert f"Job #{invite_only} {NOT_FOUND}" in viewer.screen.plain
        assert "Secret rebrand" not in viewer.screen.plain
        await viewer.send(f"/share {invite_only}")
        assert f"Job #{invite_only} {NOT_FOUND}" in viewer.screen.plain
    await alice.send(f"/job {invite_only}")  # its client sees it, with no Share button
    assert "📤 Share" not in [button.label for button in alice.screen.all_buttons()]

    public = await post_job(alice)
    await alice.send(f"/my_job {public} close_confirmed")
    await stranger.send(f"/start job_{public}")
    assert "Status: Closed" in stranger.screen.plain
    labels = [button.label for button in stranger.screen.all_buttons()]
    assert "📤 Share" not in labels
    assert "📨 Sign up to apply" not in labels
    await stranger.send(f"/share {public}")
    assert "Only open, public job posts can be shared." in stranger.screen.plain


async def test_the_share_button_links_where_links_exist_and_shows_the_post_elsewhere(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    await alice.send(f"/job {job_id}")  # the client shares their own post too
    share = next(button for button in alice.screen.all_buttons() if button.label == "📤 Share")
    assert share.link == Link(f"job_{job_id}", share=True)
    await bob.send(f"/job {job_id}")
    await bob.click("📤 Share")
    text = bob.screen.plain
    assert f"📤 Pass this on: anyone can open the post by sending /job {job_id} to gigbot." in text
    assert "Build a Django REST API" in text
    assert "Hourly: $25–$40/hr" in text
    await bob.click("Back to the job")
    assert "📨 Submit a proposal" in [button.label for button in bob.screen.all_buttons()]


async def test_a_link_code_deep_link_links_a_stranger(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/link")
    telegram = alice.user("alice-tg", platform="telegram")
    await telegram.send(f"/start link_{code_on(alice.screen.plain)}")
    assert "Link this Telegram account to the gigbot account of Alice Martin (@alice)?" in telegram.screen.plain
    await telegram.click("Yes, link it")
    assert "✅ Linked! This is your gigbot account on Telegram too." in telegram.screen.plain
    await telegram.send("/start link_HHHHHHHH")
    assert "That link code doesn't exist." in telegram.screen.plain


async def test_a_missing_job_link_is_the_polite_not_found_in_french(app) -> None:
    amelie = Harness(app.engine, "amelie", locale="fr")
    await amelie.send("/start job_999")
    assert "L’offre #999 est introuvable, ou vous n’y avez pas accès." in amelie.screen.plain


async def inline_titles(app, user: str, text: str, offset: str = "", locale: str | None = None) -> list[str]:
    answer = await app.engine.inline(InlineQuery(Actor("test", user, locale_hint=locale), "q", text, offset))
    return [result.title for result in answer.results]


async def test_inline_results_never_hold_what_not_everyone_may_see(app, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    await alice.send("/clouds")
    await alice.click("New talent cloud")
    await alice.send("Trusted devs")
    await post_job(alice, title="Cloud Django work", visibility="Trusted devs")
    await post_job(alice, title="Invited Django work", visibility="Invite only")
    await post_job(alice, title="Public Django work")
    for viewer in ("alice", "bob", "stranger"):  # the cloud's owner and the invite's client too: results are shared
        assert await inline_titles(app, viewer, "django") == ["Public Django work"]
    await bob.send("/job 3")
    await bob.click("Not interested")
    assert await inline_titles(app, "bob", "django") == ["Public Django work"]  # what one hid, others may want


async def test_inline_answers_speak_the_askers_language_and_touch_no_conversation(app, alice: Harness) -> None:
    await sign_up(alice, "client", username="alice")
    job_id = await post_job(alice)
    amelie = alice.user("amelie")
    await sign_up(amelie, "freelance", language="Français", full_name="Amélie Laurent", username="amelie")
    answer = await app.engine.inline(InlineQuery(Actor("test", "amelie", locale_hint="en"), "q", "django"))
    (result,) = answer.results
    assert "Propositions" in result.message.plain  # her account's language, whatever the platform says
    assert result.message.all_buttons()[0].link == Link(f"job_{job_id}")

    bea = alice.user("bea")
    await bea.send("/start")
    await bea.click("English")
    answer = await app.engine.inline(InlineQuery(Actor("test", "bea", locale_hint="fr"), "q", "django"))
    assert "Propositions" in answer.results[0].message.plain  # no account yet: the platform's language
    await bea.click("Freelancer")  # her sign-up goes on where it was: its buttons still work
    assert "Your full name" in bea.screen.plain
    assert await inline_titles(app, "bea", '"unclosed quote') == []  # not a valid search: nothing, and no error
