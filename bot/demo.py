"""`gigbot demo`: realistic demo people (signed up as console users, so `/as NAME` becomes them), their
profiles, open job posts to search, save and hide, and the money cycle under way: a proposal waiting for its
client, and a fixed-price contract whose first milestone is funded and submitted, ready for **Approve & pay**.
Running it again adds nothing twice."""

from __future__ import annotations

from dataclasses import dataclass

from bot.bootstrap import build_app
from bot.config import Settings
from bot.core.accounts import Account, NewAccount
from bot.core.jobs import JobDraft
from bot.core.money import parse_amount
from bot.core.proposals import MilestoneDraft, ProposalDraft
from bot.core.services import Services
from bot.storage.repositories import Repositories

DEMO_PEOPLE = [
    NewAccount("amelie", "Amélie Laurent", True, False, "fr", "FR", "Europe/Paris"),
    NewAccount("chen", "Chen Wei", True, False, "en", "SG", "Asia/Singapore"),
    NewAccount("omar", "Omar Haddad", True, True, "en", "AE", "Asia/Dubai"),
    NewAccount("priya", "Priya Raman", True, False, "en", "IN", "Asia/Kolkata"),
    NewAccount("ben", "Ben Carter", False, True, "en", "US", "America/New_York"),
    NewAccount("dana", "Dana Whitfield", False, True, "en", "GB", "Europe/London"),
    NewAccount("lucas", "Lucas Moreau", False, True, "fr", "CA", "America/Toronto"),
]


@dataclass(frozen=True)
class DemoProfile:
    title: str
    about: str
    skills: str
    categories: tuple[str, ...]
    rate: str


PROFILES = {
    "amelie": DemoProfile(
        "Designer UX/UI et identité visuelle",
        "Dix ans d'agence, puis indépendante.",
        "Figma, UI Design, UX Design, Logo Design, Brand Identity",
        ("design",),
        "55",
    ),
    "chen": DemoProfile(
        "Senior Python & Django engineer",
        "APIs, data pipelines and PostgreSQL tuning.",
        "Python, Django, PostgreSQL, Docker, API Development",
        ("dev", "data"),
        "70",
    ),
    "omar": DemoProfile(
        "Full-stack developer (React, Node.js)",
        "I ship MVPs for startups in weeks.",
        "React, Node.js, TypeScript, Next.js, MongoDB",
        ("dev",),
        "45",
    ),
    "priya": DemoProfile(
        "Data analyst and ML engineer",
        "Dashboards, forecasting and NLP.",
        "Python, Machine Learning, Data Analysis, Tableau, SQL",
        ("data",),
        "50",
    ),
}

# (client, title, description, category, skills, hourly range or fixed budget, experience, length, hours)
JOBS = [
    (
        "ben",
        "Build a REST API for our booking platform",
        "We run a booking platform for yoga studios and need a documented REST API (Django or FastAPI) with "
        "tests, deployed on our AWS account. Existing PostgreSQL schema.",
        "dev",
        "Python, Django, PostgreSQL, API Development",
        "40-70",
        "expert",
        "1to3",
        "lt30",
    ),
    (
        "ben",
        "Logo and brand identity for a coffee roaster",
        "A small-batch coffee roaster in Brooklyn needs a logo, colour palette and packaging labels.",
        "design",
        "Logo Design, Brand Identity, Adobe Illustrator",
        "$1,200",
        "intermediate",
        "lt1",
        None,
    ),
    (
        "dana",
        "React Native app for a community garden",
        "iOS and Android app to book plots and share harvest news. Figma designs are ready.",
        "dev",
        "React Native, TypeScript, Firebase",
        "35-55",
        "intermediate",
        "3to6",
        "gt30",
    ),
    (
        "dana",
        "Monthly bookkeeping in QuickBooks",
        "Reconcile two bank accounts and prepare monthly reports for a UK charity.",
        "finance",
        "Bookkeeping, QuickBooks",
        "25-35",
        "entry",
        "gt6",
        "lt30",
    ),
    (
        "lucas",
        "Traduction anglais-français d'un site e-commerce",
        "Environ 12 000 mots : fiches produits, pages d'aide et conditions générales.",
        "translation",
        "Translation, French, English",
        "$900",
        "expert",
        "lt1",
        None,
    ),
    (
        "lucas",
        "Sales dashboard in Power BI",
        "Connect Shopify and our CRM and build a weekly sales dashboard with forecasts.",
        "data",
        "Microsoft Power BI, Data Visualization, SQL",
        "$2,500",
        "intermediate",
        "1to3",
        None,
    ),
    (
        "omar",
        "Scrape and clean real-estate listings",
        "Daily scraper for three listing sites, deduplicated into PostgreSQL, with alerts on failures.",
        "data",
        "Data Scraping, Python, PostgreSQL",
        "$800",
        "intermediate",
        "lt1",
        None,
    ),
    (
        "ben",
        "Telegram bot for appointment reminders",
        "A bot that reads our Google Calendar and reminds clients a day before, with rescheduling buttons.",
        "dev",
        "Telegram Bot, Python, API Development",
        "$1,500",
        "intermediate",
        "lt1",
        None,
    ),
]


async def _person(services: Services, person: NewAccount) -> tuple[Account, bool]:
    """The demo person's account, and whether it was created just now."""
    existing = await services.accounts.for_identity("console", person.username)
    if existing is not None:
        print(f"@{person.username} is already there")
        return existing, False
    print(f"@{person.username}: {person.full_name}")
    return await services.accounts.create("console", person.username, person), True


async def _profile(services: Services, account: Account, profile: DemoProfile) -> None:
    profiles = services.profiles
    await profiles.set_basics(account, profile.title, profile.about)
    await profiles.add_skills(account, profile.skills)
    for category in profile.categories:
        await profiles.toggle_category(account, category)
    await profiles.set_rate(account, profile.rate)


def _draft(job: tuple[str, ...]) -> JobDraft:
    _client, title, description, category, skills, pay, experience, length, hours = job
    draft = JobDraft(
        title=title,
        description=description,
        category=category,
        skills=[skill.strip() for skill in skills.split(",")],
        experience=experience,
        project_length=length,
        hours_per_week=hours,
    )
    if hours is None:
        draft.job_type, draft.budget_minor = "fixed", parse_amount(pay)
    else:
        low, high = pay.split("-")
        draft.job_type, draft.rate_min_minor, draft.rate_max_minor = "hourly", parse_amount(low), parse_amount(high)
    return draft


async def _money_cycle(services: Services, people: dict[str, Account], jobs: dict[str, int]) -> None:
    """Amélie proposes on Ben's logo job; Chen is hired on Ben's Telegram bot, milestone 1 funded and handed in."""
    amelie, chen, ben = people["amelie"], people["chen"], people["ben"]
    pending = await services.proposals.submit(
        amelie,
        jobs["Logo and brand identity for a coffee roaster"],
        ProposalDraft(
            bid_kind="fixed",
            amount_minor=parse_amount("1,100"),
            duration="lt1",
            cover_letter="Bonjour Ben ! J'ai créé l'identité de trois torréfacteurs parisiens ; portfolio sur demande.",
        ),
    )
    proposal = await services.proposals.submit(
        chen,
        jobs["Telegram bot for appointment reminders"],
        ProposalDraft(
            bid_kind="milestones",
            milestones=[
                MilestoneDraft(description="Calendar sync and reminders", amount_minor=parse_amount("900")),
                MilestoneDraft(description="Rescheduling buttons and deployment", amount_minor=parse_amount("600")),
            ],
            duration="lt1",
            cover_letter="Hi Ben, I have shipped four Telegram bots with Google Calendar; happy to show them.",
        ),
    )
    offer = await services.contracts.offer_terms(ben, proposal.id)
    contract = await services.contracts.send_offer(ben, proposal.id, offer.terms)
    await services.contracts.accept(chen, contract.id)
    first = (await services.contracts.milestones(contract))[0]
    await services.contracts.fund(ben, contract.id, first.id)
    await services.contracts.submit(chen, contract.id, first.id, "Reminders go out a day before; see the bot.", [])
    print(f"proposal #{pending.id} from amelie to ben; contract #{contract.id} between ben and chen")


async def seed_demo(settings: Settings) -> None:
    app = await build_app(settings)
    try:
        async with app.database.transaction() as session:
            services = Services.bind(
                Repositories.bind(session), app.engine.clock.now(), app.engine.rules, app.engine.payments
            )
            created = {}
            for person in DEMO_PEOPLE:
                account, is_new = await _person(services, person)
                if is_new:
                    created[person.username] = account
            for username, profile in PROFILES.items():
                if username in created:
                    await _profile(services, created[username], profile)
            posted = [
                await services.jobs.save(created[job[0]], _draft(job), None, publish=True)
                for job in JOBS
                if job[0] in created
            ]
            print(f"{len(posted)} job posts published")
            if {"amelie", "chen", "ben"} <= created.keys():
                await _money_cycle(services, created, {job.title: job.id for job in posted})
    finally:
        await app.close()
    print(
        "Demo people are console users: run `gigbot console` and type `/as chen` to be one, then /feed;"
        " `/as ben` then /contracts to approve Chen's work and pay."
    )
