"""An attribute made the first time it is read, for objects of one transaction that hold many parts a turn uses
few of (the services, the repositories)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class MadeOnFirstUse(Generic[T]):
    """Made from the object it belongs to the first time it is read, and kept in that object's ``__dict__`` (so
    read from there from then on: the object must have one, frozen dataclasses included)."""

    def __init__(self, make: Callable[[Any], T]) -> None:
        self._make = make

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, instance: Any, owner: type | None = None) -> T:
        made = instance.__dict__[self._name] = self._make(instance)
        return made
