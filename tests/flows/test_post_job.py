"""Posting a job as a client sees it, with the bad input people really type, and the post freelancers see."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.conversations.flow import Ctx
from bot.conversations.harness import Harness
from bot.conversations.job_views import job_card
from bot.core.clock import ManualClock
from bot.core.events import Actor, AttachmentIn
from bot.core.services import Services
from bot.core.ui import plain
from bot.storage.orm import ClientProfileRow, FileRow, JobRow, JobSkillRow
from bot.storage.repositories import Repositories
from tests.flows.job_steps import DESCRIPTION, client_and_freelancer, post_job, reach_preview
from tests.flows.signup_steps import sign_up

PDF = AttachmentIn("brief.pdf", "application/pdf", b"%PDF-1.4 the brief")


async def start_posting(alice: Harness) -> None:
    await sign_up(alice, "client", username="alice")
    await alice.send("/post_job")


async def reach_skills(alice: Harness) -> None:
    await start_posting(alice)
    await alice.send("Build a Django REST API")
    await alice.send(DESCRIPTION)
    await alice.click("Web, Mobile & Software Dev")


async def test_a_published_job_is_stored_for_search_and_shown_to_freelancers(app: App, alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    await reach_preview(alice)
    preview = alice.screen.plain
    assert "this is your job as freelancers will see it" in preview
    assert "Hourly: $25–$40/hr" in preview
    assert "Skills: Python, Django, PostgreSQL" in preview
    assert "Less than 30 hrs/week" in preview
    assert [b.label for b in alice.screen.all_buttons()] == [
        "🚀 Publish",
        "💾 Save as draft",
        "✏️ Edit a field",
        "🗑 Discard",
    ]
    job_id = await post_job_from_preview(alice)

    await bob.send(f"/job {job_id}")
    seen = bob.screen.plain
    assert seen == preview.split("\n\n", 1)[1]  # exactly what the preview showed
    assert "Posted just now" in seen
    assert "About the client" in seen
    assert "Payment method not verified" in seen

    async with app.database.transaction() as session:
        job = await session.get(JobRow, job_id)
        skills = set((await session.execute(select(JobSkillRow.skill).where(JobSkillRow.job_id == job_id))).scalars())
    assert job is not None
    assert (job.status, job.currency, job.rate_min_minor, job.rate_max_minor) == ("open", "USD", 2500, 4000)
    assert job.skills_text == "Python Django PostgreSQL"
    assert skills == {"Python", "Django", "PostgreSQL"}
    assert job.published_at == job.last_activity_at == job.created_at


async def post_job_from_preview(alice: Harness) -> int:
    await alice.click("Publish")
    assert "is live" in alice.screen.plain
    return int(alice.screen.plain.split("job #", 1)[1].split(".", 1)[0])


async def test_a_freelancer_is_offered_to_hire_too(alice: Harness) -> None:
    await sign_up(alice, "freelancer")
    await alice.send("/post_job")
    assert "Posting jobs is for clients" in alice.screen.plain
    await alice.click("Yes, I want to hire too")
    assert "What is the title of your job?" in alice.screen.plain
    await alice.send("/account")
    assert "Role: freelancer and client" in alice.screen.plain


@pytest.mark.parametrize(
    ("title", "complaint"),
    [("Logo", "at least 10 characters"), ("x" * 101, "at most 100 characters, and you sent 101")],
)
async def test_bad_titles_are_refused(alice: Harness, title: str, complaint: str) -> None:
    await start_posting(alice)
    await alice.send(title)
    assert complaint in alice.screen.plain
    assert "What is the title of your job?" in alice.screen.plain


async def test_a_too_long_description_is_kept_so_it_can_be_cut(alice: Harness) -> None:
    await start_posting(alice)
    await alice.send("Build a Django REST API")
    long_text = "word " * 1_200  # 6,000 characters
    await alice.send(long_text)
    assert "at most 5,000 characters, and you sent 5,999" in alice.screen.plain
    await alice.click("Show my text")
    assert "Your text (5,999 characters)" in alice.screen.plain
    await alice.click("Keep the first 5,000 characters")
    assert "Which category fits the job best?" in alice.screen.plain


async def test_markup_in_a_description_shows_literally(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    tricky = "Use <b>bold</b> & <a href='x'>links</a>, *stars*, _under_, `code`, [md](url), {braces} &amp; \\n"
    job_id = await post_job(alice, description=tricky, title="<i>Fix</i> my *site* & {x}")
    await bob.send(f"/job {job_id}")
    assert tricky in bob.screen.plain
    assert "<i>Fix</i> my *site* & {x}" in bob.screen.plain


async def test_skills_suggest_refuse_too_many_and_remove(alice: Harness) -> None:
    await reach_skills(alice)
    await alice.send(", ".join(f"skill{n}" for n in range(51)))
    assert "That is 51 skills; a job post can list at most 15" in alice.screen.plain
    await alice.send("Python, djangoo")
    assert "Added: Python." in alice.screen.plain
    assert "I don't know the skill “djangoo”. Did you mean: Django" in alice.screen.plain
    await alice.click("➕ Django")
    assert "Chosen (2/15): Python, Django" in alice.screen.plain
    await alice.send("-python")
    assert "Chosen (1/15): Django" in alice.screen.plain
    await alice.send("Figma, Flask, Flutter, Git, Go, GraphQL, HTML, Java, Docker, Excel, Firebase, Dart, DevOps, CSS")
    assert "at most 15 skills; you would have 15" not in alice.screen.plain
    await alice.send("Blender")
    assert "A job post can list at most 15 skills; you would have 16" in alice.screen.plain
    await alice.click("Done")
    assert "How do you want to pay?" in alice.screen.plain


@pytest.mark.parametrize(
    ("rate", "complaint"),
    [
        ("-5", "can't be negative"),
        ("0", "between $3 and $999 an hour"),
        ("1000", "between $3 and $999 an hour"),
        ("5-1,500", "between $3 and $999 an hour"),
        ("40-25", "The lowest rate ($40) is above the highest ($25)"),
        ("lots", "is not an amount in dollars"),
        ("25-", "like 25-40"),
    ],
)
async def test_bad_hourly_rates_are_refused(alice: Harness, rate: str, complaint: str) -> None:
    await reach_skills(alice)
    await alice.send("Python")
    await alice.click("Done")
    await alice.click("By the hour")
    await alice.send(rate)
    assert complaint in alice.screen.plain
    assert "What hourly rate will you pay" in alice.screen.plain
    await alice.send("$30 to $45")
    assert "What level of experience" in alice.screen.plain


@pytest.mark.parametrize(
    ("budget", "complaint"),
    [
        ("-100", "can't be negative"),
        ("4", "between $5 and $1,000,000"),
        ("2,000,000", "between $5 and $1,000,000"),
        ("12.345", "is not an amount in dollars"),
    ],
)
async def test_bad_budgets_are_refused(alice: Harness, budget: str, complaint: str) -> None:
    await reach_skills(alice)
    await alice.send("Python")
    await alice.click("Done")
    await alice.click("A fixed price")
    await alice.send(budget)
    assert complaint in alice.screen.plain
    await alice.send("1,250.50")
    assert "What level of experience" in alice.screen.plain


async def start_posting_in_french(alice: Harness) -> None:
    await sign_up(alice, "Recruter", language="Français", username="alice")
    await alice.send("/post_job")
    await alice.send("Build a Django REST API")


async def test_a_refused_budget_names_the_limits_in_french_money(alice: Harness) -> None:
    await start_posting_in_french(alice)
    await alice.send(DESCRIPTION)
    await alice.click("Développement web, mobile et logiciel")
    await alice.send("Python")
    await alice.click("Terminé")
    await alice.click("Un prix fixe")
    await alice.send("4")
    assert "entre 5\u00a0$US et 1\u202f000\u202f000\u00a0$US" in alice.screen.plain  # not "$5 and $1,000,000"


async def test_screening_questions_add_remove_and_limits(alice: Harness) -> None:
    await reach_skills(alice)
    await alice.send("Python")
    await alice.click("Done")
    await alice.click("A fixed price")
    await alice.send("500")
    await alice.click("Expert")
    await alice.click("Less than 1 month")
    assert "Screening questions" in alice.screen.plain
    await alice.send("q" * 301)
    assert "at most 300 characters, and you sent 301" in alice.screen.plain
    for number in range(1, 6):
        await alice.send(f"Question number {number}?")
    await alice.send("One too many?")
    assert "at most 5 screening questions" in alice.screen.plain
    await alice.click("❌ 2")
    assert "Question number 2?" not in alice.screen.plain
    await alice.click("Done")
    await alice.click("Public")
    await alice.click("Skip")
    assert "1. Question number 1?\n2. Question number 3?" in alice.screen.plain


async def test_attachments_are_checked_listed_and_downloadable(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    await reach_preview(alice)
    await alice.click("Edit a field")
    await alice.click("Attachments")
    await alice.deliver(AttachmentIn("notes.txt", "text/plain", b"hello"))
    assert "Please send a JPEG, PNG or PDF" in alice.screen.plain
    for n in range(5):
        await alice.deliver(AttachmentIn(f"brief{n}.pdf", "application/pdf", b"%PDF brief"))
    await alice.deliver(PDF)
    assert "at most 5 files" in alice.screen.plain
    await alice.click("❌ 1")
    assert "Removed brief0.pdf" in alice.screen.plain
    await alice.click("Back to the preview")
    assert "📎 brief4.pdf (1 KB)" in alice.screen.plain
    job_id = await post_job_from_preview(alice)
    await bob.send(f"/job {job_id}")
    await bob.click("Get the files")
    assert [a.filename for a in bob.screen.attachments] == [f"brief{n}.pdf" for n in range(1, 5)]


async def test_removed_uploads_of_a_discarded_post_are_deleted(app: App, alice: Harness) -> None:
    await sign_up(alice, "client", username="alice")
    await reach_preview(alice)
    await alice.click("Edit a field")
    await alice.click("Attachments")
    await alice.deliver(PDF)
    await alice.click("Done")
    await alice.click("Discard")
    assert "Press “Yes, discard” to confirm" in alice.screen.plain
    await alice.click("Yes, discard")
    assert "The job post was discarded" in alice.screen.plain
    async with app.database.transaction() as session:
        assert (await session.execute(select(FileRow))).first() is None


async def test_editing_a_field_from_the_preview_asks_what_the_change_needs(alice: Harness) -> None:
    await sign_up(alice, "client", username="alice")
    await reach_preview(alice)
    await alice.click("Edit a field")
    await alice.click("Hourly or fixed price")
    assert "Editing: Hourly or fixed price" in alice.screen.plain
    await alice.click("A fixed price")
    assert "budget for the whole project" in alice.screen.plain
    await alice.send("800")
    assert "Fixed price: $800" in alice.screen.plain
    assert "hrs/week" not in alice.screen.plain
    await alice.click("Edit a field")
    await alice.click("Hourly or fixed price")
    await alice.click("By the hour")
    await alice.send("50")
    assert "How many hours a week" in alice.screen.plain
    await alice.click("More than 30")
    assert "Hourly: $50/hr" in alice.screen.plain
    assert "More than 30 hrs/week" in alice.screen.plain


async def test_a_draft_is_seen_by_its_client_only(alice: Harness) -> None:
    bob = await client_and_freelancer(alice)
    await reach_preview(alice)
    await alice.click("Save as draft")
    assert "is saved as a draft" in alice.screen.plain
    await bob.send("/job 1")
    assert "Job #1 was not found, or it is not visible to you." in bob.screen.plain
    await alice.send("/my_jobs")
    assert "Draft" in alice.screen.plain
    await alice.send("/my_job 1 edit")
    await alice.click("Publish")
    await bob.send("/job 1")
    assert "Build a Django REST API" in bob.screen.plain


@pytest.mark.parametrize("job_id", ["999", "abc", ""])
async def test_a_missing_job_gets_the_polite_refusal(alice: Harness, job_id: str) -> None:
    await sign_up(alice, "freelancer")
    await alice.send(f"/job {job_id}".strip())
    assert "was not found, or it is not visible to you" in alice.screen.plain


async def test_the_client_panel_and_card_show_their_record(app: App, alice: Harness, clock: ManualClock) -> None:
    bob = await client_and_freelancer(alice)
    job_id = await post_job(alice)
    async with app.database.transaction() as session:
        session.add(
            ClientProfileRow(
                account_id=1,
                payment_verified=True,
                hires_count=3,
                total_spent_minor=120_000,
                rating_sum=9,
                rating_count=2,
                updated_at=clock.now(),
            )
        )
        job = await session.get(JobRow, job_id)
        assert job is not None
        job.proposals_count = 12
    clock.advance(days=2)
    await bob.send(f"/job {job_id}")
    for fact in ("✅ Payment verified", "⭐ 4.5 (2 reviews)", "3 hires", "$1,200 spent", "Proposals: 10 to 15"):
        assert fact in bob.screen.plain

    async with app.database.transaction() as session:
        services = Services.bind(Repositories.bind(session), clock.now())
        client_account = await services.accounts.for_identity("test", "alice")
        assert client_account is not None
        job_post = await services.jobs.visible(client_account, job_id)
        ctx = Ctx(services, Actor("test", "bob"), "bob", client_account, "en")
        card = plain(job_card(ctx, job_post, await services.jobs.client_summary(1)))
    assert card.splitlines() == [
        "Build a Django REST API",
        "Hourly: $25–$40/hr · Intermediate · Posted 2 days ago",
        "Proposals: 10 to 15",
        "🛠 Python · Django · PostgreSQL",
        "✅ Payment verified · ⭐ 4.5 (2 reviews) · 3 hires · $1,200 spent · France",
    ]


async def test_a_post_left_for_another_command_is_kept_and_offered_back(alice: Harness, clock: ManualClock) -> None:
    await reach_skills(alice)
    await alice.send("python, django")
    await alice.send("/menu")  # leaves the post half done
    clock.advance(hours=3)
    await alice.send("/post_job")
    assert "You have a job post you didn't finish: “Build a Django REST API” (saved Jan 5, 2026" in alice.screen.plain
    await alice.click("Resume your draft")
    assert "How do you want to pay?" in alice.screen.plain  # the first question not answered yet
    await alice.click("A fixed price")
    await alice.send("500")
    await alice.click("Intermediate")
    await alice.click("1 to 3 months")
    await alice.click("Skip")
    await alice.click("Public")
    await alice.click("Skip")
    assert "Skills: Python, Django" in alice.screen.plain
    await alice.click("Publish")
    assert "Your job “Build a Django REST API” is live" in alice.screen.plain
    await alice.send("/post_job")
    assert "What is the title of your job?" in alice.screen.plain  # nothing left over to resume


async def test_a_cancelled_or_timed_out_post_is_kept_and_can_be_started_afresh(app: App, alice: Harness, clock) -> None:
    await reach_skills(alice)
    await alice.send("/cancel")
    await alice.send("/export")
    exported = json.loads(alice.screen.attachments[0].content)["unfinished_job_post"]
    assert exported["data"]["title"] == "Build a Django REST API"  # it is their data too
    await alice.send("/post_job")
    await alice.click("Start a new post")
    assert "What is the title of your job?" in alice.screen.plain
    await alice.send("Translate our app into French")
    clock.advance(hours=2)
    await app.engine.expire_idle()
    await alice.delivered()  # the timeout notice
    await alice.send("/post_job")
    assert "“Translate our app into French”" in alice.screen.plain
    await alice.click("Resume your draft")
    assert "Describe the job" in alice.screen.plain


async def test_the_offer_to_resume_speaks_french(alice: Harness) -> None:
    await start_posting_in_french(alice)
    await alice.send("/menu")
    await alice.send("/post_job")
    assert "Vous avez une offre non terminée\u00a0: «\u00a0Build a Django REST API\u00a0» (enregistrée le" in (
        alice.screen.plain
    )
    assert [b.label for b in alice.screen.all_buttons()] == [
        "▶️ Reprendre le brouillon",
        "🆕 Commencer une nouvelle offre",
    ]


async def test_post_job_typed_in_the_middle_of_a_post_offers_to_resume_it(alice: Harness) -> None:
    await reach_skills(alice)
    await alice.send("python, django")
    await alice.send("/post_job")
    assert "You have a job post you didn't finish: “Build a Django REST API”" in alice.screen.plain
    await alice.click("Resume your draft")
    assert "How do you want to pay?" in alice.screen.plain
