"""Notifications as data: what to tell whom, kept in the outbox and rendered only when it is sent.

A notice kind is a function ``(translator, **params) -> Screen`` registered under a stable name. A turn or a
sweep asks for a notice with ``ctx.notify(account_id, KIND, **params)``; the outbox row keeps the name and the
JSON parameters, so the message is built in the recipient's language, for whichever platform routing picks, when
the dispatcher sends it, even after a restart. Parameters are plain JSON values (ids, names, amounts in minor
units, ISO dates): a row written today must render after tomorrow's deploy, so a renamed kind keeps its old name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core.i18n import Translator
from bot.core.ui import Screen

PERSON_TO_PERSON = 0  # outbox priority: what one person did for another goes before any fan-out


@dataclass(frozen=True)
class NoticeKind:
    name: str
    render: Callable[..., Screen]


@dataclass(frozen=True)
class PendingNotice:
    """A notice asked for during a turn, written to the outbox with the turn's other changes."""

    recipient_id: int
    kind: str
    params: dict[str, Any]
    files: tuple[int, ...] = ()
    key: str = ""  # what caused it (e.g. "auto-release:12"); the turn's update id when empty
    priority: int = PERSON_TO_PERSON

    @property
    def payload(self) -> dict[str, Any]:
        return {"params": self.params, "files": list(self.files)}


_KINDS: dict[str, NoticeKind] = {}


def notice_kind(name: str) -> Callable[[Callable[..., Screen]], NoticeKind]:
    """Register a renderer under ``name`` (unique for good: rows of it may wait in the outbox)."""

    def register(render: Callable[..., Screen]) -> NoticeKind:
        if name in _KINDS:
            raise ValueError(f"notice kind {name!r} is registered twice")
        kind = NoticeKind(name, render)
        _KINDS[name] = kind
        return kind

    return register


def pending(
    recipient_id: int, kind: NoticeKind, params: dict[str, Any], *, files: Sequence[int] = (), key: str = ""
) -> PendingNotice:
    """A notice with its parameters as they will come back from the database (a non-JSON value fails here, in
    the turn that asked for it, not later in the dispatcher)."""
    stored = json.loads(json.dumps(params))
    return PendingNotice(recipient_id, kind.name, stored, tuple(files), key)


def render_notice(kind: str, payload: dict[str, Any], translator: Translator) -> Screen:
    """The screen of a stored notice in the reader's language (KeyError for a kind this build does not know)."""
    return _KINDS[kind].render(translator, **payload.get("params", {}))


@dataclass
class NoticeList:
    """The notices a turn or a sweep item asked for, in order."""

    items: list[PendingNotice] = field(default_factory=list)

    def add(
        self, recipient_id: int, kind: NoticeKind, /, *, files: Sequence[int] = (), key: str = "", **params: Any
    ) -> None:
        self.items.append(pending(recipient_id, kind, params, files=files, key=key))
