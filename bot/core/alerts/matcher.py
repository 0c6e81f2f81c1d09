"""Which saved searches a new job matches, without checking every search (a percolator, like Elasticsearch's or
Lucene Monitor's).

Each search is indexed under what a matching job must have: the two rarest words its query requires (or one, if
it requires one), a category its filters ask for, or a word and a category, whichever is rarest among jobs; a
query that requires one of several options (``python OR ruby``) is indexed under each option. A search that
requires nothing (no words, no category) is checked against every job. A new job is then checked in full only
against the searches indexed under its own words and category (a pair: both of them): for any search it
matches, one of those keys is the job's, so nothing is missed, and a pair of words keeps the candidates close to
the searches that really match.

The full check (``criteria_hold``) is the job search's semantics for one job in plain Python: the words as both
full-text indexes see them (``bot.core.search``) and every filter of ``JobCriteria``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.core.search import search_words
from bot.storage.search import AllOf, AnyOf, IntRange, JobCriteria, Node, Term


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
    currency: str = "USD"


class JobText:
    """A job's words, split once, for checking many queries against it."""

    def __init__(self, job: JobFacts) -> None:
        self._split(job.title, job.description, job.skills_text)

    @classmethod
    def of(cls, title: str, description: str, skills_text: str) -> JobText:
        text = cls.__new__(cls)
        text._split(title, description, skills_text)
        return text

    def _split(self, title: str, description: str, skills_text: str) -> None:
        self.fields: dict[str | None, list[str]] = {
            "title": search_words(title),
            "skills": search_words(skills_text),
            None: search_words(description),
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


UNSET = (None, False, (), frozenset())  # what a filter left alone holds
FILTER_FIELDS = (
    "experience", "job_types", "fixed_budget", "hourly_rate", "proposals", "client_hires", "payment_verified",
    "client_ids", "project_length", "hours_per_week", "categories", "cloud_id",
)  # fmt: skip


def why(criteria: JobCriteria, text: JobText) -> tuple[list[str], list[str]]:
    """What made a job match: the words and phrases it has that the query asked for (as typed: "django",
    "machine learning", "title:logo"), and the names of the filters set (``FILTER_FIELDS``)."""
    found: list[str] = []

    def collect(node: Node | None) -> None:
        if isinstance(node, Term):
            if text.has(node):
                words = " ".join(node.words)
                found.append(f"{node.field}:{words}" if node.field else words)
        elif isinstance(node, AnyOf):
            for option in node.options:
                collect(option)
        elif node is not None:
            for part in node.include:
                collect(part)

    collect(criteria.match)
    filters = [name for name in FILTER_FIELDS if getattr(criteria, name) not in UNSET]
    return list(dict.fromkeys(found)), filters


Check = Callable[[JobFacts, JobText], bool]


TextCheck = Callable[[JobText], bool]


def _compiled_text(node: Node) -> TextCheck:
    """``JobText.holds(node)`` as closures made once: no dispatch on the node's kind at each check, and plain
    words (most of what people save) as set lookups."""
    if isinstance(node, Term):
        if len(node.words) == 1:
            word, field = node.words[0], node.field
            return (lambda text: word in text.words) if field is None else (lambda text: word in text.sets[field])
        return lambda text: text.has(node)
    if isinstance(node, AnyOf):
        options = [_compiled_text(option) for option in node.options]
        return lambda text: any(option(text) for option in options)
    plain = [part for part in node.include if isinstance(part, Term) and part.field is None and len(part.words) == 1]
    wanted = frozenset(term.words[0] for term in plain)  # type: ignore[union-attr]
    others = [_compiled_text(part) for part in node.include if part not in plain]
    unwanted = [_compiled_text(part) for part in node.exclude]

    def holds(text: JobText) -> bool:
        if not wanted <= text.words:
            return False
        for check in others:
            if not check(text):
                return False
        return not any(check(text) for check in unwanted)

    return holds


def _only_words(criteria: JobCriteria) -> set[Atom] | None:
    """The word atoms of a search that is nothing but plain words (no phrase, field, option, exclusion or
    filter); None for any other."""
    if any(getattr(criteria, name) not in UNSET for name in (*FILTER_FIELDS, "published_since")):
        return None
    node = criteria.match
    terms = [node] if isinstance(node, Term) else list(node.include) if isinstance(node, AllOf) else None
    if terms is None or (isinstance(node, AllOf) and node.exclude):
        return None
    if not all(isinstance(term, Term) and term.field is None and len(term.words) == 1 for term in terms):
        return None
    return {f"w:{term.words[0]}" for term in terms}  # type: ignore[union-attr]


def compiled(criteria: JobCriteria) -> Check:
    """``criteria_hold`` for one search, made once (the matcher checks thousands of searches per job)."""
    text_check = _compiled_text(criteria.match) if criteria.match is not None else None
    filtered = any(getattr(criteria, name) not in UNSET for name in (*FILTER_FIELDS, "published_since"))
    if text_check is None:
        return lambda job, text: filters_hold(criteria, job)
    if not filtered:
        return lambda job, text: text_check(text)
    return lambda job, text: text_check(text) and filters_hold(criteria, job)


@dataclass(frozen=True)
class Percolated:
    """A saved search as the matcher keeps it."""

    id: int
    owner_id: int
    criteria: JobCriteria


Frequency = Callable[[str], float]  # the share of jobs (0 to 1) that have a word or a category code
Atom = str  # "w:<word>" or "c:<category code>": something a job has or has not
Conjunction = frozenset[Atom]  # a job matching must have all of these (at most two are kept)
RARE = 1e-4  # the share assumed for a word never seen


def _cost(conjunction: Conjunction, share: Callable[[Atom], float]) -> float:
    cost = 1.0
    for atom in conjunction:
        cost *= share(atom)
    return cost


def _cheapest(atoms: Iterable[Atom], share: Callable[[Atom], float]) -> Conjunction:
    """The two rarest of atoms a job must all have: as good a filter as any two, and few keys to look up."""
    return frozenset(sorted(set(atoms), key=lambda atom: (share(atom), atom))[:2])


def _alternatives(node: Node, share: Callable[[Atom], float]) -> list[Conjunction]:
    """Conjunctions one of which every job matching ``node`` has all of (a disjunction of conjunctions)."""
    if isinstance(node, Term):
        return [_cheapest((f"w:{word}" for word in node.words), share)]
    if isinstance(node, AnyOf):
        return list(dict.fromkeys(alt for option in node.options for alt in _alternatives(option, share)))
    parts = [_alternatives(part, share) for part in node.include]
    required = [atom for part in parts if len(part) == 1 for atom in part[0]]
    choices = [part for part in parts if len(part) > 1]
    if required:
        choices.append([_cheapest(required, share)])
    return min(choices, key=lambda choice: sum(_cost(alt, share) for alt in choice))


def index_conjunctions(criteria: JobCriteria, share: Callable[[Atom], float]) -> list[Conjunction]:
    """Where a search is indexed: the cheapest disjunction of at most two atoms each that any matching job has,
    from its words, its categories, or both together; [] when it requires nothing (every job is a candidate)."""
    text = _alternatives(criteria.match, share) if criteria.match is not None else []
    categories = [frozenset({f"c:{code}"}) for code in sorted(criteria.categories)]
    choices = [choice for choice in (text, categories) if choice]
    if text and categories and len(text) * len(categories) <= 4:
        choices.append([_cheapest(alt | category, share) for alt in text for category in categories])
    if not choices:
        return []
    return min(choices, key=lambda choice: sum(_cost(alt, share) for alt in choice))


def job_atoms(job: JobFacts, text: JobText) -> set[Atom]:
    return {f"c:{job.category}"} | {f"w:{word}" for word in text.words}


class _Entry:
    """One distinct search in the index: its check and its owners. Kept in the postings by identity, so a lookup
    never hashes the criteria (a tree of terms and filters) again."""

    __slots__ = ("check", "criteria", "owners", "sure", "where")

    def __init__(self, criteria: JobCriteria, where: list[tuple[Atom, ...]]) -> None:
        self.criteria = criteria
        self.check = compiled(criteria)
        self.owners: dict[int, Percolated] = {}
        self.where = where  # the keys it is indexed under
        # Found under its one key, it matches: a search of one or two plain words and nothing else is exactly that.
        self.sure = len(where) == 1 and _only_words(criteria) == set(where[0])


class Matcher:
    """The in-memory index of every active saved search. ``add`` again replaces a search; ``remove`` forgets it.

    Identical searches (many people save "python django") are indexed and checked once, for all of their owners.
    ``frequency`` tells how common a word is among jobs, ``category_frequency`` a category (shares, 0 to 1), so
    searches are indexed under what is rare; any estimate is correct, a good one is fast."""

    def __init__(self, frequency: Frequency | None = None, category_frequency: Frequency | None = None) -> None:
        words = frequency or (lambda word: RARE)
        categories = category_frequency or (lambda code: 0.1)
        self._share: Callable[[Atom], float] = lambda atom: (categories if atom[0] == "c" else words)(atom[2:])
        self._searches: dict[int, Percolated] = {}
        self._entries: dict[JobCriteria, _Entry] = {}
        self._everything: set[_Entry] = set()  # searches that require nothing
        self._single: dict[Atom, set[_Entry]] = {}
        self._pairs: dict[Atom, dict[Atom, set[_Entry]]] = {}  # the rarer atom first

    def __len__(self) -> int:
        return len(self._searches)

    def _ordered(self, conjunction: Conjunction) -> tuple[Atom, ...]:
        """The rarer atom first: a job's atoms are looked up in the first level, few of them match."""
        return tuple(sorted(conjunction, key=lambda atom: (self._share(atom), atom)))

    def add(self, search: Percolated) -> None:
        self.remove(search.id)
        self._searches[search.id] = search
        entry = self._entries.get(search.criteria)
        if entry is None:
            conjunctions = index_conjunctions(search.criteria, self._share)
            where = list(dict.fromkeys(self._ordered(each) for each in conjunctions))
            entry = self._entries[search.criteria] = _Entry(search.criteria, where)
            if not where:
                self._everything.add(entry)
            for atoms in where:
                if len(atoms) == 1:
                    self._single.setdefault(atoms[0], set()).add(entry)
                else:
                    self._pairs.setdefault(atoms[0], {}).setdefault(atoms[1], set()).add(entry)
        entry.owners[search.id] = search

    def add_all(self, searches: Iterable[Percolated]) -> None:
        for search in searches:
            self.add(search)

    def remove(self, search_id: int) -> None:
        search = self._searches.pop(search_id, None)
        if search is None:
            return
        entry = self._entries[search.criteria]
        del entry.owners[search_id]
        if entry.owners:
            return
        del self._entries[search.criteria]
        self._everything.discard(entry)
        for atoms in entry.where:
            if len(atoms) == 1:
                self._single[atoms[0]].discard(entry)
                if not self._single[atoms[0]]:
                    del self._single[atoms[0]]
            else:
                seconds = self._pairs[atoms[0]]
                seconds[atoms[1]].discard(entry)
                if not seconds[atoms[1]]:
                    del seconds[atoms[1]]
                if not seconds:
                    del self._pairs[atoms[0]]

    def _candidates(self, job: JobFacts, text: JobText) -> set[_Entry]:
        atoms = job_atoms(job, text)
        found = set(self._everything)
        for atom in atoms:
            if (single := self._single.get(atom)) is not None:
                found |= single
            if (seconds := self._pairs.get(atom)) is not None:
                if len(seconds) < len(atoms):
                    for second, entries in seconds.items():
                        if second in atoms:
                            found |= entries
                else:
                    for second in atoms:
                        if (entries := seconds.get(second)) is not None:
                            found |= entries
        return found

    def candidates(self, job: JobFacts, text: JobText | None = None) -> set[JobCriteria]:
        """The distinct searches worth a full check against ``job``: those indexed under what it has."""
        return {entry.criteria for entry in self._candidates(job, text or JobText(job))}

    def match(self, job: JobFacts) -> list[Percolated]:
        """The saved searches ``job`` matches, by id."""
        text = JobText(job)
        hits = [
            search
            for entry in self._candidates(job, text)
            if entry.check(job, text)
            for search in entry.owners.values()
        ]
        return sorted(hits, key=lambda search: search.id)
