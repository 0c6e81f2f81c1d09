"""Your data: ``/export`` sends all of it as a JSON file; ``/delete_account`` erases it after a confirmation."""

from __future__ import annotations

from pydantic import BaseModel

from bot.conversations.flow import CommandSpec, Ctx, Finish, Flow, Outcome, Retry, StartFlow, Step
from bot.conversations.menu import main_menu, signed_out
from bot.core.accounts import clean_username
from bot.core.errors import UserError
from bot.core.i18n import N_
from bot.core.privacy import EXPORT_FILENAME
from bot.core.ui import Attachment, Screen, rows


async def export_command(ctx: Ctx, _args: str) -> Screen:
    assert ctx.account is not None
    content = await ctx.services.privacy.export(ctx.account)
    return Screen(
        ctx.t(N_("📦 Here is everything gigbot keeps about you, as a JSON file.")),
        buttons=rows(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu")),
        attachments=(Attachment(EXPORT_FILENAME, content, "application/json"),),
        name="export",
    )


class DeleteData(BaseModel):
    pass


class ConfirmStep(Step):
    name = "confirm"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        assert ctx.account is not None
        text = ctx.t(
            N_(
                "⚠️ <b>Delete your account?</b>\n"
                "Your profile, skills, portfolio, work history, testimonials, photo and ID document, saved jobs "
                "and linked platforms are erased for good. Your open jobs are closed but stay on record, shown as "
                "from “Deleted user”, and testimonials you wrote for others stay on their profiles.\n"
                "Want a copy first? Cancel and send /export.\n\n"
                "To confirm, press the button or type your username, @{username}."
            ),
            username=ctx.account.username,
        )
        return Screen(
            text,
            buttons=(
                (ctx.button(ctx.t(N_("🗑 Yes, delete my account")), "delete"),),
                (ctx.button(ctx.t(N_("Cancel")), "cancel"),),
            ),
        )

    async def _delete(self, ctx: Ctx) -> Outcome:
        assert ctx.account is not None
        key = (ctx.actor.platform, ctx.chat_id, ctx.actor.user_id)
        await ctx.services.privacy.delete_account(ctx.account, key)
        ctx.account = None
        return Finish(
            signed_out(ctx).with_notice(ctx.t(N_("Your account and your personal data were deleted. Goodbye!")))
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "cancel":
            return Finish(main_menu(ctx).with_notice(ctx.t(N_("Your account stays as it is."))))
        return await self._delete(ctx) if value == "delete" else await super().on_click(ctx, value)

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        assert ctx.account is not None
        try:
            typed = clean_username(text)
        except UserError:
            typed = ""
        if typed != ctx.account.username:
            return Retry(ctx.t(N_("That isn't your username, so nothing was deleted.")))
        return await self._delete(ctx)


async def delete_command(ctx: Ctx, _args: str) -> StartFlow:
    return StartFlow("delete_account")


FLOW = Flow("delete_account", N_("Account deletion"), DeleteData, [ConfirmStep()], start="confirm")

COMMANDS = [
    CommandSpec("export", N_("download all your data"), export_command),
    CommandSpec("delete_account", N_("delete your account and data"), delete_command),
]
