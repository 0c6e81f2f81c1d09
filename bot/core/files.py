"""Files people send (photos, ID documents, job briefs, submitted work), checked for size and type.

A file from the console comes with its bytes, which we keep. A file from Telegram stays on Telegram: we keep its
reference (file_id), name, size and type, send it again there by reference, and fetch its bytes from the platform
(a ``FileSource``) only when it must go to another platform; then they are kept, so it is never fetched twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.core.errors import UserError
from bot.core.events import AttachmentIn
from bot.core.i18n import N_
from bot.core.ui import Attachment, FileRef
from bot.storage.orm import FileRow
from bot.storage.repositories import Repositories

log = logging.getLogger("gigbot.files")

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_CAPTION = 1024  # Telegram's caption limit
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
DOCUMENT_TYPES = IMAGE_TYPES | {"application/pdf"}
UNAVAILABLE = N_("That file can't be fetched right now. Please try again later.")


@runtime_checkable
class FileSource(Protocol):
    """A platform that keeps the files people sent on it and hands their bytes over (a front end, usually)."""

    platform: str

    async def download(self, handle: str) -> bytes:
        """The bytes of the file the platform knows by ``handle``."""


class FileUnavailable(UserError):
    """The bytes of a file another platform keeps cannot be had now (that platform is not served by this process,
    or it failed to answer): a turn says so, the dispatcher tries the notification again later."""


@dataclass(frozen=True)
class StoredFile:
    id: int
    filename: str
    mime_type: str
    size: int


class FileService:
    def __init__(self, repos: Repositories, now: datetime, sources: Mapping[str, FileSource] | None = None) -> None:
        self._repos = repos
        self._now = now
        self._sources = sources or {}

    async def store(self, owner_id: int, attachment: AttachmentIn, allowed: frozenset[str] | None = None) -> StoredFile:
        """Keep a file someone sent (its bytes, or its platform's reference); refuses empty, oversized or (when
        ``allowed`` is given) unexpected types, on the size and type the platform declares."""
        size = attachment.size
        if size == 0 and attachment.ref is None:  # a platform that keeps the file may not tell its size
            raise UserError(N_("That file is empty."))
        if size > MAX_FILE_BYTES:
            raise UserError(N_("That file is too big: at most 10 MB."))
        if allowed is not None and attachment.mime_type not in allowed:
            raise UserError(N_("That kind of file can't be used here. Please send a JPEG, PNG or PDF."))
        content, ref = attachment.content or None, attachment.ref
        row = FileRow(
            owner_id=owner_id,
            filename=attachment.filename[:200] or "file",
            mime_type=attachment.mime_type[:100],
            size=size,
            sha256=hashlib.sha256(content).hexdigest() if content is not None else None,
            content=content,
            platform=ref.platform if ref else None,
            platform_handle=ref.handle if ref else None,
            platform_unique_id=ref.unique_id if ref else None,
            caption=attachment.caption[:MAX_CAPTION],
            created_at=self._now,
        )
        await self._repos.files.add(row)
        return StoredFile(row.id, row.filename, row.mime_type, row.size)

    async def attachment(self, file_id: int, for_platform: str) -> Attachment | None:
        """The file ready to send on ``for_platform`` (None if it was deleted): the platform's own reference where
        it came from (sent again, never downloaded), else its bytes, fetched once from the platform that keeps it."""
        row = await self._repos.files.get(file_id)
        if row is None:
            return None
        if row.platform == for_platform and row.platform_handle and row.platform_unique_id:
            ref = FileRef(row.platform, row.platform_handle, row.platform_unique_id)
            return Attachment(row.filename, b"", row.mime_type, ref=ref, caption=row.caption)
        content = row.content if row.content is not None else await self._fetch(row)
        return Attachment(row.filename, content, row.mime_type, caption=row.caption)

    async def _fetch(self, row: FileRow) -> bytes:
        """A platform file's bytes, kept in its row from now on: the same file already fetched for another row
        (sent twice) is copied, else the platform's source downloads it."""
        assert row.platform is not None
        assert row.platform_handle is not None
        assert row.platform_unique_id is not None  # only a platform's file is stored without its bytes
        content = await self._repos.files.fetched_content(row.platform, row.platform_unique_id)
        if content is None:
            source = self._sources.get(row.platform)
            if source is None:
                raise FileUnavailable(UNAVAILABLE)
            try:
                content = await source.download(row.platform_handle)
            except Exception as error:  # the platform's answer, whatever it is, means "not now"
                log.warning("file %s not downloaded from %s: %s", row.id, row.platform, error)
                raise FileUnavailable(UNAVAILABLE) from error
        await self._repos.files.keep_content(row, content, hashlib.sha256(content).hexdigest())
        return content
