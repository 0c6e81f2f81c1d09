"""Writing a testimonial someone asked you for: ``/testimonial TOKEN`` (or the Telegram deep link
``/start testimonial-TOKEN``) opens it; you write it in chat or decline, and the freelancer is told."""

from __future__ import annotations

from pydantic import BaseModel

from bot.conversations.flow import CommandSpec, Ctx, Finish, Flow, Outcome, StartFlow, Step
from bot.conversations.menu import main_menu
from bot.conversations.notices import notice_kind
from bot.core.errors import UserError
from bot.core.i18n import N_, Count, Translator
from bot.core.profiles import TESTIMONIAL_MAX
from bot.core.ui import Screen, rows


class TestimonialData(BaseModel):
    token: str


class WriteStep(Step):
    name = "write"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        assert ctx.account is not None
        try:
            request = await ctx.services.profiles.testimonial_request(ctx.data.token, ctx.account)
        except UserError as gone:  # answered from another chat while this screen was open
            text = "⚠️ " + ctx.t(gone.message_id, **gone.params)
            return Screen(text, buttons=rows(ctx.button(ctx.t(N_("Close")), "close")))
        text = ctx.t(
            N_(
                "<b>{freelancer}</b> asked you (as {client}) for a testimonial about “{project}”.\n"
                "Write a few sentences about working with them (up to {limit} characters): "
                "it will show on their profile with your name."
            ),
            freelancer=request.freelancer_name,
            client=request.client_name,
            project=request.project,
            limit=Count(TESTIMONIAL_MAX),
        )
        return Screen(text, buttons=rows(ctx.button(ctx.t(N_("🙅 Decline")), "decline")))

    async def _answer(self, ctx: Ctx, text: str | None) -> Outcome:
        assert ctx.account is not None
        writer = ctx.account.full_name
        request = await ctx.services.profiles.answer_testimonial(ctx.data.token, ctx.account, text)

        ctx.notify(
            request.freelancer_id, testimonial_answered, writer=writer, project=request.project, wrote=text is not None
        )
        notice = (
            N_("🙏 Thank you! Your testimonial is on {name}'s profile.")
            if text is not None
            else N_("Understood: {name} will be told you declined.")
        )
        return Finish(main_menu(ctx).with_notice(ctx.t(notice, name=request.freelancer_name)))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return await self._answer(ctx, text)

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "close":
            return Finish(main_menu(ctx))
        return await self._answer(ctx, None) if value == "decline" else await super().on_click(ctx, value)


async def testimonial_command(ctx: Ctx, args: str) -> StartFlow:
    assert ctx.account is not None
    token = args.strip()
    if not token:
        raise UserError(N_("Send /testimonial followed by the code you were given."))
    await ctx.services.profiles.testimonial_request(token, ctx.account)
    return StartFlow("testimonial", {"token": token})


@notice_kind("testimonial.answered")
def testimonial_answered(translator: Translator, *, writer: str, project: str, wrote: bool) -> Screen:
    message = (
        N_("⭐ {writer} wrote your testimonial for “{project}”. See it with /profile.")
        if wrote
        else N_("{writer} declined to write a testimonial for “{project}”.")
    )
    return Screen(translator.t(message, writer=writer, project=project), name="testimonial.answered")


FLOW = Flow("testimonial", N_("Testimonial"), TestimonialData, [WriteStep()], start="write")

COMMANDS = [
    CommandSpec(
        "testimonial", N_("write a testimonial you were asked for"), testimonial_command, in_help=False, deep_link=True
    )
]
