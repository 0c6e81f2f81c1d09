"""A person's data: all of it as one JSON file, and erasing it while others' records stay consistent.

Erasure keeps the account row (renamed "Deleted user") because jobs and testimonials others rely on point at
it; everything personal goes. What may block an erasure (money held in escrow, once contracts exist) is
decided in one place, ``deletion_blockers``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.storage.repositories import ConversationKey, Repositories

EXPORT_FILENAME = "gigbot-export.json"


def _when(moment: date | None) -> str | None:
    return moment.isoformat() if moment else None


def _columns(row: object, *names: str) -> dict[str, Any]:
    return {name: (_when(value) if isinstance(value := getattr(row, name), date) else value) for name in names}


class PrivacyService:
    def __init__(self, repos: Repositories, now: datetime, feedback_window: timedelta) -> None:
        self._repos = repos
        self._profiles = repos.profiles
        self._now = now
        self._feedback_window = feedback_window

    async def export(self, account: Account) -> bytes:
        """Everything we keep about the account, as indented UTF-8 JSON (file contents as metadata only)."""
        profiles, account_id = self._profiles, account.id
        row = await self._repos.accounts.get(account_id)
        assert row is not None
        freelancer = await profiles.freelancer(account_id)
        client = await profiles.client(account_id)
        kept = await self._repos.jobs.kept_draft(account_id)
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
            "unfinished_job_post": kept and _columns(kept, "data", "saved_at"),
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
        } | await self._money(account_id)
        return json.dumps(data, ensure_ascii=False, indent=2).encode()

    async def _money(self, account_id: int) -> dict[str, Any]:
        """Contracts (with their milestones, the freelancer's time log and the invoices), feedback given and
        received (only once revealed, and never the author's private note), disputes opened, earnings, payouts."""
        repos = self._repos
        contracts = []
        for contract in await repos.contracts.of_party(account_id):
            freelancer = contract.freelancer_id == account_id
            entry = _columns(
                contract,
                "id",
                "job_id",
                "proposal_id",
                "client_id",
                "freelancer_id",
                "title",
                "kind",
                "currency",
                "rate_minor",
                "weekly_limit_minutes",
                "fee_schedule",
                "fee_bp",
                "client_fee_bp",
                "status",
                "start_date",
                "offered_at",
                "accepted_at",
                "ended_at",
                "end_reason",
            )
            entry["role"] = "freelancer" if freelancer else "client"
            entry["milestones"] = [
                _columns(
                    m,
                    "id",
                    "position",
                    "description",
                    "amount_minor",
                    "due_date",
                    "status",
                    "funded_minor",
                    "released_minor",
                    "refunded_minor",
                    "funded_at",
                    "submitted_at",
                    "closed_at",
                )
                for m in await repos.contracts.milestones(contract.id)
            ]
            if contract.kind == "hourly":
                if freelancer:
                    entry["time_entries"] = [
                        _columns(t, "week_start", "minutes", "memo", "created_at")
                        for t in await repos.contracts.time_log(contract.id)
                    ]
                entry["invoices"] = [
                    _columns(
                        i,
                        "id",
                        "week_start",
                        "minutes",
                        "amount_minor",
                        "status",
                        "review_until",
                        "paid_minor",
                        "refunded_minor",
                        "created_at",
                        "closed_at",
                    )
                    for i in await repos.contracts.invoice_history(contract.id)
                ]
            contracts.append(entry)
        window_start = self._now - self._feedback_window
        return {
            "contracts": contracts,
            "feedback_given": [
                _columns(f, "contract_id", "stars", "public_comment", "private_note", "created_at")
                for f in await repos.feedback.given_by(account_id)
            ],
            "feedback_received": [
                _columns(f, "contract_id", "stars", "public_comment", "created_at")
                for f in await repos.feedback.revealed_to(account_id, window_start)
            ],
            "disputes_opened": [
                _columns(
                    d,
                    "id",
                    "contract_id",
                    "milestone_id",
                    "invoice_id",
                    "reason",
                    "status",
                    "resolution",
                    "freelancer_share_minor",
                    "created_at",
                    "resolved_at",
                )
                for d in await repos.disputes.opened_by(account_id)
            ],
            "earnings": [
                _columns(
                    e,
                    "contract_id",
                    "amount_minor",
                    "fee_minor",
                    "currency",
                    "created_at",
                    "available_at",
                    "matured_at",
                )
                for e in await repos.ledger.earning_history(account_id)
            ],
            "payouts": [
                _columns(p, "id", "amount_minor", "currency", "status", "created_at")
                for p in await repos.ledger.payout_history(account_id)
            ],
        }

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
