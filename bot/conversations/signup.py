"""Sign-up: language, role, name and username, country, time zone, then a summary to confirm."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.conversations.flow import Ctx, Finish, Flow, Goto, Outcome, Retry, Step
from bot.conversations.menu import LANGUAGE_NAMES, main_menu, role_names
from bot.core.accounts import FULL_NAME_MAX, USERNAME_MAX, NewAccount, clean_full_name
from bot.core.errors import UserError
from bot.core.i18n import LANGUAGES, N_, supported
from bot.core.places import country_name, find_countries, is_zone, utc_offset, zone_label, zones_of
from bot.core.ui import MAX_FIELD_PLACEHOLDER, Choice, Form, Screen, rows, shorten
from bot.core.ui import Field as FormField

BACK = "back"
ZONES_PER_PAGE = 20
MAX_COUNTRY_MATCHES = 20
ROLES = {"freelancer": (True, False), "client": (False, True), "both": (True, True)}


class SignupData(BaseModel):
    language: str | None = None
    role: Literal["freelancer", "client", "both"] | None = None
    full_name: str = ""
    username: str = ""
    country: str | None = None
    country_matches: list[str] = Field(default_factory=list)
    timezone: str | None = None
    zone_page: int = 0
    then: str = ""  # what the person asked for before they had an account ("testimonial TOKEN"), done after


def _back(ctx: Ctx) -> tuple:
    return (ctx.button(ctx.t(N_("⬅️ Back")), BACK),)


class LanguageStep(Step):
    name = "language"
    goes_to = ("role",)

    async def show(self, ctx: Ctx) -> Screen:
        preferred = supported(ctx.actor.locale_hint)
        ordered = sorted(LANGUAGES, key=lambda code: code != preferred)
        return Screen(
            "👋 <b>Welcome to gigbot!</b> · <b>Bienvenue sur gigbot !</b>\n"
            "Find work or hire freelancers, right here in chat.\n"
            "Trouvez des missions ou des freelances, ici même.\n\n"
            "Choose your language · Choisissez votre langue",
            buttons=rows(*(ctx.button(LANGUAGE_NAMES[code], code) for code in ordered)),
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value not in LANGUAGES:
            return await super().on_click(ctx, value)
        ctx.data.language = value
        ctx.set_locale(value)
        return Goto("role")


class RoleStep(Step):
    name = "role"
    goes_to = ("language", "details")

    async def show(self, ctx: Ctx) -> Screen:
        return Screen(
            ctx.t(N_("How will you use gigbot? You can change this later.")),
            buttons=(
                (ctx.button(ctx.t(N_("💼 Find work (freelancer)")), "freelancer"),),
                (ctx.button(ctx.t(N_("🧑‍💼 Hire talent (client)")), "client"),),
                (ctx.button(ctx.t(N_("🔁 Both")), "both"),),
                _back(ctx),
            ),
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == BACK:
            return Goto("language")
        if value not in ROLES:
            return await super().on_click(ctx, value)
        ctx.data.role = value
        return Goto("details")


class DetailsStep(Step):
    name = "details"
    goes_to = ("role", "country")

    async def show(self, ctx: Ctx) -> Screen:
        suggestion = ctx.data.username or await ctx.services.accounts.suggest_username(
            ctx.actor.username_hint or ctx.actor.display_name or "user"
        )
        form = Form(
            "about-you",
            ctx.t(N_("About you")),
            (
                FormField(
                    "full_name",
                    ctx.t(N_("Your full name")),
                    max_length=FULL_NAME_MAX,
                    placeholder=shorten(ctx.actor.display_name, MAX_FIELD_PLACEHOLDER),
                    default=ctx.data.full_name,
                    hint=ctx.t(N_("As clients will see it, e.g. Jane Doe.")),
                ),
                FormField(
                    "username",
                    ctx.t(N_("Choose a username")),
                    max_length=USERNAME_MAX,
                    placeholder=suggestion,
                    default=ctx.data.username,
                    hint=ctx.t(
                        N_("3 to 32 characters: letters a-z, digits and _. Suggestion: {name}"),
                        name=suggestion,
                    ),
                ),
            ),
        )
        return Screen(ctx.t(N_("Now a little about you.")), buttons=(_back(ctx),), form=form)

    async def check_field(self, ctx: Ctx, name: str, raw: str) -> str:
        if name == "full_name":
            return clean_full_name(raw)
        return await ctx.services.accounts.check_username_free(raw)

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        return Goto("role") if value == BACK else await super().on_click(ctx, value)

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return Retry(ctx.t(N_("Please fill in the form.")))

    async def on_form(self, ctx: Ctx, values: dict[str, str]) -> Outcome:
        ctx.data.full_name, ctx.data.username = values["full_name"], values["username"]
        return Goto("country")


class CountryStep(Step):
    name = "country"
    goes_to = ("details", "timezone", "confirm")

    async def show(self, ctx: Ctx) -> Screen:
        text = ctx.t(N_("Which country do you live in? Type its name (in English or French) or its code, like FR."))
        choice = None
        if ctx.data.country_matches:
            text += "\n\n" + ctx.t(N_("Several countries match; pick yours:"))
            choice = Choice(
                tuple(
                    ctx.option(f"{country_name(code, ctx.locale)} ({code})", code) for code in ctx.data.country_matches
                ),
                placeholder=ctx.t(N_("Your country")),
            )
        return Screen(text, choice=choice, buttons=(_back(ctx),))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        matches = find_countries(text, ctx.locale)
        if len(matches) == 1:
            return self._chosen(ctx, matches[0].code)
        if not matches:
            ctx.data.country_matches = []
            return Retry(
                ctx.t(
                    N_("No country matches “{text}”. Try its name in English or French, or a code such as FR."),
                    text=text.strip()[:60],
                )
            )
        ctx.data.country_matches = [country.code for country in matches[:MAX_COUNTRY_MATCHES]]
        more = len(matches) - MAX_COUNTRY_MATCHES
        return Retry(ctx.t(N_("{count} more match; type more letters to narrow down."), count=more) if more > 0 else "")

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == BACK:
            return Goto("details")
        if value not in ctx.data.country_matches:
            return await super().on_click(ctx, value)
        return self._chosen(ctx, value)

    def _chosen(self, ctx: Ctx, code: str) -> Outcome:
        ctx.data.country, ctx.data.country_matches, ctx.data.zone_page = code, [], 0
        zones = zones_of(code)
        if len(zones) == 1:
            ctx.data.timezone = zones[0]
            return Goto("confirm")
        ctx.data.timezone = None
        return Goto("timezone")


class TimezoneStep(Step):
    name = "timezone"
    goes_to = ("country", "confirm")

    def _zones(self, ctx: Ctx) -> list[str]:
        return sorted(zones_of(ctx.data.country), key=lambda zone: (utc_offset(zone, ctx.now), zone))

    async def show(self, ctx: Ctx) -> Screen:
        zones = self._zones(ctx)
        pages = (len(zones) + ZONES_PER_PAGE - 1) // ZONES_PER_PAGE
        page = min(ctx.data.zone_page, pages - 1)
        shown = zones[page * ZONES_PER_PAGE : (page + 1) * ZONES_PER_PAGE]
        nav = []
        if page > 0:
            nav.append(ctx.button(ctx.t(N_("◀ Previous")), "prev"))
        if page + 1 < pages:
            nav.append(ctx.button(ctx.t(N_("Next ▶")), "next"))
        text = ctx.t(
            N_("{country} has several time zones. Which one is yours?"),
            country=country_name(ctx.data.country, ctx.locale),
        )
        if pages > 1:
            text += "\n" + ctx.t(N_("Page {page} of {pages}."), page=page + 1, pages=pages)
        return Screen(
            text,
            choice=Choice(
                tuple(ctx.option(zone_label(zone, ctx.now), zone) for zone in shown),
                placeholder=ctx.t(N_("Your time zone")),
            ),
            buttons=tuple(row for row in (tuple(nav), _back(ctx)) if row),
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == BACK:
            return Goto("country")
        if value in ("prev", "next"):
            ctx.data.zone_page = max(0, ctx.data.zone_page + (1 if value == "next" else -1))
            return Retry("")
        if value not in zones_of(ctx.data.country):
            return await super().on_click(ctx, value)
        ctx.data.timezone = value
        return Goto("confirm")

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        wanted = text.strip().replace(" ", "_").casefold()
        for zone in self._zones(ctx):
            if wanted in (zone.casefold(), zone.rsplit("/", 1)[-1].casefold()):
                ctx.data.timezone = zone
                return Goto("confirm")
        if is_zone(text.strip()):
            return Retry(
                ctx.t(
                    N_("That time zone is not in {country}. Please pick one below."),
                    country=country_name(ctx.data.country, ctx.locale),
                )
            )
        return Retry(ctx.t(N_("Please pick your time zone below, or type its city, e.g. New York.")))


class ConfirmStep(Step):
    name = "confirm"
    goes_to = ("language", "details")

    async def show(self, ctx: Ctx) -> Screen:
        data = ctx.data
        freelancer, client = ROLES[data.role]
        summary = "\n".join(
            [
                ctx.t(N_("<b>Please check your details</b>")),
                ctx.t(N_("Name: {value}"), value=data.full_name),
                ctx.t(N_("Username: @{value}"), value=data.username),
                ctx.t(N_("Role: {value}"), value=role_names(ctx, freelancer, client)),
                ctx.t(N_("Language: {value}"), value=LANGUAGE_NAMES[data.language]),
                ctx.t(N_("Country: {value}"), value=country_name(data.country, ctx.locale)),
                ctx.t(N_("Time zone: {value}"), value=zone_label(data.timezone, ctx.now)),
            ]
        )
        return Screen(
            summary,
            buttons=(
                (ctx.button(ctx.t(N_("✅ Create my account")), "create"),),
                (ctx.button(ctx.t(N_("✏️ Start over")), "restart"),),
            ),
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        data = ctx.data
        if value == "restart":
            ctx.data = SignupData(language=data.language, then=data.then)
            return Goto("language")
        if value != "create":
            return await super().on_click(ctx, value)
        try:
            await ctx.services.accounts.check_username_free(data.username)
        except UserError as taken:  # someone took it since the form was filled in
            data.username = ""
            return Goto("details", notice="⚠️ " + ctx.t(taken.message_id, **taken.params))
        freelancer, client = ROLES[data.role]
        ctx.account = await ctx.services.accounts.create(
            ctx.actor.platform,
            ctx.actor.user_id,
            NewAccount(data.username, data.full_name, freelancer, client, data.language, data.country, data.timezone),
        )
        return Finish(
            main_menu(ctx).with_notice(
                ctx.t(N_("🎉 Your account is ready, {name}. Welcome aboard!"), name=data.full_name)
            ),
            then=data.then,
        )


FLOW = Flow(
    "signup",
    N_("Sign-up"),
    SignupData,
    [LanguageStep(), RoleStep(), DetailsStep(), CountryStep(), TimezoneStep(), ConfirmStep()],
    start="language",
    needs_account=False,
)
