"""Job search: Upwork's query syntax, its filters and their buckets, sorts, and one page of job cards.

Query syntax (operators in capitals; "or", "not" and "and" in lower case are ordinary words):

- ``python django``: all these words (AND is implied; ``python AND django`` says the same).
- ``python OR ruby``: any of these words. OR binds tighter than AND: ``api python OR ruby`` is
  api AND (python OR ruby).
- ``"machine learning"``: an exact phrase, its words next to each other in one field.
- ``-wordpress``, ``NOT wordpress``, ``-"landing page"``: leave out jobs with it. A query needs at least one
  word to look for; an excluded word can't be one side of OR.
- ``title:logo``, ``title:"logo design"``: only in the title. ``skills:python``: only in the job's skills
  (a known skill alias counts as the skill: ``skills:js`` is JavaScript).
- Parentheses group: ``(python OR ruby) (django OR rails)``, ``-(php OR wordpress)``.

Words are runs of letters and digits, compared without case or accents ("cafe" finds "Café"). Anything else
separates words, so ``node.js`` is the phrase "node js" and ``c++`` is "c". There is no prefix search.
At most 30 words in all (phrase words count one each).

Filter buckets (amounts in US cents; every edge is inclusive as written):

- proposals: "0-4" 0 to 4, "5-9" 5 to 9 (5 proposals is "5-9"), "10-14", "15-19", "20-49", "50+" 50 and more.
- client hires: "none" 0 (also a client without a profile yet), "1-9" 1 to 9, "10+" 10 and more.
- fixed budget: "lt100" under $100 ($99.99 and less), "100-499" $100.00 to $499.99 ($100 exactly is here),
  "500-999" $500.00 to $999.99, "1k-5k" $1,000.00 to $4,999.99, "5k+" $5,000.00 and more. A custom range
  (budget_min_minor / budget_max_minor) includes both ends and is one more option, ORed with the buckets.
- hourly range: the job's rate range (its minimum to its maximum, or just the minimum) overlaps
  [hourly_min_minor, hourly_max_minor], both ends inclusive.
- job type, as on Upwork: a budget filter asks for fixed-price jobs and applies to them only; an hourly
  range asks for hourly jobs and applies to them only. With both (or with a type ticked as well) a job
  matches when it passes the filter of its own type.
- hours per week exists for hourly jobs only, so that filter leaves fixed-price jobs out.
- posted_within_days: published at most that many days (of 24 hours) before now.
"""

from __future__ import annotations

import math
import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.core.jobs import ClientSummary
from bot.core.taxonomy import normalise_skill
from bot.storage.repositories import Repositories
from bot.storage.search import AllOf, AnyOf, IntRange, JobCardRow, JobCriteria, Node, Term

MAX_WORDS = 30
MAX_PAGE_SIZE = 50
# A search's total is counted this far and no further: past it the total reads "1,000+" (as on Upwork), so a
# broad search never walks every match just to count them.
TOTAL_CAP = 1000
SNIPPET_LENGTH = 200
FIELDS = {"title": "title", "skills": "skills"}

PROPOSAL_BUCKETS: dict[str, IntRange] = {
    "0-4": (0, 4),
    "5-9": (5, 9),
    "10-14": (10, 14),
    "15-19": (15, 19),
    "20-49": (20, 49),
    "50+": (50, None),
}
CLIENT_HIRES_BUCKETS: dict[str, IntRange] = {"none": (0, 0), "1-9": (1, 9), "10+": (10, None)}
BUDGET_BUCKETS: dict[str, IntRange] = {
    "lt100": (None, 99_99),
    "100-499": (100_00, 499_99),
    "500-999": (500_00, 999_99),
    "1k-5k": (1_000_00, 4_999_99),
    "5k+": (5_000_00, None),
}

ProposalBucket = Literal["0-4", "5-9", "10-14", "15-19", "20-49", "50+"]
HiresBucket = Literal["none", "1-9", "10+"]
BudgetBucket = Literal["lt100", "100-499", "500-999", "1k-5k", "5k+"]


class Sort(StrEnum):
    newest = "newest"
    # The words looked for all in the title first, then all in the title or skills, then anywhere; newest first
    # within each (so newest when there are no words).
    relevance = "relevance"
    best_match = "best_match"  # most of the viewer's skills, then one of their categories, then newest


class JobFilters(BaseModel):
    """The filters of a search, kept in conversation data. Several values in one set are OR; filters AND."""

    experience: set[Literal["entry", "intermediate", "expert"]] = Field(default_factory=set)
    job_type: set[Literal["hourly", "fixed"]] = Field(default_factory=set)
    proposals: set[ProposalBucket] = Field(default_factory=set)
    payment_verified: bool = False
    previous_clients: bool = False
    client_hires: set[HiresBucket] = Field(default_factory=set)
    budget: set[BudgetBucket] = Field(default_factory=set)
    budget_min_minor: int | None = Field(default=None, ge=0)
    budget_max_minor: int | None = Field(default=None, ge=0)
    hourly_min_minor: int | None = Field(default=None, ge=0)
    hourly_max_minor: int | None = Field(default=None, ge=0)
    project_length: set[Literal["lt1", "1to3", "3to6", "gt6"]] = Field(default_factory=set)
    hours_per_week: set[Literal["lt30", "gt30"]] = Field(default_factory=set)
    categories: set[str] = Field(default_factory=set)
    cloud_id: int | None = None
    posted_within_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ranges_in_order(self) -> JobFilters:
        """A range typed the wrong way round means the same range."""
        for low, high in (("budget_min_minor", "budget_max_minor"), ("hourly_min_minor", "hourly_max_minor")):
            low_value, high_value = getattr(self, low), getattr(self, high)
            if low_value is not None and high_value is not None and low_value > high_value:
                object.__setattr__(self, low, high_value)
                object.__setattr__(self, high, low_value)
        return self

    @property
    def custom_budget(self) -> IntRange | None:
        if self.budget_min_minor is None and self.budget_max_minor is None:
            return None
        return (self.budget_min_minor, self.budget_max_minor)

    @property
    def hourly_range(self) -> IntRange | None:
        if self.hourly_min_minor is None and self.hourly_max_minor is None:
            return None
        return (self.hourly_min_minor, self.hourly_max_minor)


# --- the query syntax -------------------------------------------------------------------------------------


def search_words(text: str) -> list[str]:
    """Words as both full-text indexes see them: runs of letters and digits, lower case, no accents."""
    words, current = [], []
    for char in unicodedata.normalize("NFD", text):
        category = unicodedata.category(char)
        if category == "Mn":
            continue
        if category[0] == "L" or category == "Nd":
            current.append(char)
        elif current:
            words.append("".join(current).lower())
            current = []
    if current:
        words.append("".join(current).lower())
    return [unicodedata.normalize("NFC", word) for word in words]


@dataclass(frozen=True)
class ParsedQuery:
    """``root`` is None for an empty query (every visible job)."""

    root: Node | None

    @property
    def is_empty(self) -> bool:
        return self.root is None


_LEXEME = re.compile(r'\s+|[()]|"[^"]*"?|[^\s()"]+')
_FIELD = re.compile(r"([A-Za-z]+):(.*)", re.S)
_OPERATORS = {"OR", "AND", "NOT"}


@dataclass(frozen=True)
class _Token:
    kind: str  # word | phrase | field | ( | ) | OR | AND | NOT | -
    text: str
    glued: bool  # starts right where the previous token ended (no space between)


def _tokens(text: str) -> list[_Token]:
    """Lexes until the end or the first word past the limit, so a huge query is refused at once."""
    tokens: list[_Token] = []
    end, words = 0, 0
    for match in _LEXEME.finditer(text):
        lexeme, glued = match.group(), match.start() == end and bool(tokens)
        if lexeme.isspace():
            continue
        end = match.end()
        if lexeme in "()":
            new = [_Token(lexeme, lexeme, glued)]
        elif lexeme.startswith('"'):
            if len(lexeme) == 1 or not lexeme.endswith('"'):
                raise UserError(N_('A quote is not closed: put a second " after the phrase, like "logo design".'))
            new = [_Token("phrase", lexeme[1:-1], glued)]
        elif lexeme in _OPERATORS:
            new = [_Token(lexeme, lexeme, glued)]
        else:
            new = _word_tokens(lexeme, glued)
        words += sum(len(search_words(token.text)) for token in new if token.kind in ("word", "phrase"))
        if words > MAX_WORDS:
            raise UserError(
                N_("That search has too many words: at most {limit}. Keep the ones that matter most."),
                limit=MAX_WORDS,
            )
        tokens.extend(new)
    return tokens


def _word_tokens(lexeme: str, glued: bool) -> list[_Token]:
    """A bare lexeme: ``-word``, ``field:word``, ``field:`` before a phrase, or a word."""
    tokens = []
    if lexeme.startswith("-"):
        tokens.append(_Token("-", "-", glued))
        lexeme, glued = lexeme[1:], True
        if not lexeme:
            return tokens
    field = _FIELD.fullmatch(lexeme)
    if field:
        name, rest = field.group(1).lower(), field.group(2)
        if name not in FIELDS:
            raise UserError(
                N_("I don't know the field “{field}:”. Use title: or skills:, or put the text in quotes."),
                field=field.group(1)[:20],
            )
        tokens.append(_Token("field", name, glued))
        if rest:
            tokens.append(_Token("word", rest, True))
        return tokens
    tokens.append(_Token("word", lexeme, glued))
    return tokens


class _Parser:
    """and := unary ([AND] unary)* ; unary := (NOT | -) primary | or ; or := primary (OR primary)*"""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> Node | None:
        node = self.all_of(top=True)
        if self.peek() is not None:
            raise UserError(N_("A closing parenthesis has no opening one: remove the extra “)”."))
        return node

    def all_of(self, top: bool) -> Node | None:
        include: list[Node] = []
        exclude: list[Node] = []
        while (token := self.peek()) is not None and token.kind != ")":
            if token.kind == "AND":
                self.take()
                if not (include or exclude) or self._ends_operand(self.peek()):
                    raise UserError(N_("AND needs a word on each side, like python AND django."))
                continue
            if token.kind in ("NOT", "-"):
                self.take()
                following = self.peek()
                if self._ends_operand(following) or (token.kind == "-" and not following.glued):
                    raise UserError(N_("NOT (or -) needs a word right after it, like -wordpress or NOT wordpress."))
                exclude.append(self.primary())
                if (after := self.peek()) is not None and after.kind == "OR":
                    raise UserError(N_("An excluded word can't be one side of OR. Exclude it on its own: -word."))
                continue
            if token.kind == "OR":
                raise UserError(N_("OR needs a word on each side, like python OR django."))
            include.append(self.any_of())
        if not include:
            if exclude:
                raise UserError(N_("That search only leaves words out: add at least one word to look for."))
            if not top:
                raise UserError(N_("Empty parentheses: put words inside them, like (python OR ruby)."))
            return None
        if len(include) == 1 and not exclude:
            return include[0]
        return AllOf(tuple(include), tuple(exclude))

    @staticmethod
    def _ends_operand(token: _Token | None) -> bool:
        return token is None or token.kind in (")", "OR", "AND", "NOT")

    def any_of(self) -> Node:
        options = [self.primary()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            following = self.peek()
            if following is not None and following.kind in ("-", "NOT"):
                raise UserError(N_("An excluded word can't be one side of OR. Exclude it on its own: -word."))
            if self._ends_operand(following):
                raise UserError(N_("OR needs a word on each side, like python OR django."))
            options.append(self.primary())
        return options[0] if len(options) == 1 else AnyOf(tuple(options))

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "(":
            node = self.all_of(top=False)
            if self.peek() is None:
                raise UserError(N_("A parenthesis is not closed: add the missing “)”."))
            self.take()
            return node  # type: ignore[return-value]  # all_of(top=False) never returns None
        if token.kind == "field":
            following = self.peek()
            if following is None or not following.glued or following.kind not in ("word", "phrase"):
                raise UserError(
                    N_("Put one word or a quoted phrase right after {field}:, like {field}:python."), field=token.text
                )
            return _term(self.take().text, token.text)
        if token.kind in ("word", "phrase"):
            return _term(token.text, None)
        raise UserError(N_("A closing parenthesis has no opening one: remove the extra “)”."))


def _term(text: str, field: str | None) -> Term:
    if field == "skills":
        with suppress(UserError):  # a known skill or alias searches as the skill's name, else as typed
            text = normalise_skill(text)
    words = search_words(text)
    if not words:
        raise UserError(
            N_("“{term}” has no letters or digits to look for. Remove it or put words in it."), term=text.strip()[:40]
        )
    return Term(tuple(words), field)  # type: ignore[arg-type]


def parse_query(text: str) -> ParsedQuery:
    """The query as a tree of terms, or a UserError that says how to fix it."""
    return ParsedQuery(_Parser(_tokens(text)).parse())


def matches(node: Node | None, title: str, description: str, skills_text: str) -> bool:
    """The full-text semantics in plain Python (what both indexes compute), for one job's text."""
    fields = {"title": search_words(title), "skills": search_words(skills_text), None: search_words(description)}

    def found(term: Term) -> bool:
        places = [fields[term.field]] if term.field else list(fields.values())
        size = len(term.words)
        return any(tuple(words[start : start + size]) == term.words for words in places for start in range(len(words)))

    def holds(part: Node) -> bool:
        if isinstance(part, Term):
            return found(part)
        if isinstance(part, AnyOf):
            return any(holds(option) for option in part.options)
        return all(holds(each) for each in part.include) and not any(holds(each) for each in part.exclude)

    return node is None or holds(node)


# --- the service ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobHit:
    """All a job card shows."""

    id: int
    title: str
    snippet: str
    job_type: str
    budget_minor: int | None
    rate_min_minor: int | None
    rate_max_minor: int | None
    currency: str
    experience: str
    project_length: str
    hours_per_week: str | None
    category: str
    skills: list[str]
    proposals_count: int
    published_at: datetime | None
    client: ClientSummary
    saved: bool

    @classmethod
    def from_row(cls, row: JobCardRow) -> JobHit:
        return cls(
            id=row.id,
            title=row.title,
            snippet=snippet(row.description_start),
            job_type=row.job_type,
            budget_minor=row.budget_minor,
            rate_min_minor=row.rate_min_minor,
            rate_max_minor=row.rate_max_minor,
            currency=row.currency,
            experience=row.experience,
            project_length=row.project_length,
            hours_per_week=row.hours_per_week,
            category=row.category,
            skills=list(row.skills),
            proposals_count=row.proposals_count,
            published_at=row.published_at,
            client=ClientSummary(
                account_id=row.client_id,
                full_name=row.client_name,
                country=row.client_country,
                member_since=row.client_since,
                payment_verified=bool(row.client_payment_verified),
                hires=row.client_hires,
                total_spent_minor=row.client_total_spent_minor,
                rating=row.client_rating_sum / row.client_rating_count if row.client_rating_count else None,
                reviews=row.client_rating_count,
                source=row.client_name if row.source_id is not None else None,
            ),
            saved=bool(row.saved),
        )


def snippet(description: str, length: int = SNIPPET_LENGTH) -> str:
    """The description's start on one line, cut at a word boundary with "…" when longer."""
    flat = " ".join(description.split())
    if len(flat) <= length:
        return flat
    cut = flat[:length]
    if " " in cut[length // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def job_criteria(
    query: str, filters: JobFilters, *, now: datetime, client_ids: frozenset[int] | None = None
) -> JobCriteria:
    """A search in plain values, for SQL and for the alert matcher alike. ``client_ids``: the viewer's previous
    clients, when the filters ask for them."""
    budget = tuple(BUDGET_BUCKETS[name] for name in sorted(filters.budget))
    if filters.custom_budget is not None:
        budget += (filters.custom_budget,)
    types = set(filters.job_type)
    if budget:
        types.add("fixed")
    if filters.hourly_range is not None:
        types.add("hourly")
    return JobCriteria(
        match=parse_query(query).root,
        experience=frozenset(filters.experience),
        job_types=frozenset(types),
        fixed_budget=budget,
        hourly_rate=filters.hourly_range,
        proposals=tuple(PROPOSAL_BUCKETS[name] for name in sorted(filters.proposals)),
        client_hires=tuple(CLIENT_HIRES_BUCKETS[name] for name in sorted(filters.client_hires)),
        payment_verified=filters.payment_verified,
        client_ids=client_ids if filters.previous_clients else None,
        project_length=frozenset(filters.project_length),
        hours_per_week=frozenset(filters.hours_per_week),
        categories=frozenset(filters.categories),
        cloud_id=filters.cloud_id,
        published_since=now - timedelta(days=filters.posted_within_days) if filters.posted_within_days else None,
    )


@dataclass(frozen=True)
class SearchPage:
    hits: list[JobHit]
    total: int  # how many match; with ``more``, only how many were counted (at least TOTAL_CAP)
    page: int
    page_size: int
    more: bool = False  # more jobs match than ``total``: shown as "1,000+"

    @property
    def pages(self) -> int:
        """How many pages the total fills (0 when nothing matched); ``page > pages`` is past the end unless
        ``more``."""
        return math.ceil(self.total / self.page_size)

    @property
    def has_next(self) -> bool:
        return self.more or self.page < self.pages


NOBODY = 0  # a viewer id no account has: of the open jobs, it sees the public ones only


class SearchService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._repos = repos
        self._now = now

    async def _criteria(self, viewer_id: int, query: str, filters: JobFilters) -> JobCriteria:
        clients = await self._repos.search.previous_client_ids(viewer_id) if filters.previous_clients else None
        return job_criteria(query, filters, now=self._now, client_ids=clients)

    async def count(self, viewer_id: int, query: str, filters: JobFilters) -> int:
        """How many visible jobs match (the live count while filters are edited), up to TOTAL_CAP + 1: more than
        TOTAL_CAP is shown as "1,000+"."""
        criteria = await self._criteria(viewer_id, query, filters)
        return await self._repos.search.count(viewer_id, criteria, TOTAL_CAP + 1)

    async def search(
        self, viewer_id: int, query: str, filters: JobFilters, sort: Sort, page: int = 1, page_size: int = 10
    ) -> SearchPage:
        """One page of the visible jobs that match; past the end: no hits, and the total. The total is counted up
        to TOTAL_CAP, or to the end of this page if further, and one more to know whether there are more."""
        page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
        criteria = await self._criteria(viewer_id, query, filters)
        offset = (page - 1) * page_size
        counted_to = max(TOTAL_CAP, offset + page_size)
        total, ids = await self._repos.search.search(
            viewer_id, criteria, sort.value, offset, page_size, at_most=counted_to + 1
        )
        hits = [JobHit.from_row(row) for row in await self._repos.search.cards(viewer_id, ids)]
        more = total > counted_to
        return SearchPage(hits=hits, total=min(total, counted_to), page=page, page_size=page_size, more=more)

    async def public(self, query: str, page: int = 1, page_size: int = 10) -> SearchPage:
        """The open public jobs that match, best first (newest without words), as anyone sees them: for sharing in
        chats whose members we don't know, so nothing invite-only, of a talent cloud, or shown for being one's own."""
        return await self.search(NOBODY, query, JobFilters(), Sort.relevance, page, page_size)
