"""Making a screen fit a platform without cutting anything: long texts are split into several messages, long
choices are paged.

A front end sends ``fit(screen, limits)`` in order: the text split on paragraph boundaries (then lines, then
words, and only a word longer than a whole message is split inside), every part balanced markup (a ``<b>`` open
at a split is closed at the end of one part and opened again at the start of the next; a tag or an entity is
never cut), and the buttons, choice, form and files on the last part. A flow's choice longer than a select
menu is paged by the engine with ``page_choice``: 24 options and "More…", then "◀ Back" on later pages.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from bot.core.actions import Action
from bot.core.markup import Char, Node, Tag, parse, source
from bot.core.ui import MAX_CHOICE_OPTIONS, Choice, Option, PlatformLimits, Screen

Measure = Callable[[str], int]

_PARAGRAPH, _LINE, _WORD = 3, 2, 1


def _open_after(opened: Sequence[Tag], nodes: Sequence[Node]) -> list[Tag]:
    """The tags still open after ``nodes``, given those open before them."""
    stack = list(opened)
    for node in nodes:
        if isinstance(node, Tag):
            if not node.closing:
                stack.append(node)
            else:
                for index in range(len(stack) - 1, -1, -1):
                    if stack[index].name == node.name:
                        del stack[index]
                        break
    return stack


def _part(opened: Sequence[Tag], nodes: Sequence[Node]) -> str:
    """``nodes`` as balanced markup: the tags open before them reopened, those left open closed."""
    closers = "".join(f"</{tag.name}>" for tag in reversed(_open_after(opened, nodes)))
    return source(opened) + source(nodes) + closers


def _break_strength(nodes: Sequence[Node], cut: int) -> int:
    """How good a place to split the gap before ``nodes[cut]`` is: right after a blank line, a newline, a space."""
    if not isinstance(nodes[cut - 1], Char):
        return 0
    previous = [node.text for node in nodes[max(0, cut - 8) : cut] if isinstance(node, Char)]
    if previous[-2:] == ["\n", "\n"]:
        return _PARAGRAPH
    if previous[-1:] == ["\n"]:
        return _LINE
    if previous and previous[-1].isspace():
        return _WORD
    return 0


def _inside_a_character(nodes: Sequence[Node], cut: int) -> bool:
    """Whether a hard split before ``nodes[cut]`` would separate an accent or an emoji sequence."""
    after = next((node.text for node in nodes[cut:] if isinstance(node, Char)), "")
    before = next((node.text for node in reversed(nodes[:cut]) if isinstance(node, Char)), "")
    return bool(after) and (
        unicodedata.combining(after) > 0
        or after in "\u200d\ufe0f"
        or before == "\u200d"
        or 0x1F3FB <= ord(after) <= 0x1F3FF
    )


def _cut(nodes: Sequence[Node], start: int, end: int) -> int:
    """Where to end the part that may hold ``nodes[start:end]`` at most: the best break in it, and the latest."""
    best = max(range(start + 1, end + 1), key=lambda cut: (_break_strength(nodes, cut), cut))
    if _break_strength(nodes, best) == 0:
        best = next((cut for cut in range(end, start, -1) if not _inside_a_character(nodes, cut)), end)
    while best - 1 > start and isinstance(nodes[best - 1], Tag) and not nodes[best - 1].closing:
        best -= 1  # an opening tag goes with the text it opens
    while best < len(nodes) and isinstance(nodes[best], Tag) and nodes[best].closing:
        best += 1  # and a closing tag with the text it closes
    return best


def split_text(text: str, limit: int, measure: Measure) -> list[str]:
    """``text`` as parts of balanced markup that each measure at most ``limit``; together they read as
    ``text`` (the whitespace where it was split ends the part before)."""
    if measure(text) <= limit:
        return [text]
    nodes = parse(text)
    parts: list[str] = []
    opened: list[Tag] = []
    start = 0
    while start < len(nodes):
        if measure(_part(opened, nodes[start:])) <= limit:
            parts.append(_part(opened, nodes[start:]))
            break
        low, high = start, len(nodes)  # the longest prefix that fits: low fits, high does not
        while high - low > 1:
            middle = (low + high) // 2
            if measure(_part(opened, nodes[start:middle])) <= limit:
                low = middle
            else:
                high = middle
        if low == start:
            raise ValueError(f"a limit of {limit} cannot hold any of the text at {source(nodes[start : start + 20])!r}")
        cut = _cut(nodes, start, low)
        parts.append(_part(opened, nodes[start:cut]))
        opened = _open_after(opened, nodes[start:cut])
        start = cut
    return parts


def problems(screen: Screen, limits: PlatformLimits) -> list[str]:
    """What in one message the platform would refuse (empty when it fits)."""
    found = []
    text_limit = limits.caption if screen.attachments and limits.caption is not None else limits.text
    if text_limit is not None and limits.measure(screen.text) > text_limit:
        found.append(f"text of {limits.measure(screen.text)} over {text_limit}")
    options = screen.choice.options if screen.choice else ()
    if limits.select_options is not None and len(options) > limits.select_options:
        found.append(f"{len(options)} choice options over {limits.select_options}")
    if limits.buttons is not None and len(options) + len(screen.all_buttons()) > limits.buttons:
        found.append(f"{len(options) + len(screen.all_buttons())} buttons over {limits.buttons}")
    if limits.button_label is not None:
        found += [f"button label {b.label!r}" for b in screen.all_buttons() if len(b.label) > limits.button_label]
    form = screen.form
    if form is not None:
        if limits.modal_inputs is not None and len(form.fields) > limits.modal_inputs:
            found.append(f"{len(form.fields)} form fields over {limits.modal_inputs}")
        if limits.modal_label is not None:
            labels = [form.title, *(field.label for field in form.fields)]
            found += [f"form label {label!r}" for label in labels if len(label) > limits.modal_label]
        if limits.text_input is not None:
            found += [f"field {f.name} max_length" for f in form.fields if f.max_length > limits.text_input]
    return found


def fit(screen: Screen, limits: PlatformLimits) -> list[Screen]:
    """The messages to send for ``screen`` on a platform with ``limits``, in order.

    Only the first part keeps ``edit`` (it replaces the message clicked on; the rest follow it). Where a file's
    caption is shorter than a message (Telegram: 1,024), a text too long for a caption goes as messages of its
    own and the file follows without one, carrying the buttons."""
    whole = problems(screen.replace(text=""), limits)
    if whole:
        raise ValueError(f"screen {screen.name or screen.plain[:40]!r} cannot be shown on {limits.name}: {whole}")
    if limits.text is None:
        return [screen]
    if screen.attachments and limits.caption is not None:
        if limits.surely_fits(screen.text, limits.caption) or limits.measure(screen.text) <= limits.caption:
            return [screen]
        texts = [*split_text(screen.text, limits.text, limits.measure), ""]
    else:
        if limits.surely_fits(screen.text, limits.text):
            return [screen]
        texts = split_text(screen.text, limits.text, limits.measure)
        if len(texts) == 1:  # one message: the screen as it is (most replies)
            return [screen]
    carrier = screen.replace(edit=False)
    parts = [Screen(text, ephemeral=screen.ephemeral, name=screen.name) for text in texts[:-1]]
    parts.append(carrier.replace(text=texts[-1]))
    return [parts[0].replace(edit=screen.edit), *parts[1:]]


def page_choice(
    choice: Choice,
    page: int,
    *,
    page_action: Callable[[int], Action],
    more: str,
    back: str,
    size: int = MAX_CHOICE_OPTIONS,
) -> Choice:
    """Page ``page`` (from 0) of a choice longer than ``size``: its options with "More…" when more follow and
    "◀ Back" from the second page on, ``size`` entries in all. ``page_action(n)`` is what shows page n."""
    options = choice.options
    if len(options) <= size:
        return choice
    starts = [0, size - 1]  # the first page: size - 1 options and More
    while len(options) - starts[-1] > size - 1:  # a page before the last: Back, size - 2 options, More
        starts.append(starts[-1] + size - 2)
    page = min(max(page, 0), len(starts) - 1)
    end = starts[page + 1] if page + 1 < len(starts) else len(options)
    shown = list(options[starts[page] : end])
    if page > 0:
        shown.insert(0, Option(back, page_action(page - 1)))
    if page + 1 < len(starts):
        shown.append(Option(more, page_action(page + 1)))
    return Choice(tuple(shown), choice.placeholder)
