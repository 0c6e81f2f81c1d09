"""Which saved searches a new job matches, without checking every search (a percolator, like Elasticsearch's or
Lucene Monitor's).

Each search is indexed under keys a matching job must have: a word the query requires (its rarest, among the
choices the query allows) or one of the categories its filters ask for, whichever is cheaper; a query that
requires one of several options (``python OR ruby``) is indexed under one key per option. A search that requires
nothing (no words, no category) is checked against every job. A new job is then checked, in full, only against
the searches indexed under its words and its category: for any search it matches, at least one of those keys is
the job's, so nothing is missed.

The full check (``criteria_hold``) is the job search's semantics for one job in plain Python: the words as both
full-text indexes see them (``bot.core.search``) and every filter of ``JobCriteria``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from bot.core.search import search_words
from bot.storage.search import AnyOf, IntRange, JobCriteria, Node, Term

MATCH_ALL = "*"


@dataclass(frozen=True)
class JobFacts:
    """What matching needs of a job: its text and every attribute a filter looks at."""

    id: int
    client_id: int
    title: str
    description: str
    skills_text: str
    category: str
    job_type: str
    budget_minor: int | None
    rate_min_minor: int | None
    rate_max_minor: int | None
    experience: str
    project_length: str
    hours_per_week: str | None
    proposals_count: int
    client_payment_verified: bool
    client_hires: int
    published_at: datetime | None
    cloud_id: int | None = None


class JobText:
    """A job's words, split once, for checking many queries against it."""

    def __init__(self, job: JobFacts) -> None:
        self.fields: dict[str | None, list[str]] = {
            "title": search_words(job.title),
            "skills": search_words(job.skills_text),
            None: search_words(job.description),
        }
        self.sets = {field: set(words) for field, words in self.fields.items()}
        self.words = set().union(*self.sets.values())

    def has(self, term: Term) -> bool:
        places = [term.field] if term.field else list(self.fields)
        for place in places:
            if not all(word in self.sets[place] for word in term.words):
                continue
            if len(term.words) == 1:
                return True
            words, size = self.fields[place], len(term.words)
            if any(tuple(words[start : start + size]) == term.words for start in range(len(words) - size + 1)):
                return True
        return False

    def holds(self, node: Node | None) -> bool:
        if node is None:
            return True
        if isinstance(node, Term):
            return self.has(node)
        if isinstance(node, AnyOf):
            return any(self.holds(option) for option in node.options)
        return all(self.holds(part) for part in node.include) and not any(self.holds(part) for part in node.exclude)


def _within(value: int | None, ranges: tuple[IntRange, ...]) -> bool:
    return value is not None and any(
        (low is None or value >= low) and (high is None or value <= high) for low, high in ranges
    )


def _rate_overlaps(job: JobFacts, wanted: IntRange) -> bool:
    """The job's rate range (its minimum to its maximum, or just the minimum) overlaps ``wanted``."""
    if job.rate_min_minor is None:
        return False
    top = job.rate_max_minor if job.rate_max_minor is not None else job.rate_min_minor
    low, high = wanted
    return (low is None or top >= low) and (high is None or job.rate_min_minor <= high)


def filters_hold(criteria: JobCriteria, job: JobFacts) -> bool:
    """Every filter of a search, for one job (the words aside)."""
    return (
        (not criteria.experience or job.experience in criteria.experience)
        and (not criteria.job_types or job.job_type in criteria.job_types)
        and (not criteria.fixed_budget or job.job_type != "fixed" or _within(job.budget_minor, criteria.fixed_budget))
        and (criteria.hourly_rate is None or job.job_type != "hourly" or _rate_overlaps(job, criteria.hourly_rate))
        and (not criteria.proposals or _within(job.proposals_count, criteria.proposals))
        and (not criteria.client_hires or _within(job.client_hires, criteria.client_hires))
        and (not criteria.payment_verified or job.client_payment_verified)
        and (criteria.client_ids is None or job.client_id in criteria.client_ids)
        and (not criteria.project_length or job.project_length in criteria.project_length)
        and (not criteria.hours_per_week or job.hours_per_week in criteria.hours_per_week)
        and (not criteria.categories or job.category in criteria.categories)
        and (criteria.cloud_id is None or job.cloud_id == criteria.cloud_id)
        and (criteria.published_since is None or (job.published_at or datetime.min) >= criteria.published_since)
    )


def criteria_hold(criteria: JobCriteria, job: JobFacts, text: JobText) -> bool:
    return filters_hold(criteria, job) and text.holds(criteria.match)


@dataclass(frozen=True)
class Percolated:
    """A saved search as the matcher keeps it."""

    id: int
    owner_id: int
    criteria: JobCriteria


Frequency = Callable[[str], float]  # how common a word is among jobs (any scale); unknown words are rare


def _word_keys(node: Node, frequency: Frequency) -> tuple[float, tuple[str, ...]]:
    """The cheapest keys one of which every job matching ``node`` has, with their cost."""
    if isinstance(node, Term):
        rarest = min(node.words, key=lambda word: (frequency(word), -len(word), word))
        return frequency(rarest), (rarest,)
    if isinstance(node, AnyOf):
        options = [_word_keys(option, frequency) for option in node.options]
        return sum(cost for cost, _ in options), tuple(dict.fromkeys(key for _, keys in options for key in keys))
    return min((_word_keys(part, frequency) for part in node.include), key=lambda choice: choice[0])


def index_keys(criteria: JobCriteria, frequency: Frequency, category_frequency: Frequency) -> tuple[str, ...]:
    """Where a search is indexed: word keys ``w:<word>``, category keys ``c:<code>``, or ``*`` (every job)."""
    choices: list[tuple[float, tuple[str, ...]]] = []
    if criteria.match is not None:
        cost, words = _word_keys(criteria.match, frequency)
        choices.append((cost, tuple(f"w:{word}" for word in words)))
    if criteria.categories:
        cost = sum(category_frequency(code) for code in criteria.categories)
        choices.append((cost, tuple(f"c:{code}" for code in sorted(criteria.categories))))
    if not choices:
        return (MATCH_ALL,)
    return min(choices, key=lambda choice: choice[0])[1]


def job_keys(job: JobFacts, text: JobText) -> Iterator[str]:
    yield MATCH_ALL
    yield f"c:{job.category}"
    for word in text.words:
        yield f"w:{word}"


class Matcher:
    """The in-memory index of every active saved search. ``add`` again replaces a search; ``remove`` forgets it."""

    def __init__(self, frequency: Frequency | None = None, category_frequency: Frequency | None = None) -> None:
        self._frequency = frequency or (lambda word: 1.0)
        self._category_frequency = category_frequency or (lambda code: 1000.0)  # a category holds many jobs
        self._postings: dict[str, dict[int, Percolated]] = {}
        self._keys: dict[int, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, search: Percolated) -> None:
        self.remove(search.id)
        keys = index_keys(search.criteria, self._frequency, self._category_frequency)
        self._keys[search.id] = keys
        for key in keys:
            self._postings.setdefault(key, {})[search.id] = search

    def add_all(self, searches: Iterable[Percolated]) -> None:
        for search in searches:
            self.add(search)

    def remove(self, search_id: int) -> None:
        for key in self._keys.pop(search_id, ()):
            posting = self._postings[key]
            del posting[search_id]
            if not posting:
                del self._postings[key]

    def candidates(self, job: JobFacts, text: JobText | None = None) -> dict[int, Percolated]:
        """The searches worth a full check against ``job``."""
        text = text or JobText(job)
        found: dict[int, Percolated] = {}
        for key in job_keys(job, text):
            posting = self._postings.get(key)
            if posting:
                found.update(posting)
        return found

    def match(self, job: JobFacts) -> list[Percolated]:
        """The saved searches ``job`` matches, by id."""
        text = JobText(job)
        hits = [search for search in self.candidates(job, text).values() if criteria_hold(search.criteria, job, text)]
        return sorted(hits, key=lambda search: search.id)
