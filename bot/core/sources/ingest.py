"""Feed entries into jobs: each entry of a feed becomes one open public job of the feed's own client account,
known by the entry's id in that feed (or, when a feed's ids change, by its link), updated when the feed changes
it and kept from expiring while the feed lists it.

A feed says nothing of the experience wanted or the project's length, which every post states: its jobs store
``NOT_STATED`` there (the search tags it as neither value, so those filters leave them out) and the job card says
so. A feed's account has no identity on any platform, so nobody can sign in as it and it is never notified; its
username starts with ``feed:``, which no person can choose (usernames are letters, digits and underscores).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.money import CURRENCY
from bot.core.sources.fetched import Validators
from bot.core.sources.reading import FeedEntry
from bot.core.taxonomy import known_skill
from bot.storage.orm import AccountRow, FeedSourceRow, JobRow
from bot.storage.repositories import Repositories

NOT_STATED = "unstated"  # experience and project_length of a job from a feed
FEED_USERNAME_PREFIX = "feed:"
MAX_SKILLS = 15
MAX_ERROR = 200

# The first category whose words appear in an entry's category text, else its skills, else its title.
_CATEGORY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(rf"\b(?:{words})", re.IGNORECASE))
    for code, words in (
        ("translation", r"translat|interpret|locali[sz]"),
        ("design", r"design|ui\b|ux\b|graphic|illustrat|creative|figma|photoshop|video edit|animat"),
        ("writing", r"writ|copy\s?writ|content|editor\b|editing|blog|journalis|proofread"),
        ("marketing", r"marketing|sales\b|seo\b|growth|social media|advertis|business develop|lead gen"),
        ("data", r"data\b|data sci|analytic|machine learning|\bml\b|ai/ml|artificial intelligence|statistic"),
        ("it", r"devops|sysadmin|system admin|network|infrastructure|security|cloud engineer|sre\b|it support"),
        ("support", r"customer (?:service|support|success)|support (?:agent|specialist|rep)|help ?desk"),
        ("admin", r"virtual assistant|admin(?:istrative)? (?:assistant|support)|data entry|office manag"),
        ("finance", r"account(?:ant|ing)|bookkeep|financ|tax\b|consult|audit"),
        ("legal", r"legal|lawyer|attorney|paralegal|counsel\b|contract law"),
        ("engineering", r"civil eng|mechanical|electrical eng|architectur|cad\b|autocad|structural"),
        ("dev", r"develop|programm|software|engineer|web|mobile|backend|frontend|full.?stack|python|java|php"),
    )
)


def guess_category(entry: FeedEntry) -> str:
    """The category code an entry most likely belongs to; "dev" when nothing says otherwise."""
    for text in (entry.category or "", " ".join(entry.skills), entry.title):
        for code, words in _CATEGORY_WORDS:
            if words.search(text):
                return code
    return "dev"


def feed_username(name: str) -> str:
    """``feed:<name>``, within the 32 characters of a username; a long name is cut and made unique by a hash."""
    username = FEED_USERNAME_PREFIX + name.casefold()
    if len(username) <= 32:
        return username
    digest = hashlib.sha256(name.casefold().encode()).hexdigest()[:8]
    return f"{username[:23]}~{digest}"


def job_skills(entry: FeedEntry, tagged: Sequence[str]) -> list[str]:
    """The entry's skills then the feed's own, known ones in their usual spelling, each once, at most 15."""
    skills: dict[str, str] = {}
    for raw in (*entry.skills, *tagged):
        skill = known_skill(raw) or raw.strip()
        if skill and len(skill) <= 40:
            skills.setdefault(skill.casefold(), skill)
    return list(skills.values())[:MAX_SKILLS]


@dataclass
class Ingested:
    new: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)  # entries left out here, with the reason


@dataclass(frozen=True)
class _Terms:
    """What an entry says of a job, as the job's columns hold it: compared to tell an updated entry."""

    title: str
    description: str
    category: str
    skills: tuple[str, ...]
    job_type: str
    budget_minor: int | None
    rate_min_minor: int | None
    rate_max_minor: int | None
    currency: str
    external_url: str | None

    @classmethod
    def of(cls, entry: FeedEntry, category: str | None, tagged: Sequence[str]) -> _Terms:
        pay = entry.pay
        hourly = pay is not None and pay.hourly
        return cls(
            title=entry.title,
            description=entry.description,
            category=category or guess_category(entry),
            skills=tuple(job_skills(entry, tagged)),
            job_type="hourly" if hourly else "fixed",
            budget_minor=pay.low_minor if pay is not None and not hourly else None,
            rate_min_minor=pay.low_minor if pay is not None and hourly else None,
            rate_max_minor=pay.high_minor if pay is not None and hourly else None,
            currency=pay.currency if pay is not None else CURRENCY,
            external_url=entry.link,
        )

    def same_as(self, row: JobRow) -> bool:
        return (
            row.title == self.title
            and row.description == self.description
            and row.category == self.category
            and row.skills_text == " ".join(self.skills)
            and (row.job_type, row.budget_minor, row.currency) == (self.job_type, self.budget_minor, self.currency)
            and (row.rate_min_minor, row.rate_max_minor) == (self.rate_min_minor, self.rate_max_minor)
            and row.external_url == self.external_url
        )

    def write(self, row: JobRow) -> None:
        row.title, row.description, row.category = self.title, self.description, self.category
        row.skills_text = " ".join(self.skills)
        row.job_type, row.budget_minor, row.currency = self.job_type, self.budget_minor, self.currency
        row.rate_min_minor, row.rate_max_minor = self.rate_min_minor, self.rate_max_minor
        row.external_url = self.external_url


class FeedJobs:
    """One feed's jobs, in one transaction."""

    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._repos = repos
        self._now = now

    async def source(self, name: str) -> FeedSourceRow:
        """The feed's source row, made with its client account the first time the feed is polled."""
        repo = self._repos.feed_sources
        found = await repo.by_name(name)
        if found is not None:
            return found
        account = AccountRow(
            username=feed_username(name),
            full_name=name,
            is_freelancer=False,
            is_client=True,
            language="en",
            country="",
            timezone="UTC",
            created_at=self._now,
        )
        self._repos.session.add(account)
        await self._repos.session.flush()
        await repo.create(name, account.id, self._now)
        created = await repo.by_name(name)
        assert created is not None
        return created

    async def ingest(
        self, source: FeedSourceRow, entries: Sequence[FeedEntry], *, category: str | None, skills: Sequence[str]
    ) -> Ingested:
        """New entries become jobs, changed ones are updated (an expired one reopens), and every job the feed
        still lists is kept from expiring."""
        repo, done = self._repos.feed_sources, Ingested()
        stored = await repo.jobs(source.id)
        by_id = {row.external_id: row for row in stored}
        by_link = {row.external_url: row for row in stored if row.external_url}
        claimed: set[int] = set()
        new: list[tuple[JobRow, Sequence[str]]] = []
        for entry in entries:
            terms = _Terms.of(entry, category, skills)
            row = by_id.get(entry.guid) or (by_link.get(entry.link) if entry.link else None)
            if row is not None and id(row) in claimed:
                done.skipped.append(f"{entry.guid[:80]}: the same link as another entry")
                continue
            if row is None:
                row = self._job(source, entry, terms)
                new.append((row, terms.skills))
                if entry.link:
                    by_link[entry.link] = row
            else:
                row.external_id = entry.guid  # the link found it: the feed changed the entry's id
                done.updated += await self._update(row, terms)
            claimed.add(id(row))
        await repo.add_jobs(new, self._now)
        done.new = len(new)
        await repo.touch([row.id for row in stored if id(row) in claimed], self._now)
        return done

    def _job(self, source: FeedSourceRow, entry: FeedEntry, terms: _Terms) -> JobRow:
        published = entry.published if entry.published is not None and entry.published <= self._now else self._now
        row = JobRow(
            client_id=source.account_id,
            experience=NOT_STATED,
            project_length=NOT_STATED,
            hours_per_week=None,
            visibility="public",
            cloud_id=None,
            status="open",
            proposals_count=0,
            created_at=self._now,
            published_at=published,
            last_activity_at=self._now,
            closed_at=None,
            source_id=source.id,
            external_id=entry.guid,
        )
        terms.write(row)
        return row

    async def _update(self, row: JobRow, terms: _Terms) -> bool:
        """The job as the entry now says; True when that changed it (or reopened it)."""
        reopened = row.status == "expired"
        if reopened:
            row.status, row.closed_at = "open", None
            await self._repos.feed_sources.match_again(row.id, self._now)
        if terms.same_as(row):
            return reopened
        if row.skills_text != " ".join(terms.skills):
            await self._repos.feed_sources.replace_skills(row.id, terms.skills)
        terms.write(row)
        return True

    async def answered(self, source: FeedSourceRow, validators: Validators) -> None:
        """The feed answered (its entries were read): remember how to ask for changes only."""
        source.etag = validators.etag if validators.etag and len(validators.etag) <= 500 else None
        modified = validators.last_modified
        source.last_modified = modified if modified and len(modified) <= 100 else None
        source.polled_at, source.last_error = self._now, None

    async def unchanged(self, source: FeedSourceRow) -> None:
        """A 304: every job the last poll saw is still listed."""
        if source.polled_at is not None:
            await self._repos.feed_sources.touch_listed_since(source.id, source.polled_at, self._now)
        source.polled_at, source.last_error = self._now, None

    async def failed(self, source: FeedSourceRow, reason: str) -> None:
        """Why the poll failed, for `gigbot doctor` and the log; the jobs stay as they were."""
        source.last_error = reason[:MAX_ERROR]
