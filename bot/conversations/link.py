"""One account on several platforms. ``/link`` gives a one-time code; ``/link CODE`` sent from the other
platform asks to confirm, then attaches that platform to the account. ``/unlink`` takes one away again.

``/link CODE`` works without an account (the new platform's user is a stranger so far), so it is a flow that
ends any sign-up begun there.
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.conversations.flow import CommandSpec, Ctx, Finish, Flow, Outcome, StartFlow, Step
from bot.conversations.menu import main_menu, signed_out
from bot.core.errors import UserError
from bot.core.i18n import N_, Day
from bot.core.linking import CODE_LIFETIME, platform_name
from bot.core.ui import Screen, rows


class LinkData(BaseModel):
    code: str


class ConfirmStep(Step):
    name = "confirm"

    async def show(self, ctx: Ctx) -> Screen:
        actor = ctx.actor
        try:
            target = await ctx.services.linking.check_code(ctx.data.code, actor.platform, actor.user_id, ctx.account)
        except UserError as refused:  # the code expired or was used while this screen was open
            text = "⚠️ " + ctx.t(refused.message_id, **refused.params)
            return Screen(text, buttons=rows(ctx.button(ctx.t(N_("Close")), "cancel")))
        return Screen(
            ctx.t(
                N_("Link this {platform} account to the gigbot account of <b>{name}</b> (@{username})?"),
                platform=platform_name(actor.platform),
                name=target.full_name,
                username=target.username,
            ),
            buttons=rows(ctx.button(ctx.t(N_("🔗 Yes, link it")), "link"), ctx.button(ctx.t(N_("Cancel")), "cancel")),
        )

    def _home(self, ctx: Ctx, notice: str) -> Outcome:
        return Finish((main_menu(ctx) if ctx.account else signed_out(ctx)).with_notice(notice))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "cancel":
            return self._home(ctx, ctx.t(N_("Nothing was linked.")))
        if value != "link":
            return await super().on_click(ctx, value)
        actor = ctx.actor
        try:
            account = await ctx.services.linking.link(ctx.data.code, actor.platform, actor.user_id, ctx.account)
        except UserError as refused:  # the code expired or was used while this screen was open
            return self._home(ctx, "⚠️ " + ctx.t(refused.message_id, **refused.params))
        ctx.account = account
        ctx.set_locale(account.language)
        notice = ctx.t(
            N_("✅ Linked! This is your gigbot account on {platform} too."), platform=platform_name(actor.platform)
        )
        return Finish(main_menu(ctx).with_notice(notice))


async def link_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    if args.strip():
        actor = ctx.actor
        await ctx.services.linking.check_code(args, actor.platform, actor.user_id, ctx.account)
        return StartFlow("link", {"code": args.strip()})
    if ctx.account is None:
        return signed_out(ctx).with_notice(
            ctx.t(
                N_(
                    "To use your gigbot account here, send /link where you are signed in, "
                    "then send /link with the code you get, here."
                )
            )
        )
    code = await ctx.services.linking.new_code(ctx.account)
    text = ctx.t(
        N_(
            "🔗 Your link code: <code>{code}</code>\n\nOn the other platform, send <code>/link {code}</code> to the "
            "gigbot bot. The code works once, for {minutes} minutes."
        ),
        code=code,
        minutes=int(CODE_LIFETIME.total_seconds() // 60),
    )
    return Screen(text, buttons=rows(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu")), name="link.code")


async def unlink_command(ctx: Ctx, args: str) -> Screen:
    account = ctx.account
    assert account is not None
    notice = ""
    if args.strip():
        platform = args.strip().lower()
        await ctx.services.linking.unlink(account, platform, ctx.actor.platform)
        notice = ctx.t(
            N_("✂️ {platform} is unlinked: that account no longer opens your gigbot account."),
            platform=platform_name(platform),
        )
    linked = await ctx.services.linking.linked(account)
    lines = [ctx.t(N_("<b>Linked platforms</b>"))]
    for item in linked:
        current = ctx.t(N_(" (you are here)")) if item.platform == ctx.actor.platform else ""
        lines.append(
            ctx.t(
                N_("• {platform}, since {date}{current}"),
                platform=platform_name(item.platform),
                date=Day(item.linked_at.date()),
                current=current,
            )
        )
    buttons = [
        ctx.command_button(
            ctx.t(N_("✂️ Unlink {platform}"), platform=platform_name(item.platform)), "unlink", item.platform
        )
        for item in linked
        if item.platform != ctx.actor.platform
    ]
    if not buttons:
        lines.append(ctx.t(N_("This is your only platform. Send /link to add another.")))
    buttons.append(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"))
    screen = Screen("\n".join(lines), buttons=rows(*buttons), name="unlink")
    return screen.with_notice(notice) if notice else screen


FLOW = Flow("link", N_("Linking a platform"), LinkData, [ConfirmStep()], start="confirm", needs_account=False)

COMMANDS = [
    CommandSpec(
        "link", N_("use your account on another platform too"), link_command, needs_account=False, deep_link=True
    ),
    CommandSpec("unlink", N_("see and remove linked platforms"), unlink_command),
]
