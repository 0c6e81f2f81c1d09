"""The "Best matches" feed: open jobs a freelancer may see, ranked by how well they fit them.

Candidates come from search's best-match order (skills, then category), so visibility and hidden jobs are
handled in one place. They are then ranked by: overlap with the profile's skills, the category, the hourly
rate's fit, similarity to jobs the freelancer saved, and freshness; jobs like those they marked
"not interested" sink according to the reason they gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.accounts import Account
from bot.core.search import JobFilters, JobHit, SearchPage, SearchService, Sort
from bot.storage.repositories import Repositories

CANDIDATE_PAGES = 3  # of SEARCH_PAGE_SIZE best-match jobs each: the pool the feed ranks
SEARCH_PAGE_SIZE = 50

SKILLS_WEIGHT = 3.0
CATEGORY_WEIGHT = 1.0
RATE_FIT_WEIGHT = 1.0
SAVED_LIKENESS_WEIGHT = 0.5
FRESHNESS_WEIGHT = 1.0
FRESHNESS_HALF_LIFE_DAYS = 7.0
# How far a job sinks for being like one hidden with this reason (None: no reason given).
DISLIKE_PENALTY = {"skills": 1.0, "budget": 1.0, "client": 2.0, "length": 0.5, "vague": 0.2, "other": 0.2, None: 0.2}


@dataclass(frozen=True)
class Dislike:
    """A job the freelancer hid, as much of it as the ranking compares."""

    reason: str | None
    client_id: int
    category: str
    project_length: str
    job_type: str
    pay_minor: int  # the top of its hourly range, or its budget
    skills: frozenset[str]


@dataclass(frozen=True)
class Taste:
    """What the feed knows of a freelancer's preferences."""

    skills: frozenset[str]
    categories: frozenset[str]
    hourly_rate_minor: int | None
    saved_skills: frozenset[str]
    dislikes: tuple[Dislike, ...]


def _pay(job_type: str, budget: int | None, rate_max: int | None, rate_min: int | None) -> int:
    return (rate_max or rate_min or 0) if job_type == "hourly" else (budget or 0)


def _overlap(job_skills: frozenset[str], other: frozenset[str]) -> float:
    return len(job_skills & other) / len(job_skills) if job_skills else 0.0


def _likeness(hit: JobHit, dislike: Dislike) -> float:
    """0..1: how much this job resembles the hidden one, in the respect the reason named."""
    skills = frozenset(hit.skills)
    if dislike.reason == "skills":
        return _overlap(skills, dislike.skills)
    if dislike.reason == "budget":
        same_kind = hit.job_type == dislike.job_type
        pay = _pay(hit.job_type, hit.budget_minor, hit.rate_max_minor, hit.rate_min_minor)
        return 1.0 if same_kind and pay <= dislike.pay_minor else 0.0
    if dislike.reason == "client":
        return 1.0 if hit.client.account_id == dislike.client_id else 0.0
    if dislike.reason == "length":
        return 1.0 if hit.project_length == dislike.project_length else 0.0
    return 1.0 if hit.category == dislike.category and _overlap(skills, dislike.skills) >= 0.5 else 0.0


def rate_fit(hit: JobHit, hourly_rate_minor: int | None) -> float:
    """1 when the freelancer's rate is within the job's hourly range, less the further it is above it."""
    if hit.job_type != "hourly" or hourly_rate_minor is None or not hit.rate_min_minor:
        return 0.0
    top = hit.rate_max_minor or hit.rate_min_minor
    if hourly_rate_minor <= top:
        return 1.0
    return max(-1.0, 1.0 - (hourly_rate_minor - top) / top)


def score(hit: JobHit, taste: Taste, now: datetime) -> float:
    skills = frozenset(hit.skills)
    age_days = max(0.0, (now - hit.published_at).total_seconds() / 86_400) if hit.published_at else 365.0
    total = (
        SKILLS_WEIGHT * _overlap(skills, taste.skills)
        + CATEGORY_WEIGHT * (hit.category in taste.categories)
        + RATE_FIT_WEIGHT * rate_fit(hit, taste.hourly_rate_minor)
        + SAVED_LIKENESS_WEIGHT * _overlap(skills, taste.saved_skills)
        + FRESHNESS_WEIGHT * 0.5 ** (age_days / FRESHNESS_HALF_LIFE_DAYS)
    )
    return total - sum(DISLIKE_PENALTY[d.reason] * _likeness(hit, d) for d in taste.dislikes)


def rank(hits: list[JobHit], taste: Taste, now: datetime) -> list[JobHit]:
    """Best first; ties by newest, then by id, so the order is stable from page to page."""
    return sorted(hits, key=lambda hit: (-score(hit, taste, now), -(hit.published_at or now).timestamp(), -hit.id))


class FeedService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._repos = repos
        self._now = now
        self._search = SearchService(repos, now)

    async def taste(self, viewer: Account) -> Taste:
        profiles, jobs = self._repos.profiles, self._repos.jobs
        profile = await profiles.freelancer(viewer.id)
        saved_skills: set[str] = set()
        for saved in await profiles.saved_jobs(viewer.id):
            saved_skills.update(await jobs.skills(saved.job_id))
        dislikes = []
        for hidden in await profiles.hidden_jobs(viewer.id):
            job = await jobs.get(hidden.job_id)
            if job is not None:
                dislikes.append(
                    Dislike(
                        hidden.reason,
                        job.client_id,
                        job.category,
                        job.project_length,
                        job.job_type,
                        _pay(job.job_type, job.budget_minor, job.rate_max_minor, job.rate_min_minor),
                        frozenset(await jobs.skills(job.id)),
                    )
                )
        return Taste(
            skills=frozenset(await profiles.skills(viewer.id)),
            categories=frozenset(await profiles.categories(viewer.id)),
            hourly_rate_minor=profile.hourly_rate_minor if profile else None,
            saved_skills=frozenset(saved_skills),
            dislikes=tuple(dislikes),
        )

    async def feed(self, viewer: Account, page: int, page_size: int) -> SearchPage:
        candidates: list[JobHit] = []
        for number in range(1, CANDIDATE_PAGES + 1):
            found = await self._search.search(viewer.id, "", JobFilters(), Sort.best_match, number, SEARCH_PAGE_SIZE)
            candidates += found.hits
            if number >= found.pages:
                break
        ranked = rank(candidates, await self.taste(viewer), self._now)
        page = max(1, page)
        return SearchPage(ranked[(page - 1) * page_size : page * page_size], len(ranked), page, page_size)
