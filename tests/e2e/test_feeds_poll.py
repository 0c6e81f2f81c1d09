"""`gigbot feeds poll` through the real binary: the job feeds of a config file, served over HTTP by a local server,
polled twice; one line per feed, every entry a job once, and a bad config refused with its problem."""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.test_console import gigbot
from tests.unit.test_feed_reading import FEEDS

CONFIG = """
[[feeds]]
name = "Upwork Swing"
url = "{url}/upwork_rss_swing.xml"
kind = "rss"
skills = ["Java"]

[[feeds]]
name = "remotive"
url = "{url}/remotive_api.json"
kind = "json"
category = "Web, Mobile & Software Dev"
[feeds.fields]
items = "jobs"
id = "id"
title = "title"
link = "url"
description = "description"
published = "publication_date"
budget = "salary"
tags = "tags"

[[feeds]]
name = "remoteok"
url = "{url}/remoteok_api.json"
kind = "json"
[feeds.fields]
id = "id"
title = "position"
link = "url"
published = "date"
tags = "tags"

[[feeds]]
name = "gone"
url = "{url}/no_such_feed.xml"
kind = "rss"

[[feeds]]
name = "html"
url = "{url}/broken_found_html_firefox_feed_preview_justjoinit.xml"
kind = "rss"
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The test's output is gigbot's, not the server's."""


@pytest.fixture
def feeds_url() -> Iterator[str]:
    """The saved feeds over HTTP, with Last-Modified, answering If-Modified-Since with a 304."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(FEEDS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def jobs(workdir: Path) -> dict[str, int]:
    with sqlite3.connect(workdir / "data" / "gigbot.db") as db:
        query = "SELECT s.name, count(*) FROM jobs j JOIN feed_sources s ON s.id = j.source_id GROUP BY s.name"
        return dict(db.execute(query).fetchall())


def test_feeds_poll_twice_brings_every_entry_once(tmp_path: Path, feeds_url: str) -> None:
    (tmp_path / "config.toml").write_text(CONFIG.format(url=feeds_url))
    first = gigbot(tmp_path, "feeds", "poll")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "Upwork Swing new=7 updated=0 skipped=0 errors=0",
        "remotive new=35 updated=0 skipped=0 errors=0",
        "remoteok new=96 updated=0 skipped=2 errors=0",
        "gone new=0 updated=0 skipped=0 errors=1",
        "html new=0 updated=0 skipped=0 errors=1",
    ]
    assert "feed gone: skipped: HTTP 404" in first.stderr
    assert "feed html: skipped: not a well-formed RSS or Atom feed" in first.stderr
    assert feeds_url not in first.stderr
    assert jobs(tmp_path) == {"Upwork Swing": 7, "remotive": 35, "remoteok": 96}

    second = gigbot(tmp_path, "feeds", "poll")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[:3] == [
        "Upwork Swing new=0 updated=0 skipped=0 errors=0",
        "remotive new=0 updated=0 skipped=0 errors=0",
        "remoteok new=0 updated=0 skipped=0 errors=0",
    ]
    assert jobs(tmp_path) == {"Upwork Swing": 7, "remotive": 35, "remoteok": 96}


def test_an_invalid_feeds_config_exits_2_with_the_problem(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[[feeds]]\nname = "x"\nurl = "file:///etc/passwd"\nkind = "rss"\n')
    result = gigbot(tmp_path, "feeds", "poll")
    assert result.returncode == 2
    assert "config error: feeds.0.url: must be an http:// or https:// URL" in result.stderr
    assert result.stdout == ""
