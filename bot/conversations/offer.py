"""Making an offer: the client's "Hire" on a proposal runs ``/offer PROPOSAL_ID``, which opens the terms taken
from the proposal (an hourly rate with a weekly limit, or its milestones) on a preview with the fees of both
sides. Each term can be changed on its own screen, which returns to the preview; "Send" stores the offer and
the freelancer gets it with Accept and Decline buttons.
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.conversations.contracts import contract_screen, fee_lines, milestone_line
from bot.conversations.flow import (
    CommandSpec,
    Ctx,
    Finish,
    Flow,
    Goto,
    Outcome,
    Retry,
    StartFlow,
    Step,
    command_button,
)
from bot.conversations.notices import notice_kind
from bot.core.contracts import OfferTerms, parse_milestone, parse_start_date, parse_weekly_limit
from bot.core.errors import UserError
from bot.core.i18n import N_, Day, Translator
from bot.core.money import format_money
from bot.core.proposals import MAX_MILESTONES, parse_bid
from bot.core.ui import Screen, rows

PREVIEW = "preview"
BACK = "back"


class OfferData(BaseModel):
    proposal_id: int
    freelancer_id: int
    freelancer_name: str
    terms: OfferTerms


def terms_text(tr: Translator, terms: OfferTerms) -> str:
    lines = [tr.t(N_("<b>{title}</b>"), title=terms.title)]
    if terms.kind == "hourly":
        assert terms.rate_minor is not None
        lines.append(
            tr.t(
                N_("⏱ Hourly: {rate}/hr, at most {hours} hours a week"),
                rate=format_money(terms.rate_minor, tr.language),
                hours=terms.weekly_limit_hours,
            )
        )
    else:
        lines.append(tr.t(N_("📌 Fixed price: {total}"), total=format_money(terms.total_minor, tr.language)))
        lines += [
            milestone_line(tr, number, m.description, m.amount_minor, m.due_date)
            for number, m in enumerate(terms.milestones, 1)
        ]
    lines.append(tr.t(N_("📅 Start date: {date}"), date=Day(terms.start_date)))
    return "\n".join(lines)


async def _fees(ctx: Ctx, tr: Translator) -> list[str]:
    assert ctx.account is not None
    terms: OfferTerms = ctx.data.terms
    billed = await ctx.services.contracts.billed_before(ctx.account.id, ctx.data.freelancer_id)
    amount = terms.rate_minor if terms.kind == "hourly" else terms.total_minor
    return fee_lines(
        tr,
        ctx.services.rules.fees,
        amount or 0,
        billed_before=billed,
        freelancer_name=ctx.data.freelancer_name,
        per_hour=terms.kind == "hourly",
    )


class PreviewStep(Step):
    name = PREVIEW
    goes_to = ("rate", "limit", "milestones", "start")

    async def show(self, ctx: Ctx) -> Screen:
        tr = Translator(ctx.locale)
        head = ctx.t(
            N_("📝 <b>Your offer to {name}</b>: check it, change what you like, then send it."),
            name=ctx.data.freelancer_name,
        )
        text = "\n\n".join([head, terms_text(tr, ctx.data.terms), "\n".join(await _fees(ctx, tr))])
        if ctx.data.terms.kind == "hourly":
            edits = [
                ctx.button(ctx.t(N_("💵 Rate")), "rate"),
                ctx.button(ctx.t(N_("⏱ Weekly limit")), "limit"),
            ]
        else:
            edits = [ctx.button(ctx.t(N_("📌 Milestones")), "milestones")]
        edits.append(ctx.button(ctx.t(N_("📅 Start date")), "start"))
        send = (ctx.button(ctx.t(N_("📨 Send the offer")), "send"), ctx.button(ctx.t(N_("🗑 Discard")), "discard"))
        return Screen(text, buttons=(tuple(edits), send))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value in self.goes_to:
            return Goto(value)
        if value == "discard":
            return Finish(Screen(ctx.t(N_("The offer was discarded."))), then="menu")
        if value != "send":
            return await super().on_click(ctx, value)
        assert ctx.account is not None
        contract = await ctx.services.contracts.send_offer(ctx.account, ctx.data.proposal_id, ctx.data.terms)
        terms: OfferTerms = ctx.data.terms
        amount = (terms.rate_minor if terms.kind == "hourly" else terms.total_minor) or 0
        billed = await ctx.services.contracts.billed_before(ctx.account.id, contract.freelancer_id)
        quote = contract.fees.quote(amount, billed_before_minor=billed, contract_bp=contract.fee_bp)
        ctx.notify(
            contract.freelancer_id,
            offer_notice,
            contract_id=contract.id,
            client_name=ctx.account.full_name,
            terms=terms.model_dump(mode="json"),
            receive_minor=quote.freelancer_receives_minor,
            fee_minor=quote.service_fee_minor,
        )
        return Finish(
            await contract_screen(ctx, contract, ctx.t(N_("📨 Offer sent to {name}."), name=ctx.data.freelancer_name))
        )


@notice_kind("offer.received")
def offer_notice(
    tr: Translator, *, contract_id: int, client_name: str, terms: dict[str, object], receive_minor: int, fee_minor: int
) -> Screen:
    """The offer as the freelancer receives it, with what they get after the service fee."""
    offered = OfferTerms.model_validate(terms)
    head = tr.t(N_("📨 <b>{name} sent you an offer</b> (contract #{id}):"), name=client_name, id=contract_id)
    receive = (
        N_("You receive {amount} an hour after the {fee} service fee.")
        if offered.kind == "hourly"
        else N_("You receive {amount} in all after the {fee} service fee.")
    )
    paid = tr.t(receive, amount=format_money(receive_minor, tr.language), fee=format_money(fee_minor, tr.language))
    ident = str(contract_id)
    buttons = rows(
        command_button(tr.t(N_("✅ Accept")), "contract", ident, "accept"),
        command_button(tr.t(N_("✖️ Decline")), "contract", ident, "decline"),
        command_button(tr.t(N_("📄 Open the contract")), "contract", ident),
        per_row=3,
    )
    return Screen(
        f"{head}\n\n{terms_text(tr, offered)}\n\n{paid}",
        buttons=buttons,
        name="offer",
    )


class EditStep(Step):
    """A term typed on its own screen; "Back" returns to the preview unchanged."""

    goes_to = (PREVIEW,)

    def screen(self, ctx: Ctx, question: str) -> Screen:
        return Screen(question, buttons=rows(ctx.button(ctx.t(N_("⬅️ Back to the offer")), BACK)))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == BACK:
            return Goto(PREVIEW)
        return await super().on_click(ctx, value)


class RateStep(EditStep):
    name = "rate"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        return self.screen(ctx, ctx.t(N_("💵 What hourly rate do you offer, in US dollars? For example <i>35</i>.")))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        ctx.data.terms.rate_minor = parse_bid(text, hourly=True)
        return Goto(PREVIEW)


class LimitStep(EditStep):
    name = "limit"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        question = ctx.t(N_("⏱ At most how many hours a week may the freelancer log? From 1 to 80, e.g. <i>20</i>."))
        return self.screen(ctx, question)

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        ctx.data.terms.weekly_limit_hours = parse_weekly_limit(text)
        return Goto(PREVIEW)


class MilestonesStep(EditStep):
    name = "milestones"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        tr = Translator(ctx.locale)
        milestones = ctx.data.terms.milestones
        listed = [milestone_line(tr, n, m.description, m.amount_minor, m.due_date) for n, m in enumerate(milestones, 1)]
        text = ctx.t(
            N_(
                "📌 <b>Milestones</b> (1 to {max}). Type one to add it, like <i>Design mockups; 500; {example}</i> "
                "(description; amount in dollars; due date, which you may leave out)."
            ),
            max=MAX_MILESTONES,
            example=ctx.now.date().isoformat(),
        )
        buttons = []
        if milestones:
            buttons.append(ctx.button(ctx.t(N_("🗑 Remove the last")), "pop"))
            buttons.append(ctx.button(ctx.t(N_("✅ Done")), BACK))
        return Screen("\n".join([text, "", *listed]), buttons=rows(*buttons))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        milestones = ctx.data.terms.milestones
        if len(milestones) >= MAX_MILESTONES:
            raise UserError(N_("An offer can have at most {max} milestones."), max=MAX_MILESTONES)
        milestones.append(parse_milestone(text, ctx.now.date()))
        return Retry(ctx.t(N_("Added. Add another, or press Done.")))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "pop" and ctx.data.terms.milestones:
            ctx.data.terms.milestones.pop()
            return Retry(ctx.t(N_("Removed the last milestone.")))
        if value == BACK and not ctx.data.terms.milestones:
            return Retry(ctx.t(N_("Add at least one milestone.")))
        return await super().on_click(ctx, value)


class StartStep(EditStep):
    name = "start"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        example = ctx.now.date().isoformat()
        return self.screen(
            ctx, ctx.t(N_("📅 When does the work start? Type a date like <i>{example}</i>."), example=example)
        )

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        ctx.data.terms.start_date = parse_start_date(text, ctx.now.date())
        return Goto(PREVIEW)


FLOW = Flow(
    "offer",
    N_("Making an offer"),
    OfferData,
    [PreviewStep(), RateStep(), LimitStep(), MilestonesStep(), StartStep()],
    start=PREVIEW,
)


async def offer(ctx: Ctx, args: str) -> StartFlow:
    """/offer PROPOSAL_ID: the terms from the proposal, if the asker may hire on it."""
    assert ctx.account is not None
    start = await ctx.services.contracts.offer_terms(ctx.account, args.strip() or "?")
    data = {
        "proposal_id": start.proposal_id,
        "freelancer_id": start.freelancer_id,
        "freelancer_name": start.freelancer_name,
        "terms": start.terms.model_dump(),
    }
    return StartFlow(FLOW.name, data)


COMMANDS = [
    CommandSpec("offer", N_("hire: make an offer on a proposal, /offer 12"), offer, role="client", deep_link=True)
]
