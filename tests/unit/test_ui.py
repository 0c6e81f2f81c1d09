"""The neutral UI model keeps user text literal and refuses screens no platform could show."""

from __future__ import annotations

import pytest

from bot.core.actions import Action
from bot.core.ui import Button, Choice, Field, Form, Option, Screen, fmt, plain

GO = Action("cmd", ("menu",))


def test_user_text_is_escaped_and_shown_literally() -> None:
    markup = fmt("Hello <b>{name}</b>", name='<i>Bob</i> & "Co" *bold* _x_ `y`')
    assert markup == "Hello <b>&lt;i&gt;Bob&lt;/i&gt; &amp; &quot;Co&quot; *bold* _x_ `y`</b>"
    assert plain(markup) == 'Hello <i>Bob</i> & "Co" *bold* _x_ `y`'


def test_plain_drops_the_markup_subset() -> None:
    assert plain('<b>a</b> <i>b</i> <code>c</code> <a href="https://x.y">d</a>') == "a b c d"


def test_limits_that_discord_and_telegram_share() -> None:
    button = Button("Go", GO)
    with pytest.raises(ValueError, match="at most 5 rows"):
        Screen("x", buttons=((button,),) * 6)
    with pytest.raises(ValueError, match="at most 5 rows of 5"):
        Screen("x", buttons=((button,) * 6,))
    with pytest.raises(ValueError, match="at least one option"):
        Choice(())
    with pytest.raises(ValueError, match=r"form title must be 1\.\.45"):
        Form("f", "t" * 46, (Field("a", "A"),))
    with pytest.raises(ValueError, match=r"field label must be 1\.\.45"):
        Field("a", "L" * 46)
    with pytest.raises(ValueError, match=r"max_length must be 1\.\.4000"):
        Field("a", "A", max_length=4001)
    with pytest.raises(ValueError, match="default of a is longer"):
        Field("a", "A", max_length=3, default="four")
    with pytest.raises(ValueError, match=r"option label must be 1\.\.100"):
        Option("o" * 101, GO)
    with pytest.raises(ValueError, match=r"option description must be 0\.\.100"):
        Option("o", GO, "d" * 101)
    with pytest.raises(ValueError, match=r"1\.\.5 fields"):
        Form("f", "t", tuple(Field(str(n), "A") for n in range(6)))
    with pytest.raises(ValueError, match="button label"):
        Button(" ", GO)
