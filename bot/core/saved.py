"""♥ Save and 👎 Not interested: a freelancer's own lists of jobs to come back to and jobs to never see again.

A hidden job disappears from search and the feed; its reason teaches the feed what to show less of.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.core.jobs import Job, JobService
from bot.core.numbers import whole_number
from bot.storage.repositories import Repositories

HIDE_REASONS = {
    "skills": N_("Not my skills"),
    "budget": N_("Budget too low"),
    "client": N_("Client history"),
    "vague": N_("Vague description"),
    "length": N_("Wrong project length"),
    "other": N_("Other"),
}


class SavedJobsService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._saved = repos.saved
        self._jobs = JobService(repos, now)
        self._now = now

    async def save(self, viewer: Account, job_id: str) -> Job:
        """Save a job the viewer may see; saving twice is harmless."""
        job = await self._jobs.visible(viewer, job_id)
        await self._saved.save(viewer.id, job.id, self._now)
        return job

    async def unsave(self, viewer: Account, job_id: str) -> None:
        ident = whole_number(job_id)
        if ident is None or not await self._saved.unsave(viewer.id, ident):
            raise UserError(N_("That job is not in your saved jobs."))

    async def hide(self, viewer: Account, job_id: str, reason: str | None) -> Job:
        if reason is not None and reason not in HIDE_REASONS:
            raise UserError(N_("Please pick one of the reasons offered."))
        job = await self._jobs.visible(viewer, job_id)
        if job.client_id == viewer.id:
            raise UserError(N_("That is your own job post: close it from /my_jobs instead."))
        await self._saved.hide(viewer.id, job.id, reason, self._now)
        return job

    async def unhide(self, viewer: Account, job_id: str) -> None:
        ident = whole_number(job_id)
        if ident is None or not await self._saved.unhide(viewer.id, ident):
            raise UserError(N_("That job is not hidden."))

    async def is_saved(self, viewer: Account, job_id: int) -> bool:
        return await self._saved.is_saved(viewer.id, job_id)

    async def saved_ids(self, viewer: Account, offset: int, limit: int) -> tuple[list[int], int]:
        return await self._saved.saved_ids(viewer.id, offset, limit), await self._saved.saved_count(viewer.id)
