"""The notification outbox, sent-message references and signing-key history.

Rows are claimed with a lease: ``claim_due`` moves ``next_attempt_at`` past the lease in the claiming
transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several processes never claim the same row), and the
sender records the outcome afterwards. A process that dies between claim and outcome leaves its rows to come due
again when the lease ends: nothing committed is lost, and the only repeat is a message the platform had taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.orm import OutboxRow, SentMessageRow, SigningKeyRow
from bot.storage.upsert import insert_ignoring_duplicates


def _pending() -> list[Any]:
    return [OutboxRow.sent_at.is_(None), OutboxRow.parked_at.is_(None)]


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> bool:
        """Queue one notification; False when its dedupe key was queued before (nothing is added)."""
        row = {"attempts": 0, "sent_at": None, "parked_at": None, "last_error": None, "message_id": None, **values}
        result = await self.session.execute(insert_ignoring_duplicates(self.session, OutboxRow, row))
        return result.rowcount == 1

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxRow]:
        """Take up to ``limit`` due rows, person-to-person first, oldest first, until ``lease_until``."""
        due = (
            select(OutboxRow.id)
            .where(*_pending(), OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.priority, OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        candidates = list((await self.session.execute(due)).scalars())
        if not candidates:
            return []
        # The conditions again in the UPDATE: on SQLite the SELECT above may have read before another claimer
        # committed, and the UPDATE (under the write lock) is what decides.
        claimed_ids = await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(candidates), *_pending(), OutboxRow.next_attempt_at <= now)
            .values(next_attempt_at=lease_until, attempts=OutboxRow.attempts + 1)
            .returning(OutboxRow.id)
        )
        taken = set(claimed_ids.scalars())
        ids = [ident for ident in candidates if ident in taken]
        if not ids:
            return []
        rows = (await self.session.execute(select(OutboxRow).where(OutboxRow.id.in_(ids)))).scalars().all()
        order = {ident: index for index, ident in enumerate(ids)}
        claimed = sorted(rows, key=lambda row: order[row.id])
        for row in claimed:
            self.session.expunge(row)
        return claimed

    async def _set(self, row_id: int, **values: Any) -> None:
        await self.session.execute(update(OutboxRow).where(OutboxRow.id == row_id, *_pending()).values(**values))

    async def sent(self, row_id: int, now: datetime, platform: str, chat_id: str, message_id: str) -> None:
        await self._set(row_id, sent_at=now, platform=platform, chat_id=chat_id, message_id=message_id)

    async def retry_at(self, row_id: int, moment: datetime, error: str | None, *, counts: bool) -> None:
        """Try again at ``moment``; a rate limit or a re-route does not count as a failed attempt."""
        values: dict[str, Any] = {"next_attempt_at": moment, "last_error": error}
        if not counts:
            values["attempts"] = OutboxRow.attempts - 1
        await self._set(row_id, **values)

    async def wait_for_recipient(self, row_id: int, error: str) -> None:
        """No identity of the recipient can be written to: wait until they write to us again."""
        await self._set(row_id, next_attempt_at=None, attempts=OutboxRow.attempts - 1, last_error=error)

    async def park(self, row_id: int, now: datetime, error: str) -> None:
        await self._set(row_id, parked_at=now, last_error=error)

    async def drop(self, row_id: int, now: datetime, error: str) -> None:
        """Nothing to send any more (the recipient deleted their account): close the row without a message."""
        await self._set(row_id, sent_at=now, last_error=error)

    async def wake(self, recipient_id: int, now: datetime) -> int:
        """The recipient is reachable again: their waiting notifications are due now."""
        result = await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.recipient_id == recipient_id, *_pending(), OutboxRow.next_attempt_at.is_(None))
            .values(next_attempt_at=now)
        )
        return result.rowcount

    async def parked(self, limit: int) -> Sequence[OutboxRow]:
        query = select(OutboxRow).where(OutboxRow.parked_at.is_not(None)).order_by(OutboxRow.id.desc()).limit(limit)
        return (await self.session.execute(query)).scalars().all()

    async def counts(self) -> dict[str, int]:
        """How many rows are waiting to be sent, waiting for an unreachable recipient, parked, and sent."""
        state = (
            select(
                func.count().filter(OutboxRow.sent_at.is_(None), OutboxRow.parked_at.is_(None)),
                func.count().filter(*_pending(), OutboxRow.next_attempt_at.is_(None)),
                func.count().filter(OutboxRow.parked_at.is_not(None)),
                func.count().filter(OutboxRow.sent_at.is_not(None)),
            )
        ).select_from(OutboxRow)
        queued, waiting, parked, sent = (await self.session.execute(state)).one()
        return {"queued": queued, "waiting": waiting, "parked": parked, "sent": sent}

    async def forget_sent_before(self, moment: datetime) -> int:
        result = await self.session.execute(
            delete(OutboxRow).where(OutboxRow.sent_at.is_not(None), OutboxRow.sent_at < moment)
        )
        return result.rowcount


class SentMessageRepository:
    """Messages that can be answered by replying to them, and what the answer runs."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def remember(self, platform: str, chat_id: str, message_id: str, reply_command: str, now: datetime) -> None:
        values = {
            "platform": platform,
            "chat_id": chat_id,
            "message_id": message_id,
            "reply_command": reply_command,
            "created_at": now,
        }
        await self.session.execute(insert_ignoring_duplicates(self.session, SentMessageRow, values))

    async def forget_before(self, moment: datetime) -> int:
        result = await self.session.execute(delete(SentMessageRow).where(SentMessageRow.created_at < moment))
        return result.rowcount

    async def reply_command(self, platform: str, chat_id: str, message_id: str) -> str | None:
        query = select(SentMessageRow.reply_command).where(
            SentMessageRow.platform == platform,
            SentMessageRow.chat_id == chat_id,
            SentMessageRow.message_id == message_id,
        )
        return (await self.session.execute(query)).scalar_one_or_none()


class SigningKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_used(self, key_id: str, now: datetime) -> datetime:
        """When ``key_id`` was first the current key (recording ``now`` if this is its first use)."""
        await self.session.execute(
            insert_ignoring_duplicates(self.session, SigningKeyRow, {"key_id": key_id, "first_used_at": now})
        )
        query = select(SigningKeyRow.first_used_at).where(SigningKeyRow.key_id == key_id)
        return (await self.session.execute(query)).scalar_one()
