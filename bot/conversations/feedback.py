"""/feedback: leaving feedback on an ended contract (stars, a public comment, a private note for the platform),
double-blind, and the reputation lines profiles show (Job Success Score, rating, revealed feedback).

``/feedback CONTRACT_ID`` is the button both parties get when a contract ends; ``/feedback`` alone lists the
contracts waiting for yours. ``FeedbackService`` checks the party, the end, the window and "only once".
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from bot.conversations.flow import (
    RUN_COMMAND,
    CommandSpec,
    Ctx,
    Finish,
    Flow,
    Goto,
    Outcome,
    StartFlow,
    Step,
    command_button,
)
from bot.conversations.notices import notice_kind
from bot.core.actions import Action
from bot.core.errors import UserError
from bot.core.feedback import COMMENT_MAX, NOTE_MAX, STARS, ContractFeedback
from bot.core.formats import format_day, format_number
from bot.core.i18n import N_, Count, Translator
from bot.core.numbers import whole_number
from bot.core.profiles import clean_text
from bot.core.ui import MAX_BUTTON_LABEL, Choice, Option, Screen, rows, shorten


class FeedbackData(BaseModel):
    contract_id: int
    stars: int = 0
    comment: str = ""


def day(locale: str, moment: datetime) -> str:
    return format_day(moment.date(), locale)


def star_line(stars: int) -> str:
    return "★" * stars + "☆" * (max(STARS) - stars)


def contract_id_of(raw: str) -> int:
    ident = whole_number(raw.strip().removeprefix("#"))
    if ident is None:
        raise UserError(N_("Send /feedback followed by the contract number, like /feedback 12."))
    return ident


@notice_kind("feedback.left")
def feedback_left(
    translator: Translator, *, author: str, title: str, contract_id: int, revealed: bool, closes_at: str
) -> Screen:
    text = (
        translator.t(N_("⭐ {name} left feedback on “{title}”: both sides are now visible."), name=author, title=title)
        if revealed
        else translator.t(
            N_("⭐ {name} left feedback on “{title}”. Leave yours by {date} to see it."),
            name=author,
            title=title,
            date=day(translator.language, datetime.fromisoformat(closes_at)),
        )
    )
    label = N_("👀 See feedback") if revealed else N_("⭐ Leave feedback")
    return Screen(
        text, buttons=rows(command_button(translator.t(label), "feedback", str(contract_id))), name="feedback.left"
    )


def feedback_screen(ctx: Ctx, view: ContractFeedback, notice: str = "") -> Screen:
    """Both sides of a contract's feedback as this party may see them."""
    lines = [ctx.t(N_("<b>Feedback · {title}</b> (contract #{id})"), title=view.title, id=view.contract_id)]
    if view.mine is None:
        lines.append(ctx.t(N_("Yours: none.")))
    else:
        lines.append(ctx.t(N_("Yours: {stars}"), stars=star_line(view.mine.stars)))
        if view.mine.comment:
            lines.append(ctx.t(N_("“{comment}”"), comment=view.mine.comment))
    other = view.other_name or ctx.t(N_("Deleted user"))
    if view.theirs is not None:
        lines.append(ctx.t(N_("{name}'s: {stars}"), name=other, stars=star_line(view.theirs.stars)))
        if view.theirs.comment:
            lines.append(ctx.t(N_("“{comment}”"), comment=view.theirs.comment))
    else:
        lines.append(ctx.t(N_("{name} has not left theirs yet."), name=other))
    back = rows(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"))
    screen = Screen("\n".join(lines), buttons=back, name="feedback.view")
    return screen.with_notice(notice) if notice else screen


class StarsStep(Step):
    name = "stars"
    goes_to = ("comment",)

    async def show(self, ctx: Ctx) -> Screen:
        assert ctx.account is not None
        view = await ctx.services.feedback.view(ctx.account, ctx.data.contract_id)
        text = ctx.t(
            N_(
                "<b>Feedback on “{title}”</b>\nHow was working with {name}? {name} sees your feedback only once "
                "they have left theirs, or when the feedback window closes on {date}."
            ),
            title=view.title,
            name=view.other_name or ctx.t(N_("Deleted user")),
            date=day(ctx.locale, view.closes_at),
        )
        if view.theirs_given:
            text += "\n" + ctx.t(
                N_("{name} has left theirs: you will see it once you send yours."), name=view.other_name
            )
        stars = tuple(ctx.button(f"{count} ★", str(count)) for count in STARS)
        return Screen(text, buttons=(stars,))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        stars = whole_number(value)
        if stars not in STARS:
            return await super().on_click(ctx, value)
        ctx.data.stars = stars
        return Goto("comment")


class CommentStep(Step):
    name = "comment"
    accepts_text = True
    goes_to = ("note",)

    async def show(self, ctx: Ctx) -> Screen:
        text = ctx.t(
            N_(
                "{stars}\nNow a public comment about working together (up to {limit} characters): it shows on "
                "their profile once revealed."
            ),
            stars=star_line(ctx.data.stars),
            limit=Count(COMMENT_MAX),
        )
        return Screen(text, buttons=rows(ctx.button(ctx.t(N_("Skip")), "skip")))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        ctx.data.comment = clean_text(text, COMMENT_MAX, multiline=True)
        return Goto("note")

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        return Goto("note") if value == "skip" else await super().on_click(ctx, value)


class NoteStep(Step):
    name = "note"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        text = ctx.t(
            N_(
                "Last, a private note for gigbot only (up to {limit} characters): they never see it. "
                "Tell us anything we should know, or skip."
            ),
            limit=Count(NOTE_MAX),
        )
        return Screen(text, buttons=rows(ctx.button(ctx.t(N_("Skip and send")), "skip")))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return await self._send(ctx, clean_text(text, NOTE_MAX, multiline=True))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        return await self._send(ctx, "") if value == "skip" else await super().on_click(ctx, value)

    async def _send(self, ctx: Ctx, note: str) -> Outcome:
        account = ctx.account
        assert account is not None
        data = ctx.data
        left = await ctx.services.feedback.leave(account, data.contract_id, data.stars, data.comment, note)
        view = left.view

        ctx.notify(
            view.other_id,
            feedback_left,
            author=account.full_name,
            title=view.title,
            contract_id=view.contract_id,
            revealed=left.revealed_now,
            closes_at=view.closes_at.isoformat(),
        )
        notice = (
            N_("🙏 Thank you! Both sides are now visible.")
            if left.revealed_now
            else N_("🙏 Thank you! Your feedback stays hidden until they leave theirs or the window closes.")
        )
        return Finish(feedback_screen(ctx, view, ctx.t(notice)))


async def feedback_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/feedback [CONTRACT_ID]: leave feedback, see both sides, or list the contracts waiting for yours."""
    account = ctx.account
    assert account is not None
    if not args.strip():
        waiting = await ctx.services.feedback.awaiting(account)
        if not waiting:
            return Screen(ctx.t(N_("No ended contract is waiting for your feedback.")), name="feedback.none")
        options = tuple(
            Option(
                shorten(f"#{contract.id} {contract.title}", MAX_BUTTON_LABEL),
                Action(RUN_COMMAND, ("feedback", str(contract.id))),
            )
            for contract in waiting
        )
        text = ctx.t(N_("<b>Contracts waiting for your feedback</b>"))
        return Screen(text, choice=Choice(options), name="feedback.waiting")
    view = await ctx.services.feedback.view(account, contract_id_of(args))
    if view.mine is not None:
        return feedback_screen(ctx, view, ctx.t(N_("You have already left feedback on this contract: here it is.")))
    if view.closes_at <= ctx.now:
        return feedback_screen(
            ctx, view, ctx.t(N_("The feedback window closed on {date}."), date=day(ctx.locale, view.closes_at))
        )
    return StartFlow("feedback", {"contract_id": view.contract_id})


async def reputation_lines(ctx: Ctx, account_id: int, *, freelancer: bool) -> list[str]:
    """For profiles: the Job Success Score and rating of a freelancer, and revealed public feedback received."""
    service = ctx.services.feedback
    lines = []
    if freelancer:
        success = await service.job_success(account_id)
        lines.append(
            ctx.t(N_("Job Success: {score}%"), score=success.score)
            if success.score is not None
            else ctx.t(N_("Job Success: not enough contracts yet"))
        )
        rating, count = await service.freelancer_rating(account_id)
        if rating is not None:
            stars = format_number(rating, ctx.locale, "0.0")
            lines.append(ctx.t(N_("Rating from clients: {stars} ★ ({count})"), stars=stars, count=count))
    received = await service.received(account_id)
    if received:
        lines.append(ctx.t(N_("<b>Feedback</b>")))
        lines += [
            ctx.t(
                N_("• {stars} “{comment}” — {name}, {title}") if item.comment else N_("• {stars} — {name}, {title}"),
                stars=star_line(item.stars),
                comment=item.comment,
                name=item.author_name or ctx.t(N_("Deleted user")),
                title=item.contract_title,
            )
            for item in received
        ]
    return lines


FLOW = Flow("feedback", N_("Feedback"), FeedbackData, [StarsStep(), CommentStep(), NoteStep()], start="stars")

COMMANDS = [CommandSpec("feedback", N_("leave feedback on an ended contract: /feedback ID"), feedback_command)]
