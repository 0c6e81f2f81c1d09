"""The one markup module: screen markup parsed once, rendered for Telegram, Discord and a terminal.

Screens carry a small HTML subset, ``<b> <i> <code> <a href="...">`` plus entities (``&amp;``). Templates are
trusted; text that came from a user enters through ``escape`` (``ui.fmt``, ``Translator.t``), which also
``neutralise``s it: terminal control sequences, bidi overrides and zero-width tricks are dropped before any
front end sees them. Each renderer escapes for its own syntax, so user text always shows literally:
Telegram HTML (only the tags Telegram accepts), Discord Markdown (every Markdown character escaped, mentions
defused) and plain or ANSI-styled text for the console.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

TAGS = ("b", "i", "code", "a")

_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>b|i|code|a)(?:\s+href=\"(?P<href>[^\"]*)\")?>"
    r"|(?P<entity>&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)",
)

# Terminal control: CSI (ESC [ ... final byte, or the one-byte C1 CSI), OSC (ESC ] ... BEL or ST), and any
# other two-byte ESC sequence; then whatever C0/C1 control character is left, except newline and tab.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-_]?"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u2060\ufeff]")
_ZWJ = "\u200d"

_DISCORD_SPECIAL = re.compile(r"([\\*_~`|>#+\-\[\]()])")
_MENTION = re.compile(r"@(?=everyone|here)|<(?=[@#:])")
_DISCORD_STYLE = {"b": "**", "i": "*", "code": "`"}
_TERMINAL_STYLE = {"b": ("\033[1m", "\033[22m"), "i": ("\033[3m", "\033[23m"), "code": ("\033[36m", "\033[39m")}
_WORD_JOINER = "\u2060"


@dataclass(frozen=True)
class Tag:
    """An opening or closing tag of the subset; ``href`` only on an opening ``a``."""

    name: str
    closing: bool = False
    href: str = ""

    @property
    def source(self) -> str:
        if self.closing:
            return f"</{self.name}>"
        return f'<a href="{html.escape(self.href, quote=True)}">' if self.name == "a" else f"<{self.name}>"


@dataclass(frozen=True)
class Char:
    """One visible character (an entity decodes to one) and how it was written in the markup."""

    text: str
    source: str


Node = Tag | Char


def parse(markup: str) -> list[Node]:
    """Markup as tags and visible characters; a ``<`` that starts no known tag is literal text."""
    nodes: list[Node] = []
    position = 0
    for match in _TOKEN.finditer(markup):
        nodes += (Char(character, character) for character in markup[position : match.start()])
        if match["entity"]:
            decoded = html.unescape(match["entity"])
            nodes += (Char(character, match["entity"] if len(decoded) == 1 else character) for character in decoded)
        else:
            nodes.append(Tag(match["tag"], bool(match["close"]), html.unescape(match["href"] or "")))
        position = match.end()
    nodes += (Char(character, character) for character in markup[position:])
    return nodes


def source(nodes: Iterable[Node]) -> str:
    """Nodes back to markup (an entity stays the entity it was)."""
    return "".join(node.source for node in nodes)


def visible(markup: str) -> str:
    """What a reader sees of the text, tags dropped and entities decoded (what Telegram measures)."""
    if "<" not in markup and "&" not in markup:
        return markup
    return "".join(part for part in _runs(markup) if isinstance(part, str))


def _is_emoji(character: str) -> bool:
    code = ord(character)
    return 0x1F000 <= code <= 0x1FAFF or 0x2190 <= code <= 0x2BFF or code in (0xFE0F, 0x3030, 0x303D, 0x3297, 0x3299)


def neutralise(text: str) -> str:
    """Someone's text made harmless to show: no terminal control sequences or control characters (newline and
    tab stay), no bidi overrides or isolates, no zero-width characters. A zero-width joiner between two emoji is
    kept, as it is how 👩‍💻 and 🏳️‍🌈 are written; anywhere else it is a trick and goes."""
    if text.isascii() and text.isprintable():  # most of what is shown (names, numbers, words): nothing to drop
        return text
    text = _BIDI.sub("", _CONTROL.sub("", _ANSI.sub("", text.replace("\r\n", "\n"))))
    text = _ZERO_WIDTH.sub("", text)
    if _ZWJ not in text:
        return text
    kept = [
        character
        for index, character in enumerate(text)
        if character != _ZWJ
        or (0 < index < len(text) - 1 and _is_emoji(text[index - 1]) and _is_emoji(text[index + 1]))
    ]
    return "".join(kept)


def escape(text: str) -> str:
    """User text made safe to put inside screen markup: neutralised, then HTML-escaped."""
    return html.escape(neutralise(text), quote=True)


def _runs(markup: str) -> Iterable[Tag | str]:
    """The markup as tags and runs of visible text (entities decoded), as ``parse`` reads it but a run at a time:
    renderers and ``visible`` run on every screen, and need no object per character."""
    run: list[str] = []
    position = 0
    for match in _TOKEN.finditer(markup):
        run.append(markup[position : match.start()])
        position = match.end()
        if match["entity"]:
            run.append(html.unescape(match["entity"]))
            continue
        text = "".join(run)
        if text:
            yield text
        run = []
        yield Tag(match["tag"], bool(match["close"]), html.unescape(match["href"] or ""))
    run.append(markup[position:])
    text = "".join(run)
    if text:
        yield text


# ``_TOKEN``, or a character outside one that Telegram's HTML needs escaped
_TELEGRAM_TOKEN = re.compile(f"{_TOKEN.pattern}|[&<>]")


def to_telegram(markup: str) -> str:
    """Telegram's HTML parse mode: the same four tags, attributes quoted, every text character escaped. Every
    screen is sent through it, so it reads the markup in one pass, as ``_runs`` would, each token rendered once."""
    return _TELEGRAM_TOKEN.sub(lambda match: _in_telegram(match[0]), markup)


@functools.lru_cache(maxsize=1024)
def _in_telegram(token: str) -> str:
    """A tag as Telegram takes it; an entity, or a character to escape, escaped."""
    match = _TOKEN.fullmatch(token)
    if match is None or match["entity"]:
        return html.escape(html.unescape(token), quote=False)
    return Tag(match["tag"], bool(match["close"]), html.unescape(match["href"] or "")).source


def escape_markdown(text: str) -> str:
    """Discord Markdown: a backslash before every character discord.py's ``escape_markdown`` would escape and
    every one that starts a heading, quote, list or link (Discord drops a backslash before punctuation), and
    mentions defused with a word joiner so ``@everyone``, ``@here``, ``<@123>``, ``<@&123>``, ``<#123>`` and
    ``<:emoji:123>`` never ping or link. A numbered list ("1. ") is left as it is: harmless, and escaping
    every full stop would double the length of ordinary text."""
    return _DISCORD_SPECIAL.sub(r"\\\1", _MENTION.sub(lambda match: match[0] + _WORD_JOINER, text))


def _in_code(text: str) -> str:
    """Inline code shows its text raw (a backslash would show), so only what could end it is replaced."""
    return _MENTION.sub(lambda match: match[0] + _WORD_JOINER, text.replace("`", "ˋ"))


def _link_target(href: str) -> str:
    return href.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def to_discord(markup: str) -> str:
    """Discord Markdown: ``**bold**``, ``*italic*``, ```code```, ``[text](url)``; text escaped."""
    out = []
    open_links: list[str] = []
    in_code = 0
    for part in _runs(markup):
        if isinstance(part, str):
            out.append(_in_code(part) if in_code else escape_markdown(part))
        elif part.name == "a":
            if part.closing:
                out.append(f"]({_link_target(open_links.pop())})" if open_links else "")
            else:
                open_links.append(part.href)
                out.append("[")
        else:
            in_code += (-1 if part.closing else 1) if part.name == "code" else 0
            out.append(_DISCORD_STYLE[part.name])
    return "".join(out)


def to_terminal(markup: str, *, color: bool) -> str:
    """The console: tags as ANSI styles (or nothing when not a terminal), links as ``text (url)``; the text is
    neutralised again, so nothing in it can drive the terminal."""
    out = []
    links: list[str] = []
    for part in _runs(markup):
        if isinstance(part, str):
            out.append(neutralise(part))
        elif part.name == "a":
            if not part.closing:
                links.append(part.href)
            elif links:
                out.append(f" ({neutralise(links.pop())})")
        elif color:
            start, end = _TERMINAL_STYLE[part.name]
            out.append(end if part.closing else start)
    return "".join(out)
