"""The services of one transaction, handed to flows and commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.accounts import AccountService
from bot.core.files import FileService
from bot.storage.repositories import Repositories


@dataclass(frozen=True)
class Services:
    now: datetime
    accounts: AccountService
    files: FileService

    @classmethod
    def bind(cls, repos: Repositories, now: datetime) -> Services:
        return cls(now=now, accounts=AccountService(repos, now), files=FileService(repos, now))
