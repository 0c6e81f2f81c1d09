"""/profile: your own profile with its edit buttons, or someone's public profile (never the private parts)."""

from __future__ import annotations

from babel import Locale

from bot.conversations.feedback import reputation_lines
from bot.conversations.flow import CommandSpec, Ctx, StartFlow
from bot.core.accounts import Account
from bot.core.formats import format_number
from bot.core.i18n import N_, Day
from bot.core.money import format_money
from bot.core.places import country_name
from bot.core.profiles import (
    LANGUAGE_LEVELS,
    VERIFICATION_STATES,
    ClientProfile,
    FreelancerProfile,
    PortfolioLink,
    WorkEntry,
)
from bot.core.taxonomy import CATEGORIES
from bot.core.ui import Attachment, Button, Screen, escape, rows


def language_name(ctx: Ctx, code: str) -> str:
    return Locale.parse(ctx.locale).languages.get(code, code).capitalize()


def portfolio_line(ctx: Ctx, link: PortfolioLink) -> str:
    return ctx.t(N_("• {title}: {url}"), title=link.title, url=link.url)


def work_line(ctx: Ctx, entry: WorkEntry) -> str:
    period = (
        f"{entry.start_year}–{entry.end_year}"
        if entry.end_year is not None
        else ctx.t(N_("{start}–present"), start=entry.start_year)
    )
    return ctx.t(N_("• {role} at {company} ({years})"), role=entry.role, company=entry.company, years=period)


def freelancer_lines(ctx: Ctx, profile: FreelancerProfile, *, public: bool) -> list[str]:
    lines = [ctx.t(N_("💼 <b>{title}</b>"), title=profile.title or ctx.t(N_("Freelancer")))]
    if profile.about:
        lines.append(escape(profile.about))
    terms = []
    if profile.hourly_rate_minor is not None:
        rate = format_money(profile.hourly_rate_minor, ctx.locale, profile.currency)
        terms.append(ctx.t(N_("{rate}/h"), rate=rate))
    if profile.hours_per_week is not None:
        terms.append(ctx.t(N_("{hours} h/week"), hours=profile.hours_per_week))
    if profile.contract_to_hire:
        terms.append(ctx.t(N_("open to contract-to-hire")))
    if terms:
        lines.append(" · ".join(terms))
    if profile.skills:
        lines.append(ctx.t(N_("Skills: {skills}"), skills=", ".join(profile.skills)))
    if profile.categories:
        names = ", ".join(ctx.t(CATEGORIES[code]) for code in profile.categories)
        lines.append(ctx.t(N_("Categories: {names}"), names=names))
    if profile.languages:
        spoken = ", ".join(
            f"{language_name(ctx, code)} ({ctx.t(LANGUAGE_LEVELS[level])})" for code, level in profile.languages
        )
        lines.append(ctx.t(N_("Languages: {languages}"), languages=spoken))
    if profile.portfolio:
        lines.append(ctx.t(N_("<b>Portfolio</b>")))
        lines += [portfolio_line(ctx, link) for link in profile.portfolio]
    if profile.history:
        lines.append(ctx.t(N_("<b>Work history</b>")))
        lines += [work_line(ctx, entry) for entry in profile.history]
    given = [item for item in profile.testimonials if item.status == "given"]
    if given:
        lines.append(ctx.t(N_("<b>Testimonials</b>")))
        lines += [
            ctx.t(N_("• “{text}” — {client}, {project}"), text=item.text, client=item.client_name, project=item.project)
            for item in given
        ]
    if not public or profile.verification == "verified":
        state = ctx.t(VERIFICATION_STATES[profile.verification])
        lines.append(ctx.t(N_("Identity: {state}"), state=state))
    return lines


def client_lines(ctx: Ctx, account: Account, client: ClientProfile, *, public: bool) -> list[str]:
    lines = [ctx.t(N_("🧑‍💼 <b>Client</b>"))]
    if client.company_name:
        lines.append(ctx.t(N_("Company: {name}"), name=client.company_name))
    lines.append(ctx.t(N_("Country: {value}"), value=country_name(account.country, ctx.locale)))
    lines.append(
        ctx.t(N_("Payment method verified ✅ (sandbox)"))
        if client.payment_verified
        else ctx.t(N_("Payment method not verified"))
    )
    lines.append(ctx.tn("{count} job posted", "{count} jobs posted", client.jobs_posted))
    hire_rate = client.hire_rate
    lines.append(
        ctx.tn("{count} hire", "{count} hires", client.hires)
        + (ctx.t(N_(" · hire rate {rate}%"), rate=hire_rate) if hire_rate is not None else "")
    )
    lines.append(ctx.t(N_("Total spent: {amount}"), amount=format_money(client.total_spent_minor, ctx.locale)))
    rating = client.rating
    lines.append(
        ctx.t(
            N_("Rating: {stars} ★ ({count})"),
            stars=format_number(rating, ctx.locale, "0.0"),
            count=client.rating_count,
        )
        if rating is not None
        else ctx.t(N_("Rating: no reviews yet"))
    )
    return lines


async def _photo(ctx: Ctx, account_id: int) -> tuple[Attachment, ...]:
    file_id = await ctx.services.profiles.photo(account_id)
    attachment = await ctx.services.files.attachment(file_id, ctx.actor.platform) if file_id is not None else None
    return (attachment,) if attachment is not None else ()


async def own_profile(ctx: Ctx, notice: str = "") -> Screen:
    account = ctx.account
    assert account is not None
    profiles = ctx.services.profiles
    text = [ctx.t(N_("<b>{name}</b> (@{username})"), name=account.full_name, username=account.username)]
    buttons: list[Button] = [ctx.command_button(ctx.t(N_("✏️ Edit profile")), "edit_profile")]
    if account.is_freelancer:
        profile = await profiles.freelancer(account.id)
        upcoming = profile.next_step
        text.append(ctx.t(N_("Profile completeness: {percent}%"), percent=profile.completeness))
        if upcoming is not None:
            advice, weight = upcoming
            text.append(ctx.t(N_("Next: {advice} — +{weight}%"), advice=ctx.t(advice), weight=weight))
        text += ["", *freelancer_lines(ctx, profile, public=False)]
        if profile.verification in ("unverified", "rejected"):
            buttons.append(ctx.command_button(ctx.t(N_("🪪 Verify identity")), "verify"))
    if account.is_client:
        client = await profiles.client(account.id)
        text += ["", *client_lines(ctx, account, client, public=False)]
        if not client.payment_verified:
            buttons.append(ctx.command_button(ctx.t(N_("💳 Verify payment method")), "verify_payment"))
    text += ["", *await reputation_lines(ctx, account.id, freelancer=account.is_freelancer)]
    buttons.append(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"))
    screen = Screen(
        "\n".join(text), buttons=rows(*buttons), attachments=await _photo(ctx, account.id), name="profile.own"
    )
    return screen.with_notice(notice) if notice else screen


async def public_profile(ctx: Ctx, username: str) -> Screen:
    person = await ctx.services.profiles.person(username)
    back = rows(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"))
    if person is None:
        text = ctx.t(N_("<b>Deleted user</b>\nThis account was deleted; its profile is gone."))
        return Screen(text, back, name="profile.deleted")
    text = [ctx.t(N_("<b>{name}</b> (@{username})"), name=person.full_name, username=person.username)]
    if person.is_freelancer:
        text += ["", *freelancer_lines(ctx, await ctx.services.profiles.freelancer(person.id), public=True)]
    if person.is_client:
        client = await ctx.services.profiles.client(person.id)
        text += ["", *client_lines(ctx, person, client, public=True)]
    text += ["", *await reputation_lines(ctx, person.id, freelancer=person.is_freelancer)]
    text.append(ctx.t(N_("Member since: {value}"), value=Day(person.created_at.date())))
    return Screen("\n".join(text), back, attachments=await _photo(ctx, person.id), name="profile.public")


async def profile_command(ctx: Ctx, args: str) -> Screen:
    wanted = args.strip().removeprefix("@").lower()
    if not wanted or (ctx.account is not None and wanted == ctx.account.username):
        return await own_profile(ctx)
    return await public_profile(ctx, wanted)


async def edit_profile_command(ctx: Ctx, _args: str) -> StartFlow:
    return StartFlow("profile_edit")


async def verify_payment_command(ctx: Ctx, _args: str) -> Screen:
    assert ctx.account is not None
    await ctx.services.profiles.verify_payment_method(ctx.account)
    return await own_profile(
        ctx,
        ctx.t(
            N_(
                "💳 Payment method verified. This is a sandbox check: payments aren't live yet, "
                "so no card was asked for or charged."
            )
        ),
    )


COMMANDS = [
    CommandSpec("profile", N_("your profile, or someone's: /profile @username"), profile_command, deep_link=True),
    CommandSpec("edit_profile", N_("edit your profile"), edit_profile_command, deep_link=True),
    CommandSpec(
        "verify_payment",
        N_("verify your payment method (clients)"),
        verify_payment_command,
        in_help=False,
        role="client",
    ),
]
