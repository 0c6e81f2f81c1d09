"""A person's data: all of it as one JSON file, and erasing it while others' records stay consistent.

Erasure keeps the account row (renamed "Deleted user") because jobs and testimonials others rely on point at
it; everything personal goes. What may block an erasure (money held in escrow, once contracts exist) is
decided in one place, ``deletion_blockers``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.storage.repositories import ConversationKey, Repositories

EXPORT_FILENAME = "gigbot-export.json"


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _columns(row: object, *names: str) -> dict[str, Any]:
    return {name: (_when(value) if isinstance(value := getattr(row, name), datetime) else value) for name in names}


class PrivacyService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._repos = repos
        self._profiles = repos.profiles
        self._now = now

    async def export(self, account: Account) -> bytes:
        """Everything we keep about the account, as indented UTF-8 JSON (file contents as metadata only)."""
        profiles, account_id = self._profiles, account.id
        row = await self._repos.accounts.get(account_id)
        assert row is not None
        freelancer = await profiles.freelancer(account_id)
        client = await profiles.client(account_id)
        data = {
            "exported_at": _when(self._now),
            "account": _columns(
                row,
                "id",
                "username",
                "full_name",
                "is_freelancer",
                "is_client",
                "language",
                "country",
                "timezone",
                "created_at",
            ),
            "linked_platforms": [
                _columns(identity, "platform", "platform_user_id", "created_at")
                for identity in await self._repos.accounts.identities(account_id)
            ],
            "freelancer_profile": freelancer
            and _columns(
                freelancer,
                "title",
                "about",
                "hourly_rate_minor",
                "currency",
                "hours_per_week",
                "contract_to_hire",
                "languages",
                "verification",
                "photo_file_id",
                "verification_file_id",
                "updated_at",
            ),
            "skills": await profiles.skills(account_id),
            "categories": await profiles.categories(account_id),
            "portfolio": [
                _columns(link, "title", "url", "created_at") for link in await profiles.portfolio(account_id)
            ],
            "work_history": [
                _columns(entry, "company", "role", "start_year", "end_year", "summary", "created_at")
                for entry in await profiles.history(account_id)
            ],
            "testimonials_received": [
                _columns(t, "client_name", "project", "status", "text", "created_at", "given_at")
                for t in await profiles.testimonials_for(account_id)
            ],
            "testimonials_given": [
                _columns(t, "freelancer_id", "client_name", "project", "status", "text", "given_at")
                for t in await profiles.testimonials_by(account_id)
            ],
            "client_profile": client
            and _columns(
                client,
                "company_name",
                "payment_verified",
                "hires_count",
                "total_spent_minor",
                "rating_sum",
                "rating_count",
                "updated_at",
            ),
            "jobs_posted": [
                _columns(
                    job,
                    "id",
                    "title",
                    "description",
                    "category",
                    "skills_text",
                    "job_type",
                    "budget_minor",
                    "rate_min_minor",
                    "rate_max_minor",
                    "currency",
                    "status",
                    "visibility",
                    "created_at",
                    "published_at",
                    "closed_at",
                )
                for job in await profiles.jobs_of(account_id)
            ],
            "saved_jobs": [_columns(saved, "job_id", "created_at") for saved in await profiles.saved_jobs(account_id)],
            "hidden_jobs": [
                _columns(hidden, "job_id", "reason", "created_at") for hidden in await profiles.hidden_jobs(account_id)
            ],
            "proposals_sent": [
                _columns(
                    p,
                    "id",
                    "job_id",
                    "bid_kind",
                    "amount_minor",
                    "currency",
                    "duration",
                    "cover_letter",
                    "status",
                    "reason",
                    "credits_spent",
                    "created_at",
                    "updated_at",
                )
                for p in await self._repos.proposals.of_account(account_id)
            ],
            "proposal_credits": [
                _columns(entry, "delta", "reason", "key", "created_at")
                for entry in await self._repos.credits.entries(account_id)
            ],
            "conversations": [
                _columns(thread, "id", "subject", "job_id", "created_at")
                | {"messages": [_columns(m, "sender_id", "text", "file_id", "created_at") for m in messages]}
                for thread, messages in await self._repos.messages.of_account(account_id)
            ],
        }
        return json.dumps(data, ensure_ascii=False, indent=2).encode()

    async def deletion_blockers(self, account: Account) -> list[str]:
        """Reasons (gettext msgids) the account can't be erased yet: money held in escrow for or by this person
        (funded, submitted, changed or disputed milestones; weekly invoices under review or disputed)."""
        if await self._repos.contracts.escrow_of_account(account.id):
            return [N_("Money is still in escrow on one of your contracts: settle it before deleting your account.")]
        return []

    async def delete_account(self, account: Account, keep_conversation: ConversationKey) -> None:
        blockers = await self.deletion_blockers(account)
        if blockers:
            raise UserError(blockers[0])
        await self._profiles.erase(account.id, self._now, keep_conversation)
