"""The job and talent-cloud queries on SQLite and PostgreSQL alike (ordering by status, case-insensitive names,
deleting unattached uploads, finding stale posts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.db import Database
from bot.storage.orm import AccountRow, FileRow, JobRow, TalentCloudRow
from bot.storage.repositories import Repositories

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _job(client_id: int, title: str, status: str, created: datetime) -> JobRow:
    return JobRow(
        client_id=client_id,
        title=title,
        description="d",
        category="dev",
        skills_text="Python",
        job_type="fixed",
        budget_minor=500,
        currency="USD",
        experience="entry",
        project_length="lt1",
        visibility="public",
        status=status,
        proposals_count=0,
        created_at=created,
        last_activity_at=created,
    )


async def test_job_and_cloud_queries(database: Database) -> None:
    async with database.transaction() as session:
        repos = Repositories.bind(session)
        owner = AccountRow(
            username="owner",
            full_name="Owner",
            is_freelancer=False,
            is_client=True,
            language="en",
            country="FR",
            timezone="Europe/Paris",
            created_at=NOW,
        )
        session.add(owner)
        await session.flush()
        for title, status, age in [("a", "closed", 1), ("b", "open", 5), ("c", "draft", 0), ("d", "open", 40)]:
            job = _job(owner.id, title, status, NOW - timedelta(days=age))
            await repos.jobs.save(job, ["Python", "Django"], ["Why you?"], [])
        listed = [row.title for row in await repos.jobs.by_client(owner.id, 10)]
        assert listed == ["b", "d", "c", "a"]
        assert [row.title for row in await repos.jobs.stale_open(NOW - timedelta(days=30), 10)] == ["d"]

        kept = FileRow(
            owner_id=owner.id,
            filename="k.pdf",
            mime_type="application/pdf",
            size=1,
            sha256="x",
            content=b"k",
            created_at=NOW,
        )
        loose = FileRow(
            owner_id=owner.id,
            filename="l.pdf",
            mime_type="application/pdf",
            size=1,
            sha256="y",
            content=b"l",
            created_at=NOW,
        )
        session.add_all([kept, loose])
        await session.flush()
        await repos.jobs.save(_job(owner.id, "e", "open", NOW), [], [], [kept.id])
        await repos.jobs.forget_files(owner.id, [kept.id, loose.id])
        assert await session.get(FileRow, kept.id) is not None
        assert await session.get(FileRow, loose.id) is None

        await repos.clouds.create(TalentCloudRow(name="Trusted Devs", owner_id=owner.id, created_at=NOW))
        assert await repos.clouds.name_taken("trusted devs")
        assert not await repos.clouds.name_taken("trusted")
        assert [(cloud.name, role) for cloud, role in await repos.clouds.for_account(owner.id)] == [
            ("Trusted Devs", "owner")
        ]
