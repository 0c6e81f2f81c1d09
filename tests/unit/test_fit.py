"""Fitting screens to platforms: long texts split into balanced parts that each fit and together read as the
whole; long choices paged with More… and Back; nothing ever cut."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.actions import Action
from bot.core.fit import fit, page_choice, problems, split_text
from bot.core.markup import Tag, parse
from bot.core.ui import (
    CONSOLE,
    DISCORD,
    LIMITS,
    STRICTEST,
    TELEGRAM,
    Attachment,
    Button,
    Choice,
    Option,
    PlatformLimits,
    Screen,
    escape,
    limits_for,
    plain,
)

GO = Action("cmd", ("menu",))


def balanced(markup: str) -> bool:
    stack: list[str] = []
    for node in parse(markup):
        if isinstance(node, Tag):
            if not node.closing:
                stack.append(node.name)
            elif not stack or stack.pop() != node.name:
                return False
    return not stack


def test_the_platforms_limits_are_named() -> None:
    assert (TELEGRAM.text, TELEGRAM.caption, TELEGRAM.callback_data, TELEGRAM.buttons) == (4096, 1024, 64, 100)
    assert (DISCORD.text, DISCORD.embed_description, DISCORD.message_total, DISCORD.select_options) == (
        2000,
        4096,
        6000,
        25,
    )
    assert (DISCORD.modal_inputs, DISCORD.modal_label, DISCORD.text_input, DISCORD.button_label) == (5, 45, 4000, 80)
    assert DISCORD.custom_id == 100
    assert CONSOLE.text is None
    assert CONSOLE.select_options is None
    assert set(LIMITS) == {"telegram", "discord", "console"}
    assert limits_for("test") is STRICTEST
    assert limits_for("discord") is DISCORD
    assert STRICTEST.text == 2000
    assert STRICTEST.caption == 1024
    assert STRICTEST.callback_data == 64


def test_telegram_counts_visible_utf16_and_discord_the_escaped_markdown() -> None:
    markup = "<b>" + escape("a*b 🎉") + "</b>"
    assert TELEGRAM.measure(markup) == 6  # a * b space and the emoji's two UTF-16 units
    assert DISCORD.measure(markup) == len("**a\\*b 🎉**")


def test_a_long_text_splits_on_paragraphs_first() -> None:
    paragraphs = [f"<b>Part {n}</b>\n" + "word " * 150 for n in range(8)]
    text = "\n\n".join(paragraphs)
    parts = split_text(text, 2000, DISCORD.measure)
    assert len(parts) > 1
    assert all(part.endswith("\n\n") for part in parts[:-1])
    assert all(part.startswith("<b>Part") for part in parts)
    assert "".join(parts) == text


def test_an_open_tag_is_closed_and_reopened_across_a_split() -> None:
    text = "<i>" + "lorem ipsum " * 400 + "</i>"
    parts = split_text(text, 1024, TELEGRAM.measure)
    assert len(parts) == 5
    assert all(part.startswith("<i>") and part.endswith("</i>") for part in parts)
    assert plain("".join(parts)) == plain(text)


def test_entities_and_tags_are_never_cut() -> None:
    text = "&amp;" * 3000
    parts = split_text(text, 2000, DISCORD.measure)
    assert all(set(part.split("&amp;")) == {""} for part in parts)


def test_a_screen_too_long_keeps_its_buttons_on_the_last_part_and_edits_with_the_first() -> None:
    button = Button("OK", GO)
    screen = Screen("para\n\n" * 600, buttons=((button,),), edit=True, name="long")
    parts = fit(screen, DISCORD)
    assert len(parts) == 2
    assert parts[0].edit
    assert not parts[-1].edit
    assert parts[-1].buttons == ((button,),)
    assert not parts[0].buttons
    assert all(part.name == "long" and not problems(part, DISCORD) for part in parts)
    assert fit(screen, CONSOLE) == [screen]


def test_on_telegram_a_file_with_a_long_text_goes_after_the_text_without_a_caption() -> None:
    file = Attachment("work.pdf", b"%PDF")
    screen = Screen("x " * 700, buttons=((Button("OK", GO),),), attachments=(file,))
    parts = fit(screen, TELEGRAM)
    assert [part.attachments for part in parts] == [(), (file,)]
    assert parts[0].text == screen.text
    assert parts[1].text == ""
    assert parts[1].buttons == screen.buttons
    assert fit(screen, DISCORD) == [screen]
    short = screen.replace(text="Here it is.")
    assert fit(short, TELEGRAM) == [short]


def test_a_choice_that_was_not_paged_cannot_be_fitted() -> None:
    screen = Screen("x", choice=Choice(tuple(Option(str(n), GO) for n in range(26))))
    assert problems(screen, DISCORD) == ["26 choice options over 25"]
    with pytest.raises(ValueError, match="26 choice options over 25"):
        fit(screen, DISCORD)


def choice_of(count: int) -> Choice:
    return Choice(tuple(Option(f"option {n}", Action("c", ("1", str(n)))) for n in range(count)), "Pick")


def pages(choice: Choice) -> list[list[str]]:
    shown, page = [], 0
    while True:
        paged = page_choice(choice, page, page_action=lambda n: Action("cp", ("1", str(n))), more="More…", back="◀")
        shown.append([option.label for option in paged.options])
        if shown[-1][-1] != "More…":
            return shown
        page += 1


def test_a_choice_of_25_is_left_alone() -> None:
    assert pages(choice_of(25)) == [[f"option {n}" for n in range(25)]]


@pytest.mark.parametrize("count", [26, 47, 48, 49, 100, 240])
def test_a_long_choice_pages_by_24_then_23_with_more_and_back(count: int) -> None:
    shown = pages(choice_of(count))
    assert all(len(page) <= 25 for page in shown)
    assert shown[0][:2] == ["option 0", "option 1"]
    assert shown[0][-1] == "More…"
    assert len(shown[0]) == 25
    assert all(page[0] == "◀" for page in shown[1:])
    listed = [label for page in shown for label in page if label not in ("More…", "◀")]
    assert listed == [f"option {n}" for n in range(count)]


def test_a_page_past_the_end_shows_the_last_page() -> None:
    last = page_choice(choice_of(30), 9, page_action=lambda n: Action("cp", ("1", str(n))), more="More…", back="◀")
    assert [option.label for option in last.options] == ["◀", *(f"option {n}" for n in range(24, 30))]
    assert last.placeholder == "Pick"


WORDS = st.sampled_from(["word", "a", "éclair", "🎉", "👩\u200d💻", "x" * 30, "<script>", "*_~`", "&", "@everyone"])
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\n\n"])
TAGS = st.sampled_from(["", "b", "i", "code"])


@st.composite
def screen_texts(draw: st.DrawFn) -> str:
    """Markup as the flows write it: templates with tags around escaped user words, paragraphs and lines."""
    chunks = []
    for _ in range(draw(st.integers(1, 40))):
        words = draw(st.lists(WORDS, min_size=1, max_size=30))
        separators = draw(st.lists(SEPARATORS, min_size=len(words), max_size=len(words)))
        body = "".join(escape(word) + separator for word, separator in zip(words, separators, strict=True))
        tag = draw(TAGS)
        chunks.append(f"<{tag}>{body}</{tag}>" if tag else body)
    return "".join(chunks)


@settings(max_examples=40, deadline=None)
@given(screen_texts(), st.sampled_from([TELEGRAM, DISCORD, STRICTEST]), st.sampled_from([1.0, 0.1, 0.02]))
def test_split_parts_fit_stay_balanced_and_read_as_the_whole(text: str, limits: PlatformLimits, scale: float) -> None:
    limit = max(40, int((limits.text or 0) * scale))  # small limits too, to split often and inside long words
    parts = split_text(text, limit, limits.measure)
    assert all(limits.measure(part) <= limit for part in parts)
    assert all(balanced(part) for part in parts)
    assert "".join(plain(part) for part in parts) == plain(text)
    assert all(plain(part) for part in parts)
