"""The alert matcher finds exactly the saved searches a job matches: the same as checking every search (recall
and precision both), on random searches and jobs, whichever keys it chose to index them under."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.alerts.matcher import RARE, JobFacts, JobText, Matcher, Percolated, criteria_hold
from bot.core.search import parse_query
from bot.storage.search import AllOf, AnyOf, JobCriteria, Node, Term

WORDS = ["python", "django", "api", "rest", "react", "logo", "design", "data", "café", "go"]
CATEGORIES = ["dev", "design", "data"]
NOW = datetime(2026, 12, 4, 12, 0)

terms = st.builds(
    Term,
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=2).map(tuple),
    st.sampled_from([None, None, "title", "skills"]),
)


def trees(depth: int = 2) -> st.SearchStrategy[Node]:
    if depth == 0:
        return terms
    inner = trees(depth - 1)
    any_of = st.lists(inner, min_size=2, max_size=3).map(lambda options: AnyOf(tuple(options)))
    all_of = st.builds(
        lambda include, exclude: AllOf(tuple(include), tuple(exclude)),
        st.lists(inner, min_size=1, max_size=3),
        st.lists(terms, max_size=2),
    )
    return st.one_of(terms, any_of, all_of)


ranges = st.tuples(st.one_of(st.none(), st.integers(0, 5000)), st.one_of(st.none(), st.integers(0, 5000)))
criteria = st.builds(
    JobCriteria,
    match=st.one_of(st.none(), trees()),
    experience=st.frozensets(st.sampled_from(["entry", "intermediate", "expert"]), max_size=2),
    job_types=st.frozensets(st.sampled_from(["hourly", "fixed"]), max_size=1),
    fixed_budget=st.lists(ranges, max_size=2).map(tuple),
    hourly_rate=st.one_of(st.none(), ranges),
    proposals=st.lists(ranges, max_size=1).map(tuple),
    client_hires=st.lists(ranges, max_size=1).map(tuple),
    payment_verified=st.booleans(),
    client_ids=st.one_of(st.none(), st.frozensets(st.integers(1, 4), max_size=2)),
    project_length=st.frozensets(st.sampled_from(["lt1", "1to3", "3to6", "gt6"]), max_size=2),
    hours_per_week=st.frozensets(st.sampled_from(["lt30", "gt30"]), max_size=1),
    categories=st.frozensets(st.sampled_from(CATEGORIES), max_size=2),
    cloud_id=st.one_of(st.none(), st.integers(1, 2)),
    published_since=st.one_of(st.none(), st.just(NOW - timedelta(days=3))),
)
texts = st.lists(st.sampled_from([*WORDS, "Cafe", "DJANGO", "other", "words"]), max_size=8).map(" ".join)


@st.composite
def jobs(draw: st.DrawFn, job_id: int = 1) -> JobFacts:
    job_type = draw(st.sampled_from(["hourly", "fixed"]))
    low = draw(st.integers(0, 5000))
    return JobFacts(
        id=job_id,
        client_id=draw(st.integers(1, 4)),
        title=draw(texts),
        description=draw(texts),
        skills_text=", ".join(draw(st.lists(st.sampled_from(WORDS), max_size=3))),
        category=draw(st.sampled_from(CATEGORIES)),
        job_type=job_type,
        budget_minor=low if job_type == "fixed" else None,
        rate_min_minor=low if job_type == "hourly" else None,
        rate_max_minor=draw(st.one_of(st.none(), st.integers(low, 6000))) if job_type == "hourly" else None,
        experience=draw(st.sampled_from(["entry", "intermediate", "expert"])),
        project_length=draw(st.sampled_from(["lt1", "1to3", "3to6", "gt6"])),
        hours_per_week=draw(st.sampled_from(["lt30", "gt30"])) if job_type == "hourly" else None,
        proposals_count=draw(st.integers(0, 60)),
        client_payment_verified=draw(st.booleans()),
        client_hires=draw(st.integers(0, 12)),
        published_at=NOW - timedelta(days=draw(st.integers(0, 6))),
        cloud_id=draw(st.one_of(st.none(), st.integers(1, 2))),
    )


def brute_force(searches: list[Percolated], job: JobFacts) -> list[int]:
    text = JobText(job)
    return [search.id for search in searches if criteria_hold(search.criteria, job, text)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(criteria, min_size=1, max_size=40),
    st.lists(jobs(), min_size=1, max_size=5),
    st.dictionaries(st.sampled_from(WORDS), st.floats(0, 1)),
)
def test_the_matcher_finds_what_checking_every_search_finds(
    every: list[JobCriteria], new_jobs: list[JobFacts], frequencies: dict[str, float]
) -> None:
    searches = [Percolated(number, number % 7, found) for number, found in enumerate(every)]
    matcher = Matcher(lambda word: frequencies.get(word, RARE))
    matcher.add_all(searches)
    for job in new_jobs:
        assert sorted(search.id for search in matcher.match(job)) == brute_force(searches, job)


@settings(max_examples=100, deadline=None)
@given(st.lists(criteria, min_size=2, max_size=20), jobs(), st.data())
def test_a_search_edited_or_removed_matches_as_it_now_is(
    every: list[JobCriteria], job: JobFacts, data: st.DataObject
) -> None:
    searches = {number: Percolated(number, 1, found) for number, found in enumerate(every)}
    matcher = Matcher()
    matcher.add_all(searches.values())
    edited = data.draw(st.sampled_from(sorted(searches)))
    searches[edited] = Percolated(edited, 1, data.draw(criteria))
    matcher.add(searches[edited])
    removed = data.draw(st.sampled_from(sorted(searches)))
    matcher.remove(removed)
    del searches[removed]
    assert len(matcher) == len(searches)
    assert sorted(search.id for search in matcher.match(job)) == brute_force(list(searches.values()), job)


def test_a_job_is_checked_only_against_searches_indexed_under_its_words_or_category() -> None:
    def search(number: int, query: str, **filters: frozenset[str]) -> Percolated:
        return Percolated(number, 1, JobCriteria(match=parse_query(query).root, **filters))  # type: ignore[arg-type]

    common = {"python": 0.5, "django": 0.02}  # shares of jobs with the word
    matcher = Matcher(lambda word: common.get(word, RARE))
    searches = [
        search(1, "python django"),  # under both words
        search(2, "ruby OR elixir"),  # under both
        search(3, "python", categories=frozenset({"design"})),  # under design and python
        search(4, ""),  # no words, no category: every job
        search(5, "python django"),  # the same as 1: checked once for both
    ]
    matcher.add_all(searches)
    job = JobFacts(
        1, 1, "Django API", "Python backend", "Python", "dev", "fixed", 1000_00, None, None,
        "expert", "lt1", None, 0, False, 0, NOW,
    )  # fmt: skip
    assert matcher.candidates(job) == {searches[0].criteria, searches[3].criteria}
    assert sorted(found.id for found in matcher.match(job)) == [1, 4, 5]


def test_a_search_limited_to_previous_clients_alerts_of_nothing_when_there_are_none() -> None:
    """No previous clients is an empty set of them, a filter set (as /search reads it), not a filter left alone."""
    criteria = JobCriteria(match=parse_query("python").root, client_ids=frozenset())
    matcher = Matcher()
    matcher.add(Percolated(1, 1, criteria))
    job = JobFacts(
        1, 1, "Python API", "Python backend", "Python", "dev", "fixed", 1000_00, None, None,
        "expert", "lt1", None, 0, False, 0, NOW,
    )  # fmt: skip
    assert not criteria_hold(criteria, job, JobText(job))
    assert matcher.match(job) == []
