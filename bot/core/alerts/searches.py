"""Saved searches ("🔔 Alert me") and each person's alert settings: quiet hours, a daily cap, pause all.

A saved search keeps the query and filters exactly as /search takes them, so an alert means "this job would be
in that search's results"; ``frequency`` says whether its matches come at once or in an hourly or daily digest.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.core.numbers import whole_number
from bot.core.search import JobFilters, parse_query
from bot.storage.orm import AlertRow, AlertSettingsRow, SavedSearchRow
from bot.storage.repositories import Repositories

MAX_SEARCHES = 20
HOURLY = timedelta(minutes=55)  # an hourly digest goes once its oldest alert has waited about an hour
DAILY_AT = time(8, 0)  # a daily digest goes each morning, in the person's time zone
MAX_NAME = 60
MAX_DAILY_CAP = 500
FREQUENCIES = {"instant": N_("Instant"), "hourly": N_("Hourly digest"), "daily": N_("Daily digest")}
_CLOCK = re.compile(r"([01]?\d|2[0-3])[:h.]?([0-5]\d)?")


@dataclass(frozen=True)
class SavedSearch:
    id: int
    account_id: int
    name: str
    query: str
    filters: JobFilters
    frequency: str
    paused: bool

    @classmethod
    def from_row(cls, row: SavedSearchRow) -> SavedSearch:
        filters = JobFilters.model_validate(row.filters)
        return cls(row.id, row.account_id, row.name, row.query, filters, row.frequency, row.paused)


@dataclass(frozen=True)
class AlertSettings:
    """Quiet hours are local times in the person's time zone ("22:00" to "07:00"); None: none set."""

    quiet_from: time | None = None
    quiet_to: time | None = None
    daily_cap: int | None = None
    paused: bool = False

    @classmethod
    def from_row(cls, row: AlertSettingsRow | None) -> AlertSettings:
        if row is None:
            return cls()
        quiet = (parse_clock(row.quiet_from), parse_clock(row.quiet_to)) if row.quiet_from and row.quiet_to else None
        return cls(*(quiet or (None, None)), row.daily_cap, row.paused)

    def quiet_at(self, local: time) -> bool:
        """Whether ``local`` (the person's clock) is in their quiet hours, which may run past midnight."""
        if self.quiet_from is None or self.quiet_to is None:
            return False
        if self.quiet_from <= self.quiet_to:
            return self.quiet_from <= local < self.quiet_to
        return local >= self.quiet_from or local < self.quiet_to


def parse_clock(text: str | None) -> time | None:
    """ "22:00", "7", "7h30", "07.30" -> a time of day; None for anything else."""
    match = _CLOCK.fullmatch((text or "").strip().lower())
    return time(int(match.group(1)), int(match.group(2) or 0)) if match else None


def _search_filters(filters: JobFilters) -> dict:
    """What an alert can use of the filters: "posted within" means nothing for a job posted just now."""
    return filters.model_copy(update={"posted_within_days": None}).model_dump(mode="json")


class SavedSearchService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._alerts = repos.alerts
        self._jobs = repos.jobs
        self._accounts = repos.accounts
        self._now = now

    async def save(self, owner: Account, query: str, filters: JobFilters, name: str) -> SavedSearch:
        """Save a search to be alerted of (at once, by default); the same search saved again is the one kept."""
        parse_query(query)  # a query /search refuses can't be saved either
        stored = _search_filters(filters)
        existing = await self._alerts.searches_of(owner.id)
        for row in existing:
            if row.query == query and row.filters == stored:
                raise UserError(N_("You already have this search saved as “{name}”."), name=row.name)
        if len(existing) >= MAX_SEARCHES:
            raise UserError(
                N_("You have {limit} saved searches, the most there can be: delete one in /alerts first."),
                limit=MAX_SEARCHES,
            )
        row = SavedSearchRow(
            account_id=owner.id,
            name=_name(name),
            query=query,
            filters=stored,
            frequency="instant",
            paused=False,
            created_at=self._now,
            updated_at=self._now,
        )
        return SavedSearch.from_row(await self._alerts.add_search(row))

    async def mine(self, owner: Account) -> list[SavedSearch]:
        return [SavedSearch.from_row(row) for row in await self._alerts.searches_of(owner.id)]

    async def recent_matches(self, owner: Account) -> dict[int, list[str]]:
        """The titles of the latest jobs each of the owner's searches alerted of, newest first."""
        found: dict[int, list[str]] = {}
        for alert in await self._alerts.recent(owner.id):
            job = await self._jobs.get(alert.job_id)
            for search_id in alert.reasons:
                if job is not None:
                    found.setdefault(int(search_id), []).append(job.title)
        return found

    async def own(self, owner: Account, search_id: int | str) -> SavedSearch:
        """One of the owner's searches; anyone else's (or none) gets the same refusal."""
        ident = whole_number(search_id) if isinstance(search_id, str) else search_id
        row = await self._alerts.search(ident) if ident is not None else None
        if row is None or row.account_id != owner.id:
            raise UserError(N_("You have no saved search #{number}. Send /alerts to see yours."), number=search_id)
        return SavedSearch.from_row(row)

    async def rename(self, owner: Account, search_id: int, name: str) -> SavedSearch:
        search = await self.own(owner, search_id)
        await self._alerts.update_search(search.id, self._now, name=_name(name))
        return await self.own(owner, search.id)

    async def set_frequency(self, owner: Account, search_id: int, frequency: str) -> SavedSearch:
        if frequency not in FREQUENCIES:
            raise UserError(N_("Please pick one of the choices offered."))
        search = await self.own(owner, search_id)
        await self._alerts.update_search(search.id, self._now, frequency=frequency)
        return await self.own(owner, search.id)

    async def set_paused(self, owner: Account, search_id: int, paused: bool) -> SavedSearch:
        search = await self.own(owner, search_id)
        await self._alerts.update_search(search.id, self._now, paused=paused)
        return await self.own(owner, search.id)

    async def delete(self, owner: Account, search_id: int) -> SavedSearch:
        search = await self.own(owner, search_id)
        await self._alerts.delete_search(search.id, self._now)
        return search

    # ---- digests ---------------------------------------------------------------------------------------------

    async def digests_due(self) -> list[int]:
        """The people whose waiting alerts should go out now as one digest: outside their quiet hours, when an
        alert has waited about an hour (hourly searches, quiet hours over, past the daily limit) or, for daily
        searches only, in the morning for what came the day before."""
        waiting: dict[int, list[AlertRow]] = defaultdict(list)
        for alert in await self._alerts.digest_waiting():
            waiting[alert.account_id].append(alert)
        due = []
        for account_id, alerts in waiting.items():
            account = await self._accounts.get(account_id)
            if account is None:
                continue
            settings = AlertSettings.from_row(await self._alerts.settings(account_id))
            zone = ZoneInfo(account.timezone)
            local = self._now.astimezone(zone)
            if settings.paused or settings.quiet_at(local.time()):
                continue
            frequencies = {row.id: row.frequency for row in await self._alerts.searches_of(account_id)}
            morning = datetime.combine(local.date(), DAILY_AT, zone)
            for alert in alerts:
                daily = all(frequencies.get(int(search_id)) == "daily" for search_id in alert.reasons)
                quiet_then = settings.quiet_at(alert.created_at.astimezone(zone).time())
                if (daily and local >= morning > alert.created_at) or (
                    not daily and (quiet_then or self._now - alert.created_at >= HOURLY)
                ):
                    due.append(account_id)
                    break
        return due

    async def take_digest(self, account_id: int) -> list[dict]:
        """The person's waiting alerts, as a digest lists them (newest first), now delivered."""
        alerts = await self._alerts.digest_waiting(account_id)
        jobs = []
        for alert in sorted(alerts, key=lambda alert: (alert.created_at, alert.id), reverse=True):
            job = await self._jobs.get(alert.job_id)
            if job is not None and job.status == "open":
                names = [reason["name"] for reason in alert.reasons.values()]
                jobs.append({"id": job.id, "title": job.title, "searches": names})
        await self._alerts.delivered([alert.id for alert in alerts], self._now)
        return jobs

    # ---- settings -------------------------------------------------------------------------------------------

    async def settings(self, owner: Account) -> AlertSettings:
        return AlertSettings.from_row(await self._alerts.settings(owner.id))

    async def set_quiet_hours(self, owner: Account, text: str) -> AlertSettings:
        """ "22:00-07:00" (either order of words: "22 to 7"), or "off"."""
        if text.strip().lower() in ("off", "none", "-", "non", "aucune"):
            await self._alerts.save_settings(owner.id, self._now, quiet_from=None, quiet_to=None)
            return await self.settings(owner)
        parts = [parse_clock(part) for part in re.split(r"\s*(?:-|–|to|à|a)\s*", text.strip().lower()) if part]
        start, end = parts if len(parts) == 2 else [None, None]
        if start is None or end is None or start == end:
            raise UserError(N_("Please write quiet hours as two times, like 22:00-07:00, or off."))
        await self._alerts.save_settings(
            owner.id, self._now, quiet_from=start.strftime("%H:%M"), quiet_to=end.strftime("%H:%M")
        )
        return await self.settings(owner)

    async def set_daily_cap(self, owner: Account, text: str) -> AlertSettings:
        """At most this many instant alerts a day (the rest wait for the digest), or "off"."""
        if text.strip().lower() in ("off", "none", "-", "non", "aucun"):
            cap = None
        else:
            cap = whole_number(text)
            if cap is None or not 1 <= cap <= MAX_DAILY_CAP:
                raise UserError(N_("Please type a number from 1 to {most}, or off."), most=MAX_DAILY_CAP)
        await self._alerts.save_settings(owner.id, self._now, daily_cap=cap)
        return await self.settings(owner)

    async def set_paused_all(self, owner: Account, paused: bool) -> AlertSettings:
        await self._alerts.save_settings(owner.id, self._now, paused=paused)
        await self._alerts.touch_searches_of(owner.id, self._now)
        return await self.settings(owner)


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError(N_("Please give the search a name."))
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1].rstrip() + "…"
