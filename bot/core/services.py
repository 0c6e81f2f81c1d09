"""The services of one transaction, handed to flows and commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.accounts import AccountService
from bot.core.clouds import CloudService
from bot.core.feed import FeedService
from bot.core.files import FileService
from bot.core.jobs import JobService
from bot.core.linking import LinkService
from bot.core.privacy import PrivacyService
from bot.core.profiles import ProfileService
from bot.core.saved import SavedJobsService
from bot.core.search import SearchService
from bot.storage.repositories import Repositories


@dataclass(frozen=True)
class Services:
    now: datetime
    accounts: AccountService
    files: FileService
    jobs: JobService
    clouds: CloudService
    profiles: ProfileService
    linking: LinkService
    privacy: PrivacyService
    search: SearchService
    saved: SavedJobsService
    feed: FeedService

    @classmethod
    def bind(cls, repos: Repositories, now: datetime) -> Services:
        return cls(
            now=now,
            accounts=AccountService(repos, now),
            files=FileService(repos, now),
            jobs=JobService(repos, now),
            clouds=CloudService(repos, now),
            profiles=ProfileService(repos, now),
            linking=LinkService(repos, now),
            privacy=PrivacyService(repos, now),
            search=SearchService(repos, now),
            saved=SavedJobsService(repos, now),
            feed=FeedService(repos, now),
        )
