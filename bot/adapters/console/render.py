"""Screens as terminal text: markup to ANSI (or plain when piped), buttons and choices as numbered items.

A screen that asks for a typed answer numbers them ``#1``, ``#2``...: there a bare number is the answer (an amount,
a count), and ``#2`` presses button 2. ``#2`` presses it on any screen."""

from __future__ import annotations

from bot.core.actions import Action
from bot.core.markup import neutralise, to_terminal
from bot.core.ui import Screen


def numbered_actions(screen: Screen) -> list[tuple[str, Action]]:
    """Every pressable thing on a screen, in the order it is numbered: choice options first, then buttons."""
    items = [(option.label, option.action) for option in screen.choice.options] if screen.choice else []
    return items + [(button.label, button.action) for button in screen.all_buttons()]


def render(screen: Screen, *, color: bool) -> str:
    lines = [to_terminal(screen.text, color=color)]
    mark = "#" if screen.expects_text else ""
    number = 1
    if screen.choice:
        lines.append("")
        for option in screen.choice.options:
            label = option.label.removeprefix(f"{number}. ")  # a list's own number, when it is ours: not twice
            lines.append(f"  {mark}{number:>2}. {label}")
            number += 1
    if screen.buttons:
        lines.append("")
        for row in screen.buttons:
            cells = []
            for button in row:
                # A web page can't open in a terminal: its address is shown to copy (pressing says where it leads).
                where = f" ({neutralise(button.url)})" if button.url else ""
                cells.append(f"[{mark}{number}] {button.label}{where}")
                number += 1
            lines.append("  " + "   ".join(cells))
    for attachment in screen.attachments:
        caption = f" — {attachment.caption}" if attachment.caption else ""
        lines.append(f"  📎 {attachment.filename} ({len(attachment.content):,} bytes){caption}")
    return "\n".join(lines)
