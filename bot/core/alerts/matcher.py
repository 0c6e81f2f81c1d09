"""Which saved searches a new job matches, without checking every search (a percolator, like Elasticsearch's or
Lucene Monitor's).

Each search is indexed under what a matching job must have: the rarest words its query requires (up to
``KEY_ATOMS``), a category its filters ask for, or words and a category, whichever is rarest among jobs; a query
that requires one of several options (``python OR ruby``) is indexed under each option (with the words it
requires besides). A search that requires nothing (no words, no category) is checked against every job. The keys
are kept as a tree of their atoms, rarest first, and a job finds the keys all of whose atoms it has by
intersecting each step's atoms with its own: for any search it matches, one of those keys is the job's, so
nothing is missed, and keys of several words keep the candidates close to the searches that really match.

A candidate is then checked in full, most of them as set operations on the job's words and pairs of adjacent
words; a search that is only words, found under a key that is all of one way it matches, needs no check, and one
with a single such key is indexed by owner, so a job takes those hits as they are.

The full check (``criteria_hold``) is the job search's semantics for one job in plain Python: the words as both
full-text indexes see them (``bot.core.search``) and every filter of ``JobCriteria``; the hypothesis test shows
the matcher finds exactly what it does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from itertools import pairwise
from operator import attrgetter
from typing import Generic, TypeVar

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


def _interned(words: Iterable[str]) -> list[str]:
    """The one copy of each word: a job's and a search's are then the same object, so a set lookup compares no
    characters and touches no string in memory (the searches' words are all over a large index)."""
    return [sys.intern(word) for word in words]


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
            "title": _interned(search_words(title)),
            "skills": _interned(search_words(skills_text)),
            None: _interned(search_words(description)),
        }
        self.sets = {field: set(words) for field, words in self.fields.items()}
        self.words = set().union(*self.sets.values())
        self.pairs_in = {field: set(pairwise(words)) for field, words in self.fields.items()}
        self.pairs = set().union(*self.pairs_in.values())  # two words next to each other in one field
        self.features: set[str | tuple[str, ...]] = self.words | self.pairs

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


UNSET = (None, False, (), frozenset())  # what a filter left alone holds, as the reasons tell it
LEFT_ALONE = {field.name: field.default for field in fields(JobCriteria) if field.name != "match"}


def filtered(criteria: JobCriteria) -> bool:
    """Whether a search sets any filter: one that differs from its default (an empty set of clients is set)."""
    return any(getattr(criteria, name) != default for name, default in LEFT_ALONE.items())


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
        words, field = node.words, node.field
        if len(words) == 1:
            word = words[0]
            return (lambda text: word in text.words) if field is None else (lambda text: word in text.sets[field])
        if len(words) == 2:
            return (lambda text: words in text.pairs) if field is None else (lambda text: words in text.pairs_in[field])
        return lambda text: text.has(node)
    if isinstance(node, AnyOf):
        options = [_compiled_text(option) for option in node.options]
        return lambda text: any(option(text) for option in options)
    wanted = _plain_words(node.include)
    banned = _plain_words(node.exclude)
    others = [_compiled_text(part) for part in node.include if not _plain(part)]
    unwanted = [_compiled_text(part) for part in node.exclude if not _plain(part)]
    if not others and not unwanted and not banned:
        return lambda text: wanted <= text.words

    def holds(text: JobText) -> bool:
        if not wanted <= text.words or not banned.isdisjoint(text.words):
            return False
        for check in others:
            if not check(text):
                return False
        return not any(check(text) for check in unwanted)

    return holds


def _plain(node: Node) -> bool:
    """A single word looked for anywhere: a set lookup."""
    return isinstance(node, Term) and node.field is None and len(node.words) == 1


def _plain_words(nodes: tuple[Node, ...]) -> frozenset[str]:
    return frozenset(node.words[0] for node in nodes if isinstance(node, Term) and _plain(node))


def _required_words(node: Node | None) -> frozenset[str]:
    """Words every job matching ``node`` has: those of each term its query asks for outright (a phrase's, a
    field's too)."""
    if isinstance(node, Term):
        return frozenset(_interned(node.words))
    if isinstance(node, AllOf):
        return frozenset().union(*(_required_words(part) for part in node.include))
    return frozenset()


Feature = str | tuple[str, ...]  # a word, or two words next to each other in one field (``JobText.features``)
Ways = tuple[frozenset[Feature], ...]
MOST_WAYS = 16  # a query with more ways to match than this (ORs of ORs) is checked by its closures


def _ways(node: Node) -> list[frozenset[Feature]] | None:
    """The ways a job can have what ``node`` asks for, each a set of features it must all have (``(vue.js OR
    appointment) setting``: {("vue", "js"), "setting"} or {"appointment", "setting"}); None for a query that is
    more than words and two-word phrases, AND and OR (a field, a longer phrase, an exclusion inside)."""
    if isinstance(node, Term):
        if node.field is not None or len(node.words) > 2:
            return None
        words = tuple(_interned(node.words))
        return [frozenset({words[0] if len(words) == 1 else words})]
    if isinstance(node, AllOf) and node.exclude:
        return None
    parts = [_ways(part) for part in (node.options if isinstance(node, AnyOf) else node.include)]
    if any(part is None for part in parts):
        return None
    if isinstance(node, AnyOf):
        return [way for part in parts for way in part or ()]
    ways: list[frozenset[Feature]] = [frozenset()]
    for part in parts:
        ways = [done | way for done in ways for way in part or ()]
        if len(ways) > MOST_WAYS:
            return None
    return ways


def _text_as_sets(node: Node | None) -> tuple[Ways, frozenset[Feature]] | None:
    """A query as the ways it can match and the features it excludes (``python api -wordpress``), when that is
    all of it; None when it needs its closures."""
    if node is None:
        return (frozenset(),), frozenset()
    excluded = node.exclude if isinstance(node, AllOf) else ()
    banned = [_ways(part) for part in excluded]
    if not all(ways is not None and len(ways) == 1 and len(ways[0]) == 1 for ways in banned):
        return None
    ways = _ways(AllOf(node.include) if isinstance(node, AllOf) else node)
    return None if ways is None else (tuple(ways), frozenset().union(*(ways[0] for ways in banned if ways)))


def compiled(criteria: JobCriteria) -> Check:
    """``criteria_hold`` for one search, made once (the matcher checks thousands of searches per job)."""
    text_check = _compiled_text(criteria.match) if criteria.match is not None else None
    if text_check is None:
        return lambda job, text: filters_hold(criteria, job)
    if not filtered(criteria):
        return lambda job, text: text_check(text)
    return lambda job, text: text_check(text) and filters_hold(criteria, job)


@dataclass(frozen=True, slots=True)
class Percolated:
    """A saved search as the matcher keeps it."""

    id: int
    owner_id: int
    criteria: JobCriteria


Frequency = Callable[[str], float]  # the share of jobs (0 to 1) that have a word or a category code
Atom = str  # "w:<word>" or "c:<category code>": something a job has or has not
Conjunction = frozenset[Atom]  # a job matching must have all of these (at most KEY_ATOMS are kept)
KEY_ATOMS = 4
RARE = 1e-4  # the share assumed for a word never seen


def _cost(conjunction: Conjunction, share: Callable[[Atom], float]) -> float:
    cost = 1.0
    for atom in conjunction:
        cost *= share(atom)
    return cost


def _cheapest(atoms: Iterable[Atom], share: Callable[[Atom], float]) -> Conjunction:
    """The ``KEY_ATOMS`` rarest of atoms a job must all have: as good a filter as any as many, and few keys to look
    up."""
    return frozenset(sorted(set(atoms), key=lambda atom: (share(atom), atom))[:KEY_ATOMS])


def _alternatives(node: Node, share: Callable[[Atom], float]) -> list[Conjunction]:
    """Conjunctions one of which every job matching ``node`` has all of (a disjunction of conjunctions)."""
    if isinstance(node, Term):
        return [_cheapest((f"w:{word}" for word in node.words), share)]
    if isinstance(node, AnyOf):
        return list(dict.fromkeys(alt for option in node.options for alt in _alternatives(option, share)))
    parts = [_alternatives(part, share) for part in node.include]
    required = [atom for part in parts if len(part) == 1 for atom in part[0]]
    options = [part for part in parts if len(part) > 1]
    choices = list(options)
    if required:
        choices.append([_cheapest(required, share)])
        choices.extend([_cheapest(alt | set(required), share) for alt in option] for option in options)
    return min(choices, key=lambda choice: sum(_cost(alt, share) for alt in choice))


def index_conjunctions(criteria: JobCriteria, share: Callable[[Atom], float]) -> list[Conjunction]:
    """Where a search is indexed: the cheapest disjunction of up to ``KEY_ATOMS`` atoms each that any matching job has,
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


_BY_ID = attrgetter("id")


class _Entry:
    """One distinct search in the index: its check and its owners. Kept in the postings by identity, so a lookup
    never hashes the criteria (a tree of terms and filters) again."""

    __slots__ = ("banned", "check", "criteria", "needs", "outright", "owners", "sure", "ways", "where")

    def __init__(self, criteria: JobCriteria, where: list[tuple[Atom, ...]]) -> None:
        self.criteria = criteria
        self.owners: dict[int, Percolated] = {}
        self.where = where  # the keys it is indexed under
        # A query of words and two-word phrases is checked as set operations on the job's features: ``needs``, all
        # of them (most candidates that miss, miss there), then one of its ``ways`` (None: ``needs`` is the only
        # one), none of what it ``banned``; ``check``, the filters (None: no filter). Any other query: its closures.
        as_sets = _text_as_sets(criteria.match)
        ways, self.banned = as_sets or ((frozenset(_required_words(criteria.match)),), frozenset())
        self.needs = frozenset.intersection(*ways)
        self.ways = ways if len(ways) > 1 else None
        self.check: Check | None
        if as_sets is None:
            self.check = compiled(criteria)
        else:
            self.check = (lambda job, text: filters_hold(criteria, job)) if filtered(criteria) else None
        # Sure: each of its keys is all the words of one way it matches, so a job found under one matches.
        words_ways = {frozenset(f"w:{word}" for word in way) for way in ways if all(isinstance(w, str) for w in way)}
        sure = self.check is None and not self.banned and all(frozenset(key) in words_ways for key in where)
        self.sure = bool(where) and sure
        # Its owners are indexed themselves, under its one key: every job with that key matches them all.
        self.outright = self.sure and len(where) == 1

    def matches(self, job: JobFacts, text: JobText) -> bool:
        features = text.features
        if not self.needs <= features or not self.banned.isdisjoint(features):
            return False
        if self.ways is not None and not any(way <= features for way in self.ways):
            return False
        return self.check is None or self.check(job, text)


Name = TypeVar("Name")
Value = TypeVar("Value")


class _Node(Generic[Name, Value]):
    """A key's atoms so far: what is indexed under them, and the atoms that come next in longer keys."""

    __slots__ = ("here", "next")

    def __init__(self) -> None:
        self.here: dict[Name, Value] = {}
        self.next: dict[Atom, _Node[Name, Value]] = {}


class _Postings(Generic[Name, Value]):
    """What is indexed under keys of up to ``KEY_ATOMS`` atoms (the rarest first), by name, as a tree of the keys'
    atoms; and what of it a job finds."""

    def __init__(self) -> None:
        self._root: _Node[Name, Value] = _Node()

    def add(self, key: tuple[Atom, ...], name: Name, value: Value) -> None:
        node = self._root
        for atom in key:
            if (child := node.next.get(atom)) is None:
                child = node.next[atom] = _Node()
            node = child
        node.here[name] = value

    def remove(self, key: tuple[Atom, ...], name: Name) -> None:
        path = [self._root]
        for atom in key:
            path.append(path[-1].next[atom])
        del path[-1].here[name]
        for atom, parent, node in reversed(list(zip(key, path, path[1:], strict=False))):
            if node.here or node.next:
                return
            del parent.next[atom]

    def found(self, atoms: set[Atom]) -> list[dict[Name, Value]]:
        """What is under the keys all of whose atoms the job has, found by intersecting sets of atoms (in C)."""
        found = []
        level = [self._root]
        while level:
            deeper = []
            for node in level:
                for atom in node.next.keys() & atoms:
                    child = node.next[atom]
                    if child.here:
                        found.append(child.here)
                    if child.next:
                        deeper.append(child)
            level = deeper
        return found


class Matcher:
    """The in-memory index of every active saved search. ``add`` again replaces a search; ``remove`` forgets it.

    Identical searches (many people save "python django") are indexed and checked once, for all of their owners;
    a search any job under its one key matches is indexed by owner instead, and a job's hits under such keys are
    taken as they are. ``frequency`` tells how common a word is among jobs, ``category_frequency`` a category
    (shares, 0 to 1), so searches are indexed under what is rare; any estimate is correct, a good one is fast."""

    def __init__(self, frequency: Frequency | None = None, category_frequency: Frequency | None = None) -> None:
        words = frequency or (lambda word: RARE)
        categories = category_frequency or (lambda code: 0.1)
        self._share: Callable[[Atom], float] = lambda atom: (categories if atom[0] == "c" else words)(atom[2:])
        self._searches: dict[int, Percolated] = {}
        self._entries: dict[JobCriteria, _Entry] = {}
        self._everything: dict[_Entry, None] = {}  # searches that require nothing
        self._checked: _Postings[_Entry, None] = _Postings()  # entries a job under one of their keys is checked by
        self._matching: _Postings[int, Percolated] = _Postings()  # searches a job under their key matches

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
                self._everything[entry] = None
            for key in [] if entry.outright else where:
                self._checked.add(key, entry, None)
        entry.owners[search.id] = search
        if entry.outright:
            self._matching.add(entry.where[0], search.id, search)

    def add_all(self, searches: Iterable[Percolated]) -> None:
        for search in searches:
            self.add(search)

    def remove(self, search_id: int) -> None:
        search = self._searches.pop(search_id, None)
        if search is None:
            return
        entry = self._entries[search.criteria]
        del entry.owners[search_id]
        if entry.outright:
            self._matching.remove(entry.where[0], search_id)
        if entry.owners:
            return
        del self._entries[search.criteria]
        self._everything.pop(entry, None)
        for key in [] if entry.outright else entry.where:
            self._checked.remove(key, entry)

    def _to_check(self, atoms: set[Atom]) -> set[_Entry]:
        return set(self._everything).union(*self._checked.found(atoms))

    def candidates(self, job: JobFacts, text: JobText | None = None) -> set[JobCriteria]:
        """The distinct searches found under what ``job`` has (checked in full, or matching by their key)."""
        atoms = job_atoms(job, text or JobText(job))
        outright = {search.criteria for found in self._matching.found(atoms) for search in found.values()}
        return outright | {entry.criteria for entry in self._to_check(atoms)}

    def match(self, job: JobFacts) -> list[Percolated]:
        """The saved searches ``job`` matches, by id."""
        text = JobText(job)
        atoms = job_atoms(job, text)
        hits: list[Percolated] = []
        for found in self._matching.found(atoms):
            hits.extend(found.values())
        for entry in self._to_check(atoms):
            if entry.sure or entry.matches(job, text):
                hits.extend(entry.owners.values())
        hits.sort(key=_BY_ID)
        return hits
