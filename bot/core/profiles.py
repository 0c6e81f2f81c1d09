"""Freelancer and client profiles: what a person tells about themselves, checked, plus what the market knows.

Every change names the account making it and is checked against the row it touches, so a forged button
(another person's portfolio link id, say) changes nothing. Identity verification is decided by admins only.
"""

from __future__ import annotations

import secrets
import string
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from bot.core.accounts import Account
from bot.core.errors import UserError
from bot.core.events import AttachmentIn
from bot.core.files import DOCUMENT_TYPES, IMAGE_TYPES, FileService, StoredFile
from bot.core.i18n import N_, Count, Money
from bot.core.money import MINOR_PER_MAJOR, parse_amount
from bot.core.numbers import whole_number
from bot.core.taxonomy import CATEGORIES, normalise_skill
from bot.storage.orm import (
    AccountRow,
    ClientProfileRow,
    FreelancerProfileRow,
    PortfolioLinkRow,
    TestimonialRow,
    WorkHistoryRow,
)
from bot.storage.repositories import Repositories

TITLE_MAX, ABOUT_MAX = 70, 4_000  # the overview is one form field: a Discord text input holds 4,000
MAX_SKILLS, MAX_CATEGORIES, MAX_PORTFOLIO, MAX_HISTORY = 15, 3, 10, 20
LINK_TITLE_MAX, URL_MAX = 100, 500
COMPANY_MAX, ROLE_MAX = 100, 100
CLIENT_NAME_MAX, PROJECT_MAX, TESTIMONIAL_MAX = 100, 200, 2_000
RATE_MIN, RATE_MAX = 1 * MINOR_PER_MAJOR, 999 * MINOR_PER_MAJOR
HOURS_MIN, HOURS_MAX = 1, 80
FIRST_YEAR = 1950
LANGUAGE_CODES = (
    "en", "fr", "es", "de", "it", "pt", "nl", "pl", "ru", "uk", "tr", "ar",
    "he", "hi", "bn", "ur", "zh", "ja", "ko", "vi", "id", "sv", "el", "ro",
)  # fmt: skip
LANGUAGE_LEVELS = {
    "basic": N_("basic"),
    "conversational": N_("conversational"),
    "fluent": N_("fluent"),
    "native": N_("native or bilingual"),
}
VERIFICATION_STATES = {
    "unverified": N_("not verified"),
    "pending": N_("under review"),
    "verified": N_("verified ✅"),
    "rejected": N_("rejected"),
}
_TOKEN_ALPHABET = string.ascii_letters + string.digits
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# (item, weight, what to tell the freelancer): the profile's completeness, and the next thing to add.
COMPLETENESS: tuple[tuple[str, int, str], ...] = (
    ("title", 10, N_("Add a professional title")),
    ("about", 15, N_("Tell clients about yourself")),
    ("skills", 15, N_("Add your skills")),
    ("rate", 10, N_("Add your hourly rate")),
    ("photo", 10, N_("Add a profile photo")),
    ("categories", 5, N_("Pick your categories")),
    ("portfolio", 10, N_("Add a portfolio link")),
    ("history", 10, N_("Add your work history")),
    ("languages", 5, N_("Add the languages you speak")),
    ("availability", 5, N_("Say how many hours a week you can work")),
    ("verified", 5, N_("Verify your identity")),
)


def clean_text(raw: str, limit: int, *, multiline: bool = False) -> str:
    """Trimmed text without control characters (newlines allowed where ``multiline``), at most ``limit``."""
    text = unicodedata.normalize("NFC", raw).strip()
    if not multiline:
        text = " ".join(text.split())
    if not text:
        raise UserError(N_("Please type something: it can't be empty."))
    if len(text) > limit:
        raise UserError(
            N_("That is too long: at most {limit} characters, and you sent {length}."),
            limit=Count(limit),
            length=Count(len(text)),
        )
    for char in text:
        if char in _BIDI_CONTROLS or (unicodedata.category(char) == "Cc" and not (multiline and char in "\n\t")):
            raise UserError(N_("Please leave out the invisible character U+{code}."), code=f"{ord(char):04X}")
    return text


def clean_url(raw: str) -> str:
    """An http(s) link with a host; "example.com/work" gets https:// in front."""
    url = raw.strip()
    if not url or len(url) > URL_MAX:
        raise UserError(N_("A link can be at most {limit} characters."), limit=URL_MAX)
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in url):
        raise UserError(N_("A link can't contain spaces."))
    parts = urlsplit(url)
    if not parts.scheme or "." in parts.scheme:  # "example.com/x", or "example.com:8080" read as a scheme
        parts = urlsplit(f"https://{url}")
    try:
        host = parts.hostname or ""
    except ValueError:
        host = ""
    if parts.scheme.lower() not in ("http", "https"):
        raise UserError(N_("Only web links (http:// or https://) can go in a portfolio."))
    if "." not in host or "@" in parts.netloc or host.startswith(".") or host.endswith("."):
        raise UserError(N_("“{url}” doesn't look like a web address, e.g. https://example.com/work."), url=url[:80])
    return parts.geturl()


def parse_year(raw: str, now: datetime) -> int:
    text = raw.strip()
    year = whole_number(text) if len(text) == 4 else None
    if year is None:
        raise UserError(N_("Please type a year with four digits, like 2021."))
    if not FIRST_YEAR <= year <= now.year:
        raise UserError(N_("The year must be between {first} and {last}."), first=FIRST_YEAR, last=now.year)
    return year


def parse_rate(raw: str) -> int:
    minor = parse_amount(raw, minimum_minor=RATE_MIN)
    if minor > RATE_MAX:
        raise UserError(N_("An hourly rate can be at most {amount}."), amount=Money(RATE_MAX))
    return minor


def parse_hours(raw: str) -> int:
    text = raw.strip().lower().removesuffix("h").strip()
    hours = whole_number(text)
    if hours is None or not HOURS_MIN <= hours <= HOURS_MAX:
        raise UserError(N_("Please type a number of hours a week from {low} to {high}."), low=HOURS_MIN, high=HOURS_MAX)
    return hours


def new_token(length: int = 20) -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class PortfolioLink:
    id: int
    title: str
    url: str


@dataclass(frozen=True)
class WorkEntry:
    id: int
    company: str
    role: str
    start_year: int
    end_year: int | None


@dataclass(frozen=True)
class Testimonial:
    id: int
    client_name: str
    project: str
    text: str | None
    status: str
    given_at: datetime | None


@dataclass(frozen=True)
class FreelancerProfile:
    account_id: int
    title: str = ""
    about: str = ""
    hourly_rate_minor: int | None = None
    currency: str = "USD"
    hours_per_week: int | None = None
    contract_to_hire: bool = False
    photo_file_id: int | None = None
    languages: tuple[tuple[str, str], ...] = ()
    verification: str = "unverified"
    skills: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    portfolio: tuple[PortfolioLink, ...] = ()
    history: tuple[WorkEntry, ...] = ()
    testimonials: tuple[Testimonial, ...] = ()

    @property
    def filled(self) -> dict[str, bool]:
        return {
            "title": bool(self.title),
            "about": bool(self.about),
            "skills": bool(self.skills),
            "rate": self.hourly_rate_minor is not None,
            "photo": self.photo_file_id is not None,
            "categories": bool(self.categories),
            "portfolio": bool(self.portfolio),
            "history": bool(self.history),
            "languages": bool(self.languages),
            "availability": self.hours_per_week is not None,
            "verified": self.verification == "verified",
        }

    @property
    def completeness(self) -> int:
        filled = self.filled
        return sum(weight for item, weight, _ in COMPLETENESS if filled[item])

    @property
    def next_step(self) -> tuple[str, int] | None:
        """What to add next and how many percent it is worth, or None when the profile is complete."""
        filled = self.filled
        return next(((advice, weight) for item, weight, advice in COMPLETENESS if not filled[item]), None)


@dataclass(frozen=True)
class ClientProfile:
    account_id: int
    company_name: str
    payment_verified: bool
    jobs_posted: int
    hires: int
    total_spent_minor: int
    rating_sum: int
    rating_count: int

    @property
    def hire_rate(self) -> int | None:
        """Hires per job posted, in percent (None before the first job)."""
        return round(100 * self.hires / self.jobs_posted) if self.jobs_posted else None

    @property
    def rating(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None


@dataclass(frozen=True)
class TestimonialRequest:
    """A request as the person asked to write it sees it."""

    token: str
    freelancer_id: int
    freelancer_name: str
    client_name: str
    project: str


class ProfileService:
    def __init__(self, repos: Repositories, now: datetime) -> None:
        self._repos = repos
        self._profiles = repos.profiles
        self._now = now
        self._files = FileService(repos, now)

    # ---- reading --------------------------------------------------------------------------------

    async def freelancer(self, account_id: int) -> FreelancerProfile:
        row = await self._profiles.freelancer(account_id)
        portfolio = await self._profiles.portfolio(account_id)
        history = await self._profiles.history(account_id)
        testimonials = await self._profiles.testimonials_for(account_id)
        base = {}
        if row is not None:
            base = {
                "title": row.title,
                "about": row.about,
                "hourly_rate_minor": row.hourly_rate_minor,
                "currency": row.currency,
                "hours_per_week": row.hours_per_week,
                "contract_to_hire": row.contract_to_hire,
                "photo_file_id": row.photo_file_id,
                "languages": tuple((item["code"], item["level"]) for item in row.languages),
                "verification": row.verification,
            }
        return FreelancerProfile(
            account_id,
            **base,
            skills=tuple(await self._profiles.skills(account_id)),
            categories=tuple(await self._profiles.categories(account_id)),
            portfolio=tuple(PortfolioLink(link.id, link.title, link.url) for link in portfolio),
            history=tuple(WorkEntry(e.id, e.company, e.role, e.start_year, e.end_year) for e in history),
            testimonials=tuple(
                Testimonial(t.id, t.client_name, t.project, t.text, t.status, t.given_at) for t in testimonials
            ),
        )

    async def person(self, username: str) -> Account | None:
        """The account with this username; None if it was deleted; a UserError if there is none."""
        row = await self._repos.accounts.by_username(username)
        if row is None:
            raise UserError(N_("There is nobody called @{username} on gigbot."), username=username[:40])
        return None if row.deleted_at is not None else Account.from_row(row)

    async def client(self, account_id: int) -> ClientProfile:
        row = await self._profiles.client(account_id)
        return ClientProfile(
            account_id,
            company_name=row.company_name if row else "",
            payment_verified=row.payment_verified if row else False,
            jobs_posted=await self._profiles.jobs_posted_count(account_id),
            hires=row.hires_count if row else 0,
            total_spent_minor=row.total_spent_minor if row else 0,
            rating_sum=row.rating_sum if row else 0,
            rating_count=row.rating_count if row else 0,
        )

    async def photo(self, account_id: int) -> int | None:
        """The id of the freelancer's profile photo file, if they have one."""
        row = await self._profiles.freelancer(account_id)
        return row.photo_file_id if row is not None else None

    async def _freelancer_row(self, account: Account) -> FreelancerProfileRow:
        if not account.is_freelancer:
            raise UserError(N_("That is part of a freelancer profile, and your account is a client account."))
        row = await self._profiles.freelancer(account.id)
        if row is None:
            row = await self._profiles.add(
                FreelancerProfileRow(account_id=account.id, languages=[], updated_at=self._now)
            )
        row.updated_at = self._now
        return row

    async def _client_row(self, account: Account) -> ClientProfileRow:
        if not account.is_client:
            raise UserError(N_("That is part of a client profile, and your account is a freelancer account."))
        row = await self._profiles.client(account.id)
        if row is None:
            row = await self._profiles.add(ClientProfileRow(account_id=account.id, updated_at=self._now))
        row.updated_at = self._now
        return row

    # ---- freelancer: the basics ---------------------------------------------------------------

    async def set_basics(self, account: Account, title: str, about: str) -> None:
        row = await self._freelancer_row(account)
        row.title = clean_text(title, TITLE_MAX)
        row.about = clean_text(about, ABOUT_MAX, multiline=True)

    async def set_rate(self, account: Account, raw: str) -> int:
        row = await self._freelancer_row(account)
        row.hourly_rate_minor = parse_rate(raw)
        return row.hourly_rate_minor

    async def set_hours(self, account: Account, raw: str) -> None:
        row = await self._freelancer_row(account)
        row.hours_per_week = parse_hours(raw)

    async def toggle_contract_to_hire(self, account: Account) -> bool:
        row = await self._freelancer_row(account)
        row.contract_to_hire = not row.contract_to_hire
        return row.contract_to_hire

    async def add_skills(self, account: Account, raw: str) -> list[str]:
        """Add the comma-separated skills; each is normalised or refused with suggestions."""
        await self._freelancer_row(account)
        wanted = [normalise_skill(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        if not wanted:
            raise UserError(N_("Please type a skill, or several separated by commas."))
        have = await self._profiles.skills(account.id)
        added = [skill for skill in dict.fromkeys(wanted) if skill not in have]
        if len(have) + len(added) > MAX_SKILLS:
            raise UserError(
                N_("A profile can list at most {limit} skills, and you have {count}. Remove one first."),
                limit=MAX_SKILLS,
                count=len(have),
            )
        for skill in added:
            await self._profiles.set_skill(account.id, skill, True)
        return added

    async def remove_skill(self, account: Account, skill: str) -> None:
        await self._freelancer_row(account)
        await self._profiles.set_skill(account.id, skill, False)

    async def toggle_category(self, account: Account, category: str) -> None:
        await self._freelancer_row(account)
        if category not in CATEGORIES:
            raise UserError(N_("That category doesn't exist."))
        have = await self._profiles.categories(account.id)
        if category not in have and len(have) >= MAX_CATEGORIES:
            raise UserError(N_("You can pick at most {limit} categories. Remove one first."), limit=MAX_CATEGORIES)
        await self._profiles.set_category(account.id, category, category not in have)

    async def set_language(self, account: Account, code: str, level: str | None) -> None:
        """Set a language's level, or remove it (``level`` None)."""
        row = await self._freelancer_row(account)
        if code not in LANGUAGE_CODES or (level is not None and level not in LANGUAGE_LEVELS):
            raise UserError(N_("That language or level isn't on the list."))
        kept = [item for item in row.languages if item["code"] != code]
        row.languages = kept + ([{"code": code, "level": level}] if level else [])

    async def set_photo(self, account: Account, attachment: AttachmentIn) -> None:
        row = await self._freelancer_row(account)
        if attachment.mime_type not in IMAGE_TYPES:
            raise UserError(N_("Please send a photo: a JPEG, PNG or WebP image."))
        stored = await self._files.store(account.id, attachment, allowed=IMAGE_TYPES)
        await self._drop_file(row.photo_file_id)
        row.photo_file_id = stored.id

    async def remove_photo(self, account: Account) -> None:
        row = await self._freelancer_row(account)
        old, row.photo_file_id = row.photo_file_id, None
        await self._drop_file(old)

    async def _drop_file(self, file_id: int | None) -> None:
        if file_id is not None:
            await self._profiles.drop_file(file_id)

    # ---- portfolio and work history -------------------------------------------------------------

    async def add_portfolio_link(self, account: Account, title: str, url: str) -> None:
        await self._freelancer_row(account)
        if len(await self._profiles.portfolio(account.id)) >= MAX_PORTFOLIO:
            raise UserError(N_("A portfolio holds at most {limit} links. Remove one first."), limit=MAX_PORTFOLIO)
        await self._profiles.add(
            PortfolioLinkRow(
                account_id=account.id,
                title=clean_text(title, LINK_TITLE_MAX),
                url=clean_url(url),
                created_at=self._now,
            )
        )

    async def remove_portfolio_link(self, account: Account, link_id: int) -> None:
        link = await self._profiles.portfolio_link(link_id)
        if link is None or link.account_id != account.id:
            raise UserError(N_("That link isn't in your portfolio."))
        await self._profiles.remove(link)

    async def add_work(self, account: Account, company: str, role: str, start: str, end: str) -> None:
        await self._freelancer_row(account)
        if len(await self._profiles.history(account.id)) >= MAX_HISTORY:
            raise UserError(N_("Work history holds at most {limit} entries. Remove one first."), limit=MAX_HISTORY)
        start_year = parse_year(start, self._now)
        end_year = (
            None if end.strip().casefold() in ("", "-", "present", "now", "today") else parse_year(end, self._now)
        )
        if end_year is not None and end_year < start_year:
            raise UserError(N_("The end year can't be before the start year ({year})."), year=start_year)
        await self._profiles.add(
            WorkHistoryRow(
                account_id=account.id,
                company=clean_text(company, COMPANY_MAX),
                role=clean_text(role, ROLE_MAX),
                start_year=start_year,
                end_year=end_year,
                created_at=self._now,
            )
        )

    async def remove_work(self, account: Account, entry_id: int) -> None:
        entry = await self._profiles.history_entry(entry_id)
        if entry is None or entry.account_id != account.id:
            raise UserError(N_("That entry isn't in your work history."))
        await self._profiles.remove(entry)

    # ---- testimonials ---------------------------------------------------------------------------

    async def request_testimonial(self, account: Account, client_name: str, project: str) -> str:
        """A new request; returns the token to put in the link the freelancer forwards."""
        await self._freelancer_row(account)
        token = new_token()
        await self._profiles.add(
            TestimonialRow(
                freelancer_id=account.id,
                token=token,
                client_name=clean_text(client_name, CLIENT_NAME_MAX),
                project=clean_text(project, PROJECT_MAX),
                status="requested",
                created_at=self._now,
            )
        )
        return token

    async def _open_request(self, token: str, writer: Account) -> TestimonialRow:
        row = await self._profiles.testimonial_by_token(token.strip()) if token.strip() else None
        if row is None:
            raise UserError(N_("That testimonial link isn't valid. Please ask for a new one."))
        if row.status != "requested":
            raise UserError(N_("That testimonial has already been answered. Thank you!"))
        if row.freelancer_id == writer.id:
            raise UserError(N_("You can't write a testimonial for yourself: forward the link to your client."))
        return row

    async def _request(self, row: TestimonialRow) -> TestimonialRequest:
        freelancer = await self._repos.accounts.get(row.freelancer_id)
        assert freelancer is not None
        return TestimonialRequest(row.token, row.freelancer_id, freelancer.full_name, row.client_name, row.project)

    async def testimonial_request(self, token: str, writer: Account) -> TestimonialRequest:
        return await self._request(await self._open_request(token, writer))

    async def answer_testimonial(self, token: str, writer: Account, text: str | None) -> TestimonialRequest:
        """Give the testimonial (``text``) or decline it (None). Returns the request, to notify its freelancer."""
        row = await self._open_request(token, writer)
        row.client_account_id = writer.id
        row.given_at = self._now
        if text is None:
            row.status = "declined"
        else:
            row.text = clean_text(text, TESTIMONIAL_MAX, multiline=True)
            row.status = "given"
        return await self._request(row)

    # ---- identity verification ------------------------------------------------------------------

    async def submit_identity_document(self, account: Account, attachment: AttachmentIn) -> StoredFile:
        row = await self._freelancer_row(account)
        if row.verification in ("pending", "verified"):
            raise UserError(N_("Your identity is already {state}."), state=VERIFICATION_STATES[row.verification])
        if attachment.mime_type not in DOCUMENT_TYPES:
            raise UserError(N_("That kind of file can't be used here. Please send a JPEG, PNG or PDF."))
        stored = await self._files.store(account.id, attachment, allowed=DOCUMENT_TYPES)
        await self._drop_file(row.verification_file_id)
        row.verification_file_id = stored.id
        row.verification = "pending"
        return stored

    async def admin_accounts(self, admins: frozenset[str]) -> list[AccountRow]:
        return await self._profiles.accounts_named(admins)

    async def review_identity(self, reviewer: Account, admins: frozenset[str], account_id: int, approve: bool) -> str:
        """An admin approves or rejects a pending verification; returns the reviewed person's username."""
        if reviewer.username not in admins:
            raise UserError(N_("Only gigbot admins can review identity documents."))
        row = await self._profiles.freelancer(account_id)
        person = await self._repos.accounts.get(account_id)
        if row is None or person is None or person.deleted_at is not None:
            raise UserError(N_("There is no verification request for that account."))
        if row.verification != "pending":
            raise UserError(
                N_("That request was already reviewed: @{username} is {state}."),
                username=person.username,
                state=VERIFICATION_STATES[row.verification],
            )
        row.verification = "verified" if approve else "rejected"
        row.updated_at = self._now
        return person.username

    # ---- client ---------------------------------------------------------------------------------

    async def set_company(self, account: Account, raw: str) -> None:
        row = await self._client_row(account)
        row.company_name = "" if raw.strip() in ("", "-") else clean_text(raw, COMPANY_MAX)

    async def verify_payment_method(self, account: Account) -> None:
        """Sandbox: there is no payment provider yet, so the check always passes (and says so)."""
        row = await self._client_row(account)
        row.payment_verified = True
