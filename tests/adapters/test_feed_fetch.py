"""Fetching feeds over real HTTP from a local server: conditional requests, and every way a fetch can fail
ending as one FetchError (never an exception of the HTTP library, never a hang)."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.adapters.feeds import fetch as fetching
from bot.adapters.feeds.fetch import MAX_FEED_BYTES, FetchError, Validators, fetch

FEED = (Path(__file__).resolve().parents[1] / "data" / "feeds" / "upwork_rss_swing.xml").read_bytes()


async def conditional(request: web.Request) -> web.Response:
    if request.headers.get("If-None-Match") == '"v1"':
        return web.Response(status=304)
    return web.Response(body=FEED, headers={"ETag": '"v1"', "Last-Modified": "Fri, 19 Jul 2024 09:00:00 GMT"})


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(2)
    return web.Response(body=FEED)


async def endless(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    chunk = b"<item>" * 100_000
    for _ in range(MAX_FEED_BYTES // len(chunk) + 2):
        await response.write(chunk)
    return response


async def gzip_bomb(request: web.Request) -> web.Response:
    return web.Response(body=gzip.compress(b" " * (MAX_FEED_BYTES + 1)), headers={"Content-Encoding": "gzip"})


async def redirect_to_file(request: web.Request) -> web.Response:
    raise web.HTTPFound("file:///etc/passwd")


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    for path, handler in {
        "/feed": conditional, "/slow": slow, "/endless": endless, "/bomb": gzip_bomb, "/file": redirect_to_file,
    }.items():  # fmt: skip
        app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def test_a_feed_fetched_again_unchanged_costs_a_304(server: str, session: aiohttp.ClientSession) -> None:
    first = await fetch(session, f"{server}/feed", Validators())
    assert first.body == FEED
    assert first.validators == Validators('"v1"', "Fri, 19 Jul 2024 09:00:00 GMT")
    again = await fetch(session, f"{server}/feed", first.validators)
    assert again.body is None
    assert again.validators == first.validators


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/missing", "HTTP 404"), ("/endless", "too big"), ("/bomb", "too big"), ("/file", "NonHttpUrlRedirect")],
)
async def test_a_fetch_that_cannot_succeed_is_one_fetch_error(
    server: str, session: aiohttp.ClientSession, path: str, reason: str
) -> None:
    with pytest.raises(FetchError, match=reason):
        await fetch(session, f"{server}{path}", Validators())


async def test_a_server_that_never_answers_times_out(
    server: str, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetching, "TIMEOUT", aiohttp.ClientTimeout(total=0.5))
    with pytest.raises(FetchError, match="timed out"):
        await fetch(session, f"{server}/slow", Validators())
