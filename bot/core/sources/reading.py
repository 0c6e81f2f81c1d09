"""A job feed's bytes to job entries: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON through a field map.

A feed that is not one (an HTML page, a Python bytes repr, broken XML, a JSON document of the wrong shape) raises
``FeedError`` and gives nothing; one in another encoding than it says is read in the one its bytes are in, with a
warning; an entry without an id or a title, or whose link is not http(s), is skipped with its reason, and the
rest go on. Entity declarations are refused before any parsing (no entity bombs, no external
entities), and only the bytes given are read: never a URL or a local file.
"""

from __future__ import annotations

import json
import re
import xml.sax
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import urlsplit

import feedparser

from bot.core.sources.text import Pay, html_to_text, labelled_lines, parse_pay, parse_when

MAX_TITLE = 100
MAX_DESCRIPTION = 5_000
MAX_SKILLS = 15
MAX_SKILL = 40
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ANTI_SPAM = re.compile(r"Please mention the word \*\*\w+\*\*.*$", re.DOTALL)  # Remote OK's, after every text
_TITLE_SUFFIXES = (" - Upwork",)


class FeedError(Exception):
    """The document is not a feed this reader can trust; the message says why, for the log."""


@dataclass(frozen=True)
class FeedEntry:
    """One job as a feed tells it, cleaned: plain text, a UTC date, pay and skills where the text has them."""

    guid: str
    title: str
    link: str | None
    description: str
    published: datetime | None
    pay: Pay | None
    skills: tuple[str, ...]
    category: str | None


@dataclass
class FeedRead:
    entries: list[FeedEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one reason per entry left out
    warnings: list[str] = field(default_factory=list)  # read anyway, but the feed should be told (wrong encoding)


JsonFields = Mapping[str, str | None]
"""Dotted paths into a JSON feed (``[feeds.fields]``): ``items`` to the list of entries ("" when the document is
the list), then ``id``, ``title``, ``link`` and, if the feed has them, ``description``, ``published``,
``budget`` and ``tags`` inside each entry."""


@dataclass(frozen=True)
class _Raw:
    """An entry's fields as found, before any cleaning."""

    id: str
    title: str
    link: str
    description: str  # HTML
    published: object
    pay_text: str
    tags: list[str]
    category: str | None
    hourly: bool | None = None


def read_rss(body: bytes) -> FeedRead:
    """Entries of an RSS or Atom document."""
    if _ENTITY_DECLARATION.search(body):
        raise FeedError("declares XML entities: refused")
    parsed = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=False)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXException) or not parsed.get("version"):
        raise FeedError(f"not a well-formed RSS or Atom feed ({problem or 'no feed root'})")
    read = _cleaned(_rss_entry(entry) for entry in parsed.entries)
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        read.warnings.append(f"not in the encoding it declares: read as {parsed.get('encoding')}")
    return read


def _rss_entry(entry: Mapping[str, Any]) -> _Raw:
    description = str(entry.get("summary") or "")
    labels = labelled_lines(description)
    link = str(entry.get("link") or "")
    pay_text, hourly = _labelled_pay(labels)
    tags = [str(tag.get("term") or "") for tag in entry.get("tags") or []]
    return _Raw(
        id=str(entry.get("id") or link),
        title=str(entry.get("title") or ""),
        link=link,
        description=description,
        published=_from_struct(entry.get("published_parsed") or entry.get("updated_parsed")),
        pay_text=pay_text,
        tags=labels.get("skills", "").split(","),
        category=labels.get("category") or next((tag for tag in tags if tag), None),
        hourly=hourly,
    )


def _labelled_pay(labels: Mapping[str, str]) -> tuple[str, bool | None]:
    """Upwork's "Hourly Range" / "Budget" and Just Join IT's "Salary" lines."""
    if "hourly range" in labels:
        return labels["hourly range"], True
    if "budget" in labels:
        return labels["budget"], False
    return labels.get("salary", ""), None


def _from_struct(moment: struct_time | None) -> datetime | None:
    return datetime(*moment[:6], tzinfo=UTC) if moment else None


def read_json(body: bytes, fields: JsonFields) -> FeedRead:
    """Entries of a JSON document, found by ``fields``."""
    warnings = []
    try:
        text = body.decode(json.detect_encoding(body))  # UTF-8, -16 or -32, with or without a byte order mark
    except UnicodeDecodeError:
        text = body.decode("cp1252", errors="replace")  # what a server that sends other bytes most often means
        warnings.append("not in UTF-8: read as windows-1252")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FeedError(f"not JSON ({error})") from None
    where = fields.get("items") or ""
    items = _at(document, where) if where else document
    if not isinstance(items, list):
        raise FeedError(f"no list of entries at {where or 'the top'!r}")
    read = FeedRead()
    raws = []
    for number, item in enumerate(items):
        if isinstance(item, dict):
            raws.append(_json_entry(item, fields))
        else:
            read.skipped.append(f"entry {number}: not an object")
    cleaned = _cleaned(raws)
    cleaned.skipped[:0] = read.skipped
    cleaned.warnings[:0] = warnings
    return cleaned


def _json_entry(item: Mapping[str, Any], fields: JsonFields) -> _Raw:
    def text(path: str | None) -> str:
        value = _at(item, path) if path else None
        return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else ""

    tags = _at(item, path) if (path := fields.get("tags")) else None
    tag_list = [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else text(path).split(",")
    return _Raw(
        id=text(fields.get("id")),
        title=text(fields.get("title")),
        link=text(fields.get("link")),
        description=text(fields.get("description")),
        published=_at(item, path) if (path := fields.get("published")) else None,
        pay_text=text(fields.get("budget")),
        tags=tag_list,
        category=None,
    )


def _at(document: object, path: str) -> object:
    """The value at a dotted path (``company.name``, ``0.title``), or None."""
    value = document
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _cleaned(raws: Iterator[_Raw] | list[_Raw]) -> FeedRead:
    read, seen = FeedRead(), set()
    for raw in raws:
        entry = _entry(raw)
        if isinstance(entry, str):
            read.skipped.append(entry)
        elif entry.guid in seen:
            read.skipped.append(f"{entry.guid[:80]}: the same entry twice in one feed")
        else:
            seen.add(entry.guid)
            read.entries.append(entry)
    return read


def _entry(raw: _Raw) -> FeedEntry | str:
    """The cleaned entry, or why it is left out."""
    guid = raw.id.strip()[:500]
    title = html_to_text(raw.title).replace("\n", " ")
    for suffix in _TITLE_SUFFIXES:
        title = title.removesuffix(suffix)
    if not guid:
        return f"{title[:60] or 'an entry'}: no id"
    if not title:
        return f"{guid[:80]}: no title"
    link = raw.link.strip() or None
    if link is not None and not _is_web_link(link):
        return f"{guid[:80]}: the link is not http(s)"
    description = _ANTI_SPAM.sub("", html_to_text(raw.description)).strip()
    return FeedEntry(
        guid=guid,
        title=_cut(title, MAX_TITLE),
        link=link,
        description=_cut(description, MAX_DESCRIPTION),
        published=parse_when(raw.published),
        pay=parse_pay(raw.pay_text, hourly=raw.hourly) if raw.pay_text else None,
        skills=_skills(raw.tags),
        category=(html_to_text(raw.category)[:60] or None) if raw.category else None,
    )


def _is_web_link(link: str) -> bool:
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _skills(tags: list[str]) -> tuple[str, ...]:
    found: dict[str, str] = {}
    for tag in tags:
        skill = html_to_text(tag).strip()
        if skill and len(skill) <= MAX_SKILL and skill.casefold() not in found:
            found[skill.casefold()] = skill
    return tuple(found.values())[:MAX_SKILLS]
