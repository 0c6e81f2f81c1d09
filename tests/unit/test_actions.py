"""Signed action ids: they fit Telegram's 64 bytes and refuse any tampering."""

from __future__ import annotations

import pytest

from bot.core.actions import MAX_PACKED_BYTES, Action, ActionCodec, InvalidAction

codec = ActionCodec(b"k" * 32)


def test_round_trip() -> None:
    action = Action("c", ("12", "America/Argentina/Buenos_Aires"))
    packed = codec.pack(action)
    assert len(packed.encode()) <= MAX_PACKED_BYTES
    assert codec.unpack(packed) == action


def test_packing_past_64_bytes_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="over 64"):
        codec.pack(Action("c", ("1", "é" * 30)))


@pytest.mark.parametrize(
    "packed",
    ["", "c|1|en", "c|1|en~", "c|1|fr~" + codec.pack(Action("c", ("1", "en"))).split("~")[1], "x" * 65],
)
def test_tampered_or_unsigned_ids_are_refused(packed: str) -> None:
    with pytest.raises(InvalidAction):
        codec.unpack(packed)


def test_a_key_from_another_deployment_does_not_verify() -> None:
    with pytest.raises(InvalidAction):
        ActionCodec(b"other-key-other-key").unpack(codec.pack(Action("cmd", ("menu",))))


def test_fields_cannot_smuggle_separators() -> None:
    with pytest.raises(ValueError, match="may not contain"):
        Action("c", ("1|cmd",))


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        ActionCodec(b"short")
