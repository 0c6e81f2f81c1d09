"""Fetching a job feed over HTTP(S): a conditional GET (ETag / Last-Modified), a size cap, a time limit.

Only http and https are ever fetched (aiohttp knows no other scheme, so a feed can never make us read a local
file); a body over ``MAX_FEED_BYTES`` (after any gzip) is refused while it streams, not after.
"""

from __future__ import annotations

import aiohttp

from bot.core.sources.fetched import Fetched, FetchError, Validators

MAX_FEED_BYTES = 10 * 1024 * 1024
TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10, sock_read=20)
USER_AGENT = "gigbot-feeds/1 (+https://github.com/gigbot)"


async def fetch(session: aiohttp.ClientSession, url: str, known: Validators) -> Fetched:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, application/json, */*"}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    try:
        async with session.get(url, headers=headers, timeout=TIMEOUT, max_redirects=5) as response:
            if response.status == 304:
                return Fetched(None, known)
            if response.status != 200:
                raise FetchError(f"HTTP {response.status}")
            if (response.content_length or 0) > MAX_FEED_BYTES:
                raise FetchError(f"too big: {response.content_length} bytes")
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > MAX_FEED_BYTES:
                    raise FetchError(f"too big: over {MAX_FEED_BYTES} bytes")
            validators = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
            return Fetched(bytes(body), validators)
    except TimeoutError:
        raise FetchError("timed out") from None
    except aiohttp.ClientError as error:
        raise FetchError(f"{type(error).__name__}") from None


async def fetch_feed(url: str, known: Validators) -> Fetched:
    """``fetch`` in a session of its own: each feed is polled on its own schedule, minutes apart."""
    async with aiohttp.ClientSession() as session:
        return await fetch(session, url, known)
