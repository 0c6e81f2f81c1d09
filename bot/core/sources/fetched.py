"""What fetching a feed gives the core, whatever does the HTTP (bot/adapters/feeds/fetch.py does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class FetchError(Exception):
    """The feed could not be fetched; the message says why (for the log: it never holds the URL's query)."""


@dataclass(frozen=True)
class Validators:
    """What the server said identifies the version we have, sent back so an unchanged feed costs a 304."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: not modified since ``validators``
    validators: Validators


class FeedFetcher(Protocol):
    """Fetch ``url`` conditionally on ``known``; raises FetchError."""

    async def __call__(self, url: str, known: Validators) -> Fetched: ...
