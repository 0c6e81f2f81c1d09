"""Profiles, testimonials, link codes, identities and account erasure: the SQL behind them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import and_, delete, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.orm import (
    AccountRow,
    ClientProfileRow,
    CloudMemberRow,
    ConversationRow,
    FileRow,
    FreelancerProfileRow,
    HiddenJobRow,
    IdentityRow,
    JobAttachmentRow,
    JobDraftRow,
    JobInviteRow,
    JobRow,
    LinkCodeRow,
    PortfolioLinkRow,
    ProfileCategoryRow,
    ProfileSkillRow,
    SavedJobRow,
    TestimonialRow,
    WorkHistoryRow,
)
from bot.storage.upsert import insert_ignoring_duplicates

Row = TypeVar("Row")


class ProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _insert_unless_present(self, table: Any, values: dict[str, Any]) -> bool:
        """INSERT .. ON CONFLICT DO NOTHING; True if a row went in."""

        result = await self.session.execute(insert_ignoring_duplicates(self.session, table, values))
        return result.rowcount == 1

    async def _all(self, query: Any) -> list[Any]:
        return list((await self.session.execute(query)).scalars())

    async def add(self, row: Row) -> Row:
        self.session.add(row)
        await self.session.flush()
        return row

    async def remove(self, row: object) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def drop_file(self, file_id: int) -> None:
        await self.session.flush()
        await self.session.execute(delete(FileRow).where(FileRow.id == file_id))

    # ---- profiles -------------------------------------------------------------------------------

    async def freelancer(self, account_id: int) -> FreelancerProfileRow | None:
        return await self.session.get(FreelancerProfileRow, account_id)

    async def client(self, account_id: int) -> ClientProfileRow | None:
        return await self.session.get(ClientProfileRow, account_id)

    async def skills(self, account_id: int) -> list[str]:
        query = select(ProfileSkillRow.skill).where(ProfileSkillRow.account_id == account_id)
        return sorted(await self._all(query), key=str.casefold)

    async def set_skill(self, account_id: int, skill: str, present: bool) -> None:
        if present:
            await self._insert_unless_present(ProfileSkillRow, {"account_id": account_id, "skill": skill})
        else:
            await self.session.execute(
                delete(ProfileSkillRow).where(ProfileSkillRow.account_id == account_id, ProfileSkillRow.skill == skill)
            )

    async def categories(self, account_id: int) -> list[str]:
        query = select(ProfileCategoryRow.category).where(ProfileCategoryRow.account_id == account_id)
        return sorted(await self._all(query))

    async def set_category(self, account_id: int, category: str, present: bool) -> None:
        if present:
            await self._insert_unless_present(ProfileCategoryRow, {"account_id": account_id, "category": category})
        else:
            await self.session.execute(
                delete(ProfileCategoryRow).where(
                    ProfileCategoryRow.account_id == account_id, ProfileCategoryRow.category == category
                )
            )

    async def portfolio(self, account_id: int) -> list[PortfolioLinkRow]:
        query = select(PortfolioLinkRow).where(PortfolioLinkRow.account_id == account_id)
        return await self._all(query.order_by(PortfolioLinkRow.id))

    async def portfolio_link(self, link_id: int) -> PortfolioLinkRow | None:
        return await self.session.get(PortfolioLinkRow, link_id)

    async def history(self, account_id: int) -> list[WorkHistoryRow]:
        query = select(WorkHistoryRow).where(WorkHistoryRow.account_id == account_id)
        order = (WorkHistoryRow.end_year.is_(None).desc(), WorkHistoryRow.end_year.desc(), WorkHistoryRow.id.desc())
        return await self._all(query.order_by(*order))

    async def history_entry(self, entry_id: int) -> WorkHistoryRow | None:
        return await self.session.get(WorkHistoryRow, entry_id)

    # ---- testimonials ---------------------------------------------------------------------------

    async def testimonial_by_token(self, token: str) -> TestimonialRow | None:
        query = select(TestimonialRow).where(TestimonialRow.token == token)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def testimonials_for(self, freelancer_id: int) -> list[TestimonialRow]:
        query = select(TestimonialRow).where(TestimonialRow.freelancer_id == freelancer_id)
        return await self._all(query.order_by(TestimonialRow.id))

    async def testimonials_by(self, client_account_id: int) -> list[TestimonialRow]:
        query = select(TestimonialRow).where(TestimonialRow.client_account_id == client_account_id)
        return await self._all(query.order_by(TestimonialRow.id))

    # ---- what a client did ----------------------------------------------------------------------

    async def jobs_posted_count(self, client_id: int) -> int:
        query = select(func.count()).select_from(JobRow).where(JobRow.client_id == client_id, JobRow.status != "draft")
        return (await self.session.execute(query)).scalar_one()

    async def jobs_of(self, client_id: int) -> list[JobRow]:
        return await self._all(select(JobRow).where(JobRow.client_id == client_id).order_by(JobRow.id))

    async def saved_jobs(self, account_id: int) -> list[SavedJobRow]:
        query = select(SavedJobRow).where(SavedJobRow.account_id == account_id)
        return await self._all(query.order_by(SavedJobRow.created_at))

    async def hidden_jobs(self, account_id: int) -> list[HiddenJobRow]:
        query = select(HiddenJobRow).where(HiddenJobRow.account_id == account_id)
        return await self._all(query.order_by(HiddenJobRow.created_at))

    # ---- accounts and identities ----------------------------------------------------------------

    async def accounts_named(self, usernames: frozenset[str]) -> list[AccountRow]:
        """The live accounts with these usernames (the admins, for instance)."""
        if not usernames:
            return []
        query = select(AccountRow).where(AccountRow.username.in_(usernames), AccountRow.deleted_at.is_(None))
        return await self._all(query.order_by(AccountRow.id))

    async def identity(self, platform: str, platform_user_id: str) -> IdentityRow | None:
        query = select(IdentityRow).where(
            IdentityRow.platform == platform, IdentityRow.platform_user_id == platform_user_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def bind_identity(self, account_id: int, platform: str, platform_user_id: str, now: datetime) -> bool:
        """Attach an identity; False if that platform identity is bound already (to anyone)."""
        values = {"platform": platform, "platform_user_id": platform_user_id, "account_id": account_id}
        return await self._insert_unless_present(IdentityRow, {**values, "created_at": now})

    async def unbind_identity(self, identity: IdentityRow) -> None:
        """Remove the identity and its conversations: that platform user is a stranger again."""
        await self.session.execute(
            delete(ConversationRow).where(
                ConversationRow.platform == identity.platform, ConversationRow.user_id == identity.platform_user_id
            )
        )
        await self.remove(identity)

    # ---- link codes -----------------------------------------------------------------------------

    async def link_code(self, code: str) -> LinkCodeRow | None:
        return await self.session.get(LinkCodeRow, code)

    async def replace_link_code(self, row: LinkCodeRow) -> None:
        """The account's new code; its earlier unused codes stop working."""
        await self.session.execute(
            delete(LinkCodeRow).where(LinkCodeRow.account_id == row.account_id, LinkCodeRow.used_at.is_(None))
        )
        await self.add(row)

    # ---- erasure --------------------------------------------------------------------------------

    async def erase(self, account_id: int, now: datetime, keep_conversation: tuple[str, str, str]) -> None:
        """Erase a person's data but keep the rows others rely on (their account row and jobs).

        ``keep_conversation`` is the conversation of the turn doing this: the engine ends it itself.
        """
        identities = await self._all(select(IdentityRow).where(IdentityRow.account_id == account_id))
        platform, chat_id, user_id = keep_conversation
        for identity in identities:
            await self.session.execute(
                delete(ConversationRow).where(
                    ConversationRow.platform == identity.platform,
                    ConversationRow.user_id == identity.platform_user_id,
                    not_(
                        and_(
                            ConversationRow.platform == platform,
                            ConversationRow.chat_id == chat_id,
                            ConversationRow.user_id == user_id,
                        )
                    ),
                )
            )
        owned = (
            IdentityRow,
            FreelancerProfileRow,
            ClientProfileRow,
            ProfileSkillRow,
            ProfileCategoryRow,
            PortfolioLinkRow,
            WorkHistoryRow,
            SavedJobRow,
            HiddenJobRow,
            JobDraftRow,
            LinkCodeRow,
            CloudMemberRow,
        )
        for table in owned:
            await self.session.execute(delete(table).where(table.account_id == account_id))
        await self.session.execute(delete(TestimonialRow).where(TestimonialRow.freelancer_id == account_id))
        await self.session.execute(delete(JobInviteRow).where(JobInviteRow.freelancer_id == account_id))
        attached = select(JobAttachmentRow.file_id)
        await self.session.execute(delete(FileRow).where(FileRow.owner_id == account_id, FileRow.id.not_in(attached)))
        await self.session.execute(
            update(JobRow)
            .where(JobRow.client_id == account_id, or_(JobRow.status == "open", JobRow.status == "draft"))
            .values(status="closed", closed_at=now, last_activity_at=now)
        )
        await self.session.execute(
            update(AccountRow)
            .where(AccountRow.id == account_id)
            .values(
                username=f"deleted_{account_id}",
                full_name="Deleted user",
                is_freelancer=False,
                is_client=False,
                country="",
                timezone="UTC",
                deleted_at=now,
            )
        )
