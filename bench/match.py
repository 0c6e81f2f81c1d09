"""Alert matching at scale: the percolator (bot.core.alerts.matcher) against checking every saved search.

Builds S saved searches (default 1,000,000) as freelancers write them to be told of the few posts that fit
them (selective searches: at least two things a post must have): two skills, a skill and a keyword, a phrase, a
choice of skills with one required, two skills with category and budget filters; words and skills follow a
Zipf-like law, so popular skills are in many searches and posts. Word shares among jobs, which the matcher uses to
index each search under what is rare, are measured on a sample of jobs, as the bot does from its recent posts.
Then J new jobs (default 1,000) are matched one by one, timed, and a few of them are also checked against every
search (brute force) in the same run, which gives the ratio and the recall.

    .venv/bin/python bench/match.py                       # 1,000,000 searches
    .venv/bin/python bench/match.py --searches 100000     # a quicker run
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
from collections import Counter
from functools import cache
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import ROLES, zipf_words
from bot.core.alerts.matcher import JobFacts, JobText, Matcher, Percolated, criteria_hold
from bot.core.search import BUDGET_BUCKETS, parse_query
from bot.core.taxonomy import CATEGORIES, all_skills
from bot.storage.search import JobCriteria, Node

CATEGORY_CODES = list(CATEGORIES)


class World:
    """The vocabulary both searches and jobs are written in."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words, self.word_weights = zipf_words(rng, 20_000)
        self.skills = [skill.lower() for skill in all_skills()]
        self.skill_weights = list(accumulate(1.0 / rank for rank in range(1, len(self.skills) + 1)))
        self.keyword_weights = list(accumulate(1.0 / rank for rank in range(1, 4_901)))
        # What people save is narrower than what is posted: searches name popular skills less often than posts do.
        self.wanted_weights = list(accumulate(rank**-0.25 for rank in range(1, len(self.skills) + 1)))

    def skill(self) -> str:
        """A skill a post asks for."""
        return self.rng.choices(self.skills, cum_weights=self.skill_weights)[0]

    def wanted(self) -> str:
        """A skill a saved search looks for."""
        return self.rng.choices(self.skills, cum_weights=self.wanted_weights)[0]

    def keyword(self) -> str:
        """A word a freelancer adds to a skill to narrow it: not one of the hundred every post has ("need",
        "project"), nor one from the far tail."""
        return self.rng.choices(self.words[300:5_200], cum_weights=self.keyword_weights)[0]

    def job(self, job_id: int) -> JobFacts:
        rng = self.rng
        skills = list(dict.fromkeys(self.skill() for _ in range(rng.randint(3, 5))))
        title_words = rng.choices(self.words[:400], cum_weights=self.word_weights[:400], k=rng.randint(2, 4))
        body = rng.choices(self.words, cum_weights=self.word_weights, k=rng.randint(40, 120))
        body[rng.randrange(len(body))] = skills[-1]
        hourly = rng.random() < 0.45
        rate = rng.choice((1000, 1500, 2500, 4000, 6000))
        return JobFacts(
            id=job_id,
            client_id=rng.randrange(1, 50_000),
            title=f"{skills[0]} {rng.choice(ROLES)} {' '.join(title_words)}"[:100],
            description=" ".join(body),
            skills_text=", ".join(skills),
            category=rng.choice(CATEGORY_CODES),
            job_type="hourly" if hourly else "fixed",
            budget_minor=None if hourly else int(rng.lognormvariate(11, 1.3)),
            rate_min_minor=rate if hourly else None,
            rate_max_minor=rate + 2000 if hourly else None,
            experience=rng.choice(("entry", "intermediate", "expert")),
            project_length=rng.choice(("lt1", "1to3", "3to6", "gt6")),
            hours_per_week=rng.choice(("lt30", "gt30")) if hourly else None,
            proposals_count=0,
            client_payment_verified=rng.random() < 0.6,
            client_hires=int(rng.paretovariate(1.2)) - 1,
            published_at=None,
        )

    def search(self) -> JobCriteria:
        """A saved search: mostly words, and now and then filters."""
        rng, kind = self.rng, self.rng.random()
        filters: dict[str, object] = {}
        if kind < 0.35:
            query = f"{self.wanted()} {self.wanted()}"
        elif kind < 0.55:
            query = f"{self.wanted()} {self.keyword()}"
        elif kind < 0.70:
            query = f'"{self.keyword()} {self.keyword()}"'
        elif kind < 0.80:
            query = f"({self.wanted()} OR {self.wanted()}) {self.wanted()}"
        elif kind < 0.90:
            query = f"{self.wanted()} {self.wanted()}"
            filters["categories"] = frozenset(rng.sample(CATEGORY_CODES, rng.randint(1, 2)))
            filters["fixed_budget"] = (BUDGET_BUCKETS[rng.choice(list(BUDGET_BUCKETS))],)
        else:
            query = f"{self.wanted()} {self.keyword()} -{self.keyword()}"
            filters["experience"] = frozenset({rng.choice(("intermediate", "expert"))})
            filters["hourly_rate"] = (rng.choice((1500, 2500, 4000)), None)
        return JobCriteria(match=parsed(query), **filters)  # type: ignore[arg-type]


@cache
def parsed(query: str) -> Node | None:
    """Queries people save repeat ("python django"): each is parsed once and its tree shared."""
    return parse_query(query).root


def shares(world: World, sample: int) -> tuple[dict[str, float], dict[str, float]]:
    """The share of jobs that have each word, and each category, measured on ``sample`` jobs."""
    words: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for number in range(sample):
        job = world.job(-number)
        words.update(JobText(job).words)
        categories[job.category] += 1
    return {w: n / sample for w, n in words.items()}, {c: n / sample for c, n in categories.items()}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=1_000, help="new jobs matched, timed")
    parser.add_argument("--brute-jobs", type=int, default=10, help="of those, also checked against every search")
    parser.add_argument("--sample", type=int, default=5_000, help="jobs the word shares are measured on")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()

    world = World(random.Random(options.seed))
    word_share, category_share = shares(world, options.sample)
    rare = 0.5 / options.sample
    started = time.perf_counter()
    searches = [Percolated(number, number, world.search()) for number in range(1, options.searches + 1)]
    made = time.perf_counter() - started
    before = rss_mb()
    started = time.perf_counter()
    matcher = Matcher(lambda word: word_share.get(word, rare), lambda code: category_share.get(code, rare))
    matcher.add_all(searches)
    built = time.perf_counter() - started
    gc.collect()
    gc.freeze()  # as the runtime does: the index is never garbage, so no collection walks it
    print(f"searches: {options.searches:,} made in {made:.1f} s; index built in {built:.1f} s", flush=True)
    print(f"rss: {rss_mb():.0f} MB peak ({before:.0f} MB before the index)")

    jobs = [world.job(number) for number in range(1, options.jobs + 1)]
    timings, candidates, matched = [], [], []
    for job in jobs:
        started = time.perf_counter()
        hits = matcher.match(job)
        timings.append((time.perf_counter() - started) * 1000)
        candidates.append(len(matcher.candidates(job)))
        matched.append(len(hits))
    p50, p99 = percentile(timings, 0.50), percentile(timings, 0.99)
    print(
        f"matcher: p50 {p50:.2f} ms, p99 {p99:.2f} ms per job; distinct searches found under its keys median "
        f"{statistics.median(candidates):.0f} (p99 {percentile(candidates, 0.99):.0f}), matches per job median "
        f"{statistics.median(matched):.0f} (p99 {percentile(matched, 0.99):.0f})"
    )

    brute_timings, found_by_both, found_by_brute = [], 0, 0
    for job in jobs[: options.brute_jobs]:
        started = time.perf_counter()
        text = JobText(job)
        brute = {search.id for search in searches if criteria_hold(search.criteria, job, text)}
        brute_timings.append((time.perf_counter() - started) * 1000)
        percolated = {search.id for search in matcher.match(job)}
        found_by_brute += len(brute)
        found_by_both += len(brute & percolated)
        if percolated - brute:
            raise SystemExit(f"job {job.id}: the matcher found searches brute force did not: {percolated - brute}")
    brute_p99 = percentile(brute_timings, 0.99)
    recall = found_by_both / found_by_brute if found_by_brute else 1.0
    print(
        f"brute force ({len(brute_timings)} jobs): p50 {percentile(brute_timings, 0.5):.0f} ms, p99 {brute_p99:.0f} ms"
    )
    print(
        f"RESULT searches={options.searches} p50_ms={p50:.2f} p99_ms={p99:.2f} brute_p99_ms={brute_p99:.1f} "
        f"ratio={brute_p99 / p99:.0f} recall={recall:.4f} rss_mb={rss_mb():.0f}"
    )


if __name__ == "__main__":
    main()
