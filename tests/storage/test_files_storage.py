"""Files kept by a platform's reference, on SQLite and PostgreSQL: the reference round-trips, the same platform
gets it back (nothing downloaded), another platform gets the bytes, fetched once and kept (also for the same file
sent twice), and a file whose platform is not served here is said to be unavailable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.events import AttachmentIn
from bot.core.files import FileService, FileUnavailable
from bot.core.ui import Attachment, FileRef
from bot.storage.db import Database
from bot.storage.orm import AccountRow
from bot.storage.repositories import Repositories

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PDF = b"%PDF-1.4 the submitted work"


class TelegramFiles:
    """The bytes Telegram keeps, and how often they were fetched."""

    platform = "telegram"

    def __init__(self) -> None:
        self.downloads: list[str] = []

    async def download(self, handle: str) -> bytes:
        self.downloads.append(handle)
        return PDF


def sent_on_telegram(handle: str = "BQACAgQAAxk-file-id") -> AttachmentIn:
    ref = FileRef("telegram", handle, "AgADunique")
    return AttachmentIn("work.pdf", "application/pdf", ref=ref, declared_size=len(PDF), caption="Final version")


async def _owner(repos: Repositories) -> int:
    row = AccountRow(
        username="bob",
        full_name="Bob Stone",
        is_freelancer=True,
        is_client=False,
        language="en",
        country="FR",
        timezone="Europe/Paris",
        created_at=NOW,
    )
    assert await repos.accounts.create(row, "telegram", "102")
    return row.id


async def test_a_platform_file_is_sent_by_reference_there_and_fetched_once_elsewhere(database: Database) -> None:
    telegram = TelegramFiles()
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        owner = await _owner(repos)
        files = FileService(repos, NOW, {"telegram": telegram})
        first = await files.store(owner, sent_on_telegram())
        again = await files.store(owner, sent_on_telegram("BQACAgQAAxk-forwarded"))  # the same file, sent twice
        assert (first.filename, first.mime_type, first.size) == ("work.pdf", "application/pdf", len(PDF))
    async with database.transaction() as session:
        files = FileService(Repositories.bind(session), NOW, {"telegram": telegram})
        ref = FileRef("telegram", "BQACAgQAAxk-file-id", "AgADunique")
        expected = Attachment("work.pdf", b"", "application/pdf", ref=ref, caption="Final version")
        assert await files.attachment(first.id, "telegram") == expected
        assert telegram.downloads == []
        fetched = await files.attachment(first.id, "console")
        assert fetched is not None
        assert (fetched.content, fetched.ref, fetched.caption) == (PDF, None, "Final version")
    async with database.transaction() as session:
        files = FileService(Repositories.bind(session), NOW, {"telegram": telegram})
        for file_id in (first.id, again.id, first.id):
            shown = await files.attachment(file_id, "discord")
            assert shown is not None
            assert shown.content == PDF
        assert telegram.downloads == ["BQACAgQAAxk-file-id"]  # once, whatever asked for it after
        assert await files.attachment(first.id + 100, "console") is None  # a file deleted meanwhile


async def test_bytes_sent_from_the_console_go_as_bytes_and_an_unserved_platform_is_unavailable(
    database: Database,
) -> None:
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        owner = await _owner(repos)
        files = FileService(repos, NOW)
        uploaded = await files.store(owner, AttachmentIn("logo.png", "image/png", b"\x89PNG logo"))
        kept_there = await files.store(owner, sent_on_telegram())
        assert await files.attachment(uploaded.id, "telegram") == Attachment("logo.png", b"\x89PNG logo", "image/png")
        with pytest.raises(FileUnavailable):
            await files.attachment(kept_there.id, "console")  # no Telegram front end in this process
