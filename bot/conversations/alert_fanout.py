"""New jobs to job alerts: the matcher kept in step with the saved searches, and each job waiting to be matched
(``job_matches``, written with the post) turned into one alert per person, in batches of its own transactions.

Posting never waits on the fan-out, and a fan-out to thousands never holds anyone's turn. Each batch is
idempotent (one alert per person and job; the outbox row's dedupe key), so a crash at any point loses nothing: the
job is still waiting and is expanded again on restart, adding only what was missing. Instant alerts go into the
outbox behind person-to-person notices (``ALERT_PRIORITY``); the rest wait for the digest (quiet hours, the daily
limit, hourly or daily searches).

Never alerted: the job's own client, people who hid it or applied to it, and anyone who may not see it (a talent
cloud or invite-only post they are not let into); a job no longer open, or posted over a week ago (an old entry a
feed brings), alerts no one.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections import Counter
from dataclasses import fields
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.conversations.alerts import job_alert
from bot.conversations.notices import pending
from bot.core.accounts import Account
from bot.core.alerts.matcher import JobFacts, JobText, Matcher, Percolated, why
from bot.core.alerts.searches import AlertSettings, SavedSearch
from bot.core.clock import Clock
from bot.core.errors import UserError
from bot.core.jobs import JobService
from bot.core.search import job_criteria, snippet
from bot.storage.db import Database
from bot.storage.orm import JobRow, SavedSearchRow
from bot.storage.repositories import Repositories

log = logging.getLogger("gigbot.alerts")

ALERT_PRIORITY = 10  # outbox: after every person-to-person notice (0)
BATCH = 100  # people alerted per transaction: short, so the sending it shares the database with goes on
YIELD_EVERY = 10  # people alerted between two turns of the event loop given back
JOBS_PER_STEP = 20
WORD_SAMPLE = 2_000  # recent jobs the words' commonness is measured on
NEWER_THAN = timedelta(days=7)  # a job a feed brings that was posted long before is not news: no alert


class AlertFanOut:
    def __init__(self, database: Database, clock: Clock, *, wake: asyncio.Event | None = None) -> None:
        """``wake``: set when alerts were written to the outbox (the dispatcher's wake-up)."""
        self.database = database
        self.clock = clock
        self.wake = wake
        self.matcher: Matcher | None = None
        self._frequency: dict[int, str] = {}  # search id -> instant|hourly|daily
        self._names: dict[int, str] = {}
        self._seen_change = 0

    async def run(self, stopping: asyncio.Event, poll_seconds: float = 0.25) -> None:
        """Match waiting jobs until stopped; a failure is logged and tried again on the next round."""
        while not stopping.is_set():
            try:
                await self.step()
            except Exception:
                log.exception("alert fan-out failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), poll_seconds)

    async def step(self) -> int:
        """Catch up with the saved searches, then expand the jobs waiting; returns how many jobs were expanded."""
        await self.sync()
        async with self.database.transaction() as session:
            waiting = await Repositories.bind(session).alerts.waiting_matches(JOBS_PER_STEP)
        for job_id in waiting:
            await self.expand(job_id)
        return len(waiting)

    # ---- the matcher ------------------------------------------------------------------------------------------

    async def sync(self) -> None:
        if self.matcher is None:
            await self._build()
            return
        async with self.database.transaction() as session:
            repos = Repositories.bind(session)
            self._seen_change, changed = await repos.alerts.changed_since(self._seen_change)
            for search_id in changed:
                self.matcher.remove(search_id)
                row = await repos.alerts.search(search_id)
                if row is not None and not row.paused:
                    settings = await repos.alerts.settings(row.account_id)
                    if settings is None or not settings.paused:
                        await self._add(repos, row)

    async def _build(self) -> None:
        async with self.database.transaction() as session:
            repos = Repositories.bind(session)
            self._seen_change = await repos.alerts.last_change()
            texts = await repos.alerts.recent_job_texts(WORD_SAMPLE)
            words: Counter[str] = Counter()
            categories: Counter[str] = Counter()
            for title, description, skills, category in texts:
                words.update(JobText.of(title, description, skills).words)
                categories[category] += 1
            sample = max(len(texts), 1)
            rare = 0.5 / sample
            self.matcher = Matcher(
                lambda word: words.get(word, 0) / sample or rare,
                lambda code: categories.get(code, 0) / sample or rare,
            )
            after = 0
            while rows := await repos.alerts.active_searches(after):
                for row in rows:
                    await self._add(repos, row)
                after = rows[-1].id
        gc.freeze()  # millions of long-lived objects: no garbage collection walks them again
        log.info("alert matcher built: %d saved searches", len(self.matcher))

    async def _add(self, repos: Repositories, row: SavedSearchRow) -> None:
        assert self.matcher is not None
        search = SavedSearch.from_row(row)
        clients = await repos.search.previous_client_ids(row.account_id) if search.filters.previous_clients else None
        try:
            criteria = job_criteria(search.query, search.filters, now=self.clock.now(), client_ids=clients)
        except UserError:  # a query the syntax no longer takes: it alerts nothing until edited
            log.warning("saved search %s has a query that no longer parses", row.id)
            return
        self.matcher.add(Percolated(row.id, row.account_id, criteria))
        self._frequency[row.id], self._names[row.id] = search.frequency, search.name

    # ---- one job --------------------------------------------------------------------------------------------

    async def expand(self, job_id: int) -> int:
        """Alert everyone whose searches ``job_id`` matches; returns how many alerts were added."""
        assert self.matcher is not None
        async with self.database.transaction() as session:
            repos = Repositories.bind(session)
            row = await repos.jobs.get(job_id)
            since = self.clock.now() - NEWER_THAN
            posted = row.published_at if row is not None and row.status == "open" else None
            facts = facts_of(row) if row is not None and posted is not None and posted > since else None
            if facts is None:
                await repos.alerts.matched(job_id, self.clock.now())
                return 0
        text = JobText(facts)
        by_owner: dict[int, list[Percolated]] = {}
        for search in self.matcher.match(facts):
            if search.owner_id != facts.client_id:
                by_owner.setdefault(search.owner_id, []).append(search)
        owners = sorted(by_owner)
        added = 0
        for start in range(0, len(owners), BATCH):
            async with self.database.transaction() as session:
                batch = {owner: by_owner[owner] for owner in owners[start : start + BATCH]}
                in_batch = await self._alert(Repositories.bind(session), row, facts, text, batch)
            if in_batch and self.wake is not None:
                self.wake.set()  # this batch's alerts go out while the next is written
            added += in_batch
        async with self.database.transaction() as session:
            await Repositories.bind(session).alerts.matched(job_id, self.clock.now())
        log.info("job %s matched: %d people, %d alerts added", job_id, len(owners), added)
        return added

    async def _alert(
        self, repos: Repositories, row: JobRow, facts: JobFacts, text: JobText, owners: dict[int, list[Percolated]]
    ) -> int:
        now = self.clock.now()
        never = await repos.alerts.not_for(facts.id, list(owners))
        settings = await repos.alerts.settings_of(list(owners))
        jobs = JobService(repos, now)
        post = await jobs.load(row)
        accounts = await repos.accounts.many(list(owners))
        added = 0
        for number, (owner, searches) in enumerate(owners.items()):
            if number % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # SQLite runs in the event loop's thread: let the sending go on meanwhile
            found = accounts.get(owner)
            if owner in never or found is None or found.deleted_at is not None:
                continue
            account = Account.from_row(found)
            if post.visibility != "public" and not await jobs.can_view(account, post):
                continue
            alert_settings = AlertSettings.from_row(settings.get(owner))
            if alert_settings.paused:
                continue
            instant = await self._instant(repos, account, alert_settings, searches, now)
            reasons = {}
            for search in searches:
                words, filters = why(search.criteria, text)
                reasons[str(search.id)] = {"name": self._names.get(search.id, ""), "words": words, "filters": filters}
            values = {
                "account_id": owner,
                "job_id": facts.id,
                "reasons": reasons,
                "delivery": "instant" if instant else "digest",
                "created_at": now,
                "delivered_at": now if instant else None,
            }
            if not await repos.alerts.add_alert(values):
                continue  # alerted of it before (an earlier run of this job, or a reopened post)
            added += 1
            if instant:
                await self._queue(repos, owner, facts, reasons, now)
        return added

    async def _instant(
        self, repos: Repositories, account: Account, settings: AlertSettings, searches: list[Percolated], now: datetime
    ) -> bool:
        """At once: a search asks for it, it is not the person's quiet hours, and today's limit is not reached."""
        if not any(self._frequency.get(search.id) == "instant" for search in searches):
            return False
        local = now.astimezone(ZoneInfo(account.timezone))
        if settings.quiet_at(local.time()):
            return False
        if settings.daily_cap is None:
            return True
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return await repos.alerts.alerted_today(account.id, midnight) < settings.daily_cap

    async def _queue(
        self, repos: Repositories, owner: int, facts: JobFacts, reasons: dict[str, dict], now: datetime
    ) -> None:
        job = {
            "id": facts.id,
            "title": facts.title,
            "snippet": snippet(facts.description),
            "job_type": facts.job_type,
            "budget_minor": facts.budget_minor,
            "rate_min_minor": facts.rate_min_minor,
            "rate_max_minor": facts.rate_max_minor,
            "currency": facts.currency,
        }
        notice = pending(owner, job_alert, {"job": job, "searches": list(reasons.values())})
        await repos.outbox.add(
            {
                "recipient_id": owner,
                "kind": notice.kind,
                "payload": notice.payload,
                "dedupe_key": f"alert:{owner}:{facts.id}",
                "priority": ALERT_PRIORITY,
                "created_at": now,
                "next_attempt_at": now,
            }
        )


def facts_of(row: JobRow) -> JobFacts:
    """The job as the matcher reads it: JobFacts names its fields after the jobs table's columns."""
    return JobFacts(**{field.name: getattr(row, field.name) for field in fields(JobFacts)})
