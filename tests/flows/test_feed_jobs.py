"""Jobs from external feeds, as a freelancer meets them: found by /search, a card that says where the job comes
from and what it leaves unsaid, an Apply button to the original post, and /propose pointing there too."""

from __future__ import annotations

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.core.sources.ingest import FeedJobs
from bot.core.sources.reading import read_rss
from bot.storage.repositories import Repositories
from tests.flows.signup_steps import sign_up
from tests.unit.test_feed_reading import FEEDS

SWEETHOME = "https://www.upwork.com/jobs/Full-Stack-Java-Developer-for-customising-Sweethome3d_%7E01472ffa3c4edd37f7"


async def ingest_swing(app: App) -> None:
    read = read_rss((FEEDS / "upwork_rss_swing.xml").read_bytes())
    async with app.database.transaction() as session:
        jobs = FeedJobs(Repositories.bind(session), app.engine.clock.now())
        await jobs.ingest(await jobs.source("Upwork Swing"), read.entries, category=None, skills=["Java"])


async def test_a_feed_job_is_found_by_search_and_applied_to_on_its_original_post(app: App, alice: Harness) -> None:
    await ingest_swing(app)
    await sign_up(alice, "freelancer")
    await alice.send("/search sweethome3d")
    text = alice.screen.plain
    assert "1. Full-Stack Java Developer for customising Sweethome3d" in text
    assert "🌐 From Upwork Swing" in text
    assert "Not stated" in text  # the experience level a feed does not give

    await alice.click("1. Full-Stack Java Developer for customising Sweethome3d")
    page = alice.screen
    assert "🌐 From Upwork Swing" in page.plain
    assert "Original post: upwork.com" in page.plain
    assert "Experience: Not stated" in page.plain
    assert "Project length: Not stated" in page.plain
    assert "About the client" not in page.plain
    apply = next(button for button in page.all_buttons() if button.label == "🔗 Apply on upwork.com")
    assert apply.url == f"{SWEETHOME}?source=rss"
    assert not any("Submit a proposal" in button.label for button in page.all_buttons())

    job_id = apply.action.args[1]
    await alice.send(f"/propose {job_id}")
    assert "comes from Upwork Swing: you apply on its original post" in alice.screen.plain
    assert SWEETHOME in alice.screen.plain


async def test_pay_only_a_feed_states_is_shown(app: App, alice: Harness) -> None:
    await ingest_swing(app)
    await sign_up(alice, "freelancer")
    await alice.send("/search instructor")
    assert "Hourly: $3–$5/hr" in alice.screen.plain  # <b>Hourly Range</b>: $3.00-$5.00
    await alice.send("/search sweethome3d")
    assert "Fixed price: $80" in alice.screen.plain  # <b>Budget</b>: $80
    await alice.send('/search "improving a JavaFX app"')
    assert "Pay: not stated" in alice.screen.plain
