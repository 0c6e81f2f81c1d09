"""Action ids carried by buttons: a kind plus a few short fields, HMAC-signed, at most 64 bytes.

64 bytes is Telegram's callback_data limit (Discord's custom_id allows 100). The signature proves the id
came from us; it does not prove the clicker may act: handlers still check that.

A packed id is ``kind|arg|arg~KKsignature``: ``KK`` names the key that signed it, so the secret can be rotated.
Ids signed with the previous key are accepted until its ``accepted_until``, then refused like a forgery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

MAX_PACKED_BYTES = 64
_SEPARATOR = "|"
_SIGN = "~"
_SIGNATURE_BYTES = 8
_KEY_ID_CHARS = 2
MIN_SECRET_BYTES = 16


class InvalidAction(Exception):
    """A packed action id that is malformed, too long, or not signed by us."""


class ExpiredAction(InvalidAction):
    """A genuine action id signed with a key retired since (past its grace period)."""


@dataclass(frozen=True)
class Action:
    kind: str
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for part in (self.kind, *self.args):
            if _SEPARATOR in part or _SIGN in part:
                raise ValueError(f"action field may not contain {_SEPARATOR!r} or {_SIGN!r}: {part!r}")
        if not self.kind:
            raise ValueError("action kind is empty")


def key_id(secret: bytes) -> str:
    """A short public name of a signing key (it reveals nothing usable about the key)."""
    digest = hashlib.sha256(b"gigbot signing key id:" + secret).digest()
    return base64.urlsafe_b64encode(digest).decode()[:_KEY_ID_CHARS]


@dataclass(frozen=True)
class RetiredKey:
    """A previous signing key and the moment its ids stop being accepted."""

    secret: bytes
    accepted_until: datetime


class ActionCodec:
    def __init__(
        self,
        secret: bytes,
        *,
        retired: Sequence[RetiredKey] = (),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        for key in (secret, *(old.secret for old in retired)):
            if len(key) < MIN_SECRET_BYTES:
                raise ValueError(f"the action signing secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self.key_id = key_id(secret)
        self._retired = {key_id(old.secret): old for old in retired if key_id(old.secret) != self.key_id}
        self._now = now

    @staticmethod
    def _signature(secret: bytes, payload: str) -> str:
        digest = hmac.new(secret, payload.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def pack(self, action: Action) -> str:
        payload = _SEPARATOR.join((action.kind, *action.args))
        packed = f"{payload}{_SIGN}{self.key_id}{self._signature(self._secret, payload)}"
        if len(packed.encode()) > MAX_PACKED_BYTES:
            raise ValueError(f"action packs to {len(packed.encode())} bytes, over {MAX_PACKED_BYTES}: {action}")
        return packed

    def _secret_for(self, kid: str) -> bytes:
        if kid == self.key_id:
            return self._secret
        retired = self._retired.get(kid)
        if retired is None:
            raise InvalidAction("unknown signing key")
        if self._now() > retired.accepted_until:
            raise ExpiredAction("signed with a retired key")
        return retired.secret

    def unpack(self, packed: str) -> Action:
        if len(packed.encode()) > MAX_PACKED_BYTES:
            raise InvalidAction("too long")
        payload, sign, signed = packed.rpartition(_SIGN)
        kid, signature = signed[:_KEY_ID_CHARS], signed[_KEY_ID_CHARS:]
        if not sign or not hmac.compare_digest(signature, self._signature(self._secret_for(kid), payload)):
            raise InvalidAction("bad signature")
        kind, *args = payload.split(_SEPARATOR)
        return Action(kind, tuple(args))
