"""Reading job feeds: every real feed saved from a public job board (tests/data/feeds, a copy of ../shared/feeds
with its MANIFEST.json) gives its entries cleaned, and broken or hostile documents give nothing, without a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest

from bot.core.sources.reading import (
    MAX_DESCRIPTION,
    FeedEntry,
    FeedError,
    FeedRead,
    JsonFields,
    read_json,
    read_rss,
)
from bot.core.sources.text import Pay, html_to_text, parse_pay, parse_when

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
MANIFEST = {item["file"]: item for item in json.loads((FEEDS / "MANIFEST.json").read_text())["files"]}
JSON_FIELDS: dict[str, JsonFields] = {
    "remotive_api.json": {
        "items": "jobs", "id": "id", "title": "title", "link": "url", "description": "description",
        "published": "publication_date", "budget": "salary", "tags": "tags",
    },
    "remoteok_api.json": {
        "items": "", "id": "id", "title": "position", "link": "url", "description": "description",
        "published": "date", "tags": "tags",
    },
    "github_jobs_positions.json": {
        "items": "", "id": "id", "title": "title", "link": "url", "description": "description",
        "published": "created_at",
    },
}  # fmt: skip
REAL = [name for name, item in MANIFEST.items() if item["kind"] != "broken_found"]
# Remote OK: element 0 is the API's legal notice, and one job has an empty title (the manifest's own note).
EXPECTED = {name: MANIFEST[name]["entry_count"] for name in REAL} | {"remoteok_api.json": 96}


@cache
def read(name: str) -> FeedRead:
    body = (FEEDS / name).read_bytes()
    return read_json(body, JSON_FIELDS[name]) if name.endswith(".json") else read_rss(body)


def entry(name: str, guid_part: str) -> FeedEntry:
    return next(found for found in read(name).entries if guid_part in found.guid)


@pytest.mark.parametrize("name", REAL)
def test_every_entry_of_each_real_feed_is_read_once_with_a_title_a_link_and_a_date(name: str) -> None:
    feed = read(name)
    assert len(feed.entries) == EXPECTED[name]
    assert len({found.guid for found in feed.entries}) == len(feed.entries)
    for found in feed.entries:
        assert found.title
        assert found.title == found.title.strip()
        assert "<" not in found.title
        assert found.link is not None
        assert found.link.startswith(("https://", "http://"))
        assert found.published is not None
        assert found.published.tzinfo is UTC
        assert len(found.description) <= MAX_DESCRIPTION
        assert "<p>" not in found.description
        assert "&amp;" not in found.description


def test_upwork_entries_carry_their_budget_skills_and_category_from_the_description_text() -> None:
    feed = read("upwork_rss_java_us.xml")
    budgets = MANIFEST["upwork_rss_java_us.xml"]["salary_stats"]
    assert sum(1 for e in feed.entries if e.pay and not e.pay.hourly) == budgets["fixed_budget"]
    assert sum(1 for e in feed.entries if e.pay and e.pay.hourly) == budgets["hourly_range"]
    kotlin = entry("upwork_rss_java_us.xml", "Java-Kotlin-Expert-Needed")
    assert kotlin.title == "Java/Kotlin Expert Needed"  # " - Upwork" taken off
    assert kotlin.pay == Pay(3000, 5400, "USD", hourly=True)  # <b>Hourly Range</b>: $30.00-$54.00
    assert kotlin.skills[:2] == ("Java", "Kotlin")
    assert kotlin.category == "Mobile App Development"
    assert kotlin.published == datetime(2024, 7, 19, 4, 41, 34, tzinfo=UTC)


def test_upwork_text_is_decoded_once_and_shown_as_a_reader_sees_it() -> None:
    texts = " ".join(e.description for e in read("upwork_rss_javafx.xml").entries)
    assert "&#039;" not in texts
    assert "&bull;" not in texts
    assert "&nbsp;" not in texts
    assert "’" in texts or "'" in texts


def test_we_work_remotely_entries_unsorted_and_twice_escaped_are_all_read() -> None:
    feed = read("weworkremotely_programming_2022.rss")
    dates = [e.published for e in feed.entries]
    assert dates != sorted(dates, reverse=True)  # not in date order: every entry is read anyway
    assert all(e.category for e in feed.entries)  # its one <category>
    assert not any("&amp;" in e.description or "&nbsp;" in e.description for e in feed.entries)


def test_statejobsny_has_no_guid_so_each_entry_is_known_by_its_link() -> None:
    feed = read("statejobsny_vacancies.rss")
    assert all(e.guid == e.link for e in feed.entries)
    first = feed.entries[0]
    assert first.title == "Senior Budgeting Analyst/Trainee - 219490"
    assert first.published == datetime(2026, 7, 9, 5, 0, tzinfo=UTC)  # midnight "EST"


def test_just_join_it_salaries_in_the_summary_and_undisclosed_ones() -> None:
    feed = read("justjoinit_feed.atom")
    ethworks = entry("justjoinit_feed.atom", "ethworks-node-js-blockchain")
    assert ethworks.pay == Pay(800_000, 1_200_000, "PLN", hourly=False)
    assert "Warszawa" in ethworks.description  # Polish diacritics intact: "Marszałkowska"
    assert "Marszałkowska" in ethworks.description
    undisclosed = sum(1 for e in feed.entries if "undisclosed" in e.description)
    assert undisclosed == 120
    assert sum(1 for e in feed.entries if e.pay) == len(feed.entries) - undisclosed - 2  # 2 have no figure


def test_remote_ok_skips_its_legal_notice_and_the_untitled_job_and_mends_mojibake() -> None:
    feed = read("remoteok_api.json")
    assert feed.skipped == ["an entry: no id", "1130784: no title"]
    texts = " ".join(e.description for e in feed.entries)
    assert "â€" not in texts
    assert "\u00e2\u0080\u0099" not in texts
    assert "Please mention the word" not in texts  # the anti-spam line after every description
    assert entry("remoteok_api.json", "1130788").skills == ("training", "support", "growth", "management")


def test_remotive_with_a_bom_reads_its_free_text_salaries() -> None:
    feed = read("remotive_api.json")
    assert (FEEDS / "remotive_api.json").read_bytes().startswith(b"\xef\xbb\xbf")
    labelling = entry("remotive_api.json", "2090903")
    assert labelling.pay == Pay(1800, 2200, "USD", hourly=True)  # "$18 - $22/hr"
    assert labelling.published == datetime(2026, 7, 26, 20, 49, 11, tzinfo=UTC)  # no zone given: UTC
    assert not any("blank.gif" in e.description for e in feed.entries)  # the tracking pixel is gone


def test_github_jobs_ctime_dates_and_escaped_html() -> None:
    reaktor = entry("github_jobs_positions.json", "dd1d35fc")
    assert reaktor.published == datetime(2021, 1, 26, 22, 51, 28, tzinfo=UTC)
    assert reaktor.description.startswith("Reaktor is a team")


@pytest.mark.parametrize(
    "name", ["broken_found_pybytes_repr_justjoinit_atom.xml", "broken_found_html_firefox_feed_preview_justjoinit.xml"]
)
def test_a_document_that_is_not_a_feed_gives_nothing(name: str) -> None:
    with pytest.raises(FeedError):
        read_rss((FEEDS / name).read_bytes())


def test_the_tampered_feed_without_links_or_ids_gives_no_entries_and_says_why() -> None:
    feed = read_rss((FEEDS / "broken_found_tampered_xss_studiobinder.xml").read_bytes())
    assert feed.entries == []
    assert len(feed.skipped) == 24
    assert all(reason.endswith("no id") for reason in feed.skipped)


BOMB = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rss version="2.0"><channel><title>x</title>
<item><title>&c;</title><link>https://example.com/1</link></item></channel></rss>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0">
<channel><title>x</title><item><title>&xxe;</title><link>https://example.com/1</link></item></channel></rss>"""


@pytest.mark.parametrize("body", [BOMB, XXE], ids=["entity bomb", "external entity"])
def test_entity_declarations_are_refused_before_parsing(body: bytes) -> None:
    with pytest.raises(FeedError, match="entities"):
        read_rss(body)


def test_a_truncated_feed_is_refused_whole() -> None:
    body = (FEEDS / "weworkremotely_programming_2022.rss").read_bytes()
    with pytest.raises(FeedError):
        read_rss(body[: len(body) // 2])


def test_a_feed_in_another_encoding_than_declared_is_still_read() -> None:
    body = (FEEDS / "weworkremotely_programming_2014.rss").read_bytes()
    latin = body.replace(b"Kaleo Software", "Kaléo Software".encode("latin-1"))  # declared UTF-8, one Latin-1 byte
    feed = read_rss(latin)
    assert len(feed.entries) == 25
    assert "Kaléo Software: Senior Software Engineer" in [e.title for e in feed.entries]
    assert [e.description for e in feed.entries] == [
        e.description for e in read("weworkremotely_programming_2014.rss").entries
    ]
    assert feed.warnings == ["not in the encoding it declares: read as windows-1252"]


def test_json_in_utf_16_or_in_windows_1252_bytes_is_read_the_same() -> None:
    fields = JSON_FIELDS["remotive_api.json"]
    text = (FEEDS / "remotive_api.json").read_bytes().decode("utf-8-sig").replace("Workada", "Wörkada")
    as_utf8 = read_json(text.encode(), fields)
    assert as_utf8.warnings == []
    for body, warnings in (
        (text.encode("utf-16"), []),
        (text.encode("cp1252"), ["not in UTF-8: read as windows-1252"]),
    ):
        feed = read_json(body, fields)
        assert feed.entries == as_utf8.entries
        assert "Wörkada" in feed.entries[0].description
        assert feed.warnings == warnings


def test_entries_with_javascript_links_or_huge_texts_are_skipped_or_cut() -> None:
    huge = "word " * 200_000
    body = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
    <item><title>Bad</title><link>javascript:alert(1)</link><guid>1</guid></item>
    <item><title>Huge</title><link>https://example.com/2</link><description>{huge}</description></item>
    </channel></rss>""".encode()
    feed = read_rss(body)
    assert feed.skipped == ["1: the link is not http(s)"]
    assert [e.title for e in feed.entries] == ["Huge"]
    assert len(feed.entries[0].description) == MAX_DESCRIPTION


@pytest.mark.parametrize(
    "body", [b"{}", b"[1, 2]", b'{"jobs": {"a": 1}}', b"<html>not json</html>", b"\xff\xfe"], ids=str
)
def test_json_of_the_wrong_shape_gives_nothing_or_skips_what_is_not_an_entry(body: bytes) -> None:
    fields = JSON_FIELDS["remotive_api.json"]
    try:
        feed = read_json(body, fields)
    except FeedError:
        return
    assert feed.entries == []


@pytest.mark.parametrize(
    ("text", "pay"),
    [
        ("$30k - $100k", Pay(3_000_000, 10_000_000, "USD", hourly=False)),
        ("$31,2k- $52k", Pay(3_120_000, 5_200_000, "USD", hourly=False)),
        ("$45,000 - $50,000", Pay(4_500_000, 5_000_000, "USD", hourly=False)),
        ("$90 - $150 /hour", Pay(9_000, 15_000, "USD", hourly=True)),
        ("bill up to $70 per hour", Pay(7_000, 7_000, "USD", hourly=True)),
        ("10000 - 15000 pln", Pay(1_000_000, 1_500_000, "PLN", hourly=False)),
        ("undisclosed", None),
        ("OTE", None),
        ("$0", None),
    ],
)
def test_pay_written_as_free_text(text: str, pay: Pay | None) -> None:
    assert parse_pay(text) == pay


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2026-07-26T20:49:11", datetime(2026, 7, 26, 20, 49, 11, tzinfo=UTC)),
        ("2026-03-16T00:00:03+01:00", datetime(2026, 3, 15, 23, 0, 3, tzinfo=UTC)),
        ("Thu, 09 Jul 2026 00:00:00 EST", datetime(2026, 7, 9, 5, 0, tzinfo=UTC)),
        ("Tue Jan 26 22:51:28 UTC 2021", datetime(2021, 1, 26, 22, 51, 28, tzinfo=UTC)),
        ("1773619203", datetime(2026, 3, 16, 0, 0, 3, tzinfo=UTC)),
        (1773619203000, datetime(2026, 3, 16, 0, 0, 3, tzinfo=UTC)),
        ("next tuesday", None),
        ("1", None),
        (None, None),
    ],
)
def test_dates_in_every_notation_feeds_use(value: object, moment: datetime | None) -> None:
    assert parse_when(value) == moment


def test_html_to_text_keeps_lines_and_drops_scripts() -> None:
    assert html_to_text("<p>One</p><p>Two &amp;amp; three</p><script>alert(1)</script>") == "One\n\nTwo & three"
