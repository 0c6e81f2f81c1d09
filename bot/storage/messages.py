"""Message threads between a client and a freelancer, their messages and what each party has read: the SQL
behind bot/core/messaging.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.orm import AccountRow, FileRow, JobRow, MessageRow, ThreadReadRow, ThreadRow
from bot.storage.upsert import insert_ignoring_duplicates


@dataclass(frozen=True)
class InboxRow:
    """One thread as its party lists it."""

    thread: ThreadRow
    other_name: str
    job_title: str | None
    unread: int
    last_text: str | None
    last_file: bool


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, thread_id: int) -> ThreadRow | None:
        return await self.session.get(ThreadRow, thread_id)

    async def by_subject(self, subject: str) -> ThreadRow | None:
        query = select(ThreadRow).where(ThreadRow.subject == subject)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def open(
        self, subject: str, job_id: int | None, client_id: int, freelancer_id: int, now: datetime
    ) -> ThreadRow:
        """The thread on ``subject``, created if there is none yet (a concurrent twin creates it once)."""
        values = {
            "subject": subject,
            "job_id": job_id,
            "client_id": client_id,
            "freelancer_id": freelancer_id,
            "created_at": now,
            "last_message_at": None,
        }
        await self.session.execute(insert_ignoring_duplicates(self.session, ThreadRow, values))
        thread = await self.by_subject(subject)
        assert thread is not None
        return thread

    async def add(self, thread: ThreadRow, sender_id: int | None, text: str, file_id: int | None, now: datetime) -> int:
        """Store a message; the sender has read the thread up to it."""
        message = MessageRow(thread_id=thread.id, sender_id=sender_id, text=text, file_id=file_id, created_at=now)
        self.session.add(message)
        thread.last_message_at = now
        await self.session.flush()
        if sender_id is not None:
            await self.mark_read(thread.id, sender_id, message.id)
        return message.id

    async def mark_read(self, thread_id: int, account_id: int, last_id: int) -> None:
        read = await self.session.get(ThreadReadRow, (thread_id, account_id))
        if read is None:
            values = {"thread_id": thread_id, "account_id": account_id, "last_read_id": last_id}
            await self.session.execute(insert_ignoring_duplicates(self.session, ThreadReadRow, values))
        elif read.last_read_id < last_id:
            read.last_read_id = last_id
        await self.session.flush()

    async def page(self, thread_id: int, offset: int, limit: int) -> list[tuple[MessageRow, str | None, str | None]]:
        """(message, sender's full name, file name), newest first."""
        query = (
            select(MessageRow, AccountRow.full_name, FileRow.filename)
            .outerjoin(AccountRow, AccountRow.id == MessageRow.sender_id)
            .outerjoin(FileRow, FileRow.id == MessageRow.file_id)
            .where(MessageRow.thread_id == thread_id)
            .order_by(MessageRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [(row[0], row[1], row[2]) for row in await self.session.execute(query)]

    async def count(self, thread_id: int) -> int:
        query = select(func.count()).select_from(MessageRow).where(MessageRow.thread_id == thread_id)
        return (await self.session.execute(query)).scalar_one()

    async def last_id(self, thread_id: int) -> int:
        query = select(func.coalesce(func.max(MessageRow.id), 0)).where(MessageRow.thread_id == thread_id)
        return int((await self.session.execute(query)).scalar_one())

    async def file_ids(self, thread_id: int) -> list[int]:
        query = (
            select(MessageRow.file_id)
            .where(MessageRow.thread_id == thread_id, MessageRow.file_id.is_not(None))
            .order_by(MessageRow.id)
        )
        return [file_id for file_id in (await self.session.execute(query)).scalars() if file_id is not None]

    def _mine(self, account_id: int) -> Any:
        return or_(ThreadRow.client_id == account_id, ThreadRow.freelancer_id == account_id)

    def _unread(self, account_id: int) -> Any:
        read = (
            select(ThreadReadRow.last_read_id)
            .where(ThreadReadRow.thread_id == ThreadRow.id, ThreadReadRow.account_id == account_id)
            .correlate(ThreadRow)
            .scalar_subquery()
        )
        return (
            select(func.count())
            .select_from(MessageRow)
            .where(
                MessageRow.thread_id == ThreadRow.id,
                MessageRow.id > func.coalesce(read, 0),
                or_(MessageRow.sender_id.is_(None), MessageRow.sender_id != account_id),
            )
            .correlate(ThreadRow)
            .scalar_subquery()
        )

    async def inbox(self, account_id: int, offset: int, limit: int) -> list[InboxRow]:
        """The account's threads, latest activity first, with the other party, the job and the unread count."""
        other = case((ThreadRow.client_id == account_id, ThreadRow.freelancer_id), else_=ThreadRow.client_id)
        latest = select(func.max(MessageRow.id)).where(MessageRow.thread_id == ThreadRow.id).correlate(ThreadRow)
        last = MessageRow.__table__.alias("last_message")
        query = (
            select(
                ThreadRow,
                AccountRow.full_name,
                JobRow.title,
                self._unread(account_id).label("unread"),
                last.c.text,
                last.c.file_id,
            )
            .join(AccountRow, AccountRow.id == other)
            .outerjoin(JobRow, JobRow.id == ThreadRow.job_id)
            .outerjoin(last, last.c.id == latest.scalar_subquery())
            .where(self._mine(account_id))
            .order_by(func.coalesce(ThreadRow.last_message_at, ThreadRow.created_at).desc(), ThreadRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [
            InboxRow(row[0], row[1], row[2], row[3], row[4], row[5] is not None)
            for row in await self.session.execute(query)
        ]

    async def count_threads(self, account_id: int) -> int:
        query = select(func.count()).select_from(ThreadRow).where(self._mine(account_id))
        return (await self.session.execute(query)).scalar_one()

    async def unread_total(self, account_id: int) -> int:
        query = select(func.coalesce(func.sum(self._unread(account_id)), 0)).where(self._mine(account_id))
        return int((await self.session.execute(query)).scalar_one())

    async def of_account(self, account_id: int) -> list[tuple[ThreadRow, list[MessageRow]]]:
        """Every thread of the account with all its messages (for the data export)."""
        threads = (await self.session.execute(select(ThreadRow).where(self._mine(account_id)))).scalars().all()
        found = []
        for thread in threads:
            query = select(MessageRow).where(MessageRow.thread_id == thread.id).order_by(MessageRow.id)
            found.append((thread, list((await self.session.execute(query)).scalars())))
        return found
