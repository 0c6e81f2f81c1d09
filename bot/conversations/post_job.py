"""Posting a job, one question a screen, then a preview exactly as freelancers will see it.

The same table of steps edits a saved post (``edit_job``): it opens on the preview, "Edit a field" jumps to
that field's step, and every step then returns to the preview, asking on the way for whatever a change made
necessary (switching to hourly needs a rate range and hours a week). The engine starts a flow at its start
step only, so the two entry points are two ``Flow`` objects over one table.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, Field

from bot.conversations.attachments import DONE, AttachmentsBase, DraftFiles, done_button, numbered, removed, removers
from bot.conversations.flow import CommandSpec, Ctx, Finish, Flow, Goto, Outcome, Retry, StartFlow, Step
from bot.conversations.job_views import job_detail
from bot.conversations.menu import main_menu
from bot.core.errors import UserError
from bot.core.i18n import N_, Count, Moment
from bot.core.jobs import (
    DESCRIPTION_MAX,
    EXPERIENCE,
    HOURS_PER_WEEK,
    MAX_ATTACHMENTS,
    MAX_QUESTIONS,
    MAX_SKILLS,
    PROJECT_LENGTHS,
    Job,
    JobDraft,
    KeptDraft,
    add_skills,
    clean_category,
    clean_description,
    clean_question,
    clean_title,
    parse_budget,
    parse_rate_range,
)
from bot.core.numbers import whole_number
from bot.core.taxonomy import CATEGORIES, normalise_skill, suggest_skills
from bot.core.ui import Button, Choice, Screen, escape, rows

BACK = "back"
INPUT_STEPS = (
    "title",
    "description",
    "category",
    "skills",
    "job_type",
    "rate",
    "budget",
    "experience",
    "length",
    "hours",
    "questions",
    "visibility",
    "attachments",
)
FIELD_LABELS = {
    "title": N_("Title"),
    "description": N_("Description"),
    "category": N_("Category"),
    "skills": N_("Skills"),
    "job_type": N_("Hourly or fixed price"),
    "rate": N_("Hourly rate range"),
    "budget": N_("Budget"),
    "experience": N_("Experience level"),
    "length": N_("Project length"),
    "hours": N_("Hours per week"),
    "questions": N_("Screening questions"),
    "visibility": N_("Who can see it"),
    "attachments": N_("Attachments"),
}


class PostJobData(BaseModel):
    job_id: int | None = None  # the saved post being edited; None for a new one
    draft: JobDraft = Field(default_factory=JobDraft)
    returning: bool = False  # a field is being edited from the preview: go back there after it
    too_long: str = ""  # a description over the limit, kept so the client can cut it rather than retype it
    skill_hints: list[str] = Field(default_factory=list)  # suggestions for the last unknown skill
    confirm_discard: bool = False
    status: str = "draft"  # of the saved post being edited
    published_at: datetime | None = None


def _order(draft: JobDraft) -> list[str]:
    """The steps a client goes through for this draft, for "Step 3 of 12"."""
    paid = "budget" if draft.job_type == "fixed" else "rate"
    hours = [] if draft.job_type == "fixed" else ["hours"]
    return [
        "title",
        "description",
        "category",
        "skills",
        "job_type",
        paid,
        "experience",
        "length",
        *hours,
        "questions",
        "visibility",
        "attachments",
    ]


class JobStep(Step):
    """A question of the post. Subclasses say what comes before and after, and what they ask."""

    goes_to = (*INPUT_STEPS, "preview")
    previous: ClassVar[str | None] = None

    def heading(self, ctx: Ctx, question: str) -> str:
        order = _order(ctx.data.draft)
        if ctx.data.returning or self.name not in order:
            title = ctx.t(N_("✏️ <b>Editing: {field}</b>"), field=ctx.t(FIELD_LABELS[self.name]))
        else:
            title = ctx.t(
                N_("📝 <b>Post a job</b> · step {step} of {steps}"), step=order.index(self.name) + 1, steps=len(order)
            )
        return f"{title}\n\n{question}"

    def nav(self, ctx: Ctx, *extra: Button) -> tuple[tuple[Button, ...], ...]:
        """The step's own buttons, then Back (to the preview while editing a field)."""
        back: list[Button] = []
        if ctx.data.returning and ctx.data.draft.missing() is None:
            back.append(ctx.button(ctx.t(N_("⬅️ Back to the preview")), BACK))
        elif not ctx.data.returning and self.previous:
            back.append(ctx.button(ctx.t(N_("⬅️ Back")), BACK))
        return tuple(row for row in (*rows(*extra, per_row=3), tuple(back)) if row)

    def onward(self, ctx: Ctx, natural: str) -> Goto:
        """The next step; while editing one field, the preview, or a step the change made necessary."""
        if ctx.data.returning:
            return Goto(ctx.data.draft.missing() or "preview")
        return Goto(natural)

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == BACK and ctx.data.returning and ctx.data.draft.missing() is None:
            return Goto("preview")
        if value == BACK and self.previous and not ctx.data.returning:
            previous = self.previous
            if previous == "rate" and ctx.data.draft.job_type == "fixed":
                previous = "budget"
            return Goto(previous)
        return await self.on_choice(ctx, value)

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        return await super().on_click(ctx, value)


def _now_line(ctx: Ctx, value: str) -> str:
    return "\n\n" + ctx.t(N_("Now: {value}"), value=value) if value else ""


class TitleStep(JobStep):
    name = "title"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        question = ctx.t(
            N_(
                "What is the title of your job? One line that says what you need, e.g. "
                "<i>Build a booking website in Django</i>. 10 to 100 characters."
            )
        )
        return Screen(self.heading(ctx, question) + _now_line(ctx, ctx.data.draft.title), buttons=self.nav(ctx))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        ctx.data.draft.title = clean_title(text)
        return self.onward(ctx, "description")


class DescriptionStep(JobStep):
    name = "description"
    accepts_text = True
    previous = "title"

    async def show(self, ctx: Ctx) -> Screen:
        question = ctx.t(
            N_(
                "Describe the job: what you need done, what you will deliver to the freelancer, what a great "
                "result looks like, and any deadline. Up to {max} characters."
            ),
            max=Count(DESCRIPTION_MAX),
        )
        current = ctx.data.draft.description
        text = self.heading(ctx, question) + _now_line(ctx, current[:300] + ("…" if len(current) > 300 else ""))
        extra = []
        if ctx.data.too_long:
            extra = [
                ctx.button(ctx.t(N_("✂️ Keep the first {max} characters"), max=Count(DESCRIPTION_MAX)), "cut"),
                ctx.button(ctx.t(N_("📋 Show my text")), "show"),
            ]
        return Screen(text, buttons=self.nav(ctx, *extra))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        try:
            ctx.data.draft.description = clean_description(text)
        except UserError as refused:
            if len(text.strip()) <= DESCRIPTION_MAX:
                raise
            ctx.data.too_long = text.strip()  # kept (a Retry keeps the data) so nothing typed is lost
            return Retry("⚠️ " + ctx.t(refused.message_id, **refused.params))
        ctx.data.too_long = ""
        return self.onward(ctx, "category")

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        kept = ctx.data.too_long
        if value == "show" and kept:
            return Retry(ctx.t(N_("Your text ({length} characters):"), length=Count(len(kept))) + "\n\n" + escape(kept))
        if value == "cut" and kept:
            cut = kept[:DESCRIPTION_MAX]
            ctx.data.draft.description = clean_description(cut.rsplit(maxsplit=1)[0] if " " in cut else cut)
            ctx.data.too_long = ""
            return self.onward(ctx, "category")
        return await super().on_choice(ctx, value)


class CategoryStep(JobStep):
    name = "category"
    previous = "description"

    async def show(self, ctx: Ctx) -> Screen:
        current = ctx.data.draft.category
        return Screen(
            self.heading(ctx, ctx.t(N_("Which category fits the job best?")))
            + _now_line(ctx, ctx.t(CATEGORIES[current]) if current else ""),
            choice=Choice(
                tuple(ctx.option(ctx.t(label), code) for code, label in CATEGORIES.items()),
                placeholder=ctx.t(N_("Category")),
            ),
            buttons=self.nav(ctx),
        )

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        if value not in CATEGORIES:
            return await super().on_choice(ctx, value)
        ctx.data.draft.category = clean_category(value)
        return self.onward(ctx, "skills")


class SkillsStep(JobStep):
    name = "skills"
    accepts_text = True
    previous = "category"

    async def show(self, ctx: Ctx) -> Screen:
        skills = ctx.data.draft.skills
        question = ctx.t(
            N_(
                "Which skills does the job need? Type them separated by commas, e.g. <i>Python, Django, "
                "PostgreSQL</i> (at most {max}). To remove one, type it with a minus: <i>-Django</i>."
            ),
            max=MAX_SKILLS,
        )
        chosen = (
            ctx.t(N_("Chosen ({count}/{max}): {skills}"), count=len(skills), max=MAX_SKILLS, skills=", ".join(skills))
            if skills
            else ctx.t(N_("No skills chosen yet."))
        )
        hints = [ctx.button(f"➕ {hint}", f"hint{index}") for index, hint in enumerate(ctx.data.skill_hints)]
        actions = [ctx.button(ctx.t(N_("🧹 Clear")), "clear"), ctx.button(ctx.t(N_("✅ Done")), DONE)] if skills else []
        buttons = rows(*hints, per_row=3) + self.nav(ctx, *actions)
        return Screen(f"{self.heading(ctx, question)}\n\n{chosen}", buttons=buttons)

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        draft = ctx.data.draft
        ctx.data.skill_hints = []
        if text.strip().startswith("-"):
            skill = normalise_skill(text.strip()[1:])
            if skill not in draft.skills:
                return Retry(ctx.t(N_("“{skill}” is not in the list."), skill=skill))
            draft.skills.remove(skill)
            return Retry(ctx.t(N_("Removed {skill}."), skill=skill))
        before = len(draft.skills)
        draft.skills, unknown = add_skills(draft.skills, text)
        notes = []
        if len(draft.skills) > before:
            notes.append(ctx.t(N_("Added: {skills}."), skills=", ".join(draft.skills[before:])))
        notes += ["⚠️ " + ctx.t(problem.message_id, **problem.params) for problem in unknown]
        if unknown:
            ctx.data.skill_hints = suggest_skills(unknown[0].params["skill"], limit=3)
        elif draft.skills:
            notes.append(ctx.t(N_("Add more, or press Done.")))
        return Retry("\n".join(notes))

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        draft, hints = ctx.data.draft, ctx.data.skill_hints
        hint = whole_number(value.removeprefix("hint")) if value.startswith("hint") else None
        if hint is not None and hint < len(hints):
            draft.skills, _ = add_skills(draft.skills, hints[hint])
            ctx.data.skill_hints = []
            return Retry(ctx.t(N_("Added: {skills}."), skills=draft.skills[-1]))
        if value == "clear":
            draft.skills, ctx.data.skill_hints = [], []
            return Retry("")
        if value == DONE and draft.skills:
            ctx.data.skill_hints = []
            return self.onward(ctx, "job_type")
        return await super().on_choice(ctx, value)


class JobTypeStep(JobStep):
    name = "job_type"
    previous = "skills"

    async def show(self, ctx: Ctx) -> Screen:
        return Screen(
            self.heading(ctx, ctx.t(N_("How do you want to pay?"))),
            buttons=self.nav(
                ctx,
                ctx.button(ctx.t(N_("⏱ By the hour")), "hourly"),
                ctx.button(ctx.t(N_("📌 A fixed price")), "fixed"),
            ),
        )

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        draft = ctx.data.draft
        if value not in ("hourly", "fixed"):
            return await super().on_choice(ctx, value)
        if draft.job_type != value:
            draft.job_type = value  # type: ignore[assignment]
            draft.budget_minor = draft.rate_min_minor = draft.rate_max_minor = draft.hours_per_week = None
        return self.onward(ctx, "rate" if value == "hourly" else "budget")


class RateStep(JobStep):
    name = "rate"
    accepts_text = True
    previous = "job_type"

    async def show(self, ctx: Ctx) -> Screen:
        question = ctx.t(
            N_(
                "What hourly rate will you pay, in US dollars? "
                "Type a range like <i>25-40</i>, or one rate like <i>30</i>."
            )
        )
        return Screen(self.heading(ctx, question), buttons=self.nav(ctx))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        draft = ctx.data.draft
        draft.rate_min_minor, draft.rate_max_minor = parse_rate_range(text)
        return self.onward(ctx, "experience")


class BudgetStep(JobStep):
    name = "budget"
    accepts_text = True
    previous = "job_type"

    async def show(self, ctx: Ctx) -> Screen:
        question = ctx.t(N_("What is your budget for the whole project, in US dollars? For example <i>500</i>."))
        return Screen(self.heading(ctx, question), buttons=self.nav(ctx))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        ctx.data.draft.budget_minor = parse_budget(text)
        return self.onward(ctx, "experience")


class PickStep(JobStep):
    """A question answered by one button: ``options`` maps stored values to labels, kept in ``field``."""

    question: ClassVar[str]
    options: ClassVar[dict[str, str]]
    field: ClassVar[str]

    def after(self, ctx: Ctx) -> str:
        raise NotImplementedError

    async def show(self, ctx: Ctx) -> Screen:
        return Screen(
            self.heading(ctx, ctx.t(self.question)),
            buttons=self.nav(ctx, *(ctx.button(ctx.t(label), code) for code, label in self.options.items())),
        )

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        if value not in self.options:
            return await super().on_choice(ctx, value)
        setattr(ctx.data.draft, self.field, value)
        return self.onward(ctx, self.after(ctx))


class ExperienceStep(PickStep):
    name = "experience"
    previous = "rate"
    question = N_("What level of experience should the freelancer have?")
    options = EXPERIENCE
    field = "experience"

    def after(self, ctx: Ctx) -> str:
        return "length"


class LengthStep(PickStep):
    name = "length"
    previous = "experience"
    question = N_("How long will the project take?")
    options = PROJECT_LENGTHS
    field = "project_length"

    def after(self, ctx: Ctx) -> str:
        return "hours" if ctx.data.draft.job_type == "hourly" else "questions"


class HoursStep(PickStep):
    name = "hours"
    previous = "length"
    question = N_("How many hours a week will the job need?")
    options = HOURS_PER_WEEK
    field = "hours_per_week"

    def after(self, ctx: Ctx) -> str:
        return "questions"


class QuestionsStep(JobStep):
    """An optional numbered list: questions come in, "❌ n" takes one out."""

    name = "questions"
    accepts_text = True
    previous = "length"

    async def show(self, ctx: Ctx) -> Screen:
        asked = ctx.data.draft.questions
        question = ctx.t(
            N_(
                "Screening questions (optional): up to {max} questions freelancers answer in their proposal, "
                "e.g. <i>Which similar projects have you done?</i> Type a question to add it."
            ),
            max=MAX_QUESTIONS,
        )
        text = self.heading(ctx, question) + ("\n\n" + numbered(asked) if asked else "")
        return Screen(text, buttons=(*removers(ctx, len(asked)), *self.nav(ctx, done_button(ctx, len(asked)))))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        ctx.data.draft.questions.append(clean_question(text, ctx.data.draft.questions))
        return Retry(ctx.t(N_("Question added.")))

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        asked = ctx.data.draft.questions
        index = removed(value, len(asked))
        if index is not None:
            asked.pop(index)
            return Retry(ctx.t(N_("Question removed.")))
        if value == DONE:
            return self.onward(ctx, "visibility")
        return await super().on_choice(ctx, value)

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == BACK and not ctx.data.returning and ctx.data.draft.job_type == "hourly":
            return Goto("hours")
        return await super().on_click(ctx, value)


class VisibilityStep(JobStep):
    name = "visibility"
    previous = "questions"

    async def show(self, ctx: Ctx) -> Screen:
        clouds = await ctx.services.clouds.postable(ctx.account)
        question = ctx.t(N_("Who can see this job?"))
        if clouds:
            question += "\n" + ctx.t(N_("Or pick one of your talent clouds below: only its members will see it."))
        choice = (
            Choice(
                tuple(ctx.option(f"👥 {cloud.name}", f"cloud{cloud.id}") for cloud in clouds),
                placeholder=ctx.t(N_("A talent cloud")),
            )
            if clouds
            else None
        )
        return Screen(
            self.heading(ctx, question),
            choice=choice,
            buttons=self.nav(
                ctx,
                ctx.button(ctx.t(N_("🌍 Public: every freelancer")), "public"),
                ctx.button(ctx.t(N_("✉️ Invite only")), "invite"),
            ),
        )

    async def on_choice(self, ctx: Ctx, value: str) -> Outcome:
        draft = ctx.data.draft
        if value in ("public", "invite"):
            draft.visibility, draft.cloud_id, draft.cloud_name = value, None, ""  # type: ignore[assignment]
            return self.onward(ctx, "attachments")
        clouds = {f"cloud{cloud.id}": cloud for cloud in await ctx.services.clouds.postable(ctx.account)}
        if value not in clouds:
            return await super().on_choice(ctx, value)
        draft.visibility, draft.cloud_id, draft.cloud_name = "cloud", clouds[value].id, clouds[value].name
        return self.onward(ctx, "attachments")


class AttachmentsStep(JobStep, AttachmentsBase):
    name = "attachments"
    previous = "visibility"
    next_step = "preview"

    def question(self, ctx: Ctx) -> str:
        return ctx.t(
            N_("Files (optional): send up to {max} PDFs or images, such as a brief or a mock-up (10 MB each)."),
            max=MAX_ATTACHMENTS,
        )

    def service(self, ctx: Ctx) -> DraftFiles:
        return ctx.services.jobs

    def button_rows(self, ctx: Ctx, onward: Button) -> tuple[tuple[Button, ...], ...]:
        return self.nav(ctx, onward)


class PreviewStep(Step):
    name = "preview"
    goes_to = ("edit",)

    def _published(self, ctx: Ctx) -> bool:
        return ctx.data.job_id is not None and ctx.data.status != "draft"

    async def show(self, ctx: Ctx) -> Screen:
        data = ctx.data
        job = Job(
            **data.draft.model_dump(),
            id=data.job_id or 0,
            client_id=ctx.account.id,
            status="open",
            created_at=ctx.now,
            published_at=data.published_at or ctx.now,
            last_activity_at=ctx.now,
        )
        client = await ctx.services.jobs.client_summary(ctx.account.id)
        intro = ctx.t(N_("👀 <b>Preview</b>: this is your job as freelancers will see it."))
        discard = ctx.button(ctx.t(N_("🗑 Yes, discard")) if data.confirm_discard else ctx.t(N_("🗑 Discard")), "discard")
        edit = ctx.button(ctx.t(N_("✏️ Edit a field")), "edit")
        if self._published(ctx):
            buttons = ((ctx.button(ctx.t(N_("✅ Save changes")), "save"),), (edit, discard))
        else:
            buttons = (
                (ctx.button(ctx.t(N_("🚀 Publish")), "publish"), ctx.button(ctx.t(N_("💾 Save as draft")), "draft")),
                (edit, discard),
            )
        return Screen(f"{intro}\n\n{job_detail(ctx, job, client)}", buttons=buttons)

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return Retry(ctx.t(N_("Please use the buttons below: publish, edit a field, save or discard.")))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        data = ctx.data
        if value == "edit":
            data.confirm_discard = False
            return Goto("edit")
        if value == "discard" and not data.confirm_discard:
            data.confirm_discard = True
            return Retry(ctx.t(N_("Discard everything you entered? Press “Yes, discard” to confirm.")))
        if value == "discard":
            await ctx.services.jobs.forget_files(ctx.account, [file.id for file in data.draft.attachments])
            notice = ctx.t(N_("Changes discarded.")) if data.job_id else ctx.t(N_("The job post was discarded."))
            return Finish(main_menu(ctx).with_notice(notice))
        if value not in ("publish", "draft", "save") or (value == "save") != self._published(ctx):
            return await super().on_click(ctx, value)
        job = await ctx.services.jobs.save(ctx.account, data.draft, data.job_id, publish=value == "publish")
        return Finish(saved_screen(ctx, job, value))


def saved_screen(ctx: Ctx, job: Job, how: str) -> Screen:
    if how == "publish":
        text = ctx.t(N_("🎉 Your job “{title}” is live: job #{id}."), title=job.title, id=job.id)
        if job.visibility == "invite":
            text += "\n" + ctx.t(N_("It is invite only: invite freelancers so they can see it."))
    elif how == "draft":
        text = ctx.t(N_("💾 “{title}” is saved as a draft. Publish it from /my_jobs when ready."), title=job.title)
    else:
        text = ctx.t(N_("✅ Changes to “{title}” are saved."), title=job.title)
    buttons = [ctx.command_button(ctx.t(N_("👀 View job")), "job", str(job.id))]
    if job.status == "open":
        buttons.append(ctx.command_button(ctx.t(N_("✉️ Invite freelancers")), "my_job", str(job.id), "invite"))
    buttons.append(ctx.command_button(ctx.t(N_("📋 My jobs")), "my_jobs"))
    return Screen(text, buttons=rows(*buttons), name="job-saved")


class EditFieldStep(Step):
    name = "edit"
    goes_to = (*INPUT_STEPS, "preview")

    async def show(self, ctx: Ctx) -> Screen:
        fields = [name for name in _order(ctx.data.draft) if name not in ("rate", "budget")]
        paid = "rate" if ctx.data.draft.job_type == "hourly" else "budget"
        fields.insert(fields.index("job_type") + 1, paid)
        return Screen(
            ctx.t(N_("Which part do you want to change?")),
            choice=Choice(tuple(ctx.option(ctx.t(FIELD_LABELS[name]), name) for name in fields)),
            buttons=((ctx.button(ctx.t(N_("⬅️ Back to the preview")), BACK),),),
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == BACK:
            return Goto("preview")
        if value not in INPUT_STEPS:
            return await super().on_click(ctx, value)
        ctx.data.returning = True
        return Goto(value)


STEPS: list[Step] = [
    TitleStep(),
    DescriptionStep(),
    CategoryStep(),
    SkillsStep(),
    JobTypeStep(),
    RateStep(),
    BudgetStep(),
    ExperienceStep(),
    LengthStep(),
    HoursStep(),
    QuestionsStep(),
    VisibilityStep(),
    AttachmentsStep(),
    PreviewStep(),
    EditFieldStep(),
]


async def keep_unfinished(ctx: Ctx, data: PostJobData) -> None:
    """A new post left before it was published, saved or discarded is kept for the next /post_job."""
    if ctx.account is not None and data.job_id is None:
        await ctx.services.jobs.keep_draft(ctx.account, data.draft)


FLOW = Flow("post_job", N_("Posting a job"), PostJobData, STEPS, start="title", on_leave=keep_unfinished)
EDIT_FLOW = Flow("edit_job", N_("Editing a job post"), PostJobData, STEPS, start="preview")


def not_a_client(ctx: Ctx) -> Screen:
    return Screen(
        ctx.t(
            N_(
                "Posting jobs is for clients, and your account is set up to find work. You can hire too with the "
                "same account: your freelancer profile stays as it is."
            )
        ),
        buttons=rows(
            ctx.command_button(ctx.t(N_("🧑‍💼 Yes, I want to hire too")), "post_job", "hire"),
            ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"),
        ),
        name="post-job-not-client",
    )


def resume_offer(ctx: Ctx, kept: KeptDraft) -> Screen:
    return Screen(
        ctx.t(
            N_("📝 You have a job post you didn't finish: “{title}” (saved {date})."),
            title=kept.draft.title,
            date=Moment(kept.saved_at),
        ),
        buttons=rows(
            ctx.command_button(ctx.t(N_("▶️ Resume your draft")), "post_job", "resume"),
            ctx.command_button(ctx.t(N_("🆕 Start a new post")), "post_job", "new"),
        ),
        name="post-job-resume",
    )


async def post_job(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/post_job: a new post, or first the offer to resume the one left unfinished ("/post_job resume|new");
    "/post_job hire" first turns the client role on for a freelancer who asked to hire."""
    assert ctx.account is not None
    if not ctx.account.is_client:
        if args.strip() != "hire":
            return not_a_client(ctx)
        ctx.account = await ctx.services.jobs.become_client(ctx.account)
    jobs = ctx.services.jobs
    kept = await jobs.kept_draft(ctx.account)
    if kept is None:
        return StartFlow("post_job")
    if args.strip() == "resume":
        await jobs.drop_draft(ctx.account)  # it lives in the flow again, and is kept again if left again
        return StartFlow(
            "post_job", {"draft": kept.draft.model_dump(mode="json")}, at=kept.draft.missing() or "preview"
        )
    if args.strip() == "new":
        await jobs.drop_draft(ctx.account, discard_files=True)
        return StartFlow("post_job")
    return resume_offer(ctx, kept)


def editing(job: Job, *, copy: bool = False) -> dict[str, object]:
    """The edit flow's data for a saved post, or for a new post copied from it."""
    draft = JobDraft.model_validate(job.model_dump(include=set(JobDraft.model_fields)))
    if copy:
        return {"draft": draft.model_dump()}
    return {"job_id": job.id, "draft": draft.model_dump(), "status": job.status, "published_at": job.published_at}


COMMANDS = [CommandSpec("post_job", N_("post a job and hire"), post_job, role="client", deep_link=True)]
