"""The feed's ranking rules, one at a time, on hand-made jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.feed import Dislike, Taste, rank, rate_fit
from bot.core.jobs import ClientSummary
from bot.core.search import JobHit

NOW = datetime(2026, 5, 1, tzinfo=UTC)
NOBODY = Taste(frozenset(), frozenset(), None, frozenset(), ())


def hit(job_id: int, **changes: object) -> JobHit:
    values: dict[str, object] = {
        "id": job_id,
        "title": f"job {job_id}",
        "snippet": "",
        "job_type": "fixed",
        "budget_minor": 500_00,
        "rate_min_minor": None,
        "rate_max_minor": None,
        "currency": "USD",
        "experience": "entry",
        "project_length": "1to3",
        "hours_per_week": None,
        "category": "dev",
        "skills": [],
        "proposals_count": 0,
        "published_at": NOW - timedelta(days=1),
        "saved": False,
        "client": ClientSummary(1, "Client", "FR", NOW, False, 0, 0, None, 0),
    }
    return JobHit(**(values | changes))  # type: ignore[arg-type]


def ids(hits: list[JobHit], taste: Taste = NOBODY) -> list[int]:
    return [found.id for found in rank(hits, taste, NOW)]


def test_fresher_first_when_nothing_else_differs() -> None:
    assert ids([hit(1, published_at=NOW - timedelta(days=20)), hit(2)]) == [2, 1]


def test_skills_then_category() -> None:
    taste = Taste(frozenset({"Python", "Django"}), frozenset({"data"}), None, frozenset(), ())
    jobs = [hit(1), hit(2, category="data"), hit(3, skills=["Python"]), hit(4, skills=["Python", "Django"])]
    assert ids(jobs, taste) == [4, 3, 2, 1]


def test_rate_fit() -> None:
    hourly = hit(1, job_type="hourly", budget_minor=None, rate_min_minor=20_00, rate_max_minor=40_00)
    assert rate_fit(hourly, 30_00) == 1.0
    assert rate_fit(hourly, 60_00) == 0.5  # 50% above the top of the range
    assert rate_fit(hourly, 200_00) == -1.0
    assert rate_fit(hit(2), 30_00) == 0.0  # fixed price: no opinion
    taste = Taste(frozenset(), frozenset(), 80_00, frozenset(), ())
    low = hit(3, job_type="hourly", budget_minor=None, rate_min_minor=10_00, rate_max_minor=15_00)
    assert ids(
        [low, hit(4, job_type="hourly", budget_minor=None, rate_min_minor=60_00, rate_max_minor=90_00)], taste
    ) == [4, 3]


def test_jobs_like_saved_ones_rise() -> None:
    taste = Taste(frozenset(), frozenset(), None, frozenset({"Figma"}), ())
    assert ids([hit(1), hit(2, skills=["Figma"], published_at=NOW - timedelta(days=3))], taste) == [2, 1]


def test_each_not_interested_reason_sinks_its_kind_of_job() -> None:
    hidden = {
        "client_id": 9,
        "category": "design",
        "project_length": "gt6",
        "job_type": "fixed",
        "pay_minor": 100_00,
        "skills": frozenset({"Logo Design"}),
    }
    cases = {
        "budget": (hit(1, budget_minor=80_00), hit(2, budget_minor=900_00)),
        "client": (hit(1, client=ClientSummary(9, "C", "FR", NOW, False, 0, 0, None, 0)), hit(2)),
        "length": (hit(1, project_length="gt6"), hit(2)),
        "skills": (hit(1, skills=["Logo Design"]), hit(2, skills=["Python"])),
    }
    for reason, (alike, other) in cases.items():
        taste = Taste(frozenset(), frozenset(), None, frozenset(), (Dislike(reason, **hidden),))
        assert ids([alike, other], taste) == [2, 1], reason
