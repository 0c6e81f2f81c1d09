"""The screens outside any flow: the main menu, help, your account, and the word for newcomers."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.conversations.flow import CommandSpec, Ctx
from bot.core.i18n import N_, Day
from bot.core.places import country_name, utc_offset
from bot.core.ui import Screen, rows

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
# What a platform shows of the bot before anyone writes to it: the description (on the empty chat) and the short
# one (on its profile and where it is shared). Plain text: Telegram shows no markup there.
ABOUT = N_(
    "gigbot is a freelance marketplace in chat: find work or hire, send proposals, talk and get paid with escrow, "
    "in English or French. Press Start to create your account: it takes a minute."
)
ABOUT_SHORT = N_("Freelance work and hiring in chat: jobs, proposals, contracts and payments.")


def main_menu(ctx: Ctx) -> Screen:
    """What the person can do, by role: finding work for freelancers, hiring for clients, both for both."""
    account = ctx.account
    assert account is not None
    work = (
        ctx.command_button(ctx.t(N_("🔎 Find work")), "search"),
        ctx.command_button(ctx.t(N_("⭐ Best matches")), "feed"),
        ctx.command_button(ctx.t(N_("♥ Saved jobs")), "saved"),
    )
    hire = (
        ctx.command_button(ctx.t(N_("📝 Post a job")), "post_job"),
        ctx.command_button(ctx.t(N_("📋 My jobs")), "my_jobs"),
        ctx.command_button(ctx.t(N_("👥 Talent clouds")), "clouds"),
    )
    me = (
        ctx.command_button(ctx.t(N_("👤 My profile")), "profile"),
        ctx.command_button(ctx.t(N_("⚙️ Account")), "account"),
        ctx.command_button(ctx.t(N_("❓ Help")), "help"),
    ) + (ctx.command_button(ctx.t(N_("⚖️ Disputes")), "disputes"),) * ctx.is_admin
    talk = (ctx.command_button(ctx.t(N_("📄 My proposals")), "proposals"),) * account.is_freelancer + (
        ctx.command_button(ctx.t(N_("💬 Messages")), "messages"),
        ctx.command_button(ctx.t(N_("🤝 Contracts")), "contracts"),
    )
    talk += (ctx.command_button(ctx.t(N_("💰 Earnings")), "earnings"),) * account.is_freelancer
    sections = [work] * account.is_freelancer + [hire] * account.is_client + [talk, me]
    return Screen(
        ctx.t(N_("👋 Hi <b>{name}</b>! What would you like to do?"), name=account.full_name),
        buttons=tuple(sections),
        name="menu",
    )


def signed_out(ctx: Ctx) -> Screen:
    return Screen(
        ctx.t(N_("You don't have a gigbot account yet. Send /start to create one: it takes a minute.")),
        buttons=rows(ctx.command_button(ctx.t(N_("🚀 Sign up")), "start")),
        name="signed-out",
    )


def for_my_roles(ctx: Ctx, spec: CommandSpec) -> bool:
    """A command of a role the account does not have is not offered to it (newcomers are offered everything)."""
    account = ctx.account
    if account is None or not spec.role:
        return True
    return account.is_freelancer if spec.role == "freelancer" else account.is_client


def help_screen(ctx: Ctx, commands: list[CommandSpec]) -> Screen:
    lines = [
        ctx.t(N_("<b>gigbot</b> is a freelance marketplace that lives in chat. Commands:")),
        "/start · " + ctx.t(N_("sign up, or open the main menu")),
        "/menu · " + ctx.t(N_("the main menu")),
        *(f"/{spec.name} · {ctx.t(spec.description)}" for spec in commands if for_my_roles(ctx, spec)),
        "/help · " + ctx.t(N_("this list")),
        "/cancel · " + ctx.t(N_("stop what you are doing")),
    ]
    return Screen("\n".join(lines), name="help")


def role_names(ctx: Ctx, is_freelancer: bool, is_client: bool) -> str:
    roles = [ctx.t(N_("freelancer"))] * is_freelancer + [ctx.t(N_("client"))] * is_client
    return ctx.t(N_(" and ")).join(roles)


async def account_screen(ctx: Ctx, _args: str) -> Screen:
    account = ctx.account
    assert account is not None
    local_time = ctx.now.astimezone(ZoneInfo(account.timezone)).strftime("%H:%M")
    text = "\n".join(
        [
            ctx.t(N_("<b>Your account</b>")),
            ctx.t(N_("Name: {value}"), value=account.full_name),
            ctx.t(N_("Username: @{value}"), value=account.username),
            ctx.t(N_("Role: {value}"), value=role_names(ctx, account.is_freelancer, account.is_client)),
            ctx.t(N_("Language: {value}"), value=LANGUAGE_NAMES[account.language]),
            ctx.t(N_("Country: {value}"), value=country_name(account.country, ctx.locale)),
            ctx.t(
                N_("Time zone: {zone} ({offset}, now {time})"),
                zone=account.timezone,
                offset=utc_offset(account.timezone, ctx.now),
                time=local_time,
            ),
            ctx.t(N_("Member since: {value}"), value=Day(account.created_at.date())),
            ctx.t(N_("Notifications: {where}"), where=await _notified_where(ctx)),
        ]
    )
    buttons = rows(
        ctx.command_button(ctx.t(N_("🔔 Where notifications go")), "notify_on"),
        ctx.command_button(ctx.t(N_("🔗 Link a platform")), "link"),
        ctx.command_button(ctx.t(N_("✂️ Linked platforms")), "unlink"),
        ctx.command_button(ctx.t(N_("📦 Export my data")), "export"),
        ctx.command_button(ctx.t(N_("🗑 Delete account")), "delete_account"),
        ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"),
    )
    return Screen(text, buttons=buttons, ephemeral=True, name="account")  # private: never shown to a group


PLATFORM_NAMES = {"telegram": "Telegram", "discord": "Discord", "console": N_("the console")}
LAST_SEEN = "auto"


def _platform_name(ctx: Ctx, platform: str) -> str:
    return ctx.t(PLATFORM_NAMES[platform]) if platform in PLATFORM_NAMES else platform


async def _notified_where(ctx: Ctx) -> str:
    assert ctx.account is not None
    chosen, _linked = await ctx.services.accounts.notification_choice(ctx.account)
    return _platform_name(ctx, chosen) if chosen else ctx.t(N_("wherever you last used gigbot"))


async def notify_on_command(ctx: Ctx, args: str) -> Screen:
    """/notify_on [PLATFORM|auto]: every notification goes once, to one chat; choose which, or the last used."""
    assert ctx.account is not None
    wanted = args.strip().lower()
    notice = ""
    if wanted:
        await ctx.services.accounts.notify_on(ctx.account, None if wanted == LAST_SEEN else wanted)
        notice = ctx.t(N_("✅ Saved."))
    _chosen, linked = await ctx.services.accounts.notification_choice(ctx.account)
    buttons = [
        ctx.command_button(ctx.t(N_("📍 Wherever I last used gigbot")), "notify_on", LAST_SEEN),
        *(
            ctx.command_button(
                ctx.t(N_("Only on {platform}"), platform=_platform_name(ctx, platform)), "notify_on", platform
            )
            for platform in linked
        ),
        ctx.command_button(ctx.t(N_("⬅️ Your account")), "account"),
    ]
    text = ctx.t(
        N_("🔔 <b>Notifications</b>\nEach one comes once, in one chat. Now: {where}."), where=await _notified_where(ctx)
    )
    screen = Screen(text, buttons=rows(*buttons, per_row=1), name="notify-on")
    return screen.with_notice(notice) if notice else screen


COMMANDS = [
    CommandSpec("account", N_("your account details"), account_screen, deep_link=True),
    CommandSpec("notify_on", N_("choose where your notifications go"), notify_on_command, in_help=False),
]
