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
from bot.storage.repositories import Repositories


@dataclass(frozen=True)
class Services:
    now: datetime
    rules: MarketRules
    accounts: AccountService
    files: FileService
    jobs: JobService
    clouds: CloudService
    profiles: ProfileService
    linking: LinkService
    privacy: PrivacyService
    search: SearchService
    saved: SavedJobsService
    alerts: SavedSearchService
    feed: FeedService
    ledger: LedgerService
    contracts: ContractService
    checkout: CheckoutService
    hourly: HourlyService
    proposals: ProposalService
    credits: CreditService
    messaging: MessagingService
    feedback: FeedbackService
    disputes: DisputeService

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
        ledger = LedgerService(repos, now, rules, payments or SandboxProvider())
        contracts = ContractService(repos, now, rules, ledger)
        return cls(
            now=now,
            rules=rules,
            accounts=AccountService(repos, now),
            files=FileService(repos, now, file_sources),
            jobs=JobService(repos, now),
            clouds=CloudService(repos, now),
            profiles=ProfileService(repos, now),
            linking=LinkService(repos, now),
            privacy=PrivacyService(repos, now, rules.feedback_window),
            search=SearchService(repos, now),
            saved=SavedJobsService(repos, now),
            alerts=SavedSearchService(repos, now),
            feed=FeedService(repos, now),
            ledger=ledger,
            contracts=contracts,
            checkout=CheckoutService(contracts, ledger),
            hourly=HourlyService(repos, now, contracts),
            proposals=ProposalService(repos, now, rules),
            credits=CreditService(repos, now, rules.credits),
            messaging=MessagingService(repos, now, rules),
            feedback=FeedbackService(repos, now, rules),
            disputes=DisputeService(repos, now, contracts),
        )
