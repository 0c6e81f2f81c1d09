"""Sending a proposal: the bid (an hourly rate; or a fixed price, or milestones whose sum is the bid), the fees it
means for the freelancer, a cover letter, an answer to each screening question, files, the estimated duration,
a preview as the client will see it, then Send.

The same table of steps changes the bid of a sent proposal (``edit_bid``): it starts at the bid and saves after
the fees, the cover letter staying as it was. The engine starts a flow at its start step only, so the two entry
points are two ``Flow`` objects over one table. A cover letter over the limit is kept in the flow's data, so the
freelancer can cut it or copy it back rather than type it again.
"""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import Field as DataField

from bot.conversations.attachments import DONE, AttachmentsBase, DraftFiles, removed, removers
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
from bot.conversations.job_views import apply_elsewhere, terms
from bot.conversations.menu import main_menu
from bot.conversations.notices import notice_kind
from bot.conversations.proposals import (
    bid_text,
    body_sections,
    fee_lines,
    freelancer_detail,
    milestone_lines,
    propose_data,
    quote_for,
)
from bot.core.i18n import N_, Count, Translator
from bot.core.jobs import FIXED_MAX_MINOR, PROJECT_LENGTHS
from bot.core.money import CURRENCY, format_money
from bot.core.proposals import (
    COVER_LETTER_MAX,
    MAX_FILES,
    MAX_MILESTONES,
    MILESTONE_TEXT_MAX,
    MilestoneDraft,
    Proposal,
    ProposalDraft,
    clean_answer,
    clean_cover_letter,
    clean_milestone_text,
    due_example,
    parse_bid,
    parse_due_date,
    parse_milestone_amount,
)
from bot.core.ui import Button, Field, Form, Screen, escape, rows

STEP_NAMES = ("bid", "milestones", "fees", "cover", "answers", "files", "duration", "preview")


class ProposeData(BaseModel):
    """The job's facts the steps show (its pay terms make it a ``PayTerms``), and the proposal being written."""

    job_id: int
    job_title: str = ""
    client_id: int = 0
    questions: list[str] = DataField(default_factory=list)
    job_type: str = "hourly"
    budget_minor: int | None = None
    rate_min_minor: int | None = None
    rate_max_minor: int | None = None
    currency: str = CURRENCY
    editing: int | None = None  # the sent proposal whose bid is being changed (edit_bid)
    draft: ProposalDraft = DataField(default_factory=ProposalDraft)
    returning: bool = False  # a part is being changed from the preview: go back there after it
    kept_letter: str = ""  # a cover letter over the limit, kept so nothing typed is lost
    question: int = 0  # the screening question being answered
    confirm_discard: bool = False

    @property
    def hourly(self) -> bool:
        return self.job_type == "hourly"


class ProposeStep(Step):
    """A step of the proposal. While a part is changed from the preview, every step returns there."""

    goes_to = STEP_NAMES

    def heading(self, ctx: Ctx, question: str) -> str:
        data = ctx.data
        if data.editing is not None:
            title = ctx.t(N_("✏️ <b>New bid for proposal #{id}</b> · “{title}”"), id=data.editing, title=data.job_title)
        else:
            title = ctx.t(N_("📨 <b>Proposal</b> · “{title}”"), title=data.job_title)
        return f"{title}\n\n{question}"

    def onward(self, ctx: Ctx, natural: str) -> Goto:
        return Goto("preview" if ctx.data.returning else natural)

    def back_row(self, ctx: Ctx) -> tuple[Button, ...]:
        return (ctx.button(ctx.t(N_("⬅️ Back to the preview")), "back"),) if ctx.data.returning else ()

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "back" and ctx.data.returning:
            return Goto("preview")
        return await self.on_choice(ctx, value)

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        return await super().on_click(ctx, value)


def _layout(*row_groups: tuple[Button, ...]) -> tuple[tuple[Button, ...], ...]:
    return tuple(row for row in row_groups if row)


class BidStep(ProposeStep):
    name = "bid"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        data = ctx.data
        if data.hourly:
            question = ctx.t(
                N_("The client offers {terms}. What hourly rate do you bid, in US dollars? For example <i>35</i>."),
                terms=terms(ctx, data),
            )
            extra: tuple[Button, ...] = ()
        else:
            question = ctx.t(
                N_(
                    "The client offers {terms}. What do you bid for the whole project, in US dollars? "
                    "For example <i>1,200</i>. Or split it into milestones (up to {max}): their total is your bid."
                ),
                terms=terms(ctx, data),
                max=MAX_MILESTONES,
            )
            extra = (ctx.button(ctx.t(N_("🧩 Split into milestones")), "milestones"),)
        bid = data.draft.bid_minor
        if bid is not None:
            question += "\n\n" + ctx.t(
                N_("Now: {bid}"), bid=bid_text(ctx, data.draft.bid_kind or "fixed", bid, ctx.locale)
            )
        return Screen(self.heading(ctx, question), buttons=_layout(extra, self.back_row(ctx)))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        draft = ctx.data.draft
        draft.amount_minor = parse_bid(text, hourly=ctx.data.hourly)
        draft.bid_kind = "hourly" if ctx.data.hourly else "fixed"
        draft.milestones = []
        return Goto("fees")

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        if value == "milestones" and not ctx.data.hourly:
            ctx.data.draft.bid_kind = "milestones"
            return Goto("milestones")
        return await super().on_choice(ctx, value)


class MilestonesStep(ProposeStep):
    name = "milestones"

    async def show(self, ctx: Ctx) -> Screen:
        milestones = ctx.data.draft.milestones
        text = ctx.t(
            N_(
                "Add your milestones one at a time: what you will deliver, its amount, and a due date if you like "
                "(up to {max}). Their total is your bid."
            ),
            max=MAX_MILESTONES,
        )
        if milestones:
            total = format_money(sum(m.amount_minor for m in milestones), ctx.locale)
            text += "\n\n" + "\n".join(milestone_lines(ctx, milestones))
            text += "\n" + ctx.t(N_("<b>Total: {amount}</b>"), amount=total)
        form = None
        if len(milestones) < MAX_MILESTONES:
            form = Form(
                "milestone",
                ctx.t(N_("Milestone {number}"), number=len(milestones) + 1),
                (
                    Field("description", ctx.t(N_("What you will deliver")), max_length=MILESTONE_TEXT_MAX),
                    Field("amount", ctx.t(N_("Amount in US dollars, e.g. 500")), max_length=20),
                    Field(
                        "due",
                        ctx.t(N_("Due date (optional)")),
                        max_length=20,
                        required=False,
                        hint=ctx.t(N_("Like {example}"), example=due_example(ctx.now.date())),
                    ),
                ),
            )
        actions = [ctx.button(ctx.t(N_("💵 One fixed price instead")), "single")]
        if milestones:
            actions.insert(0, ctx.button(ctx.t(N_("✅ Done")), DONE))
        return Screen(self.heading(ctx, text), buttons=(*removers(ctx, len(milestones)), tuple(actions)), form=form)

    async def check_field(self, ctx: Ctx, name: str, raw: str) -> str:
        if name == "description":
            return clean_milestone_text(raw)
        if name == "amount":
            return str(parse_milestone_amount(raw))
        due = parse_due_date(raw, ctx.now.date())
        return due.isoformat() if due else ""

    async def on_form(self, ctx: Ctx, values: dict[str, str]) -> Outcome:
        milestones = ctx.data.draft.milestones
        if len(milestones) >= MAX_MILESTONES:
            return Retry(ctx.t(N_("A proposal can have at most {max} milestones."), max=MAX_MILESTONES))
        added = MilestoneDraft(
            description=values["description"], amount_minor=int(values["amount"]), due_date=values["due"] or None
        )
        total = sum(m.amount_minor for m in milestones) + added.amount_minor
        if total > FIXED_MAX_MINOR:
            return Retry(
                "⚠️ "
                + ctx.t(
                    N_("The milestones would add up to {total}; a fixed-price bid can be at most {max}."),
                    total=format_money(total, ctx.locale),
                    max=format_money(FIXED_MAX_MINOR, ctx.locale),
                )
            )
        milestones.append(added)
        return Retry(ctx.t(N_("Milestone {number} added."), number=len(milestones)))

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        draft = ctx.data.draft
        index = removed(value, len(draft.milestones))
        if index is not None:
            draft.milestones.pop(index)
            return Retry(ctx.t(N_("Milestone removed.")))
        if value == DONE and draft.milestones:
            draft.bid_kind, draft.amount_minor = "milestones", None
            return Goto("fees")
        if value == "single":
            draft.bid_kind, draft.milestones = "fixed", []
            return Goto("bid")
        return await super().on_choice(ctx, value)


class FeesStep(ProposeStep):
    name = "fees"

    async def show(self, ctx: Ctx) -> Screen:
        data = ctx.data
        quote = await quote_for(ctx, data.client_id, ctx.account.id, data.draft.bid_minor or 0)
        lines = fee_lines(ctx, quote, hourly=data.hourly)
        text = ctx.t(N_("Here is what your bid means for you:")) + "\n\n" + "\n".join(lines)
        if data.draft.bid_kind == "milestones":
            text += "\n\n" + "\n".join(milestone_lines(ctx, data.draft.milestones))
        onward = N_("✅ Save the new bid") if data.editing is not None else N_("✅ Continue")
        buttons = (ctx.button(ctx.t(onward), "ok"), ctx.button(ctx.t(N_("✏️ Change the bid")), "change"))
        return Screen(self.heading(ctx, text), buttons=(buttons,))

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        data = ctx.data
        if value == "change":
            return Goto("milestones" if data.draft.bid_kind == "milestones" else "bid")
        if value != "ok":
            return await super().on_choice(ctx, value)
        if data.editing is None:
            return self.onward(ctx, "cover")
        proposal = await ctx.services.proposals.change_terms(ctx.account, data.editing, data.draft)
        ctx.notify(proposal.client_id, new_bid_notice, name=ctx.account.full_name, **bid_params(proposal))
        return Finish(await freelancer_detail(ctx, proposal, ctx.t(N_("✅ Your new bid is saved."))))


class CoverStep(ProposeStep):
    name = "cover"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        data = ctx.data
        text = ctx.t(
            N_(
                "Write your cover letter: why you fit this job, similar work you have done, and how you would go "
                "about it. Up to {max} characters."
            ),
            max=Count(COVER_LETTER_MAX),
        )
        letter = data.draft.cover_letter
        if letter:
            text += "\n\n" + ctx.t(N_("Now: {value}"), value=letter[:300] + ("…" if len(letter) > 300 else ""))
        kept: tuple[Button, ...] = ()
        if data.kept_letter:
            kept = (
                ctx.button(ctx.t(N_("✂️ Keep the first {max} characters"), max=Count(COVER_LETTER_MAX)), "cut"),
                ctx.button(ctx.t(N_("📋 Show my text")), "show"),
            )
        return Screen(self.heading(ctx, text), buttons=_layout(kept, self.back_row(ctx)))

    def _next(self, ctx: Ctx) -> Goto:
        return self.onward(ctx, "answers" if ctx.data.questions else "files")

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        data = ctx.data
        if len(text.strip()) > COVER_LETTER_MAX:
            data.kept_letter = text.strip()  # a Retry keeps the data, so nothing typed is lost
            return Retry(
                "⚠️ "
                + ctx.t(
                    N_(
                        "A cover letter can be at most {max} characters, and yours has {length}. It is kept: "
                        "send a shorter one, or keep its first {max} characters."
                    ),
                    max=Count(COVER_LETTER_MAX),
                    length=Count(len(data.kept_letter)),
                )
            )
        data.draft.cover_letter, data.kept_letter = clean_cover_letter(text), ""
        return self._next(ctx)

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        data = ctx.data
        if value == "show" and data.kept_letter:
            return Retry(escape(data.kept_letter))
        if value == "cut" and data.kept_letter:
            data.draft.cover_letter, data.kept_letter = clean_cover_letter(data.kept_letter[:COVER_LETTER_MAX]), ""
            return self._next(ctx)
        return await super().on_choice(ctx, value)


class AnswersStep(ProposeStep):
    name = "answers"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        data = ctx.data
        number = data.question
        text = ctx.t(
            N_("The client asks ({number} of {total}):\n<i>{question}</i>\n\nType your answer."),
            number=number + 1,
            total=len(data.questions),
            question=data.questions[number],
        )
        if number < len(data.draft.answers):
            text += "\n\n" + ctx.t(N_("Now: {value}"), value=data.draft.answers[number])
        previous = (ctx.button(ctx.t(N_("⬅️ Previous question")), "previous"),) if number else ()
        return Screen(self.heading(ctx, text), buttons=_layout(previous, self.back_row(ctx)))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        data = ctx.data
        answers = data.draft.answers[: len(data.questions)]
        answers += [""] * (data.question + 1 - len(answers))
        answers[data.question] = clean_answer(text)
        data.draft.answers = answers
        if data.question + 1 < len(data.questions):
            data.question += 1
            return Retry(ctx.t(N_("Answer saved.")))
        data.question = 0
        return self.onward(ctx, "files")

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        if value == "previous" and ctx.data.question:
            ctx.data.question -= 1
            return Retry("")
        return await super().on_choice(ctx, value)


class FilesStep(ProposeStep, AttachmentsBase):
    name = "files"
    next_step = "duration"

    def question(self, ctx: Ctx) -> str:
        return ctx.t(
            N_(
                "Files (optional): send up to {max} PDFs or images that show similar work (10 MB each), "
                "then press the button below."
            ),
            max=MAX_FILES,
        )

    def service(self, ctx: Ctx) -> DraftFiles:
        return ctx.services.proposals


class DurationStep(ProposeStep):
    name = "duration"

    async def show(self, ctx: Ctx) -> Screen:
        choices = [ctx.button(ctx.t(label), code) for code, label in PROJECT_LENGTHS.items()]
        return Screen(
            self.heading(ctx, ctx.t(N_("How long will the work take?"))),
            buttons=_layout(*rows(*choices), self.back_row(ctx)),
        )

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        if value not in PROJECT_LENGTHS:
            return await super().on_choice(ctx, value)
        ctx.data.draft.duration = value
        return Goto("preview")


PARTS = {
    "bid": N_("✏️ Bid"),
    "cover": N_("✏️ Cover letter"),
    "answers": N_("✏️ Answers"),
    "files": N_("✏️ Files"),
    "duration": N_("✏️ Duration"),
}


class PreviewStep(ProposeStep):
    name = "preview"

    async def show(self, ctx: Ctx) -> Screen:
        data = ctx.data
        draft = data.draft
        bid = draft.bid_minor or 0
        quote = await quote_for(ctx, data.client_id, ctx.account.id, bid)
        terms_lines = fee_lines(ctx, quote, hourly=data.hourly) + milestone_lines(ctx, draft.milestones)
        sections = [
            ctx.t(
                N_("👀 <b>Preview</b> of your proposal to “{title}”: the client will see it like this."),
                title=data.job_title,
            ),
            "\n".join(terms_lines),
            *body_sections(
                ctx,
                cover_letter=draft.cover_letter,
                questions=data.questions,
                answers=draft.answers,
                attachments=draft.attachments,
                duration=draft.duration,
            ),
        ]
        credits = ctx.services.credits
        if credits.enabled:
            sections.append(
                ctx.t(
                    N_("🎟 Sending it costs {cost} credits; you have {balance}."),
                    cost=credits.cost,
                    balance=await credits.balance(ctx.account.id),
                )
            )
        parts = [name for name in PARTS if name != "answers" or data.questions]
        edits = tuple(ctx.button(ctx.t(PARTS[name]), f"edit:{name}") for name in parts)
        discard = N_("🗑 Yes, discard") if data.confirm_discard else N_("🗑 Discard")
        buttons = (
            (ctx.button(ctx.t(N_("📨 Send proposal")), "send"),),
            edits,
            (ctx.button(ctx.t(discard), "discard"),),
        )
        return Screen("\n\n".join(sections), buttons=buttons)

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return Retry(ctx.t(N_("Please use the buttons below: send the proposal, change a part, or discard it.")))

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        data = ctx.data
        part = value.removeprefix("edit:")
        if value.startswith("edit:") and part in PARTS:
            data.returning, data.confirm_discard, data.question = True, False, 0
            return Goto(part)
        if value == "discard" and not data.confirm_discard:
            data.confirm_discard = True
            return Retry(ctx.t(N_("Discard this proposal? Press “Yes, discard” to confirm.")))
        if value == "discard":
            await ctx.services.proposals.forget_files(ctx.account, [file.id for file in data.draft.attachments])
            return Finish(main_menu(ctx).with_notice(ctx.t(N_("The proposal was discarded."))))
        if value != "send":
            return await super().on_choice(ctx, value)
        proposal = await ctx.services.proposals.submit(ctx.account, data.job_id, data.draft)
        ctx.notify(proposal.client_id, new_proposal_notice, name=ctx.account.full_name, **bid_params(proposal))
        return Finish(await sent_screen(ctx, proposal))


async def sent_screen(ctx: Ctx, proposal: Proposal) -> Screen:
    text = ctx.t(
        N_("📨 Your proposal to “{title}” is sent: #{id}. The client has been told."),
        title=proposal.job_title,
        id=proposal.id,
    )
    credits = ctx.services.credits
    if credits.enabled:
        text += "\n" + ctx.t(N_("🎟 Credits left: {balance}."), balance=await credits.balance(ctx.account.id))
    return Screen(
        text,
        buttons=rows(
            ctx.command_button(ctx.t(N_("📄 View proposal")), "proposal", str(proposal.id)),
            ctx.command_button(ctx.t(N_("📄 My proposals")), "proposals"),
            ctx.command_button(ctx.t(N_("🔎 Find work")), "search"),
        ),
        name="proposal-sent",
    )


def _client_notice(
    translator: Translator, message: str, *, name: str, proposal_id: int, job_id: int, title: str, bid: str, screen: str
) -> Screen:
    return Screen(
        translator.t(message, name=name, title=title, bid=bid),
        buttons=rows(
            command_button(translator.t(N_("👀 View proposal")), "proposal", str(proposal_id)),
            command_button(translator.t(N_("📋 All proposals")), "job_proposals", str(job_id)),
        ),
        name=screen,
    )


@notice_kind("proposal.new")
def new_proposal_notice(
    translator: Translator, *, name: str, proposal_id: int, job_id: int, title: str, bid_kind: str, amount_minor: int
) -> Screen:
    """What the client is told of a new proposal, in their language."""
    return _client_notice(
        translator,
        N_("📨 New proposal from {name} for “{title}”: {bid}."),
        name=name,
        proposal_id=proposal_id,
        job_id=job_id,
        title=title,
        bid=bid_text(translator, bid_kind, amount_minor, translator.language),
        screen="proposal-received",
    )


@notice_kind("proposal.new_bid")
def new_bid_notice(
    translator: Translator, *, name: str, proposal_id: int, job_id: int, title: str, bid_kind: str, amount_minor: int
) -> Screen:
    return _client_notice(
        translator,
        N_("✏️ {name} changed their bid for “{title}”: now {bid}."),
        name=name,
        proposal_id=proposal_id,
        job_id=job_id,
        title=title,
        bid=bid_text(translator, bid_kind, amount_minor, translator.language),
        screen="proposal-new-bid",
    )


def bid_params(proposal: Proposal) -> dict[str, object]:
    """What the client's notices of a proposal say about it."""
    return {
        "proposal_id": proposal.id,
        "job_id": proposal.job_id,
        "title": proposal.job_title,
        "bid_kind": proposal.bid_kind,
        "amount_minor": proposal.amount_minor,
    }


STEPS: list[Step] = [
    BidStep(),
    MilestonesStep(),
    FeesStep(),
    CoverStep(),
    AnswersStep(),
    FilesStep(),
    DurationStep(),
    PreviewStep(),
]
FLOW = Flow("propose", N_("Sending a proposal"), ProposeData, STEPS, start="bid")
EDIT_FLOW = Flow("edit_bid", N_("Changing a bid"), ProposeData, STEPS, start="bid")


async def propose_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/propose JOB_ID: a freelancer who may apply starts writing a proposal; one already sent is pointed to."""
    assert ctx.account is not None
    job = await ctx.services.jobs.visible(ctx.account, args.strip() or "?")
    if job.external:
        return apply_elsewhere(ctx, job)
    existing = await ctx.services.proposals.active_on(ctx.account, job.id)
    if existing is not None:
        return Screen(
            ctx.t(
                N_("You already sent a proposal to “{title}”: #{id}. You can change its bid or withdraw it there."),
                title=job.title,
                id=existing,
            ),
            buttons=rows(ctx.command_button(ctx.t(N_("📄 View my proposal")), "proposal", str(existing))),
            name="proposal-exists",
        )
    job = await ctx.services.proposals.job_to_propose(ctx.account, job.id)
    await ctx.services.credits.require(ctx.account.id)
    return StartFlow(FLOW.name, propose_data(job))


COMMANDS = [
    CommandSpec(
        "propose",
        N_("send a proposal to a job: /propose 42"),
        propose_command,
        in_help=False,
        role="freelancer",
        deep_link=True,
    )
]
