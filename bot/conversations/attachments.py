"""The step that takes files into a draft: send them, see them numbered with a "❌ n" button each, then Done
(or Skip while there are none). Posting a job and sending a proposal both ask for files this way; each says
where the files go (its service checks the kind and how many) and which step comes next.

A flow's step class mixes this in after its own base (``class FilesStep(ProposeStep, AttachmentsBase)``), so
the flow's heading, Back handling and ``onward`` stay its own.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from bot.conversations.flow import Ctx, Goto, Outcome, Retry, Step
from bot.core.events import AttachmentIn
from bot.core.i18n import N_
from bot.core.jobs import AttachedFile
from bot.core.numbers import whole_number
from bot.core.ui import Button, Screen, escape, rows

DONE = "done"


def numbered(items: list[str]) -> str:
    return "\n".join(f"{number}. {escape(item)}" for number, item in enumerate(items, 1))


def removers(ctx: Ctx, count: int) -> tuple[tuple[Button, ...], ...]:
    """A "❌ n" button for each item of a numbered list; ``removed`` reads the press back."""
    return rows(*(ctx.button(ctx.t(N_("❌ {number}"), number=n), f"rm{n - 1}") for n in range(1, count + 1)), per_row=5)


def done_button(ctx: Ctx, count: int) -> Button:
    """Done once a list has items, Skip while it is empty."""
    return ctx.button(ctx.t(N_("✅ Done")) if count else ctx.t(N_("⏭ Skip")), DONE)


def removed(value: str, count: int) -> int | None:
    """The index a "❌ n" button of a numbered list removes, or None."""
    index = whole_number(value.removeprefix("rm")) if value.startswith("rm") else None
    return index if index is not None and index < count else None


class DraftFiles(Protocol):
    """A service that keeps uploads in a draft (``draft.attachments``) and deletes the ones taken out."""

    async def attach(self, owner: Any, draft: Any, upload: AttachmentIn) -> None: ...

    async def forget_files(self, owner: Any, file_ids: list[int]) -> None: ...


class AttachmentsBase(Step):
    """Files of ``ctx.data.draft``. Subclasses give the question, the service and the next step."""

    next_step: ClassVar[str]

    def heading(self, ctx: Ctx, question: str) -> str:
        return question

    def onward(self, ctx: Ctx, natural: str) -> Goto:
        return Goto(natural)

    def question(self, ctx: Ctx) -> str:
        raise NotImplementedError

    def service(self, ctx: Ctx) -> DraftFiles:
        raise NotImplementedError

    def button_rows(self, ctx: Ctx, onward: Button) -> tuple[tuple[Button, ...], ...]:
        """The rows below the "❌ n" buttons: Done/Skip, and whatever navigation the flow adds."""
        return ((onward,),)

    async def show(self, ctx: Ctx) -> Screen:
        files: list[AttachedFile] = ctx.data.draft.attachments
        text = self.heading(ctx, self.question(ctx))
        if files:
            text += "\n\n" + numbered([file.filename for file in files])
        buttons = (*removers(ctx, len(files)), *self.button_rows(ctx, done_button(ctx, len(files))))
        return Screen(text, buttons=buttons)

    async def on_attachment(self, ctx: Ctx, attachment: AttachmentIn) -> Outcome:
        await self.service(ctx).attach(ctx.account, ctx.data.draft, attachment)
        return Retry(ctx.t(N_("📎 Attached {name}."), name=attachment.filename))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return Retry(ctx.t(N_("Send a file here, or press the button to go on.")))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        files: list[AttachedFile] = ctx.data.draft.attachments
        index = removed(value, len(files))
        if index is not None:
            gone = files.pop(index)
            await self.service(ctx).forget_files(ctx.account, [gone.id])
            return Retry(ctx.t(N_("Removed {name}."), name=gone.filename))
        if value == DONE:
            return self.onward(ctx, self.next_step)
        return await super().on_click(ctx, value)
