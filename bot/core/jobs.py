"""Job posts: the rules for each field, who may see a post, and its life (draft, open, closed, expired).

A post is edited as a ``JobDraft`` (kept in the conversation while the client fills it in) and stored in
``jobs`` plus ``job_skills``, ``job_questions`` and ``job_attachments``. The skills are also joined into
``jobs.skills_text`` for full-text search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from bot.core.accounts import Account, clean_username
from bot.core.credits import refund_closed_job
from bot.core.errors import UserError
from bot.core.events import AttachmentIn
from bot.core.files import DOCUMENT_TYPES, FileService
from bot.core.i18n import N_, Count, Money
from bot.core.money import CURRENCY, MINOR_PER_MAJOR, format_money, parse_amount
from bot.core.numbers import whole_number
from bot.core.taxonomy import CATEGORIES, normalise_skill
from bot.storage.orm import JobRow
from bot.storage.repositories import Repositories

TITLE_MIN, TITLE_MAX = 10, 100
DESCRIPTION_MAX = 5_000
MAX_SKILLS = 15
MAX_QUESTIONS = 5
QUESTION_MAX = 300
MAX_ATTACHMENTS = 5
HOURLY_MIN_MINOR, HOURLY_MAX_MINOR = 3 * MINOR_PER_MAJOR, 999 * MINOR_PER_MAJOR
FIXED_MIN_MINOR, FIXED_MAX_MINOR = 5 * MINOR_PER_MAJOR, 1_000_000 * MINOR_PER_MAJOR
EXPIRES_AFTER = timedelta(days=30)  # an open post with no activity this long expires
REOPEN_WITHIN = timedelta(days=90)  # a post that stopped taking proposals longer ago must be posted again
ATTACHMENT_TYPES = DOCUMENT_TYPES

EXPERIENCE = {"entry": N_("Entry level"), "intermediate": N_("Intermediate"), "expert": N_("Expert")}
PROJECT_LENGTHS = {
    "lt1": N_("Less than 1 month"),
    "1to3": N_("1 to 3 months"),
    "3to6": N_("3 to 6 months"),
    "gt6": N_("More than 6 months"),
}
HOURS_PER_WEEK = {"lt30": N_("Less than 30 hrs/week"), "gt30": N_("More than 30 hrs/week")}
STATUSES = {"draft": N_("Draft"), "open": N_("Open"), "closed": N_("Closed"), "expired": N_("Expired")}

_RANGE_SEPARATOR = re.compile(r"\s*(?:-|–|—|\bto\b|\bà\b)\s*", re.IGNORECASE)
_SKILL_SEPARATOR = re.compile(r"[,;\n]+")


class AttachedFile(BaseModel):
    id: int
    filename: str
    size: int


class JobDraft(BaseModel):
    """Every field of a post, as the client fills them in; ``None``/empty where not given yet."""

    title: str = ""
    description: str = ""
    category: str | None = None
    skills: list[str] = Field(default_factory=list)
    job_type: Literal["hourly", "fixed"] | None = None
    budget_minor: int | None = None
    rate_min_minor: int | None = None
    rate_max_minor: int | None = None
    currency: str = CURRENCY
    experience: Literal["entry", "intermediate", "expert"] | None = None
    project_length: Literal["lt1", "1to3", "3to6", "gt6"] | None = None
    hours_per_week: Literal["lt30", "gt30"] | None = None
    questions: list[str] = Field(default_factory=list)
    visibility: Literal["public", "cloud", "invite"] = "public"
    cloud_id: int | None = None
    cloud_name: str = ""
    attachments: list[AttachedFile] = Field(default_factory=list)

    def missing(self) -> str | None:
        """The first field still to fill in (named as the post_job step that asks it), or None."""
        needed = [
            ("title", bool(self.title)),
            ("description", bool(self.description)),
            ("category", self.category is not None),
            ("skills", bool(self.skills)),
            ("job_type", self.job_type is not None),
            ("rate", self.job_type != "hourly" or self.rate_min_minor is not None),
            ("budget", self.job_type != "fixed" or self.budget_minor is not None),
            ("experience", self.experience is not None),
            ("length", self.project_length is not None),
            ("hours", self.job_type != "hourly" or self.hours_per_week is not None),
        ]
        return next((step for step, done in needed if not done), None)


class Job(JobDraft):
    """A stored post; one from an external feed names it (``source_name``) and its original post."""

    id: int
    client_id: int
    experience: Literal["entry", "intermediate", "expert", "unstated"] | None = None
    project_length: Literal["lt1", "1to3", "3to6", "gt6", "unstated"] | None = None
    status: Literal["draft", "open", "closed", "expired"]
    proposals_count: int = 0
    created_at: datetime
    published_at: datetime | None = None
    last_activity_at: datetime
    closed_at: datetime | None = None
    source_id: int | None = None
    source_name: str = ""
    external_url: str | None = None

    @property
    def external(self) -> bool:
        """From an external feed: applying happens on the original post, not here."""
        return self.source_id is not None

    @property
    def shareable(self) -> bool:
        """Open to anyone, so a link to it may be passed around (not an invite-only or cloud post, nor a closed one)."""
        return self.visibility == "public" and self.status == "open"


@dataclass(frozen=True)
class ClientSummary:
    """What freelancers see of the client next to a post."""

    account_id: int
    full_name: str
    country: str
    member_since: datetime
    payment_verified: bool
    hires: int
    total_spent_minor: int
    rating: float | None
    reviews: int
    source: str | None = None  # the external feed's name, when the "client" is a feed


def _not_found(job_id: int | str) -> UserError:
    return UserError(N_("Job #{id} was not found, or it is not visible to you."), id=job_id)


def _refuse_length(text: str, limit: int) -> UserError:
    return UserError(
        N_("That is too long: at most {limit} characters, and you sent {length}."),
        limit=Count(limit),
        length=Count(len(text)),
    )


def clean_title(raw: str) -> str:
    title = " ".join(raw.split())
    if len(title) < TITLE_MIN:
        raise UserError(
            N_("A title needs at least {min} characters, so freelancers know what the job is."), min=TITLE_MIN
        )
    if len(title) > TITLE_MAX:
        raise _refuse_length(title, TITLE_MAX)
    return title


def clean_description(raw: str) -> str:
    """The text as written (line breaks kept); only the ends trimmed. Too long raises the limit and length."""
    description = raw.strip()
    if not description:
        raise UserError(N_("Please describe the job: it can't be empty."))
    if len(description) > DESCRIPTION_MAX:
        raise _refuse_length(description, DESCRIPTION_MAX)
    return description


def clean_category(code: str) -> str:
    if code not in CATEGORIES:
        raise UserError(N_("Please choose one of the categories."))
    return code


def add_skills(current: list[str], typed: str) -> tuple[list[str], list[UserError]]:
    """``current`` plus the known skills in ``typed`` (comma-separated), and one error per unknown skill.

    Refuses the whole message when the result would hold more than MAX_SKILLS.
    """
    names = [part.strip() for part in _SKILL_SEPARATOR.split(typed) if part.strip()]
    if not names:
        raise UserError(N_("Type one or more skills separated by commas, e.g. Python, Django."))
    if len(names) > MAX_SKILLS:
        raise UserError(
            N_("That is {count} skills; a job post can list at most {max}. Keep the ones that matter most."),
            count=len(names),
            max=MAX_SKILLS,
        )
    skills, problems = list(current), []
    for name in names:
        try:
            skill = normalise_skill(name)
        except UserError as unknown:
            problems.append(unknown)
            continue
        if skill not in skills:
            skills.append(skill)
    if len(skills) > MAX_SKILLS:
        raise UserError(
            N_("A job post can list at most {max} skills; you would have {count}. Remove some first."),
            max=MAX_SKILLS,
            count=len(skills),
        )
    return skills, problems


def _amount(text: str, minimum: int, maximum: int, *, what: Literal["rate", "budget"]) -> int:
    if text.strip().startswith("-"):
        raise UserError(N_("An amount can't be negative."))
    minor = parse_amount(text, minimum_minor=0)
    if minor < minimum or minor > maximum:
        message = (
            N_("An hourly rate must be between {min} and {max} an hour.")
            if what == "rate"
            else N_("A fixed budget must be between {min} and {max}.")
        )
        raise UserError(message, min=Money(minimum), max=Money(maximum))
    return minor


def parse_rate_range(text: str) -> tuple[int, int]:
    """ "25-40", "$25 to $40", "30" (one rate) -> (min, max) in minor units per hour."""
    cleaned = text.strip()
    if cleaned.startswith("-"):
        raise UserError(N_("An amount can't be negative."))
    parts = _RANGE_SEPARATOR.split(cleaned, maxsplit=1)
    if len(parts) == 2 and not parts[1].strip():
        raise UserError(N_("Please type the rate range like 25-40, or one rate like 30."))
    low = _amount(parts[0], HOURLY_MIN_MINOR, HOURLY_MAX_MINOR, what="rate")
    high = _amount(parts[1], HOURLY_MIN_MINOR, HOURLY_MAX_MINOR, what="rate") if len(parts) == 2 else low
    if low > high:
        raise UserError(
            N_("The lowest rate ({low}) is above the highest ({high}). Type the range like 25-40."),
            low=Money(low),
            high=Money(high),
        )
    return low, high


def parse_budget(text: str) -> int:
    return _amount(text, FIXED_MIN_MINOR, FIXED_MAX_MINOR, what="budget")


def clean_question(raw: str, current: list[str]) -> str:
    question = " ".join(raw.split())
    if not question:
        raise UserError(N_("Please type the question: it can't be empty."))
    if len(question) > QUESTION_MAX:
        raise _refuse_length(question, QUESTION_MAX)
    if len(current) >= MAX_QUESTIONS:
        raise UserError(N_("A job post can ask at most {max} screening questions."), max=MAX_QUESTIONS)
    if question.casefold() in (asked.casefold() for asked in current):
        raise UserError(N_("You already ask that question."))
    return question


async def freelancer_to_invite(repos: Repositories, inviter: Account, username: str) -> Account:
    """The freelancer named by a typed @username, for an invitation (to a job or a talent cloud)."""
    name = clean_username(username)
    row = await repos.accounts.by_username(name)
    if row is None or row.deleted_at is not None:
        raise UserError(N_("There is no gigbot user @{username}."), username=name)
    if row.id == inviter.id:
        raise UserError(N_("You can't invite yourself."))
    if not row.is_freelancer:
        raise UserError(N_("@{username} is not a freelancer, so they can't be invited."), username=name)
    return Account.from_row(row)


@dataclass(frozen=True)
class KeptDraft:
    """A post its client left unfinished, and when."""

    draft: JobDraft
    saved_at: datetime


class JobService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._repos = repos
        self._now = now
        self._files = FileService(repos, now)

    # ---- reading --------------------------------------------------------------------------------

    async def load(self, row: JobRow) -> Job:
        return await self._job({column.key: getattr(row, column.key) for column in JobRow.__table__.columns})

    async def _job(self, fields: dict[str, Any]) -> Job:
        """The post from its row's columns (by name), with its skills, questions, files, cloud and feed."""
        repo = self._repos.jobs
        job_id, cloud_id, source_id = fields["id"], fields["cloud_id"], fields["source_id"]
        cloud = await self._repos.clouds.get(cloud_id) if cloud_id is not None else None
        padded = f" {fields.pop('skills_text')} "  # skills_text keeps the client's order of skills
        source = await self._repos.feed_sources.get(source_id) if source_id is not None else None
        return Job(
            **fields,
            source_name=source.name if source else "",
            skills=sorted(await repo.skills(job_id), key=lambda skill: padded.find(f" {skill} ")),
            questions=await repo.questions(job_id),
            attachments=[AttachedFile(id=i, filename=n, size=s) for i, n, s in await repo.attachments(job_id)],
            cloud_name=cloud.name if cloud else "",
        )

    async def can_view(self, viewer: Account | None, job: Job) -> bool:
        """THE visibility rule for a job post (search implements the same rule in SQL):

        Someone without an account (who opened a shared link before signing up) may see J if and only if
        J.visibility = 'public' and J.status is not 'draft'. A viewer with an account may see J if and only if either
          1. the viewer is J's client (J.client_id = viewer.id): any status, drafts included; or
          2. J.status is not 'draft' (open, closed or expired) and at least one of:
             a. J.visibility = 'public';
             b. a job_invites row (job_id = J.id, freelancer_id = viewer.id) exists (an invitation opens any post);
             c. J.visibility = 'cloud', J.cloud_id is not NULL, and the viewer owns that talent cloud
                (talent_clouds.owner_id = viewer.id) or is a member of it (cloud_members row with
                status = 'member'; 'invited' is not enough).
        Admins get no exception. A cloud job whose cloud was deleted (cloud_id NULL) is seen by its client only.
        Anyone else is told the same "not found or not visible" as for a job id that does not exist.
        With no viewer (whoever reads along: a group chat), only 2a: what any stranger may see.
        """
        if viewer is None:
            return job.visibility == "public" and job.status != "draft"
        if job.client_id == viewer.id:
            return True
        if job.status == "draft":
            return False
        if job.visibility == "public" or await self._repos.jobs.is_invited(job.id, viewer.id):
            return True
        if job.visibility != "cloud" or job.cloud_id is None:
            return False
        cloud = await self._repos.clouds.get(job.cloud_id)
        if cloud is None:
            return False
        membership = await self._repos.clouds.membership(cloud.id, viewer.id)
        return cloud.owner_id == viewer.id or (membership is not None and membership.status == "member")

    async def visible(self, viewer: Account | None, job_id: int | str) -> Job:
        """The job if the viewer may see it; else the same polite refusal whether or not it exists."""
        fields = await self._repos.jobs.columns(ident) if (ident := whole_number(job_id)) is not None else None
        job = await self._job(fields) if fields is not None else None
        if job is None or not await self.can_view(viewer, job):
            raise _not_found(str(job_id)[:12])
        return job

    async def visible_many(self, viewer: Account, job_ids: list[int]) -> list[Job]:
        """Those of these jobs the viewer may (still) see, in the order given."""
        jobs = []
        for job_id in job_ids:
            row = await self._repos.jobs.get(job_id)
            if row is not None and await self.can_view(viewer, job := await self.load(row)):
                jobs.append(job)
        return jobs

    async def owned(self, client: Account, job_id: int | str) -> Job:
        """The client's own job; anyone else's (or none) gets the same refusal as an invisible one."""
        row = await self._repos.jobs.get(ident) if (ident := whole_number(job_id)) is not None else None
        if row is None or row.client_id != client.id:
            raise _not_found(str(job_id)[:12])
        return await self.load(row)

    async def mine(self, client: Account, limit: int = 25) -> tuple[list[JobRow], int]:
        """The client's latest posts (rows: title, status, counts, dates are all a list needs) and how many."""
        rows = await self._repos.jobs.by_client(client.id, limit)
        return rows, await self._repos.jobs.count_by_client(client.id)

    async def client_summary(self, client_id: int) -> ClientSummary:
        facts = await self._repos.jobs.client_facts(client_id)
        if facts is None:
            raise _not_found(client_id)
        reviews = facts.rating_count or 0  # (the profile's columns are None for a client without one)
        return ClientSummary(
            account_id=client_id,
            full_name=facts.full_name,
            country=facts.country,
            member_since=facts.created_at,
            payment_verified=bool(facts.payment_verified),
            hires=facts.hires_count or 0,
            total_spent_minor=facts.total_spent_minor or 0,
            rating=(facts.rating_sum or 0) / reviews if reviews else None,
            reviews=reviews,
            source=facts.source_name,
        )

    # ---- writing --------------------------------------------------------------------------------

    @staticmethod
    def require_client(account: Account) -> None:
        if not account.is_client:
            raise UserError(N_("Posting jobs is for clients. Send /post_job to turn hiring on for your account."))

    async def become_client(self, account: Account) -> Account:
        """Turn the client role on for a freelancer who wants to hire too (one account does both)."""
        await self._repos.jobs.make_client(account.id)
        return replace(account, is_client=True)

    async def check(self, client: Account, draft: JobDraft) -> None:
        """Every rule again, as a post is saved: a stale or forged draft must not slip through."""
        self.require_client(client)
        clean_title(draft.title)
        clean_description(draft.description)
        if draft.missing() is not None:
            raise UserError(N_("Some details are missing: please fill in every step before publishing."))
        clean_category(draft.category or "")
        if len(draft.skills) > MAX_SKILLS:
            raise UserError(N_("A job post can list at most {max} skills."), max=MAX_SKILLS)
        if len(draft.questions) > MAX_QUESTIONS:
            raise UserError(N_("A job post can ask at most {max} screening questions."), max=MAX_QUESTIONS)
        for skill in draft.skills:
            normalise_skill(skill)
        if draft.job_type == "hourly":
            low, high = draft.rate_min_minor or 0, draft.rate_max_minor or 0
            if not HOURLY_MIN_MINOR <= low <= high <= HOURLY_MAX_MINOR:
                raise UserError(N_("Please type the rate range like 25-40, or one rate like 30."))
        elif not FIXED_MIN_MINOR <= (draft.budget_minor or 0) <= FIXED_MAX_MINOR:
            raise UserError(
                N_("A fixed budget must be between {min} and {max}."),
                min=Money(FIXED_MIN_MINOR),
                max=Money(FIXED_MAX_MINOR),
            )
        if len(draft.attachments) > MAX_ATTACHMENTS:
            raise UserError(N_("A job post can have at most {max} files."), max=MAX_ATTACHMENTS)
        if draft.visibility == "cloud" and (
            draft.cloud_id is None or not await self.may_post_to_cloud(client, draft.cloud_id)
        ):
            raise UserError(N_("You can only restrict a job to a talent cloud you own or belong to."))

    async def may_post_to_cloud(self, client: Account, cloud_id: int) -> bool:
        cloud = await self._repos.clouds.get(cloud_id)
        if cloud is None:
            return False
        membership = await self._repos.clouds.membership(cloud_id, client.id)
        return cloud.owner_id == client.id or (membership is not None and membership.status == "member")

    async def save(self, client: Account, draft: JobDraft, job_id: int | None, *, publish: bool) -> Job:
        """Create (``job_id`` None) or update a post. ``publish`` opens a draft; an open post stays open.

        A draft passes the same checks as a published post: it is a complete post not yet shown to anyone.
        """
        await self.check(client, draft)
        if job_id is None:
            row = JobRow(client_id=client.id, status="draft", proposals_count=0, created_at=self._now)
        else:
            row = await self._repos.jobs.get(job_id)
            if row is None or row.client_id != client.id:
                raise _not_found(job_id)
        hourly = draft.job_type == "hourly"
        row.title, row.description, row.category = draft.title, draft.description, draft.category
        row.skills_text = " ".join(draft.skills)
        row.job_type, row.currency = draft.job_type, CURRENCY
        row.budget_minor = None if hourly else draft.budget_minor
        row.rate_min_minor = draft.rate_min_minor if hourly else None
        row.rate_max_minor = draft.rate_max_minor if hourly else None
        row.experience, row.project_length = draft.experience, draft.project_length
        row.hours_per_week = draft.hours_per_week if hourly else None
        row.visibility = draft.visibility
        row.cloud_id = draft.cloud_id if draft.visibility == "cloud" else None
        row.last_activity_at = self._now
        published = publish and row.status == "draft"
        if published:
            row.status, row.published_at = "open", self._now
        saved = await self._repos.jobs.save(
            row, draft.skills, draft.questions, [attached.id for attached in draft.attachments]
        )
        if published:  # alerts go out for it once this commits, matched outside the post's transaction
            await self._repos.alerts.queue_match(saved.id, self._now)
        return await self.load(saved)

    async def attach(self, client: Account, draft: JobDraft, upload: AttachmentIn) -> None:
        """Keep a file the client sent for the post (a brief, a mock-up): PDF or image, at most MAX_ATTACHMENTS."""
        if len(draft.attachments) >= MAX_ATTACHMENTS:
            raise UserError(N_("A job post can have at most {max} files."), max=MAX_ATTACHMENTS)
        stored = await self._files.store(client.id, upload, allowed=ATTACHMENT_TYPES)
        draft.attachments.append(AttachedFile(id=stored.id, filename=stored.filename, size=stored.size))

    async def keep_draft(self, client: Account, draft: JobDraft) -> None:
        """Keep an unfinished post for the next /post_job (one per client; an untouched one is not worth it)."""
        if draft != JobDraft():
            await self._repos.jobs.keep_draft(client.id, draft.model_dump(mode="json"), self._now)

    async def kept_draft(self, client: Account) -> KeptDraft | None:
        row = await self._repos.jobs.kept_draft(client.id)
        return KeptDraft(JobDraft.model_validate(row.data), row.saved_at) if row else None

    async def drop_draft(self, client: Account, *, discard_files: bool = False) -> None:
        """Forget the kept draft: it was resumed, or ``discard_files`` when the client starts afresh instead."""
        kept = await self.kept_draft(client)
        if kept is not None and discard_files:
            await self.forget_files(client, [file.id for file in kept.draft.attachments])
        await self._repos.jobs.drop_draft(client.id)

    async def forget_files(self, client: Account, file_ids: list[int]) -> None:
        """Delete uploads of a discarded post (files another saved post uses are kept)."""
        await self._repos.jobs.forget_files(client.id, file_ids)

    async def close(self, client: Account, job_id: int | str) -> Job:
        job = await self.owned(client, job_id)
        if job.status != "open":
            raise UserError(N_("Only an open job can be closed."))
        row = await self._repos.jobs.get(job.id)
        assert row is not None
        row.status, row.closed_at = "closed", self._now
        await refund_closed_job(self._repos, self._now, job.id)  # proposal credits, when nobody was hired
        return await self.load(row)

    async def reopen(self, client: Account, job_id: int | str) -> Job:
        """Closed or expired posts reopen for another EXPIRES_AFTER, unless they stopped taking proposals
        more than REOPEN_WITHIN ago: by then the post is stale, and the client is asked to post a copy."""
        job = await self.owned(client, job_id)
        if job.status not in ("closed", "expired"):
            raise UserError(N_("Only a closed or expired job can be reopened."))
        if job.closed_at is not None and self._now - job.closed_at > REOPEN_WITHIN:
            raise UserError(
                N_("This job stopped taking proposals more than {days} days ago. Post a copy of it instead."),
                days=REOPEN_WITHIN.days,
            )
        row = await self._repos.jobs.get(job.id)
        assert row is not None
        row.status, row.closed_at, row.last_activity_at = "open", None, self._now
        await self._repos.alerts.queue_match(row.id, self._now)
        return await self.load(row)

    async def invite(self, client: Account, job_id: int | str, username: str) -> tuple[Job, Account]:
        """Invite a freelancer to an open post: they can then see it even if it is invite-only or in a cloud."""
        job = await self.owned(client, job_id)
        if job.status != "open":
            raise UserError(N_("You can invite freelancers to an open job only. Publish or reopen it first."))
        freelancer = await freelancer_to_invite(self._repos, client, username)
        if await self._repos.jobs.is_invited(job.id, freelancer.id):
            raise UserError(N_("You already invited @{username} to this job."), username=freelancer.username)
        await self._repos.jobs.add_invite(job.id, freelancer.id, self._now)
        await self.touch(job.id)
        return job, freelancer

    async def touch(self, job_id: int) -> None:
        """Activity on a post (an edit, an invitation, later a proposal) keeps it from expiring."""
        row = await self._repos.jobs.get(job_id)
        if row is not None:
            row.last_activity_at = self._now

    async def stale(self, now: datetime, batch: int = 500) -> list[int]:
        """Open posts with no activity for EXPIRES_AFTER."""
        return [row.id for row in await self._repos.jobs.stale_open(now - EXPIRES_AFTER, batch)]

    async def expire_if_stale(self, job_id: int, now: datetime) -> Job | None:
        """Expire one post still open and idle for EXPIRES_AFTER; returns it so its client can be told."""
        row = await self._repos.jobs.get(job_id)
        if row is None or row.status != "open" or row.last_activity_at > now - EXPIRES_AFTER:
            return None
        row.status, row.closed_at = "expired", now
        return await self.load(row)


class PayTerms(Protocol):
    """What a job says about pay: a post, a draft, or a search hit."""

    job_type: str | None
    budget_minor: int | None
    rate_min_minor: int | None
    rate_max_minor: int | None
    currency: str


def rate_or_budget(job: PayTerms, locale: str) -> str:
    """ "$25–$40" for an hourly range ("$30" when one rate), the budget for a fixed price."""
    if job.job_type == "hourly" and job.rate_min_minor is not None:
        low = format_money(job.rate_min_minor, locale, job.currency)
        if job.rate_max_minor in (None, job.rate_min_minor):
            return low
        return f"{low}–{format_money(job.rate_max_minor, locale, job.currency)}"
    return format_money(job.budget_minor or 0, locale, job.currency)
