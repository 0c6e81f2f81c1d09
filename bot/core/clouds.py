"""Talent clouds: named pools of trusted freelancers that a client (or an admin) curates.

A freelancer is invited and becomes a member only by accepting; jobs restricted to a cloud are seen only by
its members and its owner (the rule itself lives in ``JobService.can_view``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.core.jobs import freelancer_to_invite
from bot.core.numbers import whole_number
from bot.storage.orm import TalentCloudRow
from bot.storage.repositories import Repositories

NAME_MIN, NAME_MAX = 3, 60

Role = Literal["owner", "member", "invited"]


@dataclass(frozen=True)
class Cloud:
    id: int
    name: str
    owner_id: int

    @classmethod
    def from_row(cls, row: TalentCloudRow) -> Cloud:
        return cls(row.id, row.name, row.owner_id)


@dataclass(frozen=True)
class Member:
    account_id: int
    username: str
    full_name: str
    status: Literal["member", "invited"]


def _not_found(cloud_id: int | str) -> UserError:
    return UserError(N_("Talent cloud #{id} was not found, or it is not visible to you."), id=cloud_id)


def clean_cloud_name(raw: str) -> str:
    name = " ".join(raw.split())
    if len(name) < NAME_MIN:
        raise UserError(N_("A talent cloud's name needs at least {min} characters."), min=NAME_MIN)
    if len(name) > NAME_MAX:
        raise UserError(
            N_("That is too long: at most {limit} characters, and you sent {length}."),
            limit=NAME_MAX,
            length=len(name),
        )
    return name


class CloudService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._repos = repos
        self._now = now

    async def create(self, owner: Account, name: str, *, is_admin: bool) -> Cloud:
        if not (owner.is_client or is_admin):
            raise UserError(N_("Talent clouds are for clients: they gather freelancers you trust to hire again."))
        name = clean_cloud_name(name)
        if await self._repos.clouds.name_taken(name):
            raise UserError(N_("There is already a talent cloud named “{name}”. Please choose another."), name=name)
        row = TalentCloudRow(name=name, owner_id=owner.id, created_at=self._now)
        return Cloud.from_row(await self._repos.clouds.create(row))

    async def role(self, account: Account, cloud: Cloud) -> Role | None:
        if cloud.owner_id == account.id:
            return "owner"
        membership = await self._repos.clouds.membership(cloud.id, account.id)
        return membership.status if membership else None  # type: ignore[return-value]

    async def visible(self, account: Account, cloud_id: int | str) -> tuple[Cloud, Role]:
        """The cloud and the account's role in it; someone with no role gets the same refusal as for none."""
        row = await self._repos.clouds.get(ident) if (ident := whole_number(cloud_id)) is not None else None
        cloud = Cloud.from_row(row) if row else None
        role = await self.role(account, cloud) if cloud else None
        if cloud is None or role is None:
            raise _not_found(str(cloud_id)[:12])
        return cloud, role

    async def owned(self, owner: Account, cloud_id: int | str) -> Cloud:
        cloud, role = await self.visible(owner, cloud_id)
        if role != "owner":
            raise UserError(N_("Only the owner of “{name}” can do that."), name=cloud.name)
        return cloud

    async def of(self, account: Account) -> list[tuple[Cloud, Role]]:
        """Clouds the account owns, belongs to or is invited to, by name."""
        return [(Cloud.from_row(row), role) for row, role in await self._repos.clouds.for_account(account.id)]  # type: ignore[misc]

    async def postable(self, client: Account) -> list[Cloud]:
        """Clouds a client may restrict a job to: those they own or are a member of."""
        return [cloud for cloud, role in await self.of(client) if role in ("owner", "member")]

    async def members(self, cloud: Cloud) -> list[Member]:
        return [
            Member(account.id, account.username, account.full_name, membership.status)  # type: ignore[arg-type]
            for membership, account in await self._repos.clouds.members(cloud.id)
        ]

    async def invite(self, owner: Account, cloud_id: int | str, username: str) -> tuple[Cloud, Account]:
        cloud = await self.owned(owner, cloud_id)
        invitee = await freelancer_to_invite(self._repos, owner, username)
        membership = await self._repos.clouds.membership(cloud.id, invitee.id)
        if membership is not None:
            raise UserError(
                N_("@{username} is already a member of “{name}”.")
                if membership.status == "member"
                else N_("@{username} is already invited to “{name}”."),
                username=invitee.username,
                name=cloud.name,
            )
        await self._repos.clouds.add_member(cloud.id, invitee.id, "invited", self._now)
        return cloud, invitee

    async def answer(self, invitee: Account, cloud_id: int | str, *, join: bool) -> Cloud:
        """Accept or decline an invitation; only the invitee has one to answer."""
        cloud, role = await self.visible(invitee, cloud_id)
        if role == "member":
            raise UserError(N_("You are already a member of “{name}”."), name=cloud.name)
        if role != "invited":
            raise UserError(N_("You have no invitation to “{name}” to answer."), name=cloud.name)
        if join:
            await self._repos.clouds.set_status(cloud.id, invitee.id, "member")
        else:
            await self._repos.clouds.remove_member(cloud.id, invitee.id)
        return cloud

    async def remove(self, owner: Account, cloud_id: int | str, member_id: int | str) -> tuple[Cloud, Member]:
        cloud = await self.owned(owner, cloud_id)
        member = next((m for m in await self.members(cloud) if str(m.account_id) == str(member_id)), None)
        if member is None:
            raise UserError(N_("That person is not in “{name}” any more."), name=cloud.name)
        await self._repos.clouds.remove_member(cloud.id, member.account_id)
        return cloud, member

    async def leave(self, member: Account, cloud_id: int | str) -> Cloud:
        cloud, role = await self.visible(member, cloud_id)
        if role == "owner":
            raise UserError(N_("You own “{name}”, so you can't leave it."), name=cloud.name)
        await self._repos.clouds.remove_member(cloud.id, member.id)
        return cloud
