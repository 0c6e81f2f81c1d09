"""The markup module: hostile text shows literally and harmlessly on Telegram, Discord and a terminal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.markup import escape, neutralise, parse, source, to_discord, to_telegram, to_terminal, visible
from bot.core.ui import fmt, plain

HOSTILE = (
    "<script>alert(1)</script> </b> *bold* _it_ ~~s~~ `code` ||spoiler|| > quote # title - item [x](https://evil) "
    "@everyone @here <@123> <@&456> <#789> \x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u202eevil\u202c \u2066iso\u2069 "
    "zero\u200bwidth\ufeff"
)


def test_hostile_text_in_a_template_shows_literally_in_telegram_html() -> None:
    markup = fmt("<b>{name}</b> wrote", name=HOSTILE)
    telegram = to_telegram(markup)
    assert telegram.startswith("<b>&lt;script&gt;alert(1)&lt;/script&gt; &lt;/b&gt; *bold*")
    assert telegram.count("<b>") == 1
    assert telegram.count("</b>") == 1
    assert "\x1b" not in telegram
    assert "\u202e" not in telegram
    assert "\u200b" not in telegram


def test_hostile_text_is_escaped_for_discord_and_never_pings() -> None:
    discord = to_discord(fmt("<b>{name}</b>", name=HOSTILE))
    assert discord.startswith("**<script\\>alert\\(1\\)</script\\> </b\\> \\*bold\\* \\_it\\_ \\~\\~s\\~\\~ \\`code\\`")
    assert "\\|\\|spoiler\\|\\| \\> quote \\# title \\- item \\[x\\]\\(https://evil\\)" in discord
    for mention in ("@everyone", "@here", "<@123>", "<@&456>", "<#789>"):
        assert mention not in discord
    assert "@\u2060everyone" in discord
    assert "<\u2060@&456\\>" in discord
    assert "<\u2060\\#789\\>" in discord
    assert discord.endswith("**")


def test_hostile_text_cannot_drive_a_terminal() -> None:
    shown = to_terminal(fmt("<b>{name}</b>", name=HOSTILE), color=True)
    assert shown.startswith("\033[1m<script>")
    assert shown.endswith("\033[22m")
    assert shown.count("\x1b") == 2  # only our own bold on and off
    assert "red" in shown
    assert "pwned" not in shown
    assert "\u202e" not in shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[1;31mb\x1b[0mc", "abc"),
        ("title\x1b]0;evil\x07done", "titledone"),
        ("bell\x07 back\x08 del\x7f c1\x9b2J", "bell back del c1"),
        ("line\r\nnext\tcell", "line\nnext\tcell"),
        ("\u202aa\u202bb\u202cc\u202dd\u202ee\u2066f\u2067g\u2068h\u2069", "abcdefgh"),
        ("zero\u200bwidth\u200cno\u2060join\ufeff", "zerowidthnojoin"),
        ("ad\u200dmin", "admin"),
        ("👩\u200d💻 🏳\ufe0f\u200d🌈 👨\u200d👩\u200d👧", "👩\u200d💻 🏳\ufe0f\u200d🌈 👨\u200d👩\u200d👧"),
        ("Zoë, 東京, مرحبا", "Zoë, 東京, مرحبا"),
    ],
)
def test_neutralise_drops_control_bidi_and_zero_width_tricks_but_keeps_emoji(raw: str, shown: str) -> None:
    assert neutralise(raw) == shown


def test_escape_is_where_user_text_enters_a_screen() -> None:
    assert escape('<i>x</i> & "q"\x1b[2J') == "&lt;i&gt;x&lt;/i&gt; &amp; &quot;q&quot;"


def test_the_three_renderings_of_every_tag() -> None:
    markup = '<b>bold</b> <i>it</i> <code>a`b *c*</code> <a href="https://x.y/a(b)?q=1&amp;r=2">link_here</a> &amp;'
    assert to_telegram(markup) == (
        '<b>bold</b> <i>it</i> <code>a`b *c*</code> <a href="https://x.y/a(b)?q=1&amp;r=2">link_here</a> &amp;'
    )
    assert to_discord(markup) == "**bold** *it* `aˋb *c*` [link\\_here](https://x.y/a%28b%29?q=1&r=2) &"
    assert to_terminal(markup, color=False) == "bold it a`b *c* link_here (https://x.y/a(b)?q=1&r=2) &"
    assert visible(markup) == plain(markup) == "bold it a`b *c* link_here &"


def test_a_lone_angle_bracket_or_ampersand_in_a_template_is_text() -> None:
    assert visible("1 < 2 & 3 > 2") == "1 < 2 & 3 > 2"
    assert to_telegram("1 < 2 & 3 > 2") == "1 &lt; 2 &amp; 3 &gt; 2"


@given(st.text())
def test_any_user_text_round_trips_through_escape(text: str) -> None:
    markup = fmt("<b>{x}</b>", x=text)
    assert visible(markup) == neutralise(text)
    assert source(parse(markup)) == markup
    assert to_terminal(markup, color=False) == neutralise(text)


@given(st.text())
def test_no_user_text_becomes_discord_markup_or_a_mention(text: str) -> None:
    discord = to_discord(escape(text))
    unescaped = discord.replace("\\\\", "")
    for special in "*_~`|[]()#>":
        assert unescaped.count(special) == unescaped.count("\\" + special)
    assert "@everyone" not in discord
    assert "@here" not in discord
    assert "<@" not in discord
