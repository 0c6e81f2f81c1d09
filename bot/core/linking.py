"""One account on several platforms: one-time link codes, and unlinking a platform again.

Each platform identity belongs to at most one account, and an account has at most one identity per platform.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.storage.orm import LinkCodeRow
from bot.storage.repositories import Repositories

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read out and type
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(minutes=10)
PLATFORM_NAMES = {"telegram": "Telegram", "discord": "Discord", "console": "Console"}


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.title())


def normalise_code(raw: str) -> str:
    return "".join(char for char in raw.upper() if char.isalnum())


@dataclass(frozen=True)
class LinkedPlatform:
    platform: str
    linked_at: datetime


class LinkService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._repos = repos
        self._profiles = repos.profiles
        self._now = now

    async def new_code(self, account: Account) -> str:
        """A fresh single-use code for the account (any earlier unused one stops working)."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        await self._profiles.replace_link_code(
            LinkCodeRow(code=code, account_id=account.id, expires_at=self._now + CODE_LIFETIME)
        )
        return code

    async def check_code(self, raw: str, platform: str, platform_user_id: str, current: Account | None) -> Account:
        """The account a code would link this identity to, or a UserError saying why it can't."""
        code = normalise_code(raw)
        row = await self._profiles.link_code(code) if code else None
        if row is None:
            raise UserError(N_("That link code doesn't exist. Send /link on your other platform to get a new one."))
        if row.used_at is not None:
            raise UserError(N_("That link code was already used. Send /link on your other platform for a new one."))
        if row.expires_at <= self._now:
            raise UserError(N_("That link code has expired. Send /link on your other platform for a new one."))
        target = await self._repos.accounts.get(row.account_id)
        if target is None or target.deleted_at is not None:
            raise UserError(N_("That link code doesn't exist. Send /link on your other platform to get a new one."))
        if current is not None and current.id == target.id:
            raise UserError(
                N_("This {platform} account is already linked to your gigbot account."),
                platform=platform_name(platform),
            )
        if current is not None or await self._profiles.identity(platform, platform_user_id):
            raise UserError(
                N_(
                    "This {platform} account already belongs to another gigbot account (@{username}): "
                    "each platform account can belong to only one gigbot account."
                ),
                platform=platform_name(platform),
                username=current.username if current else "?",
            )
        if any(identity.platform == platform for identity in await self._repos.accounts.identities(target.id)):
            raise UserError(
                N_("Your gigbot account already has a {platform} account linked. Unlink it there first with /unlink."),
                platform=platform_name(platform),
            )
        return Account.from_row(target)

    async def link(self, raw: str, platform: str, platform_user_id: str, current: Account | None) -> Account:
        """Use the code: attach this platform identity to the code's account."""
        account = await self.check_code(raw, platform, platform_user_id, current)
        row = await self._profiles.link_code(normalise_code(raw))
        assert row is not None
        if not await self._profiles.bind_identity(account.id, platform, platform_user_id, self._now):
            raise UserError(N_("This account was just linked elsewhere. Send /menu to see where you are."))
        row.used_at = self._now
        return account

    async def linked(self, account: Account) -> list[LinkedPlatform]:
        identities = await self._repos.accounts.identities(account.id)
        return [LinkedPlatform(identity.platform, identity.created_at) for identity in identities]

    async def unlink(self, account: Account, platform: str, current_platform: str) -> None:
        identities = await self._repos.accounts.identities(account.id)
        found = [identity for identity in identities if identity.platform == platform]
        if not found:
            raise UserError(N_("No {platform} account is linked to yours."), platform=platform_name(platform))
        if len(identities) == 1:
            raise UserError(
                N_("{platform} is the only platform linked: to stop using gigbot, delete your account instead."),
                platform=platform_name(platform),
            )
        if platform == current_platform:
            raise UserError(
                N_("You are using {platform} right now: unlink it from one of your other platforms."),
                platform=platform_name(platform),
            )
        await self._profiles.unbind_identity(found[0])
