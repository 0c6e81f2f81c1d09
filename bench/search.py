"""Job search at scale: SearchService over the migrated indexes against a naive load-and-filter baseline.

Seeds a fresh SQLite file (and, with --database-url, a PostgreSQL database, which it wipes) with N jobs
whose words follow a Zipf-like law, clients with stats, clouds and invites (or reuses a --keep file or the
database when seeded alike); then times --runs runs of a fixed mix of realistic searches (words, 3-5 filters,
a sort, the first page, the total) through SearchService, by kind of search with the indexes their plans
use, and the same searches done naively: every open job loaded and filtered, matched and sorted in Python.

    .venv/bin/python bench/search.py --jobs 200000 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import multiprocessing
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.search import TOTAL_CAP, JobFilters, SearchService, Sort, matches, parse_query
from bot.core.taxonomy import CATEGORIES, all_skills
from bot.storage.db import Database, InlineSqlite
from bot.storage.migrate import upgrade
from bot.storage.orm import ClientProfileRow, JobRow
from bot.storage.repositories import Repositories

NOW = datetime(2026, 6, 1, tzinfo=UTC)
BATCH = 20_000
VIEWERS = 20
COMMON = [
    "need",
    "experienced",
    "developer",
    "build",
    "website",
    "app",
    "design",
    "data",
    "help",
    "project",
    "looking",
    "create",
    "team",
    "work",
    "support",
    "update",
    "existing",
    "new",
    "simple",
    "quick",
    "long",
    "term",
    "expert",
    "small",
    "business",
    "client",
    "content",
    "write",
    "fix",
    "integrate",
    "api",
    "custom",
    "mobile",
    "online",
    "store",
    "page",
    "landing",
    "dashboard",
    "report",
    "automation",
    "script",
    "system",
    "platform",
    "marketing",
    "campaign",
    "social",
    "media",
    "video",
    "edit",
    "logo",
    "brand",
    "identity",
    "seo",
    "articles",
    "blog",
    "copy",
    "translation",
    "research",
    "analysis",
    "spreadsheet",
    "excel",
    "database",
    "migration",
    "cloud",
    "server",
    "security",
    "testing",
    "bug",
    "performance",
    "responsive",
    "frontend",
    "backend",
    "fullstack",
    "ecommerce",
    "shopify",
    "wordpress",
    "python",
    "react",
    "node",
    "javascript",
    "php",
    "java",
    "android",
    "ios",
    "flutter",
    "figma",
    "illustrator",
    "photoshop",
    "accounting",
    "bookkeeping",
    "tax",
    "legal",
    "contract",
    "virtual",
    "assistant",
    "customer",
    "service",
    "email",
    "chat",
    "leads",
    "sales",
    "outreach",
    "crm",
    "hubspot",
    "salesforce",
]
ROLES = ("developer", "designer", "writer", "expert", "specialist", "consultant", "engineer", "assistant")
QUERY_WORDS = (
    "python", "logo design", "wordpress -php", '"landing page"', "react OR angular", "title:shopify",
    "skills:python django", "seo articles", "excel spreadsheet", "mobile app", "data analysis", "video edit",
    "api integration", "virtual assistant", "ecommerce store -wordpress", "title:logo", "bookkeeping OR accounting",
    "figma", '"social media" marketing', "javascript frontend",
)  # fmt: skip


def zipf_words(rng: random.Random, size: int) -> tuple[list[str], list[float]]:
    """The common vocabulary first, then a long tail of rarer made-up words; weight 1/rank."""
    words = COMMON + [f"w{rng.randrange(36**5):05x}" for _ in range(size - len(COMMON))]
    weights = [1.0 / rank for rank in range(1, len(words) + 1)]
    total = 0.0
    cumulative = []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return words, cumulative


def _batches(jobs: int, seed: int) -> Iterator[dict[str, list[tuple]]]:
    rng = random.Random(seed)
    words, cumulative = zipf_words(rng, 20_000)
    skills = list(all_skills())
    skill_weights = list(accumulate(1.0 / rank for rank in range(1, len(skills) + 1)))
    categories = list(CATEGORIES)
    clients = max(jobs // 20, 10)
    first_client = VIEWERS + 1
    people = [
        (n, f"user{n}", f"User {n}", n <= VIEWERS, n > VIEWERS, "en", rng.choice(("US", "FR", "GB", "IN", "DE")),
         "UTC", NOW.replace(tzinfo=None))
        for n in range(1, first_client + clients)
    ]  # fmt: skip
    profiles = [
        (n, "", rng.random() < 0.6, min(int(rng.paretovariate(1.2)) - 1, 500), rng.randrange(0, 10_000_000),
         rng.randrange(0, 50), rng.randrange(0, 12), NOW.replace(tzinfo=None))
        for n in range(first_client, first_client + clients)
        if rng.random() < 0.9
    ]  # fmt: skip
    clouds = [(c, f"cloud{c}", first_client, NOW.replace(tzinfo=None)) for c in range(1, 11)]
    members = [(c, v, "member" if v % 3 else "invited", NOW.replace(tzinfo=None)) for c in (1, 2) for v in (1, 2, 3)]
    viewer_skills = [(v, s) for v in range(1, VIEWERS + 1) for s in rng.sample(skills[:40], 4)]
    viewer_categories = [(v, rng.choice(categories)) for v in range(1, VIEWERS + 1)]
    yield {"accounts": people, "client_profiles": profiles, "talent_clouds": clouds, "cloud_members": members,
           "profile_skills": viewer_skills, "profile_categories": viewer_categories}  # fmt: skip
    for start in range(1, jobs + 1, BATCH):
        batch: dict[str, list[tuple]] = {"jobs": [], "job_skills": [], "job_invites": [], "hidden_jobs": []}
        for job_id in range(start, min(start + BATCH, jobs + 1)):
            chosen = list(dict.fromkeys(rng.choices(skills, cum_weights=skill_weights, k=rng.randint(3, 5))))
            title_words = rng.choices(words[:400], cum_weights=cumulative[:400], k=rng.randint(2, 4))
            title = f"{chosen[0]} {rng.choice(ROLES)} {' '.join(title_words)}".capitalize()[:100]
            body = rng.choices(words, cum_weights=cumulative, k=rng.randint(40, 120))
            body[rng.randrange(len(body))] = chosen[-1]
            hourly = rng.random() < 0.45
            rate_min = rng.choice((1000, 1500, 2500, 4000, 6000)) if hourly else None
            published = NOW - timedelta(minutes=(jobs - job_id) * 30 * 24 * 60 // jobs + rng.randrange(60))
            status = rng.choices(("open", "closed", "expired", "draft"), (35, 40, 20, 5))[0]
            visibility = rng.choices(("public", "cloud", "invite"), (97, 2, 1))[0]
            batch["jobs"].append((
                job_id, rng.randrange(first_client, first_client + clients), title, " ".join(body) + ".",
                rng.choice(categories), ", ".join(chosen), "hourly" if hourly else "fixed",
                None if hourly else int(rng.lognormvariate(11, 1.3)), rate_min,
                rate_min + rng.choice((0, 1000, 3000)) if hourly and rng.random() < 0.8 else None, "USD",
                rng.choice(("entry", "intermediate", "expert")), rng.choice(("lt1", "1to3", "3to6", "gt6")),
                rng.choice(("lt30", "gt30")) if hourly else None, visibility,
                rng.randint(1, 10) if visibility == "cloud" else None, status,
                min(int(rng.paretovariate(0.9)) - 1, 200), published.replace(tzinfo=None),
                None if status == "draft" else published.replace(tzinfo=None), published.replace(tzinfo=None), None,
            ))  # fmt: skip
            batch["job_skills"] += [(job_id, skill) for skill in chosen]
            if visibility == "invite":
                batch["job_invites"].append((job_id, rng.randint(1, VIEWERS), "", NOW.replace(tzinfo=None)))
            if rng.random() < 0.001:
                batch["hidden_jobs"].append((rng.randint(1, VIEWERS), job_id, None, NOW.replace(tzinfo=None)))
        yield batch


_COLUMNS = {
    "accounts": "id, username, full_name, is_freelancer, is_client, language, country, timezone, created_at",
    "client_profiles": "account_id, company_name, payment_verified, hires_count, total_spent_minor, rating_sum, "
    "rating_count, updated_at",
    "talent_clouds": "id, name, owner_id, created_at",
    "cloud_members": "cloud_id, account_id, status, created_at",
    "profile_skills": "account_id, skill",
    "profile_categories": "account_id, category",
    "jobs": "id, client_id, title, description, category, skills_text, job_type, budget_minor, rate_min_minor, "
    "rate_max_minor, currency, experience, project_length, hours_per_week, visibility, cloud_id, status, "
    "proposals_count, created_at, published_at, last_activity_at, closed_at",
    "job_skills": "job_id, skill",
    "job_invites": "job_id, freelancer_id, message, created_at",
    "hidden_jobs": "account_id, job_id, reason, created_at",
}


def seed_sqlite(path: Path, jobs: int, seed: int) -> None:
    """Raw inserts in one transaction with no journal and no fsync: a throwaway file has nothing to protect.

    The schema must be at 0002: migration 0003 then builds the full-text index and the search columns over
    the rows in one pass, as it would on a live database, instead of a trigger firing for each insert.
    """
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("BEGIN")
    for batch in _batches(jobs, seed):
        for table, rows in batch.items():
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                connection.executemany(f"INSERT INTO {table} ({_COLUMNS[table]}) VALUES ({marks})", rows)
    connection.execute("COMMIT")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()


def discard(path: Path) -> None:
    path.unlink(missing_ok=True)


def finish_sqlite(path: Path) -> int:
    """After the migrations: one full-text segment (as a long-running index converges to) and fresh statistics;
    returns the file's size."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("INSERT INTO jobs_fts(jobs_fts) VALUES ('optimize')")
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path.stat().st_size


async def seed_postgres(database: Database, jobs: int, seed: int) -> None:
    """COPY into the schema at 0002, for the same reason as ``seed_sqlite``: 0003 then indexes in one pass."""
    async with database.engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        for batch in _batches(jobs, seed):
            for table, rows in batch.items():
                if rows:
                    columns = [name.strip() for name in _COLUMNS[table].split(",")]
                    await raw.copy_records_to_table(table, records=rows, columns=columns)


async def finish_postgres(database: Database) -> None:
    async with database.engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        await raw.execute("VACUUM ANALYZE")


def search_mix(count: int, seed: int) -> list[tuple[int, str, JobFilters, Sort]]:
    """Words, 3 to 5 filters and a sort, as people search."""
    rng = random.Random(seed + 1)
    options: list[dict[str, Any]] = [
        {"experience": {"intermediate", "expert"}},
        {"job_type": {"fixed"}},
        {"job_type": {"hourly"}, "hourly_min_minor": 2000, "hourly_max_minor": 6000},
        {"budget": {"500-999", "1k-5k"}},
        {"proposals": {"0-4", "5-9"}},
        {"payment_verified": True},
        {"client_hires": {"1-9", "10+"}},
        {"project_length": {"1to3", "3to6"}},
        {"categories": {"dev"}},
        {"posted_within_days": 7},
        {"hours_per_week": {"gt30"}},
    ]
    mix = []
    for n in range(count):
        filters: dict[str, Any] = {}
        for option in rng.sample(options, rng.randint(3, 5)):
            filters.update(option)
        mix.append((rng.randint(1, VIEWERS), QUERY_WORDS[n % len(QUERY_WORDS)], JobFilters(**filters),
                    rng.choice(list(Sort))))  # fmt: skip
    return mix


async def run_indexed(database: Database, mix: list) -> tuple[list[float], list[float], list[tuple[int, list[int]]]]:
    """Each search's wall time and this process's CPU time in it (in ms; on a shared machine the CPU time moves
    less), and its total (TOTAL_CAP + 1 for "1,000+") and page."""
    timings, cpu_timings, results = [], [], []
    for viewer, query, filters, sort in mix:
        started, cpu_started = time.perf_counter(), time.process_time()
        async with database.transaction() as session:
            page = await SearchService(Repositories.bind(session), NOW).search(viewer, query, filters, sort)
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu_started) * 1000)
        results.append((page.total + page.more, [hit.id for hit in page.hits]))
    return timings, cpu_timings, results


async def run_naive(database: Database, mix: list) -> tuple[list[float], list[tuple[int, list[int]]]]:
    """Load every open job with its client and the viewer's context, then filter, match and sort in Python."""
    timings, results = [], []
    job = JobRow.__table__.c
    for viewer, query, filters, sort in mix:
        started = time.perf_counter()
        async with database.transaction() as session:
            repos = Repositories.bind(session)
            criteria = await SearchService(repos, NOW)._criteria(viewer, query, filters)
            rows = (
                await session.execute(
                    select(JobRow.__table__, ClientProfileRow.payment_verified, ClientProfileRow.hires_count)
                    .outerjoin(ClientProfileRow, ClientProfileRow.account_id == job.client_id)
                    .where(job.status == "open")
                )
            ).all()
            context = {
                name: {row[0] for row in await session.execute(text(sql), {"v": viewer})}
                for name, sql in (
                    ("clouds", "SELECT cloud_id FROM cloud_members WHERE account_id = :v AND status = 'member'"),
                    ("invites", "SELECT job_id FROM job_invites WHERE freelancer_id = :v"),
                    ("hidden", "SELECT job_id FROM hidden_jobs WHERE account_id = :v"),
                    ("skills", "SELECT skill FROM profile_skills WHERE account_id = :v"),
                    ("categories", "SELECT category FROM profile_categories WHERE account_id = :v"),
                )
            }
            found = [row for row in rows if _naive_keeps(row, criteria, viewer, context)]
            root = parse_query(query).root
            found = [row for row in found if matches(root, row.title, row.description, row.skills_text)]
            found.sort(key=lambda row: (row.published_at, row.id), reverse=True)
            if sort is Sort.best_match:
                found.sort(
                    key=lambda row: (
                        -len(set(row.skills_text.split(", ")) & context["skills"]),
                        row.category not in context["categories"],
                    )
                )
        timings.append((time.perf_counter() - started) * 1000)
        results.append((min(len(found), TOTAL_CAP + 1), [row.id for row in found[:10]]))
    return timings, results


def _in(value: int | None, ranges: tuple) -> bool:
    return value is not None and any(
        (low is None or value >= low) and (high is None or value <= high) for low, high in ranges
    )


def _naive_keeps(row: Any, criteria: Any, viewer: int, context: dict[str, set]) -> bool:
    visible = (
        row.visibility == "public"
        or row.client_id == viewer
        or (row.visibility == "cloud" and row.cloud_id in context["clouds"])
        or (row.visibility == "invite" and row.id in context["invites"])
    )
    checks = (
        visible and row.id not in context["hidden"],
        not criteria.experience or row.experience in criteria.experience,
        not criteria.job_types or row.job_type in criteria.job_types,
        not criteria.project_length or row.project_length in criteria.project_length,
        not criteria.hours_per_week or row.hours_per_week in criteria.hours_per_week,
        not criteria.categories or row.category in criteria.categories,
        not criteria.fixed_budget or row.job_type != "fixed" or _in(row.budget_minor, criteria.fixed_budget),
        criteria.hourly_rate is None
        or row.job_type != "hourly"
        or (
            (row.rate_max_minor or row.rate_min_minor) is not None
            and (
                criteria.hourly_rate[0] is None or (row.rate_max_minor or row.rate_min_minor) >= criteria.hourly_rate[0]
            )
            and (criteria.hourly_rate[1] is None or row.rate_min_minor <= criteria.hourly_rate[1])
        ),
        not criteria.proposals or _in(row.proposals_count, criteria.proposals),
        not criteria.payment_verified or bool(row.payment_verified),
        not criteria.client_hires or _in(row.hires_count or 0, criteria.client_hires),
        criteria.published_since is None or row.published_at >= criteria.published_since,
    )
    return all(checks)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def kind_of(query: str, sort: Sort) -> str:
    """A search's kind, as the per-kind lines group them: its sort and the shape of its words."""
    if '"' in query:
        shape = "phrase"
    elif " OR " in query:
        shape = "any of"
    elif " -" in query:
        shape = "exclusion"
    elif ":" in query:
        shape = "field"
    else:
        shape = "words"
    return f"{sort.value} {shape}"


async def statements_of(database: Database, search: tuple[int, str, JobFilters, Sort]) -> list[tuple[str, Any]]:
    """The SQL statements (with their parameters) one search sends: through SQLAlchemy, and on SQLite those
    ``bot.storage.hot`` runs on the driver's connection, which SQLAlchemy's events don't see."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    def run_and_record(connection: InlineSqlite, statement: str, parameters: Sequence[Any]) -> sqlite3.Cursor:
        sent.append((statement, tuple(parameters)))
        return run_on_driver(connection, statement, parameters)

    run_on_driver = InlineSqlite.execute_now
    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    InlineSqlite.execute_now = run_and_record  # type: ignore[method-assign]
    try:
        await run_indexed(database, [search])
    finally:
        InlineSqlite.execute_now = run_on_driver  # type: ignore[method-assign]
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    return sent


_PG_JOB_TABLES = ("jobs", "search_jobs")  # PostgreSQL: the jobs, and their narrow rows (migration 0011)


def _pg_plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _pg_plan_nodes(child)


async def plan_reads(database: Database, search: tuple[int, str, JobFilters, Sort]) -> tuple[list[str], list[str]]:
    """How the plans of a search's statements read jobs: the indexes (SQLite: the full-text table counts as one),
    and the statements that scan the whole table, which at a million jobs can't be fast."""
    indexes: dict[str, None] = {}
    full_scans = []
    async with database.engine.connect() as connection:
        for statement, parameters in await statements_of(database, search):
            if database.is_sqlite:
                rows = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)).all()
                for detail in (row[-1] for row in rows):
                    if detail.split()[:2] == ["SCAN", "jobs"] and " INDEX " not in detail:
                        full_scans.append(statement)
                    if "jobs_fts VIRTUAL TABLE" in detail:
                        indexes["jobs_fts"] = None
                    elif " INDEX " in detail and detail.split()[1] == "jobs":
                        indexes[detail.split(" INDEX ")[1].split()[0]] = None
            else:
                explained = (
                    await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
                ).scalar()
                for node in _pg_plan_nodes(explained[0]["Plan"]):
                    if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in _PG_JOB_TABLES:
                        full_scans.append(statement)
                    if node.get("Relation Name", "jobs") in _PG_JOB_TABLES and "Index Name" in node:
                        indexes[node["Index Name"]] = None
    return list(indexes), full_scans


async def server_cpu_s(database: Database) -> float | None:
    """PostgreSQL: the CPU time so far of the server processes serving this database, when they run on this
    machine (their /proc is readable); None otherwise. On a shared machine it moves less than wall times."""
    if database.is_sqlite:
        return None
    async with database.engine.connect() as connection:
        query = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = (await connection.execute(query)).scalars().all()
    try:
        ticks = sum(_cpu_ticks(pid) for pid in pids)
    except OSError:
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> int:
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # from field 3, the state
    return int(after_name[11]) + int(after_name[12])  # fields 14 and 15: user and system time


def reset_peak_rss() -> None:
    """Linux: the peak RSS starts again from the current one (so each backend's searches have their own)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def memory_mib() -> str:
    """The peak RSS since ``reset_peak_rss`` and the anonymous memory now (the RSS also counts the pages of
    SQLite's memory-mapped file, which the kernel shares and drops at will)."""
    try:
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    except OSError:
        return f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    peak, anonymous = (int(status[name].split()[0]) / 1024 for name in ("VmHWM", "RssAnon"))
    return f"peak RSS {peak:,.0f} MiB, anonymous memory {anonymous:,.0f} MiB"


Figures = tuple[float, float, float]  # p50, p95, p99 in ms


async def measure(
    name: str, database: Database, mix: list, warm_up: list, runs: int, naive_count: int
) -> tuple[Figures, list[float]]:
    """``warm_up``: searches of the same kind (the same phrases with other filters, sorts and viewers) run first,
    untimed, so the compiled statements and the index pages in memory are those of a bot that has served
    searches for a while, not of one that just started. What the warm-up left alive is then frozen out of the
    garbage collector's full collections (``gc.freeze``, as a long-running bot does after starting: a full
    collection over those objects takes about 60 ms, landing in whichever search it interrupts). Then ``runs``
    runs of the mix; the figures are the medians of the runs' percentiles."""
    await run_indexed(database, warm_up)
    gc.collect()
    gc.freeze()
    reset_peak_rss()
    run_figures: list[Figures] = []
    by_kind: dict[str, tuple[list[float], list[float]]] = {}
    for run in range(1, runs + 1):
        server_started = await server_cpu_s(database)
        timings, cpu_timings, results = await run_indexed(database, mix)
        server_ended = await server_cpu_s(database)
        server = ""
        if server_started is not None and server_ended is not None:
            server = f";  server CPU {(server_ended - server_started) * 1000 / len(mix):5.1f} ms per search"
        figures = (percentile(timings, 0.5), percentile(timings, 0.95), percentile(timings, 0.99))
        run_figures.append(figures)
        for (_viewer, query, _filters, sort), timing, cpu in zip(mix, timings, cpu_timings, strict=True):
            kind = by_kind.setdefault(kind_of(query, sort), ([], []))
            kind[0].append(timing)
            kind[1].append(cpu)
        print(f"{name} run {run}: p50 {figures[0]:6.1f} ms  p95 {figures[1]:6.1f} ms  p99 {figures[2]:6.1f} ms"
              f"  max {max(timings):6.1f} ms;  this process's CPU: p95 {percentile(cpu_timings, 0.95):6.1f} ms"
              f"  p99 {percentile(cpu_timings, 0.99):6.1f} ms{server}")  # fmt: skip
    searching_memory = memory_mib()
    naive_timings, naive_results = await run_naive(database, mix[:naive_count])
    agree = sum(
        indexed[0] == naive[0] and (sort is not Sort.newest or indexed[1] == naive[1])
        for indexed, naive, (_v, _q, _f, sort) in zip(results, naive_results, mix, strict=False)
    )
    totals = [total for total, _ids in results]
    print(f"{name}: {len(mix)} searches, median total {statistics.median(totals):,.0f} jobs found (counted to "
          f"{TOTAL_CAP + 1:,} at most)")  # fmt: skip
    first_of_kind = {kind_of(query, sort): search for search in reversed(mix) for _v, query, _f, sort in [search]}
    print("  by kind (all runs; the number of searches; CPU p95; the indexes its plans read jobs through):")
    for kind, (timings, cpu_timings) in sorted(by_kind.items()):
        indexes, full_scans = await plan_reads(database, first_of_kind[kind])
        if full_scans:
            sys.exit(f"FAIL: {name} scans the whole jobs table for a search of kind {kind}:\n{full_scans[0]}")
        print(f"  {kind:<22} p50 {percentile(timings, 0.5):6.1f}  p95 {percentile(timings, 0.95):6.1f}"
              f"  p99 {percentile(timings, 0.99):6.1f} ms  ({len(timings):3})  CPU {percentile(cpu_timings, 0.95):6.1f}"
              f"  {', '.join(indexes)}")  # fmt: skip
    medians = tuple(statistics.median(run[n] for run in run_figures) for n in range(3))
    print(f"  indexed  p50 {medians[0]:8.1f} ms  p95 {medians[1]:8.1f} ms  p99 {medians[2]:8.1f} ms"
          f"  (median of {runs} runs)")  # fmt: skip
    print(f"  naive    p50 {percentile(naive_timings, 0.5):8.1f} ms  p95 {percentile(naive_timings, 0.95):8.1f} ms"
          f"  ({naive_count} searches; totals agree on {agree}/{naive_count}, newest pages too)")  # fmt: skip
    print(f"  this process over the timed runs: {searching_memory}")
    return medians, naive_timings  # type: ignore[return-value]


_SEEDED = "bench_seeded"  # a table of one row: the jobs and seed a database was seeded with


async def seeded_with(database: Database) -> tuple[int, int] | None:
    async with database.engine.connect() as connection:
        try:
            row = (await connection.execute(text(f"SELECT jobs, seed FROM {_SEEDED}"))).first()
        except DBAPIError:
            return None
    return None if row is None else (row.jobs, row.seed)


async def mark_seeded(database: Database, jobs: int, seed: int) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(text(f"CREATE TABLE {_SEEDED} (jobs integer NOT NULL, seed integer NOT NULL)"))
        await connection.execute(text(f"INSERT INTO {_SEEDED} VALUES (:jobs, :seed)"), {"jobs": jobs, "seed": seed})


async def prepare_sqlite(path: Path, jobs: int, seed: int) -> None:
    """A file seeded with ``jobs`` and ``seed``: the one at ``path`` if it already is, else seeded anew."""
    database = Database(f"sqlite+aiosqlite:///{path}")
    if await seeded_with(database) == (jobs, seed):
        await upgrade(database)
        await database.dispose()
        print(f"SQLite: reusing {path} ({jobs:,} jobs, seed {seed})")
        return
    await database.dispose()
    discard(path)
    await upgrade(database, "0002")
    await database.dispose()
    started = time.perf_counter()
    seed_sqlite(path, jobs, seed)
    print(f"SQLite: inserted {jobs:,} jobs in {time.perf_counter() - started:.0f} s")
    await upgrade(database)
    await database.dispose()
    size = finish_sqlite(path)
    await mark_seeded(database, jobs, seed)
    await database.dispose()
    print(f"SQLite: seeded {jobs:,} jobs in {time.perf_counter() - started:.0f} s, file {size / 2**20:,.0f} MiB")


async def prepare_postgres(url: str, jobs: int, seed: int) -> None:
    """A database seeded with ``jobs`` and ``seed``: reused (migrated to the head, analysed) if it already is,
    else its public schema is wiped and seeded anew."""
    database = Database(url)
    if await seeded_with(database) == (jobs, seed):
        await upgrade(database)
        await finish_postgres(database)
        await database.dispose()
        print(f"PostgreSQL: reusing the database ({jobs:,} jobs, seed {seed})")
        return
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(database, "0002")
    started = time.perf_counter()
    await seed_postgres(database, jobs, seed)
    await upgrade(database)
    await finish_postgres(database)
    await mark_seeded(database, jobs, seed)
    async with database.engine.connect() as connection:
        size = (await connection.execute(text("SELECT pg_database_size(current_database())"))).scalar_one()
    await database.dispose()
    print(f"PostgreSQL: seeded {jobs:,} jobs in {time.perf_counter() - started:.0f} s, "
          f"database {size / 2**20:,.0f} MiB")  # fmt: skip


async def in_child(seeding: Callable[[Any, int, int], Coroutine[Any, Any, None]], *args: Any) -> None:
    """Seeding runs in a child process, so the peak RSS printed is the searches' (generating the rows and
    building the indexes take far more)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        await asyncio.get_running_loop().run_in_executor(pool, _seed_in_child, seeding, *args)


def _seed_in_child(seeding: Callable[[Any, int, int], Coroutine[Any, Any, None]], *args: Any) -> None:
    asyncio.run(seeding(*args))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1_000_000, help="jobs to seed (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=200, help="searches in the timed mix (default 200)")
    parser.add_argument("--runs", type=int, default=1, help="runs of the mix; figures are their medians (default 1)")
    parser.add_argument("--naive-queries", type=int, default=5, help="of those, how many run naively (default 5)")
    parser.add_argument(
        "--database-url", help="also run on this PostgreSQL database (its schema is WIPED unless seeded alike)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--keep", type=Path, help="keep the SQLite file here, and reuse it if seeded with the same --jobs and --seed"
    )
    options = parser.parse_args()
    mix = search_mix(options.queries, options.seed)
    warm_up = search_mix(options.queries, options.seed + 1000)
    measured = (options.queries, options.runs, options.naive_queries)
    with tempfile.TemporaryDirectory() as scratch:
        path = options.keep or Path(scratch) / "bench.db"
        await in_child(prepare_sqlite, path, options.jobs, options.seed)
        database = Database(f"sqlite+aiosqlite:///{path}")
        (p50, p95, p99), naive = await measure("SQLite", database, mix, warm_up, *measured[1:])
        await database.dispose()
    lines = []
    if options.database_url:
        await in_child(prepare_postgres, options.database_url, options.jobs, options.seed)
        database = Database(options.database_url)
        (pg50, pg95, pg99), _naive = await measure("PostgreSQL", database, mix, warm_up, *measured[1:])
        await database.dispose()
        lines.append(
            f"RESULT backend=postgresql jobs={options.jobs} p50_ms={pg50:.1f} p95_ms={pg95:.1f} p99_ms={pg99:.1f}"
        )
    naive_p95 = percentile(naive, 0.95)
    lines.append(
        f"RESULT jobs={options.jobs} p50_ms={p50:.1f} p95_ms={p95:.1f} p99_ms={p99:.1f} "
        f"naive_p95_ms={naive_p95:.1f} ratio={naive_p95 / p95:.1f}"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
