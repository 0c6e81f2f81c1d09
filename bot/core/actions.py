"""Action ids carried by buttons: a kind plus a few short fields, HMAC-signed, at most 64 bytes.

64 bytes is Telegram's callback_data limit (Discord's custom_id allows 100). The signature proves the id
came from us; it does not prove the clicker may act: handlers still check that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

MAX_PACKED_BYTES = 64
_SEPARATOR = "|"
_SIGN = "~"
_SIGNATURE_BYTES = 8


class InvalidAction(Exception):
    """A packed action id that is malformed, too long, or not signed by us."""


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


class ActionCodec:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the action signing secret must be at least 16 bytes")
        self._secret = secret

    def _signature(self, payload: str) -> str:
        digest = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def pack(self, action: Action) -> str:
        payload = _SEPARATOR.join((action.kind, *action.args))
        packed = f"{payload}{_SIGN}{self._signature(payload)}"
        if len(packed.encode()) > MAX_PACKED_BYTES:
            raise ValueError(f"action packs to {len(packed.encode())} bytes, over {MAX_PACKED_BYTES}: {action}")
        return packed

    def unpack(self, packed: str) -> Action:
        if len(packed.encode()) > MAX_PACKED_BYTES:
            raise InvalidAction("too long")
        payload, sign, signature = packed.rpartition(_SIGN)
        if not sign or not hmac.compare_digest(signature, self._signature(payload)):
            raise InvalidAction("bad signature")
        kind, *args = payload.split(_SEPARATOR)
        return Action(kind, tuple(args))
