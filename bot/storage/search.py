"""Job search in SQL: a match tree compiled to FTS5 (SQLite) or tsquery (PostgreSQL), filters, visibility.

The user's query syntax is parsed in bot.core.search into the small tree defined here (``Term``, ``AnyOf``,
``AllOf``), which is all the full-text indexes of migration 0003 need to know.

Tokens are runs of letters and decimal digits, lower-cased, diacritics removed, on both backends. Known
differences, all outside plain accented Latin text: PostgreSQL's unaccent also expands ligatures and sharp
s (æ → ae, œ → oe, ß → ss) and turns superscripts and fractions into digits; SQLite keeps æ, œ and ß as
letters and treats ² or ½ as separators. A search is consistent within each backend.

A search runs in two steps: ids (and the count) walk only narrow index data; then the one page of cards is
read with its client, skills and saved flag. The count stops at the ``at_most`` the caller asks for (the core
shows "1,000+" past its cap), so it never walks every match of a broad search.

Orders, the same on both backends: newest (publish time, then id); relevance, in tiers (``_TIERS``): the
matches with every word looked for (not the words left out) in the title, then in the title or skills, then the
rest, newest first within each; best match: most of the viewer's skills, then in one of their categories, then
newest.

On SQLite the full-text index also holds each open job's filterable attributes as tags, and its rowid is the
publish second and the job id (migration 0003): filters, visibility and the newest order are decided in the
full-text engine, which intersects posting lists, and the jobs row is read per match only for the exact
checks tags can't make (a custom budget or hourly range off the tagged values). Past the one walk that counts
the matches, no order ranks all of them: newest walks the index backwards and stops at the page; relevance and
best match take the matches' groups in turn from narrow streams of the index (the words alone, skill and
category tags) walked newest first until the page is full.

On PostgreSQL a search reads ``search_jobs`` (migration 0011), a narrow row per open job with the filter columns,
visibility, skills and words, whose GIN indexes hold the words with the selective filter columns (hours per week,
category) and the publish time: the (narrow) rows are read only for the jobs that pass those, and the wide jobs
rows only for the page's cards. A search whose words all have a field of their own (``title:logo``) asks the
title's (or title and skills') own index, which needs no recheck of weights. A phrase is asked as its pairs of
neighbouring words, which the vectors also hold (migration 0012), so it needs no recheck of positions.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from itertools import pairwise
from typing import Any, Literal

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    cast,
    column,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
from sqlalchemy.sql.expression import TableClause

from bot.storage.hot import prepared, run
from bot.storage.orm import (
    AccountRow,
    ClientProfileRow,
    CloudMemberRow,
    ContractRow,
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
Place = Literal["title", "skills", "description"]  # where a word is looked for
Order = Literal["newest", "relevance", "best_match"]
IntRange = tuple[int | None, int | None]  # inclusive bounds; None leaves that side open

# Names of what migration 0003 creates outside the models, kept out of model/schema comparisons.
SEARCH_SCHEMA_PREFIXES = ("jobs_fts", "ix_search_", "search_vector", "search_jobs")
_EVERYWHERE: tuple[Place, ...] = ("title", "skills", "description")
# Relevance: a match's tier is the first of these in which it still matches when every word it looks for without a
# field of its own (not the words it leaves out) must be found there; newest first within a tier.
_TIERS: tuple[tuple[Place, ...], ...] = (("title",), ("title", "skills"), _EVERYWHERE)
_SQLITE_COLUMNS = {"title": "title", "skills": "skills_text", "description": "description"}
_PG_WEIGHTS = {"title": "A", "skills": "B", "description": "D"}
_LEXEME_BYTES = 2047  # PostgreSQL's longest lexeme
# PostgreSQL: the words' vector of search_jobs, and those of relevance's first tiers (its title's, and title and
# skills' weights) as migration 0011 indexes them (the planner matches the text).
_PG_VECTOR = "search_jobs.search_vector"
_PG_TIER_VECTORS = {
    ("title",): f"ts_filter({_PG_VECTOR}, '{{a}}'::\"char\"[])",
    ("title", "skills"): f"ts_filter({_PG_VECTOR}, '{{a,b}}'::\"char\"[])",
}
# PostgreSQL: migration 0011's narrow row per open job, with what a search asks of it besides the words.
_PG_COLUMNS = (
    "id", "published_at", "experience", "job_type", "project_length", "hours_per_week", "category", "visibility",
    "client_id", "cloud_id", "budget_minor", "rate_min_minor", "rate_max_minor", "proposals_count",
    "client_payment_verified", "client_hires",
)  # fmt: skip
_PG_JOBS = table(
    "search_jobs",
    *(column(name, JobRow.__table__.c[name].type) for name in _PG_COLUMNS),
    column("skills", ARRAY(String())),
)
SNIPPET_CHARS = 240
_FTS = table("jobs_fts", column("rowid"))
_KEY_ID = 0xFFFFFFFF  # an index rowid is (publish second << 32) | job id: migration 0003
# Upper edges of the bands migration 0003 tags jobs with (floor: the lowest value the column can hold).
_BANDS: dict[str, tuple[tuple[int, ...], int | None]] = {
    "prop": ((4, 9, 14, 19, 49), 0),
    "hires": ((0, 9), 0),
    "bud": ((99_99, 499_99, 999_99, 4_999_99), None),
}
# The values migration 0003 tags one by one (any other is tagged "other"), by tag kind and criteria field.
_DOMAINS = {
    "exp": frozenset(("entry", "intermediate", "expert")),
    "type": frozenset(("hourly", "fixed")),
    "len": frozenset(("lt1", "1to3", "3to6", "gt6")),
    "hrs": frozenset(("lt30", "gt30")),
}
_FIELDS = {"exp": "experience", "type": "job_types", "len": "project_length", "hrs": "hours_per_week"}
_COUNTS_TTL = 600.0  # seconds a reading of how many jobs have a tag is used
_tag_counts_read: dict[URL, dict[str, tuple[float, int]]] = {}  # database url: tag: (when read, jobs)
_LOOKUP_COST = 6  # looking a match's skills up costs about as much as walking this many rows of a skill's tag
_KEY_TO_ID = literal_column(f"(jobs_fts.rowid & {_KEY_ID})")
# The index rowids of the last day: (the newest publish second - a day) << 32.
_RECENT = literal_column("((SELECT max(rowid) FROM jobs_fts) >> 32) - 86400 << 32")
_RATES = frozenset((5_00, 10_00, 15_00, 20_00, 25_00, 30_00, 40_00, 50_00, 60_00, 75_00, 100_00, 150_00, 200_00))
_MARGIN = 20  # rows read past the page to see the end of the last row's group of ties
_RECENT_JOBS = 20_000  # PostgreSQL: the newest open jobs a page is first looked for among
_recent_since_read: dict[URL, tuple[float, datetime | None]] = {}  # database url: (when, ``_recent_since``)
_folds: dict[tuple[URL, str], str] = {}  # PostgreSQL: (database url, query word): the word as the index folds it
_FOLDS_KEPT = 10_000  # past this many, the folds kept are dropped and asked again


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


def _places(term: Term, scope: tuple[Place, ...]) -> tuple[Place, ...]:
    return (term.field,) if term.field else scope


def _fts5(node: Node, scope: tuple[Place, ...] = _EVERYWHERE) -> str:
    """FTS5 query text that never matches a tag; words without a field are looked for in ``scope``, left-out words
    everywhere. Words hold only letters and digits, so quoting them needs no escaping. A column filter costs a
    position list read per match, so everywhere is said with one only for words that could be a tag."""
    if isinstance(node, Term):
        phrase = '"' + " ".join(node.words) + '"'
        places = _places(node, scope)
        if places == _EVERYWHERE and not any(word.startswith("z") for word in node.words):  # every tag starts with z
            return phrase
        return "{" + " ".join(_SQLITE_COLUMNS[place] for place in places) + "} : " + phrase
    if isinstance(node, AnyOf):
        return "(" + " OR ".join(_fts5(option, scope) for option in node.options) + ")"
    expression = "(" + " AND ".join(_fts5(part, scope) for part in node.include) + ")"
    if node.exclude:
        expression += " NOT (" + " OR ".join(_fts5(part) for part in node.exclude) + ")"
    return f"({expression})"


def _tsquery(
    node: Node, fold: dict[str, str], scope: tuple[Place, ...] = _EVERYWHERE, indexed: tuple[Place, ...] = _EVERYWHERE
) -> str:
    """tsquery text, looking for words as ``_fts5`` does, in a vector of the places ``indexed``; a place is a weight.
    A phrase is its pairs of neighbouring words, which migration 0012 indexes as lexemes of a field (weight) each."""
    if isinstance(node, Term):
        lexemes = _lexemes([fold.get(word, word) for word in node.words])
        places = _places(node, scope)
        if places == indexed and len(lexemes) == 1:  # any of the vector's weights: asking none spares a recheck
            return f"('{lexemes[0]}')"
        return (
            "("
            + " | ".join(" <-> ".join(f"'{lexeme}':{_PG_WEIGHTS[place]}" for lexeme in lexemes) for place in places)
            + ")"
        )
    if isinstance(node, AnyOf):
        return "(" + " | ".join(_tsquery(option, fold, scope, indexed) for option in node.options) + ")"
    parts = [_tsquery(part, fold, scope, indexed) for part in node.include]
    parts += [f"!{_tsquery(part, fold, _EVERYWHERE, indexed)}" for part in node.exclude]
    return "(" + " & ".join(parts) + ")"


def _lexemes(words: list[str]) -> list[str]:
    """A phrase's lexemes in a row: its pairs of neighbouring words (migration 0012), or its words when a pair
    would be longer than a lexeme can be; a single word as it is."""
    pairs = [f"{word} {next_word}" for word, next_word in pairwise(words)]
    if pairs and max(len(pair.encode()) for pair in pairs) <= _LEXEME_BYTES:
        return pairs
    return words


def _looked_in(node: Node, scope: tuple[Place, ...]) -> set[Place]:
    """Where the words looked for (not those left out) are looked for, those without a field of their own in
    ``scope``."""
    if isinstance(node, Term):
        return set(_places(node, scope))
    return set().union(
        *(_looked_in(part, scope) for part in (node.options if isinstance(node, AnyOf) else node.include))
    )


def _vector_matches(
    vector: str,
    node: Node,
    fold: dict[str, str],
    scope: tuple[Place, ...] = _EVERYWHERE,
    indexed: tuple[Place, ...] = _EVERYWHERE,
) -> ColumnElement[bool]:
    query = cast(_tsquery(node, fold, scope, indexed), TSQUERY)  # of lexemes already folded as the index's
    return literal_column(vector).op("@@")(query)


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
    source_id: int | None = None  # the external feed the job came from


Bounds = tuple[Any | None, Any | None]  # a range's low and high bounds as parameters (None: open)


def _in_ranges(column: Any, ranges: Sequence[Bounds]) -> ColumnElement[bool]:
    def one(low: Any | None, high: Any | None) -> ColumnElement[bool]:
        bounds = [column >= low] if low is not None else []
        bounds += [column <= high] if high is not None else []
        return and_(column.is_not(None), *bounds)

    return or_(*(one(low, high) for low, high in ranges))


def _overlaps(low_column: Any, high_column: Any, wanted: Bounds) -> ColumnElement[bool]:
    """The job's range [low, high] (high missing: just low) meets ``wanted``."""
    low, high = wanted
    job_high = func.coalesce(high_column, low_column)
    bounds = [job_high.is_not(None)]
    bounds += [job_high >= low] if low is not None else []
    bounds += [low_column <= high] if high is not None else []
    return and_(*bounds)


FilterShape = tuple[tuple[Hashable, ...], ...]
_CHOICES = (  # criteria field, jobs column: a filter of a few values
    ("experience", "experience"),
    ("job_types", "job_type"),
    ("project_length", "project_length"),
    ("hours_per_week", "hours_per_week"),
    ("categories", "category"),
)
_RANGES = (("fixed_budget", "budget_minor"), ("proposals", "proposals_count"), ("client_hires", "client_hires"))
_CHOICE_COLUMNS, _RANGE_COLUMNS = dict(_CHOICES), dict(_RANGES)


def _filter_shape(criteria: JobCriteria) -> tuple[FilterShape, dict[str, Any]]:
    """The criteria's filters as a shape (which are on; of each range, which bounds) and the values of its
    parameters: the conditions (``_filter_conditions``) depend on the shape alone, so their statements can be built
    once per shape."""
    shape: list[tuple[Hashable, ...]] = []
    values: dict[str, Any] = {}

    def bounds(name: str, ranges: Sequence[IntRange]) -> tuple[tuple[bool, bool], ...]:
        for n, (low, high) in enumerate(ranges):
            values.update({f"{name}_{n}_low": low, f"{name}_{n}_high": high})
        return tuple((low is not None, high is not None) for low, high in ranges)

    for field, _column in _CHOICES:
        if chosen := getattr(criteria, field):
            shape.append((field,))
            values[field] = sorted(chosen)
    for field, _column in _RANGES:
        if ranges := getattr(criteria, field):
            shape.append((field, bounds(field, ranges)))
    if criteria.hourly_rate is not None:
        shape.append(("hourly_rate", bounds("hourly_rate", [criteria.hourly_rate])))
    if criteria.client_ids is not None:
        shape.append(("client_ids", bool(criteria.client_ids)))
        values["client_ids"] = sorted(criteria.client_ids)
    for field in ("cloud_id", "published_since"):
        if (value := getattr(criteria, field)) is not None:
            shape.append((field,))
            values[field] = value
    if criteria.payment_verified:
        shape.append(("payment_verified",))
    return tuple(shape), values


def _filter_conditions(job: Any, shape: FilterShape, values: dict[str, Any] | None = None) -> list[ColumnElement[bool]]:
    """The conditions of the filters of this shape on a jobs row, each value a parameter named as in
    ``_filter_shape``'s values (bound to ``values`` when given)."""

    def value(name: str, **options: Any) -> Any:
        return bindparam(name, **options) if values is None else bindparam(name, values[name], **options)

    def ranges(name: str, bounds: tuple[tuple[bool, bool], ...]) -> list[Bounds]:
        return [
            (value(f"{name}_{n}_low") if low else None, value(f"{name}_{n}_high") if high else None)
            for n, (low, high) in enumerate(bounds)
        ]

    where: list[ColumnElement[bool]] = []
    for field, *structure in shape:
        if field in _CHOICE_COLUMNS:
            where.append(getattr(job, _CHOICE_COLUMNS[field]).in_(value(field, expanding=True)))
        elif field == "fixed_budget":
            where.append(or_(job.job_type != "fixed", _in_ranges(job.budget_minor, ranges(field, structure[0]))))
        elif field in _RANGE_COLUMNS:
            where.append(_in_ranges(getattr(job, _RANGE_COLUMNS[field]), ranges(field, structure[0])))
        elif field == "hourly_rate":
            (wanted,) = ranges(field, structure[0])
            where.append(or_(job.job_type != "hourly", _overlaps(job.rate_min_minor, job.rate_max_minor, wanted)))
        elif field == "client_ids":
            where.append(job.client_id.in_(value(field, expanding=True)) if structure[0] else false())
        elif field == "cloud_id":
            where.append(job.cloud_id == value(field))
        elif field == "published_since":  # typed as the column (not as its value, an aware datetime), so the
            # bound is the column's own type, which PostgreSQL's indexes of it can compare with
            where.append(job.published_at >= value(field, type_=job.published_at.type))
        else:  # payment verified; a client without a profile yet has the copied defaults: not verified, 0 hires
            where.append(job.client_payment_verified.is_(True))
    return where


def _visible(job: Any, viewer: Any) -> list[ColumnElement[bool]]:
    """Open, and visible by the rule of ``JobService.can_view`` (bot/core/jobs.py); never a job they hid.

    Public; or the viewer's own; or invited to it (an invitation opens any post); or a cloud job of a cloud the
    viewer owns or is a member of (an invitation to the cloud is not enough). ``viewer``: the viewer's id as a
    parameter.
    """
    member, cloud = CloudMemberRow.__table__.c, TalentCloudRow.__table__.c  # Core columns: no ORM compile state
    invite, hidden_job = JobInviteRow.__table__.c, HiddenJobRow.__table__.c
    clouds = select(member.cloud_id).where(member.account_id == viewer, member.status == "member")
    owned_clouds = select(cloud.id).where(cloud.owner_id == viewer)
    invites = select(invite.job_id).where(invite.freelancer_id == viewer)
    hidden = select(hidden_job.job_id).where(hidden_job.account_id == viewer)
    return [
        job.status == literal_column("'open'"),  # a literal, so SQLite can use the partial index
        or_(
            job.visibility == literal_column("'public'"),
            job.client_id == viewer,
            job.id.in_(invites),
            and_(
                job.visibility == literal_column("'cloud'"),
                or_(job.cloud_id.in_(clouds), job.cloud_id.in_(owned_clouds)),
            ),
        ),
        job.id.not_in(hidden),
    ]


def _tag(kind: str, value: str | int) -> str:
    """A tag as migration 0003 writes it: text hex-encoded (so it stays one token), numbers in decimal."""
    return f"z{kind}{value.encode().hex() if isinstance(value, str) else value}"


def _any_tag(kind: str, values: Iterable[str | int]) -> str:
    return "(" + " OR ".join(_tag(kind, value) for value in sorted(values)) + ")"  # type: ignore[type-var]


def _band_tags(kind: str, ranges: Sequence[IntRange]) -> list[str] | None:
    """The tags of the bands that make up the ranges; None when one of them does not fall on band edges."""
    edges, floor = _BANDS[kind]
    bands: set[int] = set()
    for low, high in ranges:
        if not ((low is None or low == floor or low - 1 in edges) and (high is None or high in edges)):
            return None
        first = 0 if low is None or low == floor else edges.index(low - 1) + 1
        last = len(edges) if high is None else edges.index(high)
        if first > last:
            return None
        bands.update(range(first, last + 1))
    return [f"z{kind}{band}" for band in sorted(bands)]


@cache
def _all_tags(kind: str) -> tuple[str, ...]:
    """Every tag of a kind: each job has exactly one of them (migration 0003)."""
    if kind in _DOMAINS:
        return (*(_tag(kind, value) for value in sorted(_DOMAINS[kind])), f"z{kind}other")
    if kind == "pay":
        return ("zpayv", "zpayn")
    bands = tuple(f"z{kind}{band}" for band in range(len(_BANDS[kind][0]) + 1))
    return (*bands, "zbudx", "zbudn") if kind == "bud" else bands


_FILTER_TAGS = tuple(tag for kind in (*_BANDS, *_DOMAINS, "pay") for tag in _all_tags(kind))


@dataclass(frozen=True)
class _Plan:
    """A SQLite search: the FTS5 expression, whether a publish time bounds the matches, the shape of the exact
    checks on the jobs row (the filters tags can't say), and always none of the viewer's hidden jobs.

    Its statements are built once per shape (``_of_template``: the expression and viewer as parameters too) and
    run with its ``values`` (``JobSearchRepository._rows``)."""

    query: Any  # the FTS5 expression (text, or the template's parameter)
    match: Node | None  # the user's words alone, for ranking
    since: bool  # published since a time: parameters since_key and next_key (rowids of its second, the next's), since
    checks: FilterShape  # exact checks on the jobs row (``_filter_conditions``)
    viewer_id: Any  # an account id (or the template's parameter)
    values: dict[str, Any]  # the parameters of the publish-time bound and of the checks

    def matching(self, *columns: Any) -> Select[Any]:
        """Select from the matches; the jobs row is read (by id, per candidate) only for exact checks."""
        fts = literal_column("jobs_fts")
        hidden = select(HiddenJobRow.job_id).where(HiddenJobRow.account_id == self.viewer_id)
        statement = select(*columns).select_from(_FTS)
        statement = statement.where(fts.op("MATCH")(self.query), _KEY_TO_ID.not_in(hidden))
        if self.since:  # the rowid's second bounds it; within that second the stored time decides
            published = select(JobRow.published_at).where(JobRow.id == _KEY_TO_ID).scalar_subquery()
            statement = statement.where(
                _FTS.c.rowid >= bindparam("since_key"),
                or_(
                    _FTS.c.rowid >= bindparam("next_key"),
                    published >= bindparam("since"),
                ),
            )
        if self.checks:
            job = _JOBS_INDEXED.c
            statement = statement.join(_JOBS_INDEXED, job.id == _KEY_TO_ID).where(
                job.status == literal_column("'open'"), *_filter_conditions(job, self.checks)
            )
        return statement


_SIZE = bindparam("size")  # the rows a statement of ``_ranked`` reads: the page and a margin


class _Matches:
    """SQLite: a plan's matches, walked once and kept (``keys``, column k: rowids), counted, and the narrow streams
    of the index the groups of a page are read from (``_SIZE`` rows each)."""

    def __init__(self, plan: _Plan) -> None:
        self.keys = plan.matching(_FTS.c.rowid.label("k")).cte("matched").prefix_with("MATERIALIZED")
        k = self.keys.c.k
        span = select(func.min(k).label("first"), func.max(k).label("last"), func.count().label("n"))
        span = span.cte("span").prefix_with("MATERIALIZED")
        self.count = select(span.c.n).scalar_subquery()
        self._first, self._last = select(span.c.first).scalar_subquery(), select(span.c.last).scalar_subquery()

    def among(self, stream: Any, unless: ColumnElement[bool] | None = None) -> Select[Any]:
        """The matches in a stream of the index (FTS5 text), walked only from the first match to the last; none
        ``unless``."""
        last = self._last if unless is None else case((unless, None), else_=self._last)
        return select(_FTS.c.rowid.label("k")).where(
            literal_column("jobs_fts").op("MATCH")(stream),
            _FTS.c.rowid.between(func.coalesce(self._first, 1), func.coalesce(last, 0)),
            literal_column("+jobs_fts.rowid").in_(select(self.keys.c.k)),
        )

    def newest(
        self, stream: Any, group: tuple[int, int], better: Sequence[Any] = (), unless: ColumnElement[bool] | None = None
    ) -> Any:
        """A page's group: the newest matches in a stream and not in the groups ``better``, as (k, g1, g2): rowid
        and group (none ``unless``)."""
        found = self.among(stream, unless).add_columns(*(literal(key).label(f"g{n}") for n, key in enumerate(group, 1)))
        found = found.where(*(_FTS.c.rowid.not_in(select(other.c.k)) for other in better))
        return found.order_by(_FTS.c.rowid.desc()).limit(_SIZE).cte().prefix_with("MATERIALIZED")


def _profile_skills(_dialect: str) -> Select[tuple[str]]:
    return select(ProfileSkillRow.skill).where(ProfileSkillRow.account_id == bindparam("viewer_id"))


def _profile_categories(_dialect: str) -> Select[tuple[str]]:
    return select(ProfileCategoryRow.category).where(ProfileCategoryRow.account_id == bindparam("viewer_id"))


def _skilled(matches: _Matches, in_categories: bool) -> tuple[Any, ColumnElement[bool]]:
    """Best match's first group: the first ``_SIZE`` of the matches by how many of the viewer's ``skills`` they
    have (at least one, unless there are few matches), then whether in one of the viewer's ``categories``, as
    (k, g1, g2) = (rowid, -skills, -1 if in one of the categories else 0), best first; and whether there were few
    matches.

    A match's skills are looked up one by one: for every match when there are at most ``few_at_most``, else only
    for those the index finds in ``skilled_stream`` (the words looked for, with one of the skills' tags), a narrow
    stream. The category is read only for the matches that can make the page: with at least as many skills as
    the ``_SIZE``-th.
    """
    few = matches.count <= bindparam("few_at_most")  # all on the page: no stream beats looking them up
    found = matches.among(bindparam("skilled_stream"), unless=few)
    candidates = union_all(select(matches.keys.c.k).where(few), found).subquery()
    skill = literal_column("+job_skills.skill")  # the unary + has SQLite read the job's few skills by id
    have = select(func.count()).where(
        JobSkillRow.job_id == candidates.c.k.op("&")(_KEY_ID), skill.in_(bindparam("profile_skills", expanding=True))
    )
    skilled = select(candidates.c.k, have.scalar_subquery().label("n")).cte("skilled")  # read twice, so kept
    least = select(skilled.c.n).order_by(skilled.c.n.desc()).limit(1).offset(_SIZE - 1).scalar_subquery()
    job = _JOBS_INDEXED.c
    category = select(job.category).where(
        job.id == skilled.c.k.op("&")(_KEY_ID), job.status == literal_column("'open'")
    )
    in_one = category.scalar_subquery().in_(bindparam("profile_categories", expanding=True))
    in_category = case((in_one, 1), else_=0) if in_categories else literal(0)
    ranked = select(skilled.c.k, (-skilled.c.n).label("g1"), (-in_category).label("g2"))
    ranked = ranked.where(skilled.c.n >= func.coalesce(least, 0)).order_by("g1", "g2", skilled.c.k.desc())
    return ranked.limit(_SIZE).cte("ranked").prefix_with("MATERIALIZED"), few


def _page(matches: _Matches, groups: list[Any], rest: tuple[int, int]) -> Select[Any]:
    """One statement: the matches are walked once, kept and counted; then the groups are read in turn until the
    page is full (SQLite reads the parts of a UNION ALL in turn and stops at its LIMIT), and last the matches in
    none of them, as group ``rest``: read only when the groups before turned out smaller than the page, so
    complete. Rows (k, g1, g2, how many match)."""
    keys = matches.keys.c.k
    left = select(keys, literal(rest[0]).label("g1"), literal(rest[1]).label("g2"))
    left = left.where(keys.not_in(union_all(*(select(group.c.k) for group in groups))))
    parts = [*groups, left.order_by(keys.desc()).limit(_SIZE).subquery()]
    page = union_all(*(select(part.c.k, part.c.g1, part.c.g2) for part in parts)).limit(_SIZE).subquery()
    return select(page.c.k, page.c.g1, page.c.g2, matches.count)


def _relevance_page(plan: _Plan) -> Select[Any]:
    """Relevance's tiers (``_TIERS``) in turn, each without the ones before; the words looked for in tier n's places
    are the stream ``tier<n>``."""
    matches, tiers = _Matches(plan), []
    for tier in range(len(_TIERS) - 1):
        tiers.append(matches.newest(bindparam(f"tier{tier}"), (tier, 0), better=tiers))
    return _page(matches, tiers, (len(_TIERS) - 1, 0))


def _best_page(plan: _Plan, skilled: bool, in_categories: bool) -> Select[Any]:
    """Best match: the matches with some of the viewer's skills ranked (``_skilled``), then those in one of the
    viewer's categories (the stream ``category_stream``), then the rest."""
    matches, groups, few = _Matches(plan), [], None
    if skilled:
        ranked, few = _skilled(matches, in_categories)
        groups.append(ranked)
    if in_categories:  # when every match's skills were looked up, the first group holds them all
        groups.append(matches.newest(bindparam("category_stream"), (0, -1), unless=few))
    return _page(matches, groups, (0, 0))


def _newest_page(plan: _Plan) -> Select[Any]:
    return plan.matching(_FTS.c.rowid).order_by(_FTS.c.rowid.desc()).limit(_SIZE)


def _older_count(plan: _Plan) -> Select[Any]:
    return _counted(plan.matching(_FTS.c.rowid).where(_FTS.c.rowid < bindparam("before")), bindparam("older"))


def _match_count(plan: _Plan) -> Select[Any]:
    return _counted(plan.matching(_FTS.c.rowid), bindparam("at_most"))


def _recent(_dialect: str, shape: FilterShape) -> Select[tuple[int]]:
    """``JobSearchRepository._recent_in_title``'s statement for filters of this shape."""
    job = _JOBS_INDEXED.c
    words = literal_column("jobs_fts").op("MATCH")(bindparam("title_words"))
    recent = select(_FTS.c.rowid).select_from(_FTS).join(_JOBS_INDEXED, job.id == _KEY_TO_ID)
    recent = recent.where(
        words, _FTS.c.rowid >= _RECENT, *_filter_conditions(job, shape), *_visible(job, bindparam("viewer_id"))
    )
    return recent.order_by(_FTS.c.rowid.desc()).limit(_SIZE)


def _of_template(
    _dialect: str, build: Callable[..., Select[Any]], since: bool, checks: FilterShape, *variant: Hashable
) -> Select[Any]:
    return build(_Plan(bindparam("query"), None, since, checks, bindparam("viewer_id"), {}), *variant)


@dataclass(frozen=True)
class _InTier:
    """PostgreSQL: whether a match is in one of relevance's tiers, asked two ways."""

    indexed: ColumnElement[bool]  # of the tier's own index, to find the tier's matches
    weighed: ColumnElement[bool]  # of a row's search_vector by weight: cheap on a row already read


class _PgOpenJob:
    """PostgreSQL: search_jobs' columns as ``_visible`` asks them of a job; it holds open jobs only."""

    status = literal_column("'open'")

    def __init__(self, columns: Any) -> None:
        self._columns = columns

    def __getattr__(self, name: str) -> Any:
        return getattr(self._columns, name)


class JobSearchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.is_sqlite = session.bind.dialect.name == "sqlite"

    async def previous_client_ids(self, viewer_id: int) -> frozenset[int]:
        """Clients this freelancer has had a contract with (active or ended): the one place to read it."""
        query = select(ContractRow.client_id).where(
            ContractRow.freelancer_id == viewer_id, ContractRow.status.in_(("active", "ended"))
        )
        return frozenset((await self.session.execute(query)).scalars())

    def _visible(self, job: Any, viewer_id: int) -> list[ColumnElement[bool]]:
        return _visible(job, bindparam("viewer_id", viewer_id))

    def _filters(self, job: Any, criteria: JobCriteria) -> list[ColumnElement[bool]]:
        return _filter_conditions(job, *_filter_shape(criteria))

    async def _fold(self, node: Node) -> dict[str, str]:
        """PostgreSQL: each query word folded by the very function the index used (ligatures, ß), asked of the
        database once per word (``_folds``: the function is immutable)."""
        url = self.session.bind.url
        words = sorted(set(words_of(node)))
        if unknown := [word for word in words if (url, word) not in _folds]:
            if len(_folds) + len(unknown) > _FOLDS_KEPT:
                _folds.clear()
            rows = await self.session.execute(
                text("SELECT w, gigbot_search_fold(w) FROM unnest(CAST(:words AS text[])) AS w"), {"words": unknown}
            )
            _folds.update(((url, word), " ".join(fold.split())) for word, fold in rows.all())
        folded = {word: _folds[(url, word)] for word in words}
        return {word: fold for word, fold in folded.items() if fold and " " not in fold}

    async def _statement(self, viewer_id: int, criteria: JobCriteria) -> tuple[Any, Any, list[_InTier]]:
        """PostgreSQL: (select from the visible, matching jobs without columns, the jobs columns used, whether a
        match is in each of relevance's tiers but the last (``_TIERS``); none without words)."""
        job = _PG_JOBS
        where = self._filters(job.c, criteria) + self._visible(_PgOpenJob(job.c), viewer_id)
        if criteria.match is None:
            return select().select_from(job).where(*where), job.c, []
        match, fold = criteria.match, await self._fold(criteria.match)

        def matches(scope: tuple[Place, ...]) -> ColumnElement[bool]:
            """Asked of the narrowest vector holding every place a word is looked for (a tier's, or the title's
            for ``title:logo``), whose index then needs no recheck of the weights."""
            indexed = next(places for places in _TIERS if _looked_in(match, scope) <= set(places))
            return _vector_matches(_PG_TIER_VECTORS.get(indexed, _PG_VECTOR), match, fold, scope, indexed)

        statement = select().select_from(job).where(matches(_EVERYWHERE), *where)
        if _looked_in(match, _EVERYWHERE) != set(_EVERYWHERE):  # the words left out are left out everywhere
            statement = statement.where(_vector_matches(_PG_VECTOR, match, fold))
        weighed = [_vector_matches(_PG_VECTOR, match, fold, scope) for scope in _TIERS[:-1]]
        return statement, job.c, [_InTier(matches(scope), weighed[n]) for n, scope in enumerate(_TIERS[:-1])]

    async def _tag_counts(self, tags: Iterable[str]) -> dict[str, int]:
        """How many open jobs have each of these tags, read once per database, then one reading older than
        ``_COUNTS_TTL`` seconds read again per call: at a million jobs a tag's count takes 5 to 30 ms, so reading
        the fifty filter tags again at once would stall one search for most of a second. Only speed depends on
        it: a filter is asked as its tags or the other tags left out, whichever are fewer; best match reads a
        viewer's skills the cheaper way."""
        read = _tag_counts_read.setdefault(self.session.bind.url, {})
        now, counts, refreshed = time.monotonic(), {}, False
        for tag in tags:
            read_at, jobs = read.get(tag, (None, 0))
            if read_at is None or (now - read_at >= _COUNTS_TTL and not refreshed):
                refreshed = refreshed or read_at is not None
                statement = prepared(self.session, _tag_count)
                (jobs,) = (await run(self.session, statement, {"tag": tag})).rows[0]
                read[tag] = (now, jobs)
            counts[tag] = jobs
        return counts

    async def _plan(self, viewer_id: int, criteria: JobCriteria) -> _Plan:
        """SQLite: every filter that is a tag goes into the full-text expression; the rest become exact checks.

        Visibility is tags too: the non-public jobs (few) are left out unless they are the viewer's own, an
        invitation's, or of one of the viewer's clouds, which are read first.
        """
        parts = [] if criteria.match is None else [_fts5(criteria.match)]
        if criteria.categories:
            parts.append(_any_tag("cat", criteria.categories))
        exact = JobCriteria()
        excluded: list[str] = []
        counts = await self._tag_counts(_FILTER_TAGS)

        def one_of(kind: str, wanted: list[str], moot: str = "") -> None:
            """Ask for the wanted tags, or leave the others out when fewer jobs have those (shorter lists); a
            ``moot`` tag, one no job the other filters let through has, is neither."""
            others = [tag for tag in _all_tags(kind) if tag not in wanted and tag != moot]
            if sum(counts[tag] for tag in others) < sum(counts[tag] for tag in wanted):
                excluded.extend(others)
            else:
                parts.append("(" + " OR ".join(wanted) + ")")

        for kind, field in _FIELDS.items():
            if values := getattr(criteria, field):
                if values <= _DOMAINS[kind]:
                    one_of(kind, [_tag(kind, value) for value in sorted(values)])
                else:
                    exact = replace(exact, **{field: values})
        if criteria.hourly_rate is not None:
            low, high = criteria.hourly_rate
            rate = ([] if low is None else [f"zrge{low}"]) + ([] if high is None else [f"zrle{high}"])
            if rate and {low, high} <= _RATES | {None}:
                passes = "(" + " AND ".join(rate) + ")"
                hourly_only = criteria.job_types == {"hourly"}  # then zratex, every job not hourly, is moot
                parts.append(passes if hourly_only else f"(zratex OR {passes})")
            else:
                exact = replace(exact, hourly_rate=criteria.hourly_rate)
        for kind, name in (("bud", "fixed_budget"), ("prop", "proposals"), ("hires", "client_hires")):
            if ranges := getattr(criteria, name):
                bands = _band_tags(kind, ranges)
                if bands is None:
                    exact = replace(exact, **{name: ranges})
                elif kind == "bud" and criteria.job_types == {"fixed"}:
                    one_of(kind, bands, moot="zbudx")  # zbudx: every job not fixed-price
                else:
                    one_of(kind, bands + ["zbudx"] * (kind == "bud"))
        if criteria.payment_verified:
            one_of("pay", ["zpayv"])
        if criteria.client_ids:
            parts.append(_any_tag("cli", criteria.client_ids))
        if criteria.cloud_id is not None:
            parts.append(_tag("cloud", criteria.cloud_id))
        found = await run(self.session, prepared(self.session, _viewer_clouds), {"viewer_id": viewer_id})
        viewer_clouds = {cloud_id for (cloud_id,) in found.rows}
        reach = [_tag("cli", viewer_id), _tag("inv", viewer_id)]
        if viewer_clouds:
            reach.append(f"({_tag('vis', 'cloud')} AND {_any_tag('cloud', viewer_clouds)})")
        query = "(" + " AND ".join(parts or ["zopen"]) + ")"
        if excluded:
            query = f"({query} NOT ({' OR '.join(excluded)}))"
        query += " NOT (zpriv NOT (" + " OR ".join(reach) + "))"
        checks, values = _filter_shape(exact)
        if (since := criteria.published_since) is not None:
            second = calendar.timegm(since.replace(tzinfo=None).timetuple())
            values |= {"since_key": second << 32, "next_key": (second + 1) << 32, "since": since}
        return _Plan(query, criteria.match, since is not None, checks, viewer_id, values)

    async def _rows(
        self, plan: _Plan, build: Callable[..., Select[Any]], params: dict[str, Any], *variant: Hashable
    ) -> list[tuple[Any, ...]]:
        """The rows of the statement ``build(plan, *variant)`` makes, built once per shape of plan (of its template)
        and run on the driver."""
        statement = prepared(self.session, _of_template, build, plan.since, plan.checks, *variant)
        params = params | plan.values | {"query": plan.query, "viewer_id": plan.viewer_id}
        return (await run(self.session, statement, params)).rows

    async def _newest(self, plan: _Plan, size: int, at_most: int) -> tuple[int, list[tuple[tuple[int, ...], int]]]:
        """SQLite, newest first: the index is walked backwards and stops after ``size`` matches; then the older
        matches are counted up to ``at_most`` in all, so the index is walked once at most and no match is kept or
        sorted."""
        rows = [((), rowid) for (rowid,) in await self._rows(plan, _newest_page, {"size": size})]
        if len(rows) < size or at_most <= size:
            return len(rows), rows
        ((older,),) = await self._rows(plan, _older_count, {"before": rows[-1][1], "older": at_most - size})
        return size + older, rows

    async def _recent_in_title(self, viewer_id: int, criteria: JobCriteria, size: int) -> list[int]:
        """Relevance's first tier when the last day of the index holds a page of it, as in most broad searches: the
        newest ``size`` matches with the words in the title, found by walking back over that day the words' own
        stream (dense, so the walk stops at the day's start) and checking each on its jobs row (filters and
        visibility as ``_filters`` and ``_visible`` say, as on PostgreSQL). Fewer rows when the day holds no page.
        (The plan's expression with the words in the title is slower: at a million jobs the filters' tags are
        dense over the day, about 13 ms against 1 for ``"landing page"`` and five filters.)"""
        shape, values = _filter_shape(criteria)
        params = values | {"title_words": _fts5(criteria.match, _TIERS[0]), "viewer_id": viewer_id, "size": size}
        return [rowid for (rowid,) in (await run(self.session, prepared(self.session, _recent, shape), params)).rows]

    async def _ranked(
        self, viewer_id: int, criteria: JobCriteria, plan: _Plan, order: Order, size: int, at_most: int
    ) -> tuple[int, list[tuple[tuple[int, ...], int]]]:
        """SQLite: how many match (at least up to ``at_most``), and the first ``size`` as (sort group, rowid), by
        group then rowid descending. The rowid orders by publish second only: the caller settles ties within one.

        Newest is ``_newest``, as is best match for a viewer with neither skills nor categories. Relevance (first
        trying ``_recent_in_title``) and best match read the matches' groups in turn: ``_relevance_page`` and
        ``_best_page``.
        """
        if order == "relevance" and plan.match is not None:
            recent = await self._recent_in_title(viewer_id, criteria, size)
            if len(recent) == size:
                ((total,),) = await self._rows(plan, _match_count, {"at_most": at_most})
                return total, [((0, 0), rowid) for rowid in recent]
            streams = {f"tier{tier}": _fts5(plan.match, scope) for tier, scope in enumerate(_TIERS[:-1])}
            return await self._groups(plan, _relevance_page, {"size": size} | streams)
        if order == "best_match" and (best := await self._best(viewer_id, plan, size)) is not None:
            return best
        return await self._newest(plan, size, at_most)

    async def _profile(self, viewer_id: int) -> tuple[list[str], list[str]]:
        """The viewer's skills and categories, which best match ranks by."""
        viewer = {"viewer_id": viewer_id}
        skills = (await run(self.session, prepared(self.session, _profile_skills), viewer)).rows
        categories = (await run(self.session, prepared(self.session, _profile_categories), viewer)).rows
        return [skill for (skill,) in skills], [category for (category,) in categories]

    async def _best(
        self, viewer_id: int, plan: _Plan, size: int
    ) -> tuple[int, list[tuple[tuple[int, ...], int]]] | None:
        """Best match's page, from the viewer's profile: None without skills or categories (then it is newest)."""
        skills, categories = await self._profile(viewer_id)
        if not skills and not categories:
            return None
        params: dict[str, Any] = {"size": size, "profile_skills": skills, "profile_categories": categories}
        any_skill = " OR ".join(_tag("sk", skill) for skill in skills)
        if skills:
            walk = sum((await self._tag_counts(_tag("sk", skill) for skill in skills)).values())
            words = "" if plan.match is None else f"({_fts5(plan.match)}) AND "
            params |= {"few_at_most": max(walk // _LOOKUP_COST, size), "skilled_stream": f"{words}({any_skill})"}
        if categories:
            in_category = _any_tag("cat", categories)
            params["category_stream"] = f"{in_category} NOT ({any_skill})" if skills else in_category
        return await self._groups(plan, _best_page, params, bool(skills), bool(categories))

    async def _groups(
        self, plan: _Plan, build: Callable[..., Select[Any]], params: dict[str, Any], *variant: Hashable
    ) -> tuple[int, list[tuple[tuple[int, ...], int]]]:
        """A page of groups (``_page``): how many match, and the rows as (group, rowid), best group first."""
        rows = await self._rows(plan, build, params, *variant)
        ranked = sorted((((g1, g2), k) for k, g1, g2, _count in rows), key=lambda row: (row[0], -row[1]))
        return (rows[0][3] if rows else 0), ranked

    async def _search_sqlite(
        self, viewer_id: int, criteria: JobCriteria, order: Order, offset: int, limit: int, at_most: int
    ) -> tuple[int, list[int]]:
        """The page's ids, ties within a publish second settled by the stored time, then the id. Rows past
        the page are read until the last row's group of ties ends, so those are all compared."""
        if criteria.client_ids == frozenset():
            return 0, []
        plan = await self._plan(viewer_id, criteria)
        need, margin = offset + limit, _MARGIN
        while True:
            total, rows = await self._ranked(viewer_id, criteria, plan, order, need + margin, at_most)
            groups = [(group, rowid >> 32) for group, rowid in rows]
            if len(rows) < need + margin or groups[need - 1] != groups[-1]:
                break
            margin *= 4
        total = min(total, at_most)
        ids = [rowid & _KEY_ID for _group, rowid in rows]
        if not ids:
            return total, []
        published = dict((await run(self.session, prepared(self.session, _published), {"ids": ids})).rows)
        group_of = {job_id: group for (group, _rowid), job_id in zip(rows, ids, strict=True)}
        ids.sort(key=lambda job_id: (published.get(job_id) is not None, published.get(job_id), job_id), reverse=True)
        ids.sort(key=lambda job_id: group_of[job_id])  # stable: newest first within each group
        return total, ids[offset:need]

    async def count(self, viewer_id: int, criteria: JobCriteria, at_most: int) -> int:
        """How many match, counted no further than ``at_most``."""
        if self.is_sqlite:
            if criteria.client_ids == frozenset():
                return 0
            ((total,),) = await self._rows(await self._plan(viewer_id, criteria), _match_count, {"at_most": at_most})
            return total
        statement, job, _tiers = await self._statement(viewer_id, criteria)
        ((total,),) = (await run(self.session, _counted(statement.add_columns(job.id), at_most), {})).rows
        return total

    async def search(
        self, viewer_id: int, criteria: JobCriteria, order: Order, offset: int, limit: int, at_most: int
    ) -> tuple[int, list[int]]:
        """(how many match, counted no further than ``at_most``; the ids of the page at ``offset``).

        SQLite: ``_search_sqlite``. PostgreSQL (its statements run as Core, ``bot.storage.hot.run``: the ORM's
        execution layer took about a third of the search's CPU time in this process): newest, or relevance's first
        tier, first looks for the page among the ``_RECENT_JOBS`` newest open jobs, which holds it when the matches
        are many; else (and for best match) every match's sort keys are read once from the narrow rows of migration
        0011 and kept (MATERIALIZED, so the planner never walks the newest order checking every job on the way),
        then counted and ranked.
        """
        if self.is_sqlite:
            return await self._search_sqlite(viewer_id, criteria, order, offset, limit, at_most)
        statement, job, tiers = await self._statement(viewer_id, criteria)
        by: Order = "newest" if order == "relevance" and not tiers else order
        if by != "best_match":
            # Newest, or relevance's first tier: its newest matches are among the newest open jobs when it has many.
            first = statement.where(tiers[0].indexed) if by == "relevance" else statement
            # The newest open jobs (all when fewer) are a prefix of the order, as open jobs always have a publish
            # time, which the GIN indexes (holding it) narrow the matches by: no older match's row is read. Kept
            # (MATERIALIZED), so the planner never walks the newest order instead, checking up to every one of
            # those jobs on the way when the matches are fewer than it guessed (phrases).
            recent = first.add_columns(job.id, job.published_at)
            if (since := await self._recent_since()) is not None:
                recent = recent.where(job.published_at >= since)
            recent = recent.cte("recent").prefix_with("MATERIALIZED")
            page = select(recent.c.id).order_by(recent.c.published_at.desc(), recent.c.id.desc())
            ids = [job_id for (job_id,) in (await run(self.session, page.offset(offset).limit(limit), {})).rows]
            if len(ids) == limit:
                ((total,),) = (await run(self.session, _counted(statement.add_columns(job.id), at_most), {})).rows
                return total, ids
        matched = statement.add_columns(job.id, job.published_at, job.category, job.skills)
        if by == "relevance":
            tier = case(*((in_tier.weighed, n) for n, in_tier in enumerate(tiers)), else_=len(tiers))
            matched = matched.add_columns(tier.label("tier"))
        found = matched.cte("matched").prefix_with("MATERIALIZED")  # every match read once: no walk of the order
        ordering = await self._pg_order(viewer_id, found.c, by)
        counted = select(func.count()).select_from(select(found.c.id).limit(at_most).subquery()).scalar_subquery()
        page = select(found.c.id, counted.label("total")).order_by(*ordering).offset(offset).limit(limit)
        rows = (await run(self.session, page, {})).rows
        if rows:
            return rows[0][1], [job_id for job_id, _total in rows]
        if not offset:
            return 0, []
        return await self.count(viewer_id, criteria, at_most), []  # past the end

    async def _recent_since(self) -> datetime | None:
        """PostgreSQL: the publish time of the ``_RECENT_JOBS``-th newest open job (None when there are fewer), read
        at most every ``_COUNTS_TTL`` seconds per database. Any bound gives the same page (the matches since it
        are a prefix of the order): one read a while ago only holds a few more or fewer jobs."""
        url, now = self.session.bind.url, time.monotonic()
        read_at, since = _recent_since_read.get(url, (-_COUNTS_TTL, None))
        if now - read_at >= _COUNTS_TTL:
            newest = [_PG_JOBS.c.published_at.desc(), _PG_JOBS.c.id.desc()]
            opened = select(_PG_JOBS.c.published_at).order_by(*newest).offset(_RECENT_JOBS - 1).limit(1)
            since = (await self.session.execute(opened)).scalar()
            _recent_since_read[url] = (now, since)
        return since

    async def _pg_order(self, viewer_id: int, found: Any, order: Order) -> list[Any]:
        """PostgreSQL: the order of the matches: relevance by tier, best match by how many of the viewer's skills
        a match has (in its row's skills), then whether in one of their categories; then newest."""
        newest = [found.published_at.desc(), found.id.desc()]
        if order == "relevance":
            return [found.tier, *newest]
        if order != "best_match":
            return newest
        skills, categories = await self._profile(viewer_id)
        overlap = sum((case((literal(skill) == func.any(found.skills), 1), else_=0) for skill in skills), literal(0))
        in_category = case((found.category.in_(categories), 1), else_=0)
        return [overlap.desc(), in_category.desc(), *newest]

    async def cards(self, viewer_id: int, ids: Sequence[int]) -> list[JobCardRow]:
        """The cards of these jobs, in this order."""
        if not ids:
            return []
        statement = prepared(self.session, _cards)
        rows = (await run(self.session, statement, {"viewer_id": viewer_id, "ids": list(ids)})).rows
        names = statement.selected_columns.keys()
        found = {row[0]: dict(zip(names, row, strict=True)) for row in rows}
        skills: dict[int, list[str]] = {job_id: [] for job_id in found}
        for job_id, skill in (await run(self.session, prepared(self.session, _card_skills), {"ids": list(found)})).rows:
            skills[job_id].append(skill)
        return [JobCardRow(**found[job_id], skills=tuple(skills[job_id])) for job_id in ids if job_id in found]


def _cards(_dialect: str) -> Select[Any]:
    """Each job's card with its client's, and whether the viewer saved it (built once: ``bot.storage.hot``)."""
    job = JobRow.__table__.c
    client = ClientProfileRow.__table__.c
    saved = exists().where(SavedJobRow.account_id == bindparam("viewer_id"), SavedJobRow.job_id == job.id)
    return (
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
            job.source_id,
        )
        .join(AccountRow, AccountRow.id == job.client_id)
        .outerjoin(ClientProfileRow, ClientProfileRow.account_id == job.client_id)
        .where(job.id.in_(bindparam("ids", expanding=True)))
    )


def _tag_count(_dialect: str) -> Select[tuple[int]]:
    """SQLite: how many open jobs have a tag (the full-text index holds only open jobs)."""
    return select(func.count()).select_from(_FTS).where(literal_column("jobs_fts").op("MATCH")(bindparam("tag")))


def _published(_dialect: str) -> Select[tuple[int, str | None]]:
    """SQLite: the jobs' publish times as stored, text that sorts as the times do (as every comparison of them in
    SQL does), so the page's ties are settled without making a datetime of each."""
    stored = type_coerce(JobRow.published_at, String)
    return select(JobRow.id, stored).where(JobRow.id.in_(bindparam("ids", expanding=True)))


def _card_skills(_dialect: str) -> Select[tuple[int, str]]:
    return (
        select(JobSkillRow.job_id, JobSkillRow.skill)
        .where(JobSkillRow.job_id.in_(bindparam("ids", expanding=True)))
        .order_by(JobSkillRow.job_id, JobSkillRow.skill)
    )


def _viewer_clouds(_dialect: str) -> Any:
    """The talent clouds a viewer is a member of or owns (whose jobs they may see)."""
    viewer = bindparam("viewer_id")
    clouds = select(CloudMemberRow.cloud_id).where(
        CloudMemberRow.account_id == viewer, CloudMemberRow.status == "member"
    )
    return clouds.union(select(TalentCloudRow.id).where(TalentCloudRow.owner_id == viewer))


def _counted(matches: Select[Any], at_most: Any) -> Select[Any]:
    """How many rows ``matches`` has, counting no further than ``at_most``: the walk stops there."""
    return select(func.count()).select_from(matches.limit(at_most).subquery())
