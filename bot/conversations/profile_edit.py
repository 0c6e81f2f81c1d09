"""Editing your profile: a menu of sections, each a small screen that saves as soon as you answer.

Freelancers see title and overview, skills, categories, rate, availability, portfolio, work history,
languages, photo and testimonials; clients see their company name. Every change goes through
``ProfileService``, which checks the entry touched is the editor's own.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field

from bot.conversations.flow import Ctx, Finish, Flow, Goto, Outcome, Retry, Step
from bot.conversations.profile import language_name, own_profile, portfolio_line, work_line
from bot.core.errors import UserError
from bot.core.events import AttachmentIn
from bot.core.i18n import N_
from bot.core.money import format_money
from bot.core.numbers import whole_number
from bot.core.profiles import (
    ABOUT_MAX,
    CLIENT_NAME_MAX,
    COMPANY_MAX,
    LANGUAGE_CODES,
    LANGUAGE_LEVELS,
    LINK_TITLE_MAX,
    MAX_CATEGORIES,
    MAX_HISTORY,
    MAX_PORTFOLIO,
    MAX_SKILLS,
    PROJECT_MAX,
    ROLE_MAX,
    TITLE_MAX,
    URL_MAX,
    FreelancerProfile,
    clean_text,
    clean_url,
    parse_year,
)
from bot.core.taxonomy import CATEGORIES, suggest_skills
from bot.core.ui import MAX_BUTTON_LABEL, Button, Choice, Form, Screen, shorten
from bot.core.ui import Field as FormField

BACK = "back"
MENU = "menu"


class ProfileEditData(BaseModel):
    suggestions: list[str] = Field(default_factory=list)
    language: str | None = None


def _back(ctx: Ctx, label: str = N_("⬅️ Back")) -> tuple[Button, ...]:
    return (ctx.button(ctx.t(label), BACK),)


def _warning(ctx: Ctx, error: UserError) -> str:
    return "⚠️ " + ctx.t(error.message_id, **error.params)


async def _profile(ctx: Ctx) -> FreelancerProfile:
    assert ctx.account is not None
    return await ctx.services.profiles.freelancer(ctx.account.id)


def _id(value: str, prefix: str) -> int | None:
    head, _, tail = value.partition(":")
    return whole_number(tail) if head == prefix else None


# section (also the name of its step) -> (label, the completeness item it fills, if any)
FREELANCER_SECTIONS = {
    "basics": (N_("Title and overview"), "title"),
    "skills": (N_("Skills"), "skills"),
    "categories": (N_("Categories"), "categories"),
    "rate": (N_("Hourly rate"), "rate"),
    "availability": (N_("Availability"), "availability"),
    "portfolio": (N_("Portfolio"), "portfolio"),
    "history": (N_("Work history"), "history"),
    "languages": (N_("Languages"), "languages"),
    "photo": (N_("Photo"), "photo"),
    "testimonials": (N_("Testimonials"), ""),
}


class MenuStep(Step):
    name = MENU
    goes_to = (*FREELANCER_SECTIONS, "company")

    async def show(self, ctx: Ctx) -> Screen:
        account = ctx.account
        assert account is not None
        options = []
        text = ctx.t(N_("<b>Edit your profile</b>\nPick what to change. Changes are saved as you go."))
        if account.is_freelancer:
            profile = await _profile(ctx)
            filled = profile.filled
            text += "\n" + ctx.t(N_("Profile completeness: {percent}%"), percent=profile.completeness)
            for section, (label, item) in FREELANCER_SECTIONS.items():
                mark = "✅ " if item and filled[item] else "➕ " if item else "⭐ "
                options.append(ctx.option(mark + ctx.t(label), section))
        if account.is_client:
            options.append(ctx.option("🏢 " + ctx.t(N_("Company name")), "company"))
        return Screen(
            text,
            choice=Choice(tuple(options), placeholder=ctx.t(N_("What to edit"))),
            buttons=(_back(ctx, N_("✅ Done")),),
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        assert ctx.account is not None
        if value == BACK:
            return Finish(await own_profile(ctx))
        if (value in FREELANCER_SECTIONS and ctx.account.is_freelancer) or (
            value == "company" and ctx.account.is_client
        ):
            ctx.data.suggestions = []
            return Goto(value)
        return await super().on_click(ctx, value)


class SectionStep(Step):
    """A section screen: Back returns to the menu (or, for a form adding an entry, to its list)."""

    back_to: ClassVar[str] = MENU
    goes_to: ClassVar[tuple[str, ...]] = (MENU,)

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        return Goto(self.back_to) if value == BACK else await super().on_click(ctx, value)


class ListStep(SectionStep):
    """Entries listed with a pick-list to remove one and a button to add one (portfolio, work history)."""

    add_step: ClassVar[str]
    limit: ClassVar[int]
    heading: ClassVar[str]
    empty: ClassVar[str]
    add_label: ClassVar[str]
    remove_label: ClassVar[str]
    removed: ClassVar[str]

    async def entries(self, ctx: Ctx) -> list[tuple[int, str, str]]:
        """(id, line on the screen, short label) of each entry."""
        raise NotImplementedError

    async def remove(self, ctx: Ctx, entry_id: int) -> None:
        raise NotImplementedError

    async def show(self, ctx: Ctx) -> Screen:
        entries = await self.entries(ctx)
        lines = [ctx.t(self.heading, count=len(entries), limit=self.limit), *(line for _, line, _ in entries)]
        choice = None
        if entries:
            options = tuple(
                ctx.option(shorten(f"✖ {label}", MAX_BUTTON_LABEL), f"rm:{entry_id}") for entry_id, _, label in entries
            )
            choice = Choice(options, placeholder=ctx.t(self.remove_label))
        else:
            lines.append(ctx.t(self.empty))
        add = (ctx.button(ctx.t(self.add_label), "add"),) if len(entries) < self.limit else ()
        return Screen("\n".join(lines), choice=choice, buttons=tuple(row for row in (add, _back(ctx)) if row))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "add":
            return Goto(self.add_step)
        entry_id = _id(value, "rm")
        if entry_id is not None:
            await self.remove(ctx, entry_id)
            return Retry(ctx.t(self.removed))
        return await super().on_click(ctx, value)


class BasicsStep(SectionStep):
    name = "basics"

    async def show(self, ctx: Ctx) -> Screen:
        profile = await _profile(ctx)
        form = Form(
            "profile-basics",
            ctx.t(N_("Title and overview")),
            (
                FormField(
                    "title",
                    ctx.t(N_("Professional title")),
                    max_length=TITLE_MAX,
                    default=profile.title,
                    hint=ctx.t(N_("One line clients see first, e.g. Senior Python developer.")),
                ),
                FormField(
                    "about",
                    ctx.t(N_("Overview")),
                    max_length=ABOUT_MAX,
                    multiline=True,
                    default=profile.about if len(profile.about) <= ABOUT_MAX else "",  # saved when 5,000 was allowed
                    hint=ctx.t(N_("What you do best, for whom, and how you work.")),
                ),
            ),
        )
        return Screen(ctx.t(N_("Your title and overview.")), buttons=(_back(ctx),), form=form)

    async def check_field(self, ctx: Ctx, name: str, raw: str) -> str:
        return clean_text(raw, TITLE_MAX) if name == "title" else clean_text(raw, ABOUT_MAX, multiline=True)

    async def on_form(self, ctx: Ctx, values: dict[str, str]) -> Outcome:
        assert ctx.account is not None
        await ctx.services.profiles.set_basics(ctx.account, values["title"], values["about"])
        return Goto(MENU, ctx.t(N_("✅ Title and overview saved.")))


class SkillsStep(SectionStep):
    name = "skills"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        skills = (await _profile(ctx)).skills
        lines = [ctx.t(N_("<b>Skills</b> ({count} of {limit})"), count=len(skills), limit=MAX_SKILLS)]
        lines.append(", ".join(skills) if skills else ctx.t(N_("No skills yet.")))
        lines.append(ctx.t(N_("Type skills to add, separated by commas (e.g. Python, Django). Pick one to remove it.")))
        choice = None
        if skills:
            choice = Choice(
                tuple(ctx.option("✖ " + skill, f"rm:{index}") for index, skill in enumerate(skills)),
                placeholder=ctx.t(N_("Remove a skill")),
            )
        suggested = tuple(
            ctx.button("➕ " + skill, f"add:{index}") for index, skill in enumerate(ctx.data.suggestions[:5])
        )
        return Screen("\n".join(lines), choice=choice, buttons=tuple(row for row in (suggested, _back(ctx)) if row))

    async def _add(self, ctx: Ctx, text: str) -> Outcome:
        assert ctx.account is not None
        try:
            added = await ctx.services.profiles.add_skills(ctx.account, text)
        except UserError as error:
            ctx.data.suggestions = suggest_skills(error.params["skill"]) if "skill" in error.params else []
            return Retry(_warning(ctx, error))
        ctx.data.suggestions = []
        if not added:
            return Retry(ctx.t(N_("You already list that.")))
        return Retry(ctx.t(N_("✅ Added: {skills}."), skills=", ".join(added)))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return await self._add(ctx, text)

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        assert ctx.account is not None
        skills = (await _profile(ctx)).skills
        removed, added = _id(value, "rm"), _id(value, "add")
        if removed is not None and removed < len(skills):
            await ctx.services.profiles.remove_skill(ctx.account, skills[removed])
            return Retry(ctx.t(N_("Removed: {skill}."), skill=skills[removed]))
        if added is not None and added < len(ctx.data.suggestions):
            return await self._add(ctx, ctx.data.suggestions[added])
        return await super().on_click(ctx, value)


class CategoriesStep(SectionStep):
    name = "categories"

    async def show(self, ctx: Ctx) -> Screen:
        chosen = (await _profile(ctx)).categories
        options = tuple(
            ctx.option(("✅ " if code in chosen else "") + ctx.t(label), code) for code, label in CATEGORIES.items()
        )
        text = ctx.t(
            N_("<b>Categories</b>: pick up to {limit} where clients should find you. Pick one again to remove it."),
            limit=MAX_CATEGORIES,
        )
        return Screen(text, choice=Choice(options, placeholder=ctx.t(N_("Categories"))), buttons=(_back(ctx),))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        assert ctx.account is not None
        if value in CATEGORIES:
            await ctx.services.profiles.toggle_category(ctx.account, value)
            return Retry("")
        return await super().on_click(ctx, value)


class RateStep(SectionStep):
    name = "rate"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        profile = await _profile(ctx)
        current = (
            format_money(profile.hourly_rate_minor, ctx.locale)
            if profile.hourly_rate_minor is not None
            else ctx.t(N_("not set"))
        )
        text = ctx.t(
            N_("<b>Hourly rate</b> (now: {rate})\nType your rate in US dollars per hour, e.g. 45 or 62.50."),
            rate=current,
        )
        return Screen(text, buttons=(_back(ctx),))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        assert ctx.account is not None
        rate = await ctx.services.profiles.set_rate(ctx.account, text)
        return Goto(MENU, ctx.t(N_("✅ Hourly rate saved: {rate}/h."), rate=format_money(rate, ctx.locale)))


class AvailabilityStep(SectionStep):
    name = "availability"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        profile = await _profile(ctx)
        hours = profile.hours_per_week
        text = "\n".join(
            [
                ctx.t(N_("<b>Availability</b>")),
                ctx.t(N_("Hours per week: {hours}"), hours=hours if hours is not None else ctx.t(N_("not set"))),
                ctx.t(
                    N_("Open to contract-to-hire: {answer}"),
                    answer=ctx.t(N_("yes") if profile.contract_to_hire else N_("no")),
                ),
                ctx.t(N_("Type how many hours a week you can work (1 to 80).")),
            ]
        )
        toggle = ctx.button(ctx.t(N_("🔁 Contract-to-hire: switch")), "c2h")
        return Screen(text, buttons=((toggle,), _back(ctx)))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        assert ctx.account is not None
        await ctx.services.profiles.set_hours(ctx.account, text)
        return Retry(ctx.t(N_("✅ Hours per week saved.")))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        assert ctx.account is not None
        if value == "c2h":
            await ctx.services.profiles.toggle_contract_to_hire(ctx.account)
            return Retry("")
        return await super().on_click(ctx, value)


class PortfolioStep(ListStep):
    name = "portfolio"
    goes_to = (MENU, "portfolio_add")
    add_step, limit = "portfolio_add", MAX_PORTFOLIO
    heading = N_("<b>Portfolio</b> ({count} of {limit})")
    empty = N_("No links yet: show clients your best work.")
    add_label, remove_label, removed = N_("➕ Add a link"), N_("Remove a link"), N_("Link removed.")

    async def entries(self, ctx: Ctx) -> list[tuple[int, str, str]]:
        return [(link.id, portfolio_line(ctx, link), link.title) for link in (await _profile(ctx)).portfolio]

    async def remove(self, ctx: Ctx, entry_id: int) -> None:
        assert ctx.account is not None
        await ctx.services.profiles.remove_portfolio_link(ctx.account, entry_id)


class PortfolioAddStep(SectionStep):
    name = "portfolio_add"
    goes_to = ("portfolio",)
    back_to = "portfolio"

    async def show(self, ctx: Ctx) -> Screen:
        form = Form(
            "portfolio-link",
            ctx.t(N_("Portfolio link")),
            (
                FormField(
                    "title", ctx.t(N_("What is it?")), max_length=LINK_TITLE_MAX, hint=ctx.t(N_("e.g. Shop redesign"))
                ),
                FormField(
                    "url", ctx.t(N_("Link")), max_length=URL_MAX, hint=ctx.t(N_("An http:// or https:// address"))
                ),
            ),
        )
        return Screen(ctx.t(N_("A new portfolio link.")), buttons=(_back(ctx),), form=form)

    async def check_field(self, ctx: Ctx, name: str, raw: str) -> str:
        return clean_text(raw, LINK_TITLE_MAX) if name == "title" else clean_url(raw)

    async def on_form(self, ctx: Ctx, values: dict[str, str]) -> Outcome:
        assert ctx.account is not None
        await ctx.services.profiles.add_portfolio_link(ctx.account, values["title"], values["url"])
        return Goto("portfolio", ctx.t(N_("✅ Link added.")))


class HistoryStep(ListStep):
    name = "history"
    goes_to = (MENU, "history_add")
    add_step, limit = "history_add", MAX_HISTORY
    heading = N_("<b>Work history</b> ({count} of {limit})")
    empty = N_("No entries yet.")
    add_label, remove_label, removed = N_("➕ Add a position"), N_("Remove an entry"), N_("Entry removed.")

    async def entries(self, ctx: Ctx) -> list[tuple[int, str, str]]:
        history = (await _profile(ctx)).history
        return [(entry.id, work_line(ctx, entry), f"{entry.role} · {entry.company}") for entry in history]

    async def remove(self, ctx: Ctx, entry_id: int) -> None:
        assert ctx.account is not None
        await ctx.services.profiles.remove_work(ctx.account, entry_id)


class HistoryAddStep(SectionStep):
    name = "history_add"
    goes_to = ("history",)
    back_to = "history"

    async def show(self, ctx: Ctx) -> Screen:
        form = Form(
            "work-history",
            ctx.t(N_("A position you held")),
            (
                FormField("company", ctx.t(N_("Company")), max_length=COMPANY_MAX),
                FormField("role", ctx.t(N_("Your role")), max_length=ROLE_MAX),
                FormField("start", ctx.t(N_("Start year")), max_length=4, hint=ctx.t(N_("e.g. 2019"))),
                FormField(
                    "end",
                    ctx.t(N_("End year")),
                    max_length=7,
                    required=False,
                    hint=ctx.t(N_("Leave it empty if you still work there.")),
                ),
            ),
        )
        return Screen(ctx.t(N_("Add a position to your work history.")), buttons=(_back(ctx),), form=form)

    async def check_field(self, ctx: Ctx, name: str, raw: str) -> str:
        if name in ("start", "end"):
            return str(parse_year(raw, ctx.now))
        return clean_text(raw, COMPANY_MAX if name == "company" else ROLE_MAX)

    async def on_form(self, ctx: Ctx, values: dict[str, str]) -> Outcome:
        assert ctx.account is not None
        await ctx.services.profiles.add_work(
            ctx.account, values["company"], values["role"], values["start"], values["end"]
        )
        return Goto("history", ctx.t(N_("✅ Position added.")))


class LanguagesStep(SectionStep):
    name = "languages"
    goes_to = (MENU, "language_level")

    async def show(self, ctx: Ctx) -> Screen:
        spoken = dict((await _profile(ctx)).languages)
        options = tuple(
            ctx.option(
                language_name(ctx, code) + (f" ({ctx.t(LANGUAGE_LEVELS[spoken[code]])})" if code in spoken else ""),
                code,
            )
            for code in LANGUAGE_CODES
        )
        text = ctx.t(N_("<b>Languages</b>: pick one to add it, change its level or remove it."))
        return Screen(text, choice=Choice(options, placeholder=ctx.t(N_("A language"))), buttons=(_back(ctx),))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value in LANGUAGE_CODES:
            ctx.data.language = value
            return Goto("language_level")
        return await super().on_click(ctx, value)


class LanguageLevelStep(SectionStep):
    name = "language_level"
    goes_to = ("languages",)
    back_to = "languages"

    async def show(self, ctx: Ctx) -> Screen:
        spoken = dict((await _profile(ctx)).languages)
        code = ctx.data.language
        levels = tuple(ctx.button(ctx.t(label), level) for level, label in LANGUAGE_LEVELS.items())
        last = [ctx.button(ctx.t(N_("✖ Remove")), "remove")] if code in spoken else []
        text = ctx.t(N_("How well do you speak {language}?"), language=language_name(ctx, code))
        return Screen(text, buttons=(levels[:2], levels[2:], (*last, *_back(ctx))))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        assert ctx.account is not None
        if value in LANGUAGE_LEVELS or value == "remove":
            level = None if value == "remove" else value
            await ctx.services.profiles.set_language(ctx.account, ctx.data.language, level)
            return Goto("languages", ctx.t(N_("✅ Languages saved.")))
        return await super().on_click(ctx, value)


class PhotoStep(SectionStep):
    name = "photo"

    async def show(self, ctx: Ctx) -> Screen:
        has_photo = (await _profile(ctx)).photo_file_id is not None
        text = ctx.t(
            N_("<b>Profile photo</b>\nSend a clear photo of your face: a JPEG, PNG or WebP image, up to 10 MB.")
        )
        remove = (ctx.button(ctx.t(N_("✖ Remove my photo")), "remove"),) if has_photo else ()
        return Screen(text, buttons=tuple(row for row in (remove, _back(ctx)) if row))

    async def on_attachment(self, ctx: Ctx, attachment: AttachmentIn) -> Outcome:
        assert ctx.account is not None
        await ctx.services.profiles.set_photo(ctx.account, attachment)
        return Goto(MENU, ctx.t(N_("✅ Photo saved.")))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        assert ctx.account is not None
        if value == "remove":
            await ctx.services.profiles.remove_photo(ctx.account)
            return Retry(ctx.t(N_("Photo removed.")))
        return await super().on_click(ctx, value)


TESTIMONIAL_STATES = {"requested": N_("waiting"), "given": N_("received"), "declined": N_("declined")}


class TestimonialsStep(SectionStep):
    name = "testimonials"
    goes_to = (MENU, "testimonial_add")

    async def show(self, ctx: Ctx) -> Screen:
        items = (await _profile(ctx)).testimonials
        lines = [ctx.t(N_("<b>Testimonials</b>: ask past clients from outside gigbot to vouch for you."))]
        lines += [
            ctx.t(
                N_("• {client}, {project}: {state}"),
                client=item.client_name,
                project=item.project,
                state=ctx.t(TESTIMONIAL_STATES[item.status]),
            )
            for item in items
        ]
        ask = ctx.button(ctx.t(N_("➕ Ask a past client")), "add")
        return Screen("\n".join(lines), buttons=((ask,), _back(ctx)))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        return Goto("testimonial_add") if value == "add" else await super().on_click(ctx, value)


class TestimonialAddStep(SectionStep):
    name = "testimonial_add"
    goes_to = ("testimonials",)
    back_to = "testimonials"

    async def show(self, ctx: Ctx) -> Screen:
        form = Form(
            "testimonial-request",
            ctx.t(N_("Ask for a testimonial")),
            (
                FormField("client_name", ctx.t(N_("Your client's name")), max_length=CLIENT_NAME_MAX),
                FormField("project", ctx.t(N_("The project you did for them")), max_length=PROJECT_MAX),
            ),
        )
        return Screen(ctx.t(N_("Who should vouch for you?")), buttons=(_back(ctx),), form=form)

    async def check_field(self, ctx: Ctx, name: str, raw: str) -> str:
        return clean_text(raw, CLIENT_NAME_MAX if name == "client_name" else PROJECT_MAX)

    async def on_form(self, ctx: Ctx, values: dict[str, str]) -> Outcome:
        assert ctx.account is not None
        token = await ctx.services.profiles.request_testimonial(ctx.account, values["client_name"], values["project"])
        return Goto(
            "testimonials",
            ctx.t(
                N_(
                    "✅ Request created. Forward this to {client}: they open gigbot and send\n"
                    "<code>/testimonial {token}</code>\nand write a few words about your work."
                ),
                client=values["client_name"],
                token=token,
            ),
        )


class CompanyStep(SectionStep):
    name = "company"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        assert ctx.account is not None
        company = (await ctx.services.profiles.client(ctx.account.id)).company_name
        text = ctx.t(
            N_("<b>Company name</b> (now: {name})\nType your company's name, or - if you hire for yourself."),
            name=company or "—",
        )
        return Screen(text, buttons=(_back(ctx),))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        assert ctx.account is not None
        await ctx.services.profiles.set_company(ctx.account, text)
        return Goto(MENU, ctx.t(N_("✅ Company name saved.")))


FLOW = Flow(
    "profile_edit",
    N_("Profile editing"),
    ProfileEditData,
    [
        MenuStep(),
        BasicsStep(),
        SkillsStep(),
        CategoriesStep(),
        RateStep(),
        AvailabilityStep(),
        PortfolioStep(),
        PortfolioAddStep(),
        HistoryStep(),
        HistoryAddStep(),
        LanguagesStep(),
        LanguageLevelStep(),
        PhotoStep(),
        TestimonialsStep(),
        TestimonialAddStep(),
        CompanyStep(),
    ],
    start=MENU,
)
