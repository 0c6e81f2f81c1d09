"""User-facing errors: a message id (translated at display) plus parameters, never a stack trace."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Bad input or a refused action. The message is a gettext msgid; ``params`` fill its placeholders."""

    def __init__(self, message_id: str, /, **params: Any) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.params = params
