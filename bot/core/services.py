"""The services of one transaction, handed to flows and commands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.core.accounts import AccountService
from bot.core.alerts.searches import SavedSearchService
from bot.core.checkout import CheckoutService
from bot.core.clouds import CloudService
from bot.core.contracts import ContractService
from bot.core.credits import CreditService
from bot.core.disputes import DisputeService
from bot.core.feed import FeedService
from bot.core.feedback import FeedbackService
from bot.core.files import FileService, FileSource
from bot.core.hourly import HourlyService
from bot.core.jobs import JobService
from bot.core.ledger import LedgerService
from bot.core.linking import LinkService
from bot.core.market import DEFAULT_RULES, MarketRules
from bot.core.messaging import MessagingService
from bot.core.payments import PaymentProvider, SandboxProvider
from bot.core.privacy import PrivacyService
from bot.core.profiles import ProfileService
from bot.core.proposals import ProposalService
from bot.core.saved import SavedJobsService
from bot.core.search import SearchService
from bot.lazy import MadeOnFirstUse
from bot.storage.repositories import Repositories


@dataclass(frozen=True)
class Services:
    """The services of one transaction, each made the first time it is asked for: a turn uses a few of them, and
    making all twenty for every turn was about 1% of a turn's CPU on the Telegram throughput bench."""

    repos: Repositories
    now: datetime
    rules: MarketRules
    payments: PaymentProvider
    file_sources: Mapping[str, FileSource] | None  # the platforms this process serves that keep files

    @classmethod
    def bind(
        cls,
        repos: Repositories,
        now: datetime,
        rules: MarketRules = DEFAULT_RULES,
        payments: PaymentProvider | None = None,
        file_sources: Mapping[str, FileSource] | None = None,
    ) -> Services:
        """``file_sources``: the platforms this process serves that keep files, to fetch their bytes from."""
        return cls(repos, now, rules, payments or SandboxProvider(), file_sources)

    accounts = MadeOnFirstUse(lambda s: AccountService(s.repos, s.now))
    files = MadeOnFirstUse(lambda s: FileService(s.repos, s.now, s.file_sources))
    jobs = MadeOnFirstUse(lambda s: JobService(s.repos, s.now))
    clouds = MadeOnFirstUse(lambda s: CloudService(s.repos, s.now))
    profiles = MadeOnFirstUse(lambda s: ProfileService(s.repos, s.now))
    linking = MadeOnFirstUse(lambda s: LinkService(s.repos, s.now))
    privacy = MadeOnFirstUse(lambda s: PrivacyService(s.repos, s.now, s.rules.feedback_window))
    search = MadeOnFirstUse(lambda s: SearchService(s.repos, s.now))
    saved = MadeOnFirstUse(lambda s: SavedJobsService(s.repos, s.now))
    alerts = MadeOnFirstUse(lambda s: SavedSearchService(s.repos, s.now))
    feed = MadeOnFirstUse(lambda s: FeedService(s.repos, s.now))
    ledger = MadeOnFirstUse(lambda s: LedgerService(s.repos, s.now, s.rules, s.payments))
    contracts = MadeOnFirstUse(lambda s: ContractService(s.repos, s.now, s.rules, s.ledger))
    checkout = MadeOnFirstUse(lambda s: CheckoutService(s.contracts, s.ledger))
    hourly = MadeOnFirstUse(lambda s: HourlyService(s.repos, s.now, s.contracts))
    proposals = MadeOnFirstUse(lambda s: ProposalService(s.repos, s.now, s.rules))
    credits = MadeOnFirstUse(lambda s: CreditService(s.repos, s.now, s.rules.credits))
    messaging = MadeOnFirstUse(lambda s: MessagingService(s.repos, s.now, s.rules))
    feedback = MadeOnFirstUse(lambda s: FeedbackService(s.repos, s.now, s.rules))
    disputes = MadeOnFirstUse(lambda s: DisputeService(s.repos, s.now, s.contracts))
