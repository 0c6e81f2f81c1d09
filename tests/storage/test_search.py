"""Job search on SQLite and PostgreSQL alike: full-text parity, every filter and bucket edge, sorts, pages,
and who may see which job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, update

from bot.core.search import JobFilters, SearchService, Sort
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from bot.storage.orm import (
    AccountRow,
    ClientProfileRow,
    CloudMemberRow,
    HiddenJobRow,
    JobInviteRow,
    JobRow,
    JobSkillRow,
    ProfileCategoryRow,
    ProfileSkillRow,
    SavedJobRow,
    TalentCloudRow,
)
from bot.storage.repositories import Repositories

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PEOPLE = ("alice", "carol", "dave", "fred", "gina", "hank", "ivan")  # account ids 1..7 in this order
ALICE, CAROL, DAVE, FRED, GINA, HANK, IVAN = range(1, 8)

# id: (title, description, skills, client, changes to the defaults below)
JOBS: dict[int, tuple[str, str, tuple[str, ...], int, dict[str, Any]]] = {
    1: (
        "Python developer for Django API",
        "Build a REST API in Django for a café ordering app. Deployed on WordPress later.",
        ("Python", "Django"),
        ALICE,
        {"budget_minor": 100_00, "proposals_count": 5},
    ),
    2: (
        "Logo design for a café",
        "We need a modern logo and a brand identity.",
        ("Logo Design", "Adobe Illustrator"),
        CAROL,
        {"budget_minor": 99_99, "experience": "entry", "project_length": "lt1", "category": "design",
         "proposals_count": 4},
    ),
    3: (
        "Machine learning engineer",
        "Train models with Python and PyTorch. Remote, long term.",
        ("Python", "Machine Learning"),
        ALICE,
        {"job_type": "hourly", "budget_minor": None, "rate_min_minor": 40_00, "rate_max_minor": 80_00,
         "experience": "expert", "project_length": "gt6", "hours_per_week": "gt30", "category": "data",
         "proposals_count": 50},
    ),
    4: (
        "WordPress landing page",
        "A landing page in WordPress, with a few PHP tweaks.",
        ("WordPress", "PHP"),
        CAROL,
        {"budget_minor": 500_00, "experience": "entry", "project_length": "lt1", "proposals_count": 20},
    ),
    5: (
        "React frontend for a dashboard",
        "The Node.js backend exists; we need the React UI for our e-commerce shop.",
        ("React", "JavaScript"),
        ALICE,
        {"job_type": "hourly", "budget_minor": None, "rate_min_minor": 25_00, "project_length": "3to6",
         "hours_per_week": "lt30", "proposals_count": 0},
    ),
    6: ("Cloud members only: Python scripts", "Private work.", ("Python",), ALICE,
        {"visibility": "cloud", "cloud_id": 1, "budget_minor": 1_000_00}),
    7: ("Invite only: Python review", "Private work.", ("Python",), ALICE, {"visibility": "invite"}),
    8: ("Closed Python job", "Too late.", ("Python",), ALICE, {"status": "closed"}),
    9: (
        "Translate French to English",
        "Legal documents, naïve tone not wanted.",
        ("French",),
        ALICE,
        {"budget_minor": 5_000_00, "category": "translation", "proposals_count": 9},
    ),
    10: ("Draft Python job", "Not yet.", ("Python",), ALICE, {"status": "draft", "published_at": None}),
    11: ("Bookkeeping in Excel", "Monthly books.", ("Accounting",), DAVE,
         {"budget_minor": 999_99, "category": "finance", "proposals_count": 14}),
    12: ("Data entry from PDFs", "Copy tables.", ("Data Entry",), DAVE,
         {"budget_minor": 1_000_00, "category": "admin", "proposals_count": 15}),
    13: ("Dashboard in Tableau", "Charts of sales.", ("Tableau",), DAVE,
         {"budget_minor": 4_999_99, "category": "data", "proposals_count": 19}),
}  # fmt: skip
PUBLIC_OPEN = {1, 2, 3, 4, 5, 9, 11, 12, 13}


def _job(job_id: int) -> JobRow:
    title, description, skills, client, changes = JOBS[job_id]
    published = NOW - (timedelta(days=40) if job_id == 9 else timedelta(hours=job_id))
    values: dict[str, Any] = {
        "id": job_id,
        "client_id": client,
        "title": title,
        "description": description,
        "category": "dev",
        "skills_text": ", ".join(skills),
        "job_type": "fixed",
        "budget_minor": None,
        "experience": "intermediate",
        "project_length": "1to3",
        "hours_per_week": None,
        "visibility": "public",
        "status": "open",
        "proposals_count": 0,
        "created_at": published,
        "published_at": published,
        "last_activity_at": published,
    }
    return JobRow(**(values | changes))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await upgrade(database)
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        for number, name in enumerate(PEOPLE, start=1):
            account = AccountRow(
                username=name,
                full_name=name.title(),
                is_freelancer=name not in ("alice", "carol", "dave"),
                is_client=name in ("alice", "carol", "dave"),
                language="en",
                country="US" if name == "alice" else "FR",
                timezone="UTC",
                created_at=NOW,
            )
            assert await repos.accounts.create(account, "console", name)
            assert account.id == number
        session.add_all(
            [
                ClientProfileRow(account_id=ALICE, payment_verified=True, hires_count=1, total_spent_minor=12_345_00,
                                 rating_sum=9, rating_count=2, updated_at=NOW),
                ClientProfileRow(account_id=DAVE, hires_count=10, updated_at=NOW),
                TalentCloudRow(id=1, name="Pythonistas", owner_id=ALICE, created_at=NOW),
            ]
        )  # fmt: skip
        await session.flush()
        session.add_all([_job(job_id) for job_id in JOBS])
        await session.flush()
        session.add_all(
            [JobSkillRow(job_id=job_id, skill=skill) for job_id, job in JOBS.items() for skill in job[2]]
            + [
                CloudMemberRow(cloud_id=1, account_id=GINA, status="member", created_at=NOW),
                CloudMemberRow(cloud_id=1, account_id=HANK, status="invited", created_at=NOW),
                JobInviteRow(job_id=7, freelancer_id=IVAN, created_at=NOW),
                JobInviteRow(job_id=6, freelancer_id=IVAN, created_at=NOW),  # an invitation opens a cloud job too
                ProfileSkillRow(account_id=FRED, skill="Python"),
                ProfileSkillRow(account_id=FRED, skill="Django"),
                ProfileCategoryRow(account_id=FRED, category="dev"),
            ]
        )
    yield database
    await database.dispose()


async def _search(database: Database, query: str = "", viewer: int = FRED, **options: Any) -> list[int]:
    """The ids of one page, checking on the way that the count agrees with the page's total."""
    filters = options.pop("filters", JobFilters())
    async with database.transaction() as session:
        service = SearchService(Repositories.bind(session), NOW)
        page = await service.search(viewer, query, filters, options.pop("sort", Sort.newest), **options)
        assert await service.count(viewer, query, filters) == page.total
    return [hit.id for hit in page.hits]


async def _matching(database: Database, query: str = "", viewer: int = FRED, **filters: Any) -> set[int]:
    found = await _search(database, query, viewer, filters=JobFilters(**filters), page_size=50)
    assert len(found) == len(set(found))
    return set(found)


QUERIES = [
    ("", PUBLIC_OPEN),
    ("python", {1, 3}),
    ("PYTHON django", {1}),
    ("python AND django", {1}),
    ("python OR react", {1, 3, 5}),
    ("dashboard python OR react", {5}),
    ('"machine learning"', {3}),
    ('"learning machine"', set()),
    ('"landing page in wordpress"', {4}),  # longer phrases too
    ('"landing page wordpress"', set()),
    ('title:"landing page"', {4}),
    ('skills:"landing page"', set()),
    ('"with python and pytorch" OR "logo and"', {2, 3}),
    ("python -django", {3}),
    ("python NOT pytorch", {1}),
    ('python -"rest api"', {3}),
    ("title:python", {1}),
    ("skills:python", {1, 3}),
    ("skills:js", {5}),  # an alias of JavaScript
    ('title:"logo design"', {2}),
    ("title:wordpress", {4}),
    ("wordpress", {1, 4}),
    ("cafe", {1, 2}),
    ("CAFÉ", {1, 2}),
    ("naive", {9}),
    ("node.js", {5}),
    ("e-commerce", {5}),
    ("(python OR wordpress) -php", {1, 3}),
    ("-(php OR django) python", {3}),
    ('"cafe logo"', set()),  # the title ends with café and the skills start with Logo: no phrase across fields
    ("pythonista", set()),
    ("scripts", set()),  # only in a cloud job
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
async def test_queries_find_the_same_jobs_on_every_backend(database: Database, query: str, expected: set) -> None:
    assert await _matching(database, query) == expected


FILTERS: list[tuple[dict[str, Any], set[int]]] = [
    ({"experience": {"entry"}}, {2, 4}),
    ({"experience": {"entry", "expert"}, "job_type": {"fixed"}}, {2, 4}),
    ({"job_type": {"hourly"}}, {3, 5}),
    ({"job_type": {"hourly", "fixed"}}, PUBLIC_OPEN),
    ({"proposals": {"0-4"}}, {2, 5}),  # 4 is the top of 0-4
    ({"proposals": {"5-9"}}, {1, 9}),  # 5 and 9 are the edges of 5-9
    ({"proposals": {"10-14"}}, {11}),
    ({"proposals": {"15-19"}}, {12, 13}),
    ({"proposals": {"20-49"}}, {4}),
    ({"proposals": {"50+"}}, {3}),
    ({"proposals": {"0-4", "50+"}}, {2, 3, 5}),
    ({"budget": {"lt100"}}, {2}),  # $99.99
    ({"budget": {"100-499"}}, {1}),  # $100.00 exactly
    ({"budget": {"500-999"}}, {4, 11}),  # $500.00 and $999.99
    ({"budget": {"1k-5k"}}, {12, 13}),  # $1,000.00 and $4,999.99
    ({"budget": {"5k+"}}, {9}),  # $5,000.00
    ({"budget_min_minor": 500_00, "budget_max_minor": 999_99}, {4, 11}),  # both ends included
    ({"budget_min_minor": 999_99, "budget_max_minor": 500_00}, {4, 11}),  # the wrong way round
    ({"budget_min_minor": 1_000_00}, {9, 12, 13}),
    ({"budget": {"lt100"}, "budget_max_minor": 100_00}, {1, 2}),  # a custom range is one more option
    ({"hourly_min_minor": 80_00}, {3}),  # the job's maximum is included
    ({"hourly_max_minor": 25_00}, {5}),  # a job with only a minimum rate
    ({"hourly_min_minor": 25_01, "hourly_max_minor": 39_99}, set()),
    ({"hourly_min_minor": 25_00, "hourly_max_minor": 25_00}, {5}),
    ({"budget": {"lt100"}, "hourly_min_minor": 80_00}, {2, 3}),  # each job by the filter of its own type
    ({"budget": {"lt100"}, "job_type": {"hourly"}}, {2, 3, 5}),
    ({"hourly_min_minor": 0, "job_type": {"fixed"}}, PUBLIC_OPEN),
    ({"client_hires": {"none"}}, {2, 4}),  # Carol has no client profile yet
    ({"client_hires": {"1-9"}}, {1, 3, 5, 9}),  # Alice has hired 1
    ({"client_hires": {"10+"}}, {11, 12, 13}),  # Dave has hired 10
    ({"client_hires": {"none", "10+"}}, {2, 4, 11, 12, 13}),
    ({"payment_verified": True}, {1, 3, 5, 9}),
    ({"previous_clients": True}, set()),  # no contracts exist yet
    ({"project_length": {"gt6"}}, {3}),
    ({"project_length": {"lt1", "3to6"}}, {2, 4, 5}),
    ({"hours_per_week": {"lt30"}}, {5}),
    ({"hours_per_week": {"lt30", "gt30"}}, {3, 5}),  # fixed-price jobs have no hours per week
    ({"categories": {"design", "finance"}}, {2, 11}),
    ({"posted_within_days": 30}, PUBLIC_OPEN - {9}),
    ({"posted_within_days": 40}, PUBLIC_OPEN),  # published exactly 40 days ago
    ({"cloud_id": 1}, set()),
    ({"experience": {"intermediate"}, "job_type": {"fixed"}, "categories": {"dev"}, "proposals": {"5-9"}}, {1}),
]


@pytest.mark.parametrize(("filters", "expected"), FILTERS)
async def test_filters_and_their_bucket_edges(database: Database, filters: dict, expected: set) -> None:
    assert await _matching(database, **filters) == expected


async def test_filters_combine_with_words(database: Database) -> None:
    assert await _matching(database, "python", job_type={"fixed"}) == {1}
    assert await _matching(database, "python OR wordpress", budget={"500-999", "100-499"}) == {1, 4}


async def test_cloud_and_invite_only_jobs_reach_only_their_people(database: Database) -> None:
    for viewer, expected in (
        (FRED, {1, 3}),
        (HANK, {1, 3}),  # invited to the cloud, not a member yet
        (GINA, {1, 3, 6}),  # a member of the cloud
        (IVAN, {1, 3, 6, 7}),  # invited to the jobs
        (ALICE, {1, 3, 6, 7}),  # their client
        (CAROL, {1, 3}),
    ):
        assert await _matching(database, "python", viewer) == expected, viewer
        assert await _matching(database, "", viewer) == PUBLIC_OPEN | (expected - {1, 3}), viewer
    assert await _matching(database, "", GINA, cloud_id=1) == {6}
    assert await _matching(database, "private", FRED) == set()
    assert await _matching(database, "closed OR draft", ALICE) == set()  # never closed or draft jobs


async def test_hidden_jobs_never_come_back(database: Database) -> None:
    async with database.transaction() as session:
        session.add(HiddenJobRow(account_id=FRED, job_id=1, reason="not_relevant", created_at=NOW))
    assert await _matching(database, "python") == {3}
    assert await _matching(database, "") == PUBLIC_OPEN - {1}
    assert await _matching(database, "python", GINA) == {1, 3, 6}  # hidden for Fred only


async def test_the_index_follows_edits_and_deletions(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(update(JobRow).where(JobRow.id == 2).values(title="Mascot illustration"))
        await session.execute(update(JobRow).where(JobRow.id == 4).values(proposals_count=3))
        await session.execute(delete(JobSkillRow).where(JobSkillRow.job_id == 9))
        await session.execute(delete(JobRow).where(JobRow.id == 9))
    assert await _matching(database, "mascot") == {2}
    assert await _matching(database, "title:logo") == set()
    assert await _matching(database, "wordpress", proposals={"0-4"}) == {4}
    assert await _matching(database, "french") == set()


async def test_sorts(database: Database) -> None:
    newest = [1, 2, 3, 4, 5, 11, 12, 13, 9]
    assert await _search(database, "", sort=Sort.newest, page_size=20) == newest
    assert await _search(database, "", sort=Sort.relevance, page_size=20) == newest  # nothing to rank by
    assert await _search(database, "wordpress", sort=Sort.newest) == [1, 4]
    assert await _search(database, "wordpress", sort=Sort.relevance) == [4, 1]  # in 4's title and skills
    # in the title (4), then in the skills (5), then in the description only (1): newest first within each
    assert await _search(database, "wordpress OR javascript", sort=Sort.relevance) == [4, 5, 1]
    assert await _search(database, "wordpress OR javascript", sort=Sort.newest) == [1, 4, 5]
    # Fred knows Python and Django and works in dev: both skills, one skill, the category, then the rest
    assert await _search(database, "", sort=Sort.best_match, page_size=20) == [1, 3, 4, 5, 2, 11, 12, 13, 9]
    assert await _search(database, "", GINA, sort=Sort.best_match, page_size=3) == [1, 2, 3]  # no profile: newest


async def test_relevance_reads_a_broad_search_from_its_newest_title_matches(database: Database) -> None:
    """Many title matches published lately (SQLite takes the page from them alone), with filters and visibility
    still applied; a later page reaches the next tier."""
    jobs = []
    for n in range(1, 61):  # Python script n, published n minutes ago; odd n: expert
        job = _job(1)
        job.id, job.title = 100 + n, f"Python script {n}"
        job.published_at = job.created_at = job.last_activity_at = NOW - timedelta(minutes=n)
        job.experience = "expert" if n % 2 else "intermediate"
        jobs.append(job)
    jobs[0].visibility, jobs[0].cloud_id = "cloud", 1  # 101: Fred is not in the cloud
    async with database.transaction() as session:
        session.add_all(jobs)
        await session.flush()
        session.add(HiddenJobRow(account_id=FRED, job_id=103, created_at=NOW))
    expert = {"filters": JobFilters(experience={"expert"}), "sort": Sort.relevance, "page_size": 5}
    assert await _search(database, "python", **expert) == [105, 107, 109, 111, 113]
    # 28 title matches (odd n from 5 to 59), then job 3 (Python in its skills)
    assert await _search(database, "python", page=6, **expert) == [155, 157, 159, 3]
    # job 3 has one of Fred's skills; then the newest in his category (dev), as job 3 is not
    assert await _search(database, "", **(expert | {"sort": Sort.best_match, "page_size": 3})) == [3, 105, 107]


async def test_pages_and_a_page_past_the_end(database: Database) -> None:
    async with database.transaction() as session:
        service = SearchService(Repositories.bind(session), NOW)
        pages = [await service.search(FRED, "", JobFilters(), Sort.newest, page, 4) for page in (1, 2, 3, 4)]
    assert [[hit.id for hit in page.hits] for page in pages] == [[1, 2, 3, 4], [5, 11, 12, 13], [9], []]
    assert {(page.total, page.pages, page.page_size) for page in pages} == {(9, 3, 4)}
    assert pages[3].page == 4


async def test_a_hit_holds_the_whole_card(database: Database) -> None:
    async with database.transaction() as session:
        session.add(SavedJobRow(account_id=FRED, job_id=1, created_at=NOW))
    async with database.transaction() as session:
        page = await SearchService(Repositories.bind(session), NOW).search(FRED, "django", JobFilters(), Sort.newest)
    (hit,) = page.hits
    assert (hit.id, hit.title, hit.skills, hit.saved) == (
        1,
        "Python developer for Django API",
        ["Django", "Python"],
        True,
    )
    assert hit.snippet == JOBS[1][1]
    assert (hit.job_type, hit.budget_minor, hit.currency, hit.category, hit.proposals_count) == (
        "fixed", 100_00, "USD", "dev", 5
    )  # fmt: skip
    client = hit.client
    assert (client.account_id, client.full_name, client.country, client.payment_verified, client.hires) == (
        ALICE, "Alice", "US", True, 1
    )  # fmt: skip
    assert (client.total_spent_minor, client.rating, client.reviews, hit.published_at) == (
        12_345_00, 4.5, 2, NOW - timedelta(hours=1)
    )  # fmt: skip
    async with database.transaction() as session:
        page = await SearchService(Repositories.bind(session), NOW).search(FRED, "logo", JobFilters(), Sort.newest)
    (hit,) = page.hits
    assert (hit.client.hires, hit.client.rating, hit.client.payment_verified, hit.saved) == (0, None, False, False)


async def test_client_stats_and_status_changes_reach_the_search(database: Database) -> None:
    """The client stats copied onto jobs and the full-text index of open jobs follow every write."""
    async with database.transaction() as session:
        session.add(ClientProfileRow(account_id=CAROL, payment_verified=True, hires_count=12, updated_at=NOW))
        new_job = _job(11)
        new_job.id, new_job.title = 14, "Payroll in Excel"
        session.add(new_job)  # Dave's, posted after his profile: the job starts with his stats
    assert await _matching(database, payment_verified=True) == {1, 2, 3, 4, 5, 9}
    assert await _matching(database, client_hires={"10+"}) == {2, 4, 11, 12, 13, 14}
    assert await _matching(database, "payroll") == {14}
    async with database.transaction() as session:
        await session.execute(
            update(ClientProfileRow)
            .where(ClientProfileRow.account_id == ALICE)
            .values(payment_verified=False, hires_count=0)
        )
        await session.execute(delete(ClientProfileRow).where(ClientProfileRow.account_id == DAVE))
        await session.execute(update(JobRow).where(JobRow.id == 4).values(status="closed"))
        await session.execute(update(JobRow).where(JobRow.id == 8).values(status="open"))
    assert await _matching(database, payment_verified=True) == {2}
    assert await _matching(database, client_hires={"none"}) == {1, 3, 5, 8, 9, 11, 12, 13, 14}
    assert await _matching(database, "python") == {1, 3, 8}  # a job reopened is found again
    assert await _matching(database, "wordpress") == {1}  # a job closed is not


async def test_invitations_cloud_membership_and_skills_reach_the_search(database: Database) -> None:
    """SQLite keeps invitations and skills as tags in the index: adding or removing one changes what is found;
    cloud membership is read at search time."""
    async with database.transaction() as session:
        session.add(JobInviteRow(job_id=7, freelancer_id=FRED, created_at=NOW))
        session.add(CloudMemberRow(cloud_id=1, account_id=CAROL, status="member", created_at=NOW))
        session.add(JobSkillRow(job_id=5, skill="Django"))
    assert await _matching(database, "python") == {1, 3, 7}
    assert await _matching(database, "python", CAROL) == {1, 3, 6}
    assert await _search(database, "", sort=Sort.best_match, page_size=3) == [1, 5, 7]  # Django or Python, and dev
    async with database.transaction() as session:
        await session.execute(delete(JobInviteRow).where(JobInviteRow.job_id == 7, JobInviteRow.freelancer_id == FRED))
        await session.execute(update(CloudMemberRow).where(CloudMemberRow.account_id == CAROL).values(status="invited"))
        await session.execute(delete(JobSkillRow).where(JobSkillRow.job_id == 5))
    assert await _matching(database, "python") == {1, 3}
    assert await _matching(database, "python", CAROL) == {1, 3}
    assert await _search(database, "", sort=Sort.best_match, page_size=3) == [1, 3, 4]


async def test_filters_follow_edits_of_every_filtered_field(database: Database) -> None:
    """Each filtered attribute of a job can change after it is posted, and the search sees the new value."""
    changes = {
        "experience": "expert", "job_type": "hourly", "budget_minor": None, "rate_min_minor": 60_00,
        "project_length": "gt6", "hours_per_week": "lt30", "category": "finance", "proposals_count": 60,
        "visibility": "cloud", "cloud_id": 1,
    }  # fmt: skip
    async with database.transaction() as session:
        await session.execute(update(JobRow).where(JobRow.id == 2).values(**changes))
    filters: dict[str, Any] = {
        "experience": {"expert"}, "job_type": {"hourly"}, "hourly_min_minor": 60_00, "hourly_max_minor": 60_00,
        "project_length": {"gt6"}, "hours_per_week": {"lt30"}, "categories": {"finance"}, "proposals": {"50+"},
    }  # fmt: skip
    assert await _matching(database, "logo", GINA, **filters) == {2}
    assert await _matching(database, "logo", FRED) == set()  # a cloud job now, and Fred is not a member
    assert await _matching(database, "logo", GINA, cloud_id=1) == {2}
    assert await _matching(database, "logo", GINA, hourly_min_minor=60_01) == set()
    assert await _matching(database, "logo", GINA, hourly_max_minor=59_99) == set()
    assert await _matching(database, "logo", GINA, budget={"lt100"}) == set()  # a budget asks for fixed-price


async def test_newest_follows_publish_time_across_reopening_and_within_a_second(database: Database) -> None:
    """A job reopened with a new publish time comes first; jobs published in the same second keep the exact
    order of their times, then of their ids."""
    async with database.transaction() as session:
        await session.execute(update(JobRow).where(JobRow.id == 8).values(status="open", published_at=NOW))
        await session.execute(
            update(JobRow).where(JobRow.id == 12).values(published_at=NOW - timedelta(microseconds=100_000))
        )
        await session.execute(
            update(JobRow).where(JobRow.id == 13).values(published_at=NOW - timedelta(microseconds=500_000))
        )
        await session.execute(update(JobRow).where(JobRow.id == 11).values(published_at=NOW - timedelta(hours=1)))
    newest = await _search(database, "", sort=Sort.newest, page_size=20)
    assert newest == [8, 12, 13, 11, 1, 2, 3, 4, 5, 9]  # 12 and 13: one second, 12 later
    assert await _search(database, "", sort=Sort.newest, page=2, page_size=3) == [11, 1, 2]
    assert await _search(database, "python", sort=Sort.newest) == [8, 1, 3]


async def test_words_that_look_like_index_tags_are_only_words(database: Database) -> None:
    """The SQLite index also holds filter tags (words starting with z); a searched word never matches one."""
    assert await _matching(database, "zopen") == set()
    assert await _matching(database, "zpayv OR python") == {1, 3}


async def test_wide_band_filters_find_the_same_jobs(database: Database) -> None:
    """SQLite may ask for a band filter as the other bands left out, when those are fewer jobs."""
    assert await _matching(database, proposals={"0-4", "5-9", "10-14", "15-19", "20-49"}) == PUBLIC_OPEN - {3}
    assert await _matching(database, budget={"lt100", "100-499", "500-999", "1k-5k"}) == {1, 2, 4, 11, 12, 13}
    assert await _matching(database, client_hires={"none", "1-9"}) == {1, 2, 3, 4, 5, 9}
    assert await _matching(database, experience={"intermediate", "expert"}) == PUBLIC_OPEN - {2, 4}
    async with database.transaction() as session:
        await session.execute(update(JobRow).where(JobRow.id == 5).values(rate_min_minor=30_00))
    assert await _matching(database, hourly_max_minor=25_00) == set()  # job 5's rate starts at $30 now


async def test_public_search_lists_what_anyone_may_see(database: Database) -> None:
    """What an inline query lists, to be shared in any chat: open public jobs only, whoever asks."""
    async with database.transaction() as session:
        service = SearchService(Repositories.bind(session), NOW)
        python, everything = await service.public("python", page_size=50), await service.public("", page_size=50)
    assert {hit.id for hit in python.hits} == {1, 3}
    assert {hit.id for hit in everything.hits} == PUBLIC_OPEN
    assert python.total == 2
