"""Polling the external job feeds (``[[feeds]]``): fetch each conditionally, read it, and turn its entries into
jobs (bot/core/sources/ingest.py), for ``gigbot feeds poll`` and the scheduler.

A feed that cannot be fetched or read is logged once and counted as an error; its jobs stay as they were and the
other feeds go on. Entries the reader left out are logged one line each with the reason. No log line holds the
feed's URL: job boards put the subscriber's credentials in it. The fetch runs outside any transaction, so a slow
feed holds no database lock; the feed's jobs are then written in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import FeedSettings
from bot.core.clock import Clock
from bot.core.sources.fetched import FeedFetcher, FetchError, Validators
from bot.core.sources.ingest import FeedJobs
from bot.core.sources.reading import FeedError, FeedRead, read_json, read_rss
from bot.storage.db import Database
from bot.storage.repositories import Repositories

log = logging.getLogger("gigbot.feeds")


@dataclass(frozen=True)
class PollCounts:
    name: str
    new: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0

    def line(self) -> str:
        return f"{self.name} new={self.new} updated={self.updated} skipped={self.skipped} errors={self.errors}"


def read_feed(feed: FeedSettings, body: bytes) -> FeedRead:
    if feed.kind == "json":
        assert feed.fields is not None  # the settings refuse a json feed without its fields
        return read_json(body, feed.fields.model_dump())
    return read_rss(body)


class FeedPoller:
    def __init__(self, database: Database, clock: Clock, fetch: FeedFetcher) -> None:
        self._database = database
        self._clock = clock
        self._fetch = fetch

    async def poll(self, feed: FeedSettings) -> PollCounts:
        """Poll one feed once; never raises for what the feed sends or how its server behaves."""
        async with self._database.transaction() as session:
            source = await FeedJobs(Repositories.bind(session), self._clock.now()).source(feed.name)
            known = Validators(source.etag, source.last_modified)
        try:
            fetched = await self._fetch(feed.url, known)
            # Parsing a large document takes a while: off the event loop, so chats and other feeds go on.
            read = await asyncio.to_thread(read_feed, feed, fetched.body) if fetched.body is not None else None
        except (FetchError, FeedError) as error:
            log.warning("feed %s: skipped: %s", feed.name, error)
            await self._record_failure(feed.name, str(error))
            return PollCounts(feed.name, errors=1)
        async with self._database.transaction() as session:
            jobs = FeedJobs(Repositories.bind(session), self._clock.now())
            source = await jobs.source(feed.name)
            if read is None:
                await jobs.unchanged(source)
                log.info("feed %s: not modified", feed.name)
                return PollCounts(feed.name)
            done = await jobs.ingest(source, read.entries, category=feed.category, skills=feed.skills)
            await jobs.answered(source, fetched.validators)
        for warning in read.warnings:
            log.warning("feed %s: %s", feed.name, warning)
        for reason in (*read.skipped, *done.skipped):
            log.info("feed %s: entry skipped: %s", feed.name, reason)
        counts = PollCounts(feed.name, done.new, done.updated, len(read.skipped) + len(done.skipped))
        log.info("feed %s: %s", feed.name, counts.line())
        return counts

    async def _record_failure(self, name: str, reason: str) -> None:
        async with self._database.transaction() as session:
            jobs = FeedJobs(Repositories.bind(session), self._clock.now())
            await jobs.failed(await jobs.source(name), reason)

    async def poll_safely(self, feed: FeedSettings) -> PollCounts:
        """``poll``, and whatever else goes wrong (a database error, a reader bug) is one error for this feed
        only: the scheduler and ``gigbot feeds poll`` go on with the others."""
        try:
            return await self.poll(feed)
        except Exception:
            log.exception("feed %s: poll failed", feed.name)
            return PollCounts(feed.name, errors=1)

    async def poll_all(self, feeds: Sequence[FeedSettings]) -> list[PollCounts]:
        """Every feed once, one after the other."""
        return [await self.poll_safely(feed) for feed in feeds]
