"""Polling external job feeds over real HTTP from a local server: every real feed saved from a job board
(tests/data/feeds) becomes exactly its entries as jobs, once; an unchanged feed costs a 304; a changed entry is
updated once; hostile feeds made from the real ones are each skipped with a log line while the rest go in."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.adapters.feeds import fetch as fetching
from bot.adapters.feeds.fetch import fetch_feed
from bot.bootstrap import App
from bot.config import FeedSettings
from bot.conversations.feed_sources import FeedPoller, PollCounts
from bot.core.clock import ManualClock
from bot.storage.orm import FeedSourceRow, JobMatchRow, JobRow
from tests.unit.test_feed_reading import EXPECTED, FEEDS, JSON_FIELDS, REAL


def real(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def _truncated() -> bytes:
    body = real("weworkremotely_programming_2022.rss")
    return body[: len(body) // 2]


def _wrong_encoding() -> bytes:
    """Just Join IT's Atom (Polish) in ISO-8859-2 while it still declares UTF-8: read with the bytes it can't
    decode as Latin-1 look-alikes (feedparser's fallback), rather than lose 794 jobs over a letter."""
    return real("justjoinit_feed.atom").decode("utf-8").encode("iso-8859-2", errors="replace")


def _entity_bomb() -> bytes:
    lines = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)]
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss ['
        + "\n".join(lines).encode()
        + b"]>"
        + real("upwork_rss_swing.xml").split(b"?>", 1)[1].replace(b"<title>", b"<title>&a9;", 1)
    )


def _xxe() -> bytes:
    head = b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    return head + real("upwork_rss_javafx.xml").split(b"?>", 1)[1].replace(b"<description>", b"<description>&x;")


def _huge_entry() -> bytes:
    """Remotive with its first job's description 3 MB long: that job is kept, cut to the description limit."""
    body = real("remotive_api.json")
    return body.replace(b'"description": "', b'"description": "' + b"spam " * 600_000, 1)


def _wrong_shape() -> bytes:
    return b'{"jobs": {"not": "a list"}}'


def _html() -> bytes:
    return real("broken_found_html_firefox_feed_preview_justjoinit.xml")


HOSTILE: dict[str, tuple[str, Callable[[], bytes]]] = {
    "truncated": ("rss", _truncated),
    "entity-bomb": ("rss", _entity_bomb),
    "xxe": ("rss", _xxe),
    "wrong-shape": ("json", _wrong_shape),
    "html-page": ("rss", _html),
}


@dataclass
class Server:
    url: str
    requests: list[tuple[str, bool]] = field(default_factory=list)  # (path, conditional)
    changed: dict[str, bytes] = field(default_factory=dict)  # path -> body served instead of the file


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server("")

    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = request.path
        conditional = "If-None-Match" in request.headers or "If-Modified-Since" in request.headers
        state.requests.append((path, conditional))
        if name in HOSTILE:
            return web.Response(body=HOSTILE[name][1]())
        if name == "huge-entry":
            return web.Response(body=_huge_entry())
        if name == "wrong-encoding":
            return web.Response(body=_wrong_encoding())
        if name == "error":
            return web.Response(status=500, text="Internal Server Error")
        if name == "slow":
            await asyncio.sleep(5)
            return web.Response(body=real("upwork_rss_swing.xml"))
        body = state.changed.get(path) or real(name)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Last-Modified": "Fri, 19 Jul 2024 09:00:00 GMT"})

    app = web.Application()
    app.router.add_get("/feeds/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    yield state
    await runner.cleanup()


def feed(server: Server, name: str, kind: str | None = None, **extra: object) -> FeedSettings:
    kind = kind or ("json" if name.endswith(".json") else "rss")
    fields = JSON_FIELDS.get(name) if kind == "json" else None
    if kind == "json" and fields is None:
        fields = JSON_FIELDS["remotive_api.json"]
    return FeedSettings(
        name=Path(name).stem.replace("_", "-")[:40],
        url=f"{server.url}/feeds/{name}",
        kind=kind,  # type: ignore[arg-type]
        fields=fields,
        **extra,
    )


async def jobs_by_source(app: App) -> dict[str, int]:
    async with app.database.transaction() as session:
        query = (
            select(FeedSourceRow.name, func.count(JobRow.id))
            .join(JobRow, JobRow.source_id == FeedSourceRow.id)
            .group_by(FeedSourceRow.name)
        )
        return {name: count for name, count in await session.execute(query)}


def poller(app: App, clock: ManualClock) -> FeedPoller:
    return FeedPoller(app.database, clock, fetch_feed)


async def test_every_real_feed_becomes_its_entries_as_jobs_once_and_unchanged_feeds_cost_a_304(
    app: App, clock: ManualClock, server: Server
) -> None:
    feeds = [feed(server, name) for name in REAL]
    first = await poller(app, clock).poll_all(feeds)
    assert {counts.name: counts.new for counts in first} == {f.name: EXPECTED[Path(f.url).name] for f in feeds}
    assert all(counts.errors == 0 and counts.updated == 0 for counts in first)
    by_source = await jobs_by_source(app)
    assert by_source == {f.name: EXPECTED[Path(f.url).name] for f in feeds}
    assert sum(by_source.values()) == 3145  # the manifest's 3,146 less Remote OK's entry without a title
    async with app.database.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(JobMatchRow))).scalar_one() == 3145

    server.requests.clear()
    clock.advance(minutes=15)
    second = await poller(app, clock).poll_all(feeds)
    assert second == [PollCounts(f.name) for f in feeds]
    assert len(server.requests) == len(feeds)
    assert all(conditional for _, conditional in server.requests)
    assert await jobs_by_source(app) == by_source


async def test_an_entry_changed_upstream_is_updated_once(app: App, clock: ManualClock, server: Server) -> None:
    swing = feed(server, "upwork_rss_swing.xml")
    assert (await poller(app, clock).poll(swing)).new == 7
    body = real("upwork_rss_swing.xml")
    server.changed["/feeds/upwork_rss_swing.xml"] = body.replace(b"<b>Budget</b>: $", b"<b>Budget</b>: $1", 1)
    assert await poller(app, clock).poll(swing) == PollCounts(swing.name, updated=1)
    assert await poller(app, clock).poll(swing) == PollCounts(swing.name)
    assert await jobs_by_source(app) == {swing.name: 7}


async def test_a_feed_whose_ids_change_but_links_stay_gives_no_new_jobs(
    app: App, clock: ManualClock, server: Server
) -> None:
    wwr = feed(server, "weworkremotely_programming_2022.rss")
    assert (await poller(app, clock).poll(wwr)).new == 25
    body = real("weworkremotely_programming_2022.rss")
    server.changed["/feeds/weworkremotely_programming_2022.rss"] = body.replace(b"<guid>", b"<guid>moved-")
    assert await poller(app, clock).poll(wwr) == PollCounts(wwr.name)
    assert await jobs_by_source(app) == {wwr.name: 25}


async def test_hostile_feeds_are_each_skipped_with_a_log_line_and_the_others_go_in(
    app: App, clock: ManualClock, server: Server, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetching, "TIMEOUT", aiohttp.ClientTimeout(total=1))
    hostile = [feed(server, name, kind) for name, (kind, _) in HOSTILE.items()]
    hostile += [feed(server, "error"), feed(server, "slow")]
    huge = feed(server, "huge-entry", "json")
    good = [feed(server, "upwork_rss_swing.xml"), feed(server, "remotive_api.json"), feed(server, "wrong-encoding")]
    caplog.set_level(logging.INFO, logger="gigbot.feeds")
    results = {counts.name: counts for counts in await poller(app, clock).poll_all([*hostile, huge, *good])}

    for broken in hostile:
        assert results[broken.name] == PollCounts(broken.name, errors=1), broken.name
        assert any(f"feed {broken.name}: skipped:" in message for message in caplog.messages), broken.name
    assert results["huge-entry"].new == 35  # the huge job is kept, its description cut to the limit
    assert results["upwork-rss-swing"].new == 7
    assert results["remotive-api"].new == 35
    assert results["wrong-encoding"].new == 794
    assert not any(server.url in message for message in caplog.messages)  # never the feed's URL
    assert not any("root:" in message for message in caplog.messages)  # /etc/passwd was never read into a job
    async with app.database.transaction() as session:
        longest = (await session.execute(select(func.max(func.length(JobRow.description))))).scalar_one()
        sources = {row.name: row for row in (await session.execute(select(FeedSourceRow))).scalars()}
    assert longest <= 5_000
    assert sources["error"].last_error == "HTTP 500"
    assert sources["slow"].last_error == "timed out"
    assert sources["upwork-rss-swing"].last_error is None
    again = {counts.name: counts for counts in await poller(app, clock).poll_all([*hostile, huge, *good])}
    assert sum(counts.new for counts in again.values()) == 0


async def test_entries_the_reader_leaves_out_are_counted_and_logged(
    app: App, clock: ManualClock, server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gigbot.feeds")
    remote_ok = feed(server, "remoteok_api.json")
    counts = await poller(app, clock).poll(remote_ok)
    assert counts == PollCounts(remote_ok.name, new=96, skipped=2)  # the legal notice, the job without a title
    assert sum("entry skipped" in message for message in caplog.messages) == 2
