"""Categories and skills: the shared vocabulary of profiles, job posts and search.

Skills are normalised to one display name each (aliases like "js" or "react.js" map to it); an unknown
skill gets the closest known ones as suggestions.
"""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path

from bot.core.errors import UserError
from bot.core.i18n import N_

SKILLS_FILE = Path(__file__).resolve().parent / "data" / "skills.txt"

CATEGORIES: dict[str, str] = {
    "dev": N_("Web, Mobile & Software Dev"),
    "it": N_("IT & Networking"),
    "data": N_("Data Science & Analytics"),
    "design": N_("Design & Creative"),
    "writing": N_("Writing"),
    "translation": N_("Translation"),
    "marketing": N_("Sales & Marketing"),
    "admin": N_("Admin Support"),
    "support": N_("Customer Service"),
    "finance": N_("Accounting & Consulting"),
    "legal": N_("Legal"),
    "engineering": N_("Engineering & Architecture"),
}


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


@cache
def _skills() -> tuple[tuple[str, ...], dict[str, str]]:
    """(display names, lookup from every name and alias to its display name)."""
    names, lookup = [], {}
    for line in SKILLS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, *aliases = (part.strip() for part in line.split("|"))
        names.append(name)
        for spelling in (name, *aliases):
            lookup[_key(spelling)] = name
    return tuple(names), lookup


def all_skills() -> tuple[str, ...]:
    return _skills()[0]


def suggest_skills(text: str, limit: int = 5) -> list[str]:
    """Known skills close to ``text``: those starting with it first, then look-alikes."""
    names, lookup = _skills()
    wanted = _key(text)
    if not wanted:
        return []
    starting = [name for name in names if _key(name).startswith(wanted)]
    close = difflib.get_close_matches(wanted, list(lookup), n=limit * 2, cutoff=0.6)
    found = starting + [lookup[spelling] for spelling in close]
    return list(dict.fromkeys(found))[:limit]


def known_skill(text: str) -> str | None:
    """The display name of a known skill (any spelling or alias), or None."""
    return _skills()[1].get(_key(text))


def normalise_skill(text: str) -> str:
    """The display name of a known skill, or a UserError that suggests the closest ones."""
    found = known_skill(text)
    if found:
        return found
    suggestions = suggest_skills(text)
    if suggestions:
        raise UserError(
            N_("I don't know the skill “{skill}”. Did you mean: {suggestions}?"),
            skill=text.strip()[:40],
            suggestions=", ".join(suggestions),
        )
    raise UserError(N_("I don't know the skill “{skill}”. Try a more common name for it."), skill=text.strip()[:40])
