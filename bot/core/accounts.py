"""Accounts and identities: who a platform user is, and the rules for names a person chooses."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from bot.core.errors import UserError
from bot.core.i18n import N_, Count
from bot.storage.orm import AccountRow
from bot.storage.repositories import Repositories, StoredAccount

USERNAME_MIN, USERNAME_MAX = 3, 32
FULL_NAME_MAX = 80
_USERNAME = re.compile(r"[a-z][a-z0-9_]*")
RESERVED_USERNAMES = frozenset(
    {"admin", "administrator", "gigbot", "support", "help", "moderator", "staff", "system", "deleted", "root"}
)
_NAME_PUNCTUATION = set(" -'’.")


@dataclass(frozen=True)
class NewAccount:
    """What sign-up collects."""

    username: str
    full_name: str
    is_freelancer: bool
    is_client: bool
    language: str
    country: str
    timezone: str


@dataclass(frozen=True)
class Account(NewAccount):
    id: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: AccountRow | StoredAccount) -> Account:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


def _too_long(text: str, limit: int) -> UserError:
    return UserError(
        N_("That is too long: at most {limit} characters, and you sent {length}."),
        limit=limit,
        length=Count(len(text)),
    )


def clean_full_name(raw: str) -> str:
    """Letters (any script), combining marks, spaces, hyphens, apostrophes and periods; spaces folded."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise UserError(N_("Please type your full name: it can't be empty."))
    if len(name) > FULL_NAME_MAX:
        raise _too_long(name, FULL_NAME_MAX)
    for char in name:
        if char not in _NAME_PUNCTUATION and unicodedata.category(char)[0] not in "LM":
            raise UserError(
                N_("A name can hold letters, spaces, hyphens, apostrophes and periods, but not “{char}”."),
                char=char if unicodedata.category(char)[0] not in "CZ" else f"U+{ord(char):04X}",
            )
    if not any(unicodedata.category(char)[0] == "L" for char in name):
        raise UserError(N_("Please type your full name: it needs at least one letter."))
    return name


def clean_username(raw: str) -> str:
    """Lower-case ASCII letters, digits and underscores, starting with a letter; an @ in front is ignored."""
    username = raw.strip().removeprefix("@").lower()
    if not username:
        raise UserError(N_("Please type a username: it can't be empty."))
    if len(username) > USERNAME_MAX:
        raise _too_long(username, USERNAME_MAX)
    if len(username) < USERNAME_MIN:
        raise UserError(N_("A username needs at least {min} characters."), min=USERNAME_MIN)
    if not _USERNAME.fullmatch(username):
        raise UserError(
            N_(
                "A username may use only the letters a-z, digits and underscores, "
                "and must start with a letter (for example: jane_doe)."
            )
        )
    if username in RESERVED_USERNAMES or username.startswith("deleted_"):
        raise UserError(N_("The username @{username} is reserved. Please choose another."), username=username)
    return username


class AccountService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._repos = repos
        self._now = now

    async def for_identity(self, platform: str, platform_user_id: str) -> Account | None:
        row = await self._repos.accounts.by_identity(platform, platform_user_id)
        return Account.from_row(row) if row and row.deleted_at is None else None

    async def notification_choice(self, account: Account) -> tuple[str | None, list[str]]:
        """Where this person asked their notifications to go (None: where they were last seen), and the
        platforms they could choose from (those they have linked)."""
        row = await self._repos.accounts.get(account.id)
        assert row is not None
        linked = list(dict.fromkeys(i.platform for i in await self._repos.accounts.identities(account.id)))
        return row.notify_platform, linked

    async def notify_on(self, account: Account, platform: str | None) -> None:
        """Send every notification to ``platform`` (one of theirs), or, with None, where they were last seen."""
        _chosen, linked = await self.notification_choice(account)
        if platform is not None and platform not in linked:
            raise UserError(N_("You have no account on that platform linked to gigbot: send /link first."))
        row = await self._repos.accounts.get(account.id)
        assert row is not None
        row.notify_platform = platform

    async def suggest_username(self, base: str) -> str:
        """A free username close to ``base`` (base itself, else base2, base3, ...)."""
        stem = re.sub(r"[^a-z0-9_]", "", base.lower())[: USERNAME_MAX - 4] or "user"
        if not stem[0].isalpha():
            stem = f"u{stem}"[: USERNAME_MAX - 4]
        stem = stem.ljust(USERNAME_MIN, "_")
        taken = await self._repos.accounts.usernames_starting_with(stem) | RESERVED_USERNAMES
        if stem not in taken:
            return stem
        return next(f"{stem}{n}" for n in range(2, 10_000) if f"{stem}{n}" not in taken)

    async def check_username_free(self, username: str) -> str:
        username = clean_username(username)
        if await self._repos.accounts.by_username(username):
            raise UserError(
                N_("The username @{username} is taken. How about @{suggestion}?"),
                username=username,
                suggestion=await self.suggest_username(username),
            )
        return username

    async def create(self, platform: str, platform_user_id: str, new: NewAccount) -> Account:
        """Create the account bound to this platform identity; refuses a username taken meanwhile."""
        username = await self.check_username_free(new.username)
        if await self.for_identity(platform, platform_user_id):
            raise UserError(N_("You already have an account. Send /menu to see it."))
        row = AccountRow(
            username=username,
            full_name=clean_full_name(new.full_name),
            is_freelancer=new.is_freelancer,
            is_client=new.is_client,
            language=new.language,
            country=new.country,
            timezone=new.timezone,
            created_at=self._now,
        )
        if not await self._repos.accounts.create(row, platform, platform_user_id):
            await self.check_username_free(username)  # raises with a suggestion if the name was the clash
            raise UserError(N_("You already have an account. Send /menu to see it."))
        return Account.from_row(row)
