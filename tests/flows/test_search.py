"""Finding work through the screens: /search, cards, filters with a live count, sort, pages, save and hide."""

from __future__ import annotations

from sqlalchemy import select

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.storage.orm import JobRow
from tests.flows.job_steps import client_and_freelancer, post_job
from tests.flows.signup_steps import sign_up


async def _three_jobs(alice: Harness) -> Harness:
    """alice (client) posts three jobs; returns bob, a freelancer."""
    bob = await client_and_freelancer(alice)
    await post_job(alice, title="Build a Django REST API")
    await post_job(alice, title="Fix our Django admin", hourly=False)
    await post_job(alice, title="Design a café logo in Illustrator", hourly=False)
    return bob


async def test_search_shows_cards_and_opens_a_job(alice: Harness) -> None:
    bob = await _three_jobs(alice)
    await bob.send("/search django")
    text = bob.screen.plain
    assert "🔎 Jobs matching “django”" in text
    assert "3 jobs · sorted by Newest" in text  # the skills say Django on all three
    assert "1. Design a café logo in Illustrator" in text
    assert "Fixed price: $1,500" in text
    assert "Proposals: Less than 5" in text
    assert [option.label for option in bob.screen.choice.options] == [
        "1. Design a café logo in Illustrator",
        "2. Fix our Django admin",
        "3. Build a Django REST API",
    ]  # each job opens by its title, numbered as its card
    await bob.click("3. Build a Django REST API")
    assert "Build a Django REST API" in bob.screen.plain
    assert "We need a REST API for our booking app" in bob.screen.plain


async def test_lists_open_jobs_by_their_titles_in_french_too(alice: Harness) -> None:
    await client_and_freelancer(alice)
    await post_job(alice, title="Build a Django REST API" + " with a very long title" * 3)
    chloe = alice.user("chloe")
    await sign_up(chloe, "freelance", language="Français", username="chloe")
    for command in ("/search django", "/feed"):
        await chloe.send(command)
        choice = chloe.screen.choice
        assert choice is not None
        assert choice.placeholder == "Ouvrir une offre"
        [label] = [option.label for option in choice.options]
        assert label.startswith("1. Build a Django REST API with a very long title")
        assert len(label) == 80
        assert label.endswith("…")
    await chloe.send("/job 1")
    await chloe.click("♥ Enregistrer")
    assert chloe.screen.plain.startswith("♥ Offre «\u00a0Build a Django REST API")
    assert {"📨 Envoyer une proposition", "♥ Enregistrée · Retirer"} <= {b.label for b in chloe.screen.all_buttons()}
    await chloe.send("/saved")
    assert chloe.screen.choice.options[0].label.startswith("1. Build a Django REST API")


async def test_typing_new_words_searches_again_and_bad_syntax_gets_a_hint(alice: Harness) -> None:
    bob = await _three_jobs(alice)
    await bob.click("Find work")
    assert "🔎 All jobs" in bob.screen.plain
    assert "3 jobs" in bob.screen.plain
    await bob.send('title:admin OR title:"rest api"')
    assert "2 jobs" in bob.screen.plain
    await bob.send('"unbalanced')
    assert "⚠️" in bob.screen.plain
    assert "2 jobs" in bob.screen.plain  # the last good search is still on screen
    await bob.send("-django")
    assert "add at least one word" in bob.screen.plain.lower()


async def test_filters_show_a_live_count_and_apply(alice: Harness) -> None:
    bob = await _three_jobs(alice)
    await bob.send("/search")
    await bob.click("Filters")
    assert "3 jobs match" in bob.screen.plain
    await bob.click("Job type")
    await bob.click("Hourly")
    assert "1 job matches" in bob.screen.plain
    assert "✓ Hourly" in [b.label for b in bob.screen.all_buttons()]
    await bob.click("Done")
    assert "Job type: Hourly" in bob.screen.plain
    await bob.click("Show results")
    assert "1 job · sorted by Newest" in bob.screen.plain
    assert "⚙️ Filters (1)" in [b.label for b in bob.screen.all_buttons()]
    await bob.click("Filters")
    await bob.click("Hourly rate")
    await bob.send("50-20")
    assert "The minimum is above the maximum" in bob.screen.plain
    await bob.send("30+")
    assert "Now: $30 – ∞" in bob.screen.plain
    assert "1 job matches" in bob.screen.plain  # 25-40 overlaps 30+
    await bob.click("Done")
    await bob.click("Clear all")
    assert "3 jobs match" in bob.screen.plain


async def test_sort_and_pages(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    for number in range(1, 8):
        await post_job(alice, title=f"Django job number {number}")
    await bob.send("/search django")
    assert "Page 1 of 2" in bob.screen.plain
    assert "1. Django job number 7" in bob.screen.plain
    await bob.click("Next ▶")
    assert "6. Django job number 2" in bob.screen.plain
    assert "Page 2 of 2" in bob.screen.plain
    await bob.click("Sort")
    await bob.click("Relevance")
    assert "sorted by Relevance" in bob.screen.plain
    assert "Page 1 of 2" in bob.screen.plain


async def test_past_a_thousand_matches_the_total_reads_1000_plus(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    await post_job(alice, title="Django job to copy")
    async with app.database.transaction() as session:
        job = (await session.execute(select(JobRow))).scalar_one()
        values = {column.key: getattr(job, column.key) for column in JobRow.__table__.c if column.key != "id"}
        session.add_all([JobRow(**values) for _copy in range(1_000)])
    await bob.send("/search django")
    assert "1,000+ jobs · sorted by Newest" in bob.screen.plain
    assert "Page 1 of 200+" in bob.screen.plain
    await bob.click("Sort")
    await bob.click("Relevance")
    assert "1,000+ jobs · sorted by Relevance" in bob.screen.plain
    await bob.click("Filters")
    assert "1,000+ jobs match" in bob.screen.plain
    await bob.click("Job type")
    await bob.click("Fixed price")
    assert "0 jobs match" in bob.screen.plain  # post_job's jobs are hourly


async def test_save_and_hide_from_a_job(alice: Harness) -> None:
    bob = await _three_jobs(alice)
    await bob.send("/search logo")
    await bob.click("1")
    [card] = await bob.click("Save")
    assert card.edit  # it replaces the job card it was pressed on...
    assert card.plain.startswith("♥ Saved “Design a café logo in Illustrator”. Find it again under /saved.")
    assert "We need a REST API for our booking app" in card.plain  # ...with the card still there
    labels = [button.label for button in card.all_buttons()]
    assert "📨 Submit a proposal" in labels
    assert "♥ Saved · Unsave" in labels
    assert "♥ Save" not in labels
    [card] = await bob.click("Unsave")
    assert card.plain.startswith("Removed from your saved jobs.")
    assert {"📨 Submit a proposal", "♥ Save"} <= {button.label for button in card.all_buttons()}
    await bob.click("♥ Save")
    await bob.send("/saved")
    assert "♥ Saved jobs · 1" in bob.screen.plain
    await bob.send("/search django")
    assert "Design a café logo in Illustrator ♥" in bob.screen.plain
    await bob.click("2")
    await bob.click("Not interested")
    assert "Tell us why" in bob.screen.plain
    await bob.click("Budget too low")
    assert "you won't see “Fix our Django admin” again" in bob.screen.plain
    await bob.send("/search django")
    assert "2 jobs" in bob.screen.plain
    assert "Fix our Django admin" not in bob.screen.plain
    await bob.click("Undo", on=bob.screens[-2])
    await bob.send("/search django")
    assert "3 jobs" in bob.screen.plain


async def test_another_users_ids_and_invisible_jobs_stay_out_of_reach(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    secret = await post_job(alice, title="Secret invite-only project", visibility="Invite only")
    await bob.send("/search secret")
    assert "No jobs match" in bob.screen.plain
    await bob.send(f"/save {secret}")
    assert "not visible to you" in bob.screen.plain
    await bob.send(f"/hide {secret} budget")
    assert "not visible to you" in bob.screen.plain
    await bob.send("/unsave 99999")
    assert "not in your saved jobs" in bob.screen.plain


async def test_client_info_and_posted_within_panels(alice: Harness) -> None:
    bob = await _three_jobs(alice)
    await bob.send("/search")
    await bob.click("Filters")
    await bob.click("Client info")
    await bob.click("Payment verified")
    assert "0 jobs match" in bob.screen.plain  # alice has not verified a payment method
    await bob.click("Payment verified")
    await bob.click("Done")
    await bob.click("Posted within")
    await bob.click("Last 24 hours")
    assert "3 jobs match" in bob.screen.plain
    assert "✓ Last 24 hours" in [b.label for b in bob.screen.all_buttons()]
