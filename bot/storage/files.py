"""Files people sent: their rows, and the bytes of a platform's file already fetched for another row."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.orm import FileRow


class FileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, file_id: int) -> FileRow | None:
        return await self.session.get(FileRow, file_id)

    async def add(self, row: FileRow) -> FileRow:
        self.session.add(row)
        await self.session.flush()
        return row

    async def fetched_content(self, platform: str, unique_id: str) -> bytes | None:
        """The bytes of this platform file if any row of it has them (the same file sent twice)."""
        query = (
            select(FileRow.content)
            .where(
                FileRow.platform == platform,
                FileRow.platform_unique_id == unique_id,
                FileRow.content.is_not(None),
            )
            .limit(1)
        )
        return await self.session.scalar(query)

    async def keep_content(self, row: FileRow, content: bytes, sha256: str) -> None:
        row.content, row.sha256, row.size = content, sha256, len(content)
        await self.session.flush()
