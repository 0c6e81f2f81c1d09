"""`gigbot feeds poll` through the real binary: the job feeds of a config file, served over HTTP by a local server,
polled twice; one line per feed, every entry a job once, every shared real feed read and hostile variants of them
(truncated, in another encoding, entity bombs, XXE, huge, the wrong shape, HTML) skipped or read, never crashing;
and a bad config refused with its problem."""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.test_console import gigbot
from tests.unit.test_feed_reading import EXPECTED, FEEDS, JSON_FIELDS, REAL

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


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """gigbot hanging up on a body that is too big is what it should do, not the server's error."""


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


BOMB = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rss version="2.0"><channel><title>&c;</title><item><title>&c;</title>
<link>https://example.com/1</link></item></channel></rss>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel>
<title>x</title><item><title>&xxe;</title><link>https://example.com/1</link><guid>1</guid></item></channel></rss>"""
HUGE_ENTRY = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
<item><title>Huge</title><link>https://example.com/huge</link><description>{"word " * 1_000_000}</description></item>
<item><title>Small</title><link>https://example.com/small</link><description>Fine.</description></item>
</channel></rss>""".encode()


def _hostile() -> dict[str, tuple[bytes, str, str | None]]:
    """Broken variants of the real feeds: file -> (bytes, kind, the JSON fields of the feed it poses as)."""
    wwr = (FEEDS / "weworkremotely_all_2022.rss").read_bytes()
    programming = (FEEDS / "weworkremotely_programming_2022.rss").read_text(encoding="utf-8")
    remotive = (FEEDS / "remotive_api.json").read_bytes().decode("utf-8-sig")
    return {
        "truncated.rss": (wwr[: len(wwr) // 2], "rss", None),
        "cp1252.rss": (programming.encode("cp1252", errors="replace"), "rss", None),  # still declares UTF-8
        "utf16.json": (remotive.encode("utf-16"), "json", "remotive_api.json"),
        "bomb.rss": (BOMB, "rss", None),
        "xxe.rss": (XXE, "rss", None),
        "huge_entry.rss": (HUGE_ENTRY, "rss", None),
        "huge_document.rss": (wwr * 40, "rss", None),  # over the 10 MiB a feed may be
        "wrong_shape.json": (b'{"jobs": {"id": 1, "title": "not a list"}}', "json", "remotive_api.json"),
        "html.json": (b"<!doctype html><html><body>Sign in</body></html>", "json", "remoteok_api.json"),
        "html.rss": ((FEEDS / "broken_found_html_firefox_feed_preview_justjoinit.xml").read_bytes(), "rss", None),
    }


def test_every_shared_feed_and_hostile_variants_of_them_polled_twice(tmp_path: Path) -> None:
    served = tmp_path / "served"
    served.mkdir()
    feeds: dict[str, tuple[str, str | None]] = {}  # name -> (kind, JSON fields of)
    for name in REAL:
        (served / name).write_bytes((FEEDS / name).read_bytes())
        feeds[name] = ("json" if name.endswith(".json") else "rss", name if name.endswith(".json") else None)
    for name, (body, kind, fields_of) in _hostile().items():
        (served / name).write_bytes(body)
        feeds[name] = (kind, fields_of)
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        config = []
        for name, (kind, fields_of) in feeds.items():
            config.append(f'[[feeds]]\nname = "{name}"\nurl = "{url}/{name}"\nkind = "{kind}"\n')
            if fields_of is not None:
                mapping = "\n".join(f'{key} = "{value}"' for key, value in JSON_FIELDS[fields_of].items())
                config.append(f"[feeds.fields]\n{mapping}\n")
        (tmp_path / "config.toml").write_text("\n".join(config))
        first = gigbot(tmp_path, "feeds", "poll")
        second = gigbot(tmp_path, "feeds", "poll")
    finally:
        server.shutdown()
    assert first.returncode == 0, first.stderr
    lines = dict(line.split(" ", 1) for line in first.stdout.splitlines())
    expected_jobs = EXPECTED | {
        "cp1252.rss": 25,
        "utf16.json": 35,
        "huge_entry.rss": 2,
    }
    for name, count in expected_jobs.items():
        assert lines[name].startswith(f"new={count} updated=0 "), (name, lines[name])
        assert lines[name].endswith(" errors=0"), (name, lines[name])
    broken = set(feeds) - set(expected_jobs)
    assert broken == {
        "truncated.rss",
        "bomb.rss",
        "xxe.rss",
        "huge_document.rss",
        "wrong_shape.json",
        "html.json",
        "html.rss",
    }
    for name in broken:
        assert lines[name] == "new=0 updated=0 skipped=0 errors=1", (name, lines[name])
        assert f"feed {name}: skipped: " in first.stderr
    assert "feed cp1252.rss: not in the encoding it declares: read as windows-1252" in first.stderr
    assert "root:" not in first.stderr + first.stdout  # /etc/passwd was never read
    assert jobs(tmp_path) == expected_jobs

    assert second.returncode == 0, second.stderr
    for line in second.stdout.splitlines():
        assert line.split(" ", 1)[1].startswith("new=0 "), line  # the second poll adds none
    assert jobs(tmp_path) == expected_jobs
