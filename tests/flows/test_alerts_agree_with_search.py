"""An alert and a search mean the same thing: for every saved search, the jobs the alert matcher (in memory, on
each new post) would alert of are exactly the jobs the same query and filters find in SQL. Jobs from the real
feeds (their texts, budgets and skills) and posts with every attribute a filter looks at, on each backend."""

from __future__ import annotations

import random

from sqlalchemy import select

from bot.bootstrap import App
from bot.conversations.alert_fanout import facts_of
from bot.core.accounts import NewAccount
from bot.core.alerts.matcher import Matcher, Percolated
from bot.core.jobs import JobDraft
from bot.core.search import JobFilters, job_criteria
from bot.core.services import Services
from bot.core.sources.ingest import FeedJobs
from bot.storage.orm import JobRow
from bot.storage.repositories import Repositories
from tests.conftest import AppFactory
from tests.unit.test_feed_reading import read

FEEDS = ("weworkremotely_programming_2022.rss", "upwork_rss_java_us.xml", "remotive_api.json", "justjoinit_feed.atom")
CATEGORIES = ("dev", "design", "writing", "data")
SKILLS = ("Python", "Django", "React", "Java", "Figma", "SQL", "Copywriting", "Kotlin")

SEARCHES: list[tuple[str, JobFilters]] = [
    ("python", JobFilters()),
    ("java", JobFilters()),
    ("senior engineer", JobFilters()),
    ('"full stack"', JobFilters()),
    ("react OR vue", JobFilters()),
    ("java -android", JobFilters()),
    ("title:developer", JobFilters()),
    ('title:"software engineer"', JobFilters()),
    ("développeur", JobFilters()),
    ("kraków OR warszawa", JobFilters()),
    ("", JobFilters(job_type={"hourly"})),
    ("developer", JobFilters(job_type={"fixed"}, budget_min_minor=50_000)),
    ("", JobFilters(budget={"lt100", "1k-5k"})),
    ("", JobFilters(hourly_min_minor=2_000, hourly_max_minor=5_000)),
    ("design", JobFilters(categories={"design", "writing"})),
    ("", JobFilters(experience={"expert"}, project_length={"gt6", "3to6"})),
    ("python OR sql", JobFilters(hours_per_week={"lt30"}, experience={"entry", "intermediate"})),
    ("", JobFilters(proposals={"0-4"})),
    ("", JobFilters(payment_verified=True, client_hires={"none", "1-9"})),
    ("", JobFilters(posted_within_days=3)),
]


async def _seed(app: App) -> int:
    """The real feeds' jobs and posts of every kind; returns the id of the freelancer who searches."""
    chance = random.Random(11)
    async with app.database.transaction() as session:
        repos = Repositories.bind(session)
        now = app.engine.clock.now()
        feeds = FeedJobs(repos, now)
        for name in FEEDS:
            await feeds.ingest(await feeds.source(name), read(name).entries, category=None, skills=[])
        services = Services.bind(repos, now)
        viewer = await services.accounts.create(
            "test", "searcher", NewAccount("searcher", "Sam Searcher", True, False, "en", "FR", "Europe/Paris")
        )
        client = await services.accounts.create(
            "test", "poster", NewAccount("poster", "Pat Poster", False, True, "en", "FR", "Europe/Paris")
        )
        for n in range(60):
            hourly = chance.random() < 0.5
            low = chance.choice((500, 1_500, 2_500, 4_000))
            draft = JobDraft(
                title=chance.choice(("Python developer", "Senior engineer", "Logo design", "Java backend")) + f" {n}",
                description=chance.choice(("Full stack work.", "A React OR Vue front end.", "SQL reports.")),
                category=chance.choice(CATEGORIES),
                skills=chance.sample(SKILLS, 2),
                job_type="hourly" if hourly else "fixed",
                budget_minor=None if hourly else chance.choice((5_000, 50_000, 200_000, 900_000)),
                rate_min_minor=low if hourly else None,
                rate_max_minor=low * 2 if hourly else None,
                experience=chance.choice(("entry", "intermediate", "expert")),
                project_length=chance.choice(("lt1", "1to3", "3to6", "gt6")),
                hours_per_week=chance.choice(("lt30", "gt30")) if hourly else None,
            )
            await services.jobs.save(client, draft, None, publish=True)
    return viewer.id


async def test_the_matcher_alerts_of_exactly_the_jobs_the_search_finds(make_app: AppFactory, database_url: str) -> None:
    app = await make_app(database_url)
    viewer = await _seed(app)
    now = app.engine.clock.now()
    matcher = Matcher(lambda _word: 0.01, lambda _category: 0.1)
    for number, (query, filters) in enumerate(SEARCHES):
        matcher.add(Percolated(number, viewer, job_criteria(query, filters, now=now)))
    alerted: dict[int, set[int]] = {number: set() for number in range(len(SEARCHES))}
    async with app.database.transaction() as session:
        repos = Repositories.bind(session)
        for job_id in list(await repos.session.scalars(select(JobRow.id).where(JobRow.status == "open"))):
            row = await repos.jobs.get(job_id)
            assert row is not None
            for search in matcher.match(facts_of(row)):
                alerted[search.id].add(row.id)
        for number, (query, filters) in enumerate(SEARCHES):
            criteria = job_criteria(query, filters, now=now)
            _total, found = await repos.search.search(viewer, criteria, "newest", 0, 10_000, at_most=10_000)
            assert alerted[number] == set(found), (query, filters)
    assert sum(1 for jobs in alerted.values() if jobs) >= len(SEARCHES) - 2  # the searches do find jobs
