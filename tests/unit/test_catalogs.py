"""Every user-facing string in the code is in both catalogs, and the French one is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES_DIR, Translator

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
KEYWORDS = {"t": None, "tn": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _code_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(BOT_DIR, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_message_of_the_code_is_in_the_catalog(language: str) -> None:
    catalog = _catalog(language)
    missing = sorted(_code_messages() - {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id})
    assert missing == [], f"run `make messages` and translate: {missing}"


def test_french_is_complete_and_keeps_every_placeholder() -> None:
    problems = []
    for message in _catalog("fr"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy (ignored at run time until reviewed): {ids[0]!r}")
        elif any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(ids[0])) for s in strings):
            problems.append(f"placeholders differ: {ids[0]!r}")
    assert problems == []


def test_french_translation_is_used_and_values_are_escaped() -> None:
    assert Translator("fr-CA").t("Name: {value}", value="<Zoé>") == "Nom\u00a0: &lt;Zoé&gt;"
    assert Translator("de").t("Name: {value}", value="Zoé") == "Name: Zoé"  # unsupported -> English
