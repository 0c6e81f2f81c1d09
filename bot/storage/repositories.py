"""Repositories over one session: the only place that writes SQL. Services get them per transaction."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Delete, Insert, Select, Update, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.lazy import MadeOnFirstUse
from bot.storage.alerts import AlertRepository
from bot.storage.contracts import ContractRepository
from bot.storage.disputes import DisputeRepository
from bot.storage.feedback import FeedbackRepository
from bot.storage.feeds import FeedSourceRepository
from bot.storage.files import FileRepository
from bot.storage.hot import prepared, run
from bot.storage.jobs import CloudRepository, JobRepository
from bot.storage.ledger import LedgerRepository
from bot.storage.messages import MessageRepository
from bot.storage.orm import AccountRow, ConversationRow, IdentityRow, ProcessedUpdateRow
from bot.storage.outbox import OutboxRepository, SentMessageRepository, SigningKeyRepository
from bot.storage.profiles import ProfileRepository
from bot.storage.proposals import CreditRepository, ProposalRepository
from bot.storage.saved import SavedJobRepository
from bot.storage.search import JobSearchRepository
from bot.storage.upsert import insert_ignoring_duplicates, insert_ignoring_duplicates_of

ConversationKey = tuple[str, str, str]  # (platform, chat_id, user_id)


def _snapshot(name: str, table: Any) -> Any:
    """A named tuple with a field per column of ``table``, in its order: a row read without the ORM on every turn,
    a snapshot (changes go through the ORM, or the repository's writes)."""
    return namedtuple(name, [column.key for column in table.__table__.columns])


StoredAccount = _snapshot("StoredAccount", AccountRow)
StoredConversation = _snapshot("StoredConversation", ConversationRow)


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, account_id: int) -> AccountRow | None:
        return await self.session.get(AccountRow, account_id)

    async def many(self, account_ids: Sequence[int]) -> dict[int, AccountRow]:
        """Those of these accounts that exist, in one query."""
        rows = await self.session.execute(select(AccountRow).where(AccountRow.id.in_(account_ids)))
        return {row.id: row for row in rows.scalars()}

    async def by_identity(self, platform: str, platform_user_id: str) -> StoredAccount | None:
        params = {"identity_platform": platform, "identity_user_id": platform_user_id}
        row = (await run(self.session, prepared(self.session, _account_by_identity), params)).first()
        return None if row is None else StoredAccount(*row)

    async def identities(self, account_id: int) -> list[IdentityRow]:
        query = select(IdentityRow).where(IdentityRow.account_id == account_id).order_by(IdentityRow.id)
        return list((await self.session.execute(query)).scalars())

    async def seen(self, platform: str, platform_user_id: str, now: datetime) -> bool:
        """Record a turn from this identity (routing sends notifications where the person was last seen); True
        when it had been unreachable, i.e. the person came back after blocking the bot."""
        identity = {"identity_platform": platform, "identity_user_id": platform_user_id}
        was_unreachable = await run(self.session, prepared(self.session, _unreachable_identity), identity)
        returned = was_unreachable.first() is not None
        await run(self.session, prepared(self.session, _identity_seen), {**identity, "now": now})
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

    async def get(self, key: ConversationKey) -> StoredConversation | None:
        platform, chat_id, user_id = key
        params = {"key_platform": platform, "key_chat_id": chat_id, "key_user_id": user_id}
        row = (await run(self.session, prepared(self.session, _conversation), params)).first()
        return None if row is None else StoredConversation(*row)

    async def save(self, key: ConversationKey, expected_version: int | None, values: dict[str, Any]) -> bool:
        """Insert (expected_version None) or update the row at ``expected_version``. False on a lost race."""
        platform, chat_id, user_id = key
        columns = tuple(sorted(values))
        if expected_version is None:
            insert = prepared(self.session, _conversation_insert, columns)
            row = {"platform": platform, "chat_id": chat_id, "user_id": user_id, "version": 1, **values}
            result = await run(self.session, insert, row)
        else:
            change = prepared(self.session, _conversation_update, columns)
            params = {**_at(key, expected_version), "version": expected_version + 1, **values}
            result = await run(self.session, change, params)
        return result.rowcount == 1

    async def remove(self, key: ConversationKey, expected_version: int) -> bool:
        result = await run(self.session, prepared(self.session, _conversation_delete), _at(key, expected_version))
        return result.rowcount == 1

    async def idle_since(self, now: datetime, limit: int) -> list[StoredConversation]:
        query = (
            select(*ConversationRow.__table__.columns)
            .where(ConversationRow.expires_at <= now)
            .order_by(ConversationRow.expires_at)
            .limit(limit)
        )
        return [StoredConversation(*row) for row in await self.session.execute(query)]


class UpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_time(self, platform: str, update_id: str, now: datetime) -> bool:
        """Record an inbound update id; False if it was recorded before (a redelivery)."""
        params = {"platform": platform, "update_id": update_id, "processed_at": now}
        result = await run(self.session, prepared(self.session, _update_insert), params)
        return result.rowcount == 1

    async def forget_before(self, moment: datetime) -> int:
        result = await self.session.execute(delete(ProcessedUpdateRow).where(ProcessedUpdateRow.processed_at < moment))
        return result.rowcount


# ---- the statements of every turn, built once per backend (bot.storage.hot) ------------------------------

_identities = IdentityRow.__table__.c
_conversations = ConversationRow.__table__.c
_conversation_key = (
    _conversations.platform == bindparam("key_platform"),
    _conversations.chat_id == bindparam("key_chat_id"),
    _conversations.user_id == bindparam("key_user_id"),
)
_at_version = (*_conversation_key, _conversations.version == bindparam("expected_version"))


def _at(key: ConversationKey, version: int) -> dict[str, Any]:
    """The bind parameters of ``_at_version`` (named apart from the columns a SET clause binds)."""
    platform, chat_id, user_id = key
    return {"key_platform": platform, "key_chat_id": chat_id, "key_user_id": user_id, "expected_version": version}


def _account_by_identity(_dialect: str) -> Select[Any]:
    return (
        select(*AccountRow.__table__.columns)
        .join(IdentityRow, IdentityRow.account_id == AccountRow.id)
        .where(
            IdentityRow.platform == bindparam("identity_platform"),
            IdentityRow.platform_user_id == bindparam("identity_user_id"),
        )
    )


def _identity_where() -> tuple[Any, ...]:
    return (
        _identities.platform == bindparam("identity_platform"),
        _identities.platform_user_id == bindparam("identity_user_id"),
    )


def _unreachable_identity(_dialect: str) -> Select[tuple[int]]:
    return select(_identities.id).where(*_identity_where(), _identities.unreachable_at.is_not(None))


def _identity_seen(_dialect: str) -> Update:
    return (
        update(IdentityRow.__table__)
        .where(*_identity_where())
        .values(last_seen_at=bindparam("now"), unreachable_at=None)
    )


def _conversation(_dialect: str) -> Select[Any]:
    return select(*ConversationRow.__table__.columns).where(*_conversation_key)


def _conversation_insert(dialect: str, columns: tuple[str, ...]) -> Insert:
    key = ("platform", "chat_id", "user_id", "version")
    return insert_ignoring_duplicates_of(dialect, ConversationRow.__table__, (*key, *columns))


def _conversation_update(_dialect: str, columns: tuple[str, ...]) -> Update:
    values = {name: bindparam(name) for name in ("version", *columns)}
    return update(ConversationRow.__table__).where(*_at_version).values(values)


def _conversation_delete(_dialect: str) -> Delete:
    return delete(ConversationRow.__table__).where(*_at_version)


def _update_insert(dialect: str) -> Insert:
    return insert_ignoring_duplicates_of(
        dialect, ProcessedUpdateRow.__table__, ("platform", "update_id", "processed_at")
    )


class Repositories:
    """Every repository bound to one session, i.e. one transaction, each made the first time it is asked for (a
    turn uses a few of the twenty)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def bind(cls, session: AsyncSession) -> Repositories:
        return cls(session)

    accounts = MadeOnFirstUse(lambda r: AccountRepository(r.session))
    conversations = MadeOnFirstUse(lambda r: ConversationRepository(r.session))
    updates = MadeOnFirstUse(lambda r: UpdateLog(r.session))
    jobs = MadeOnFirstUse(lambda r: JobRepository(r.session))
    clouds = MadeOnFirstUse(lambda r: CloudRepository(r.session))
    profiles = MadeOnFirstUse(lambda r: ProfileRepository(r.session))
    search = MadeOnFirstUse(lambda r: JobSearchRepository(r.session))
    saved = MadeOnFirstUse(lambda r: SavedJobRepository(r.session))
    ledger = MadeOnFirstUse(lambda r: LedgerRepository(r.session))
    contracts = MadeOnFirstUse(lambda r: ContractRepository(r.session))
    proposals = MadeOnFirstUse(lambda r: ProposalRepository(r.session))
    credits = MadeOnFirstUse(lambda r: CreditRepository(r.session))
    messages = MadeOnFirstUse(lambda r: MessageRepository(r.session))
    feedback = MadeOnFirstUse(lambda r: FeedbackRepository(r.session))
    disputes = MadeOnFirstUse(lambda r: DisputeRepository(r.session))
    outbox = MadeOnFirstUse(lambda r: OutboxRepository(r.session))
    sent_messages = MadeOnFirstUse(lambda r: SentMessageRepository(r.session))
    signing_keys = MadeOnFirstUse(lambda r: SigningKeyRepository(r.session))
    files = MadeOnFirstUse(lambda r: FileRepository(r.session))
    alerts = MadeOnFirstUse(lambda r: AlertRepository(r.session))
    feed_sources = MadeOnFirstUse(lambda r: FeedSourceRepository(r.session))
