"""Files people send (photos, ID documents, job briefs): kept in our database, checked for size and type."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.core.errors import UserError
from bot.core.events import AttachmentIn
from bot.core.i18n import N_
from bot.storage.orm import FileRow
from bot.storage.repositories import Repositories

MAX_FILE_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
DOCUMENT_TYPES = IMAGE_TYPES | {"application/pdf"}


@dataclass(frozen=True)
class StoredFile:
    id: int
    filename: str
    mime_type: str
    size: int


class FileService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._repos = repos
        self._now = now

    async def store(self, owner_id: int, attachment: AttachmentIn, allowed: frozenset[str] | None = None) -> StoredFile:
        """Keep an uploaded file; refuses empty, oversized or (when ``allowed`` is given) unexpected types."""
        size = len(attachment.content)
        if size == 0:
            raise UserError(N_("That file is empty."))
        if size > MAX_FILE_BYTES:
            raise UserError(N_("That file is too big: at most 10 MB."))
        if allowed is not None and attachment.mime_type not in allowed:
            raise UserError(N_("That kind of file can't be used here. Please send a JPEG, PNG or PDF."))
        row = FileRow(
            owner_id=owner_id,
            filename=attachment.filename[:200] or "file",
            mime_type=attachment.mime_type[:100],
            size=size,
            sha256=hashlib.sha256(attachment.content).hexdigest(),
            content=attachment.content,
            created_at=self._now,
        )
        self._repos.session.add(row)
        await self._repos.session.flush()
        return StoredFile(row.id, row.filename, row.mime_type, row.size)

    async def content(self, file_id: int) -> tuple[StoredFile, bytes] | None:
        row = await self._repos.session.get(FileRow, file_id)
        if row is None:
            return None
        return StoredFile(row.id, row.filename, row.mime_type, row.size), row.content
