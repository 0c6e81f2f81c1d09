"""Repositories over one session: the only place that writes SQL. Services get them per transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.alerts import AlertRepository
from bot.storage.contracts import ContractRepository
from bot.storage.disputes import DisputeRepository
from bot.storage.feedback import FeedbackRepository
from bot.storage.feeds import FeedSourceRepository
from bot.storage.files import FileRepository
from bot.storage.jobs import CloudRepository, JobRepository
from bot.storage.ledger import LedgerRepository
from bot.storage.messages import MessageRepository
from bot.storage.orm import AccountRow, ConversationRow, IdentityRow, ProcessedUpdateRow
from bot.storage.outbox import OutboxRepository, SentMessageRepository, SigningKeyRepository
from bot.storage.profiles import ProfileRepository
from bot.storage.proposals import CreditRepository, ProposalRepository
from bot.storage.saved import SavedJobRepository
from bot.storage.search import JobSearchRepository
from bot.storage.upsert import insert_ignoring_duplicates

ConversationKey = tuple[str, str, str]  # (platform, chat_id, user_id)


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, account_id: int) -> AccountRow | None:
        return await self.session.get(AccountRow, account_id)

    async def by_identity(self, platform: str, platform_user_id: str) -> AccountRow | None:
        query = (
            select(AccountRow)
            .join(IdentityRow, IdentityRow.account_id == AccountRow.id)
            .where(IdentityRow.platform == platform, IdentityRow.platform_user_id == platform_user_id)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def identities(self, account_id: int) -> list[IdentityRow]:
        query = select(IdentityRow).where(IdentityRow.account_id == account_id).order_by(IdentityRow.id)
        return list((await self.session.execute(query)).scalars())

    async def seen(self, platform: str, platform_user_id: str, now: datetime) -> bool:
        """Record a turn from this identity (routing sends notifications where the person was last seen); True
        when it had been unreachable, i.e. the person came back after blocking the bot."""
        where = (IdentityRow.platform == platform, IdentityRow.platform_user_id == platform_user_id)
        was_unreachable = await self.session.execute(
            select(IdentityRow.id).where(*where, IdentityRow.unreachable_at.is_not(None))
        )
        returned = was_unreachable.scalar_one_or_none() is not None
        await self.session.execute(update(IdentityRow).where(*where).values(last_seen_at=now, unreachable_at=None))
        return returned

    async def mark_unreachable(self, platform: str, platform_user_id: str, now: datetime) -> None:
        await self.session.execute(
            update(IdentityRow)
            .where(IdentityRow.platform == platform, IdentityRow.platform_user_id == platform_user_id)
            .values(unreachable_at=now)
        )

    async def by_username(self, username: str) -> AccountRow | None:
        query = select(AccountRow).where(AccountRow.username == username)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def usernames_starting_with(self, prefix: str) -> set[str]:
        query = select(AccountRow.username).where(AccountRow.username.startswith(prefix, autoescape=True))
        return set((await self.session.execute(query)).scalars())

    async def create(self, account: AccountRow, platform: str, platform_user_id: str) -> bool:
        """Add the account with its first identity. False if the username or identity was taken meanwhile."""
        inserted = await self.session.execute(
            insert_ignoring_duplicates(
                self.session,
                AccountRow,
                {c.key: getattr(account, c.key) for c in AccountRow.__table__.columns if c.key != "id"},
            ).returning(AccountRow.id)
        )
        account_id = inserted.scalar_one_or_none()
        if account_id is None:
            return False
        bound = await self.session.execute(
            insert_ignoring_duplicates(
                self.session,
                IdentityRow,
                {
                    "platform": platform,
                    "platform_user_id": platform_user_id,
                    "account_id": account_id,
                    "created_at": account.created_at,
                },
            )
        )
        if bound.rowcount != 1:
            await self.session.execute(delete(AccountRow).where(AccountRow.id == account_id))
            return False
        account.id = account_id
        return True

    async def count(self) -> int:
        return (await self.session.execute(select(func.count()).select_from(AccountRow))).scalar_one()


class ConversationRepository:
    """Conversation state with optimistic concurrency: every write names the version it read."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: ConversationKey) -> ConversationRow | None:
        platform, chat_id, user_id = key
        query = select(ConversationRow).where(
            ConversationRow.platform == platform,
            ConversationRow.chat_id == chat_id,
            ConversationRow.user_id == user_id,
        )
        row = (await self.session.execute(query)).scalar_one_or_none()
        if row is not None:
            self.session.expunge(row)  # rows are read-only snapshots; writes go through save()/remove()
        return row

    def _where(self, key: ConversationKey, version: int) -> list[Any]:
        platform, chat_id, user_id = key
        return [
            ConversationRow.platform == platform,
            ConversationRow.chat_id == chat_id,
            ConversationRow.user_id == user_id,
            ConversationRow.version == version,
        ]

    async def save(self, key: ConversationKey, expected_version: int | None, values: dict[str, Any]) -> bool:
        """Insert (expected_version None) or update the row at ``expected_version``. False on a lost race."""
        if expected_version is None:
            platform, chat_id, user_id = key
            row = {"platform": platform, "chat_id": chat_id, "user_id": user_id, "version": 1, **values}
            result = await self.session.execute(insert_ignoring_duplicates(self.session, ConversationRow, row))
        else:
            result = await self.session.execute(
                update(ConversationRow)
                .where(*self._where(key, expected_version))
                .values(version=expected_version + 1, **values)
            )
        return result.rowcount == 1

    async def remove(self, key: ConversationKey, expected_version: int) -> bool:
        result = await self.session.execute(delete(ConversationRow).where(*self._where(key, expected_version)))
        return result.rowcount == 1

    async def idle_since(self, now: datetime, limit: int) -> Sequence[ConversationRow]:
        query = (
            select(ConversationRow)
            .where(ConversationRow.expires_at <= now)
            .order_by(ConversationRow.expires_at)
            .limit(limit)
        )
        rows = (await self.session.execute(query)).scalars().all()
        for row in rows:
            self.session.expunge(row)
        return rows


class UpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_time(self, platform: str, update_id: str, now: datetime) -> bool:
        """Record an inbound update id; False if it was recorded before (a redelivery)."""
        result = await self.session.execute(
            insert_ignoring_duplicates(
                self.session,
                ProcessedUpdateRow,
                {"platform": platform, "update_id": update_id, "processed_at": now},
            )
        )
        return result.rowcount == 1

    async def forget_before(self, moment: datetime) -> int:
        result = await self.session.execute(delete(ProcessedUpdateRow).where(ProcessedUpdateRow.processed_at < moment))
        return result.rowcount


@dataclass
class Repositories:
    """Every repository bound to one session, i.e. one transaction."""

    session: AsyncSession
    accounts: AccountRepository
    conversations: ConversationRepository
    updates: UpdateLog
    jobs: JobRepository
    clouds: CloudRepository
    profiles: ProfileRepository
    search: JobSearchRepository
    saved: SavedJobRepository
    ledger: LedgerRepository
    contracts: ContractRepository
    proposals: ProposalRepository
    credits: CreditRepository
    messages: MessageRepository
    feedback: FeedbackRepository
    disputes: DisputeRepository
    outbox: OutboxRepository
    sent_messages: SentMessageRepository
    signing_keys: SigningKeyRepository
    files: FileRepository
    alerts: AlertRepository
    feed_sources: FeedSourceRepository

    @classmethod
    def bind(cls, session: AsyncSession) -> Repositories:
        return cls(
            session,
            AccountRepository(session),
            ConversationRepository(session),
            UpdateLog(session),
            jobs=JobRepository(session),
            clouds=CloudRepository(session),
            profiles=ProfileRepository(session),
            search=JobSearchRepository(session),
            saved=SavedJobRepository(session),
            ledger=LedgerRepository(session),
            contracts=ContractRepository(session),
            proposals=ProposalRepository(session),
            credits=CreditRepository(session),
            messages=MessageRepository(session),
            feedback=FeedbackRepository(session),
            disputes=DisputeRepository(session),
            outbox=OutboxRepository(session),
            sent_messages=SentMessageRepository(session),
            signing_keys=SigningKeyRepository(session),
            files=FileRepository(session),
            alerts=AlertRepository(session),
            feed_sources=FeedSourceRepository(session),
        )
