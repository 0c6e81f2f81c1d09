"""Job search in SQL: a match tree compiled to FTS5 (SQLite) or tsquery (PostgreSQL), filters, visibility.

The user's query syntax is parsed in bot.core.search into the small tree defined here (``Term``, ``AnyOf``,
``AllOf``), which is all the full-text indexes of migration 0003 need to know.

Tokens are runs of letters and decimal digits, lower-cased, diacritics removed, on both backends. Known
differences, all outside plain accented Latin text: PostgreSQL's unaccent also expands ligatures and sharp
s (æ → ae, œ → oe, ß → ss) and turns superscripts and fractions into digits; SQLite keeps æ, œ and ß as
letters and treats ² or ½ as separators. A search is consistent within each backend.

A search runs in two steps: ids (and the count) walk only narrow index data; then the one page of cards is
read with its client, skills and saved flag.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    column,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import TableClause

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

Field = Literal["title", "skills"]
Order = Literal["newest", "relevance", "best_match"]
IntRange = tuple[int | None, int | None]  # inclusive bounds; None leaves that side open

# Names of what migration 0003 creates outside the models, kept out of model/schema comparisons.
SEARCH_SCHEMA_PREFIXES = ("jobs_fts", "ix_search_", "search_vector")
_SQLITE_COLUMN = {None: None, "title": "title", "skills": "skills_text"}
_PG_WEIGHTS = {None: ("A", "B", "D"), "title": ("A",), "skills": ("B",)}
_BM25_WEIGHTS = (10.0, 1.0, 5.0)  # title, description, skills: as PostgreSQL's ts_rank weights A > B > D
SNIPPET_CHARS = 240
_FTS = table("jobs_fts", column("rowid"))


class _OpenJobsIndexed(TableClause):
    """``jobs`` read through the narrow covering index: SQLite's planner, which assumes narrow rows, would
    otherwise fetch each full-text match's whole (wide) row by rowid."""

    inherit_cache = True


@compiles(_OpenJobsIndexed, "sqlite")
def _indexed_by(element: _OpenJobsIndexed, compiler: Any, **kw: Any) -> str:
    return "jobs INDEXED BY ix_search_jobs_open"


_JOBS_INDEXED = _OpenJobsIndexed(
    "jobs", *(column(c.name, c.type) for c in JobRow.__table__.c)
)  # read from the description; the service cuts the snippet at a word boundary


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic hook: the search indexes exist only in the database, so schema comparisons skip them."""
    return not (reflected and compare_to is None and name and name.startswith(SEARCH_SCHEMA_PREFIXES))


@dataclass(frozen=True)
class Term:
    """One word, or a phrase when there are several (the words in this order, next to each other)."""

    words: tuple[str, ...]
    field: Field | None = None  # None: title, description or skills


@dataclass(frozen=True)
class AnyOf:
    options: tuple[Node, ...]


@dataclass(frozen=True)
class AllOf:
    include: tuple[Node, ...]  # never empty: the parser refuses a query of exclusions only
    exclude: tuple[Node, ...] = ()


Node = Term | AnyOf | AllOf


def _fts5(node: Node) -> str:
    """FTS5 query text. Words hold only letters and digits, so quoting them needs no escaping."""
    if isinstance(node, Term):
        phrase = '"' + " ".join(node.words) + '"'
        column = _SQLITE_COLUMN[node.field]
        return f"{column} : {phrase}" if column else phrase
    if isinstance(node, AnyOf):
        return "(" + " OR ".join(_fts5(option) for option in node.options) + ")"
    expression = "(" + " AND ".join(_fts5(part) for part in node.include) + ")"
    if node.exclude:
        expression += " NOT (" + " OR ".join(_fts5(part) for part in node.exclude) + ")"
    return f"({expression})"


def _tsquery(node: Node, fold: dict[str, str]) -> str:
    """tsquery text; a field is a weight, and a phrase must keep one weight so it never spans two fields."""
    if isinstance(node, Term):
        words = [fold.get(word, word) for word in node.words]
        return (
            "("
            + " | ".join(" <-> ".join(f"'{word}':{weight}" for word in words) for weight in _PG_WEIGHTS[node.field])
            + ")"
        )
    if isinstance(node, AnyOf):
        return "(" + " | ".join(_tsquery(option, fold) for option in node.options) + ")"
    parts = [_tsquery(part, fold) for part in node.include] + [f"!{_tsquery(part, fold)}" for part in node.exclude]
    return "(" + " & ".join(parts) + ")"


def words_of(node: Node) -> Iterable[str]:
    if isinstance(node, Term):
        yield from node.words
    elif isinstance(node, AnyOf):
        for option in node.options:
            yield from words_of(option)
    else:
        for part in (*node.include, *node.exclude):
            yield from words_of(part)


@dataclass(frozen=True)
class JobCriteria:
    """What a search asks for, in plain values. Empty sets and Nones mean "any"; several values are OR."""

    match: Node | None = None
    experience: frozenset[str] = frozenset()
    job_types: frozenset[str] = frozenset()
    fixed_budget: tuple[IntRange, ...] = ()  # fixed-price jobs must have a budget in one of these
    hourly_rate: IntRange | None = None  # hourly jobs' rate range must overlap this one
    proposals: tuple[IntRange, ...] = ()
    client_hires: tuple[IntRange, ...] = ()
    payment_verified: bool = False
    client_ids: frozenset[int] | None = None  # only jobs of these clients
    project_length: frozenset[str] = frozenset()
    hours_per_week: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    cloud_id: int | None = None
    published_since: datetime | None = None


@dataclass(frozen=True)
class JobCardRow:
    id: int
    title: str
    description_start: str
    job_type: str
    budget_minor: int | None
    rate_min_minor: int | None
    rate_max_minor: int | None
    currency: str
    experience: str
    project_length: str
    hours_per_week: str | None
    category: str
    skills: tuple[str, ...]
    proposals_count: int
    published_at: datetime | None
    client_id: int
    client_name: str
    client_since: datetime
    client_country: str
    client_payment_verified: bool
    client_hires: int
    client_total_spent_minor: int
    client_rating_sum: int
    client_rating_count: int
    saved: bool


def _in_ranges(column: Any, ranges: Sequence[IntRange]) -> ColumnElement[bool]:
    def one(low: int | None, high: int | None) -> ColumnElement[bool]:
        bounds = [column >= low] if low is not None else []
        bounds += [column <= high] if high is not None else []
        return and_(column.is_not(None), *bounds)

    return or_(*(one(low, high) for low, high in ranges))


def _overlaps(low_column: Any, high_column: Any, wanted: IntRange) -> ColumnElement[bool]:
    """The job's range [low, high] (high missing: just low) meets ``wanted``."""
    low, high = wanted
    job_high = func.coalesce(high_column, low_column)
    bounds = [job_high.is_not(None)]
    bounds += [job_high >= low] if low is not None else []
    bounds += [low_column <= high] if high is not None else []
    return and_(*bounds)


class JobSearchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.is_sqlite = session.bind.dialect.name == "sqlite"

    async def previous_client_ids(self, viewer_id: int) -> frozenset[int]:
        """Clients this freelancer has had a contract with: the one place to read it. No contracts exist yet."""
        return frozenset()

    def _visible(self, job: Any, viewer_id: int) -> list[ColumnElement[bool]]:
        """Open, and visible by the rule of ``JobService.can_view`` (bot/core/jobs.py); never a job they hid.

        Public; or the viewer's own; or invited to it (an invitation opens any post); or a cloud job of a
        cloud the viewer owns or is a member of (an invitation to the cloud is not enough).
        """
        clouds = select(CloudMemberRow.cloud_id).where(
            CloudMemberRow.account_id == viewer_id, CloudMemberRow.status == "member"
        )
        owned_clouds = select(TalentCloudRow.id).where(TalentCloudRow.owner_id == viewer_id)
        invites = select(JobInviteRow.job_id).where(JobInviteRow.freelancer_id == viewer_id)
        hidden = select(HiddenJobRow.job_id).where(HiddenJobRow.account_id == viewer_id)
        return [
            job.status == literal_column("'open'"),  # a literal, so SQLite can use the partial index
            or_(
                job.visibility == literal_column("'public'"),
                job.client_id == viewer_id,
                job.id.in_(invites),
                and_(
                    job.visibility == literal_column("'cloud'"),
                    or_(job.cloud_id.in_(clouds), job.cloud_id.in_(owned_clouds)),
                ),
            ),
            job.id.not_in(hidden),
        ]

    def _filters(self, job: Any, criteria: JobCriteria) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        for attribute, values in (
            (job.experience, criteria.experience),
            (job.job_type, criteria.job_types),
            (job.project_length, criteria.project_length),
            (job.hours_per_week, criteria.hours_per_week),
            (job.category, criteria.categories),
        ):
            if values:
                where.append(attribute.in_(sorted(values)))
        if criteria.fixed_budget:
            where.append(or_(job.job_type != "fixed", _in_ranges(job.budget_minor, criteria.fixed_budget)))
        if criteria.hourly_rate is not None:
            where.append(
                or_(job.job_type != "hourly", _overlaps(job.rate_min_minor, job.rate_max_minor, criteria.hourly_rate))
            )
        if criteria.proposals:
            where.append(_in_ranges(job.proposals_count, criteria.proposals))
        if criteria.client_ids is not None:
            where.append(job.client_id.in_(sorted(criteria.client_ids)) if criteria.client_ids else false())
        if criteria.cloud_id is not None:
            where.append(job.cloud_id == criteria.cloud_id)
        if criteria.published_since is not None:
            where.append(job.published_at >= criteria.published_since)
        if criteria.payment_verified:
            where.append(job.client_payment_verified.is_(True))
        if criteria.client_hires:  # a client without a profile yet has the copied defaults: not verified, 0 hires
            where.append(_in_ranges(job.client_hires, criteria.client_hires))
        return where

    async def _fold(self, node: Node) -> dict[str, str]:
        """PostgreSQL: each query word folded by the very function the index used (ligatures, ß)."""
        words = sorted(set(words_of(node)))
        rows = await self.session.execute(
            text("SELECT w, gigbot_search_fold(w) FROM unnest(CAST(:words AS text[])) AS w"), {"words": words}
        )
        folded = {word: " ".join(fold.split()) for word, fold in rows.all()}
        return {word: fold for word, fold in folded.items() if fold and " " not in fold}

    async def _statement(self, viewer_id: int, criteria: JobCriteria) -> tuple[Any, Any, Any]:
        """(select from the visible, matching jobs without columns, the jobs columns used, relevance or None)."""
        if criteria.match is None:
            job = JobRow.__table__
            where = self._filters(job.c, criteria) + self._visible(job.c, viewer_id)
            return select().select_from(job).where(*where), job.c, None
        if self.is_sqlite:
            job = _JOBS_INDEXED
            where = self._filters(job.c, criteria) + self._visible(job.c, viewer_id)
            fts = literal_column("jobs_fts")
            statement = (
                select()
                .select_from(_FTS)
                .join(job, job.c.id == _FTS.c.rowid)
                .where(fts.op("MATCH")(_fts5(criteria.match)), *where)
            )
            return statement, job.c, func.bm25(fts, *_BM25_WEIGHTS)
        job = JobRow.__table__
        where = self._filters(job.c, criteria) + self._visible(job.c, viewer_id)
        query = func.to_tsquery(literal_column("'simple'"), _tsquery(criteria.match, await self._fold(criteria.match)))
        vector = literal_column("jobs.search_vector")
        statement = select().select_from(job).where(vector.op("@@")(query), *where)
        return statement, job.c, -func.ts_rank(vector, query)

    async def count(self, viewer_id: int, criteria: JobCriteria) -> int:
        statement, _job, _rank = await self._statement(viewer_id, criteria)
        return (await self.session.execute(statement.add_columns(func.count()))).scalar_one()

    async def search(
        self, viewer_id: int, criteria: JobCriteria, order: Order, offset: int, limit: int
    ) -> tuple[int, list[int]]:
        """(how many match, the ids of the page at ``offset``).

        One pass: the matches' sort keys are materialised once, then counted and ranked, instead of walking
        the full-text matches once for the count and again for the page.
        """
        statement, job, rank = await self._statement(viewer_id, criteria)
        keys = [job.id.label("id"), job.published_at.label("published_at"), job.category.label("category")]
        if order == "relevance" and rank is not None:
            keys.append(rank.label("rank"))
        matched = statement.add_columns(*keys).cte("matched").prefix_with("MATERIALIZED")
        found = matched.c
        newest = [found.published_at.desc(), found.id.desc()]
        if order == "relevance" and rank is not None:
            ordering = [found.rank, *newest]
        elif order == "best_match":
            skills = select(ProfileSkillRow.skill).where(ProfileSkillRow.account_id == viewer_id)
            categories = select(ProfileCategoryRow.category).where(ProfileCategoryRow.account_id == viewer_id)
            overlap = (
                select(func.count())
                .where(JobSkillRow.job_id == found.id, JobSkillRow.skill.in_(skills))
                .scalar_subquery()
            )
            in_category = case((found.category.in_(categories), 1), else_=0)
            ordering = [overlap.desc(), in_category.desc(), *newest]
        else:
            ordering = newest
        total = select(func.count()).select_from(matched).scalar_subquery().label("total")
        page = select(found.id, total).order_by(*ordering).offset(offset).limit(limit)
        rows = (await self.session.execute(page)).all()
        if rows:
            return rows[0].total, [row.id for row in rows]
        if not offset:
            return 0, []
        return (await self.session.execute(statement.add_columns(func.count()))).scalar_one(), []  # past the end

    async def cards(self, viewer_id: int, ids: Sequence[int]) -> list[JobCardRow]:
        """The cards of these jobs, in this order."""
        if not ids:
            return []
        job = JobRow.__table__.c
        client = ClientProfileRow.__table__.c
        saved = exists().where(SavedJobRow.account_id == viewer_id, SavedJobRow.job_id == job.id)
        rows = await self.session.execute(
            select(
                job.id,
                job.title,
                func.substr(job.description, 1, SNIPPET_CHARS).label("description_start"),
                job.job_type,
                job.budget_minor,
                job.rate_min_minor,
                job.rate_max_minor,
                job.currency,
                job.experience,
                job.project_length,
                job.hours_per_week,
                job.category,
                job.proposals_count,
                job.published_at,
                job.client_id,
                AccountRow.full_name.label("client_name"),
                AccountRow.created_at.label("client_since"),
                AccountRow.country.label("client_country"),
                func.coalesce(client.payment_verified, false()).label("client_payment_verified"),
                func.coalesce(client.hires_count, 0).label("client_hires"),
                func.coalesce(client.total_spent_minor, 0).label("client_total_spent_minor"),
                func.coalesce(client.rating_sum, 0).label("client_rating_sum"),
                func.coalesce(client.rating_count, 0).label("client_rating_count"),
                case((saved, True), else_=False).label("saved"),
            )
            .join(AccountRow, AccountRow.id == job.client_id)
            .outerjoin(ClientProfileRow, ClientProfileRow.account_id == job.client_id)
            .where(job.id.in_(list(ids)))
        )
        found = {row.id: row._asdict() for row in rows}
        skills: dict[int, list[str]] = {job_id: [] for job_id in found}
        skill_rows = await self.session.execute(
            select(JobSkillRow.job_id, JobSkillRow.skill)
            .where(JobSkillRow.job_id.in_(list(found)))
            .order_by(JobSkillRow.job_id, JobSkillRow.skill)
        )
        for job_id, skill in skill_rows.all():
            skills[job_id].append(skill)
        return [JobCardRow(**found[job_id], skills=tuple(skills[job_id])) for job_id in ids if job_id in found]
