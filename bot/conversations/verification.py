"""Identity verification: a freelancer sends an ID document, every admin gets it with Approve / Reject.

The admins' buttons are command buttons carrying only the account id; ``ProfileService.review_identity``
checks the clicker really is an admin.
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.conversations.flow import CommandSpec, Ctx, Finish, Flow, Outcome, Retry, StartFlow, Step, command_button
from bot.conversations.notices import notice_kind
from bot.conversations.profile import own_profile
from bot.core.errors import UserError
from bot.core.events import AttachmentIn
from bot.core.i18n import N_, Translator
from bot.core.numbers import whole_number
from bot.core.profiles import VERIFICATION_STATES
from bot.core.ui import Screen, rows


class VerificationData(BaseModel):
    pass


class UploadStep(Step):
    name = "upload"

    async def show(self, ctx: Ctx) -> Screen:
        return Screen(
            ctx.t(
                N_(
                    "<b>Verify your identity</b>\nSend a photo or a PDF of an official ID document (passport, "
                    "ID card or driving licence). Only gigbot admins see it; clients only see the ✅."
                )
            ),
            buttons=rows(ctx.button(ctx.t(N_("Cancel")), "cancel")),
        )

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return Retry(ctx.t(N_("Please send the document as a photo or a file.")))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "cancel":
            return Finish(await own_profile(ctx))
        return await super().on_click(ctx, value)

    async def on_attachment(self, ctx: Ctx, attachment: AttachmentIn) -> Outcome:
        account = ctx.account
        assert account is not None
        stored = await ctx.services.profiles.submit_identity_document(account, attachment)
        for admin in await ctx.services.profiles.admin_accounts(ctx.admins):
            ctx.notify(
                admin.id,
                review_request,
                files=[stored.id],
                account_id=account.id,
                username=account.username,
                name=account.full_name,
            )
        return Finish(
            await own_profile(ctx, ctx.t(N_("📨 Thanks! Your document is under review; we'll tell you the outcome.")))
        )


async def verify_command(ctx: Ctx, _args: str) -> Screen | StartFlow:
    assert ctx.account is not None
    if not ctx.account.is_freelancer:
        raise UserError(N_("Identity verification is for freelancer profiles."))
    state = (await ctx.services.profiles.freelancer(ctx.account.id)).verification
    if state in ("pending", "verified"):
        return await own_profile(ctx, ctx.t(N_("Your identity is {state}."), state=ctx.t(VERIFICATION_STATES[state])))
    return StartFlow("verification")


async def review_command(ctx: Ctx, args: str) -> Screen:
    """``/review_identity approve|reject ACCOUNT_ID``, from the buttons admins receive."""
    assert ctx.account is not None
    verdict, _, raw_id = args.partition(" ")
    account_id = whole_number(raw_id)
    if verdict not in ("approve", "reject") or account_id is None:
        raise UserError(N_("Use the Approve or Reject buttons of a verification request."))
    approve = verdict == "approve"
    username = await ctx.services.profiles.review_identity(ctx.account, ctx.admins, account_id, approve)

    ctx.notify(account_id, review_outcome, approved=approve)
    done = N_("Done: @{username} is now verified.") if approve else N_("Done: @{username} was rejected.")
    return Screen(ctx.t(done, username=username), name="verification.reviewed")


@notice_kind("verification.review")
def review_request(translator: Translator, *, account_id: int, username: str, name: str) -> Screen:
    """What admins get: the document (attached from the outbox row's files) and the two verdict buttons."""
    return Screen(
        translator.t(N_("🪪 @{username} ({name}) sent an identity document for review."), username=username, name=name),
        buttons=rows(
            command_button(translator.t(N_("✅ Approve")), "review_identity", "approve", str(account_id)),
            command_button(translator.t(N_("❌ Reject")), "review_identity", "reject", str(account_id)),
        ),
        name="verification.review",
    )


@notice_kind("verification.outcome")
def review_outcome(translator: Translator, *, approved: bool) -> Screen:
    text = (
        N_("✅ Your identity is verified: your profile now shows it.")
        if approved
        else N_("❌ We couldn't verify your identity from that document. Send /verify to try with another one.")
    )
    return Screen(translator.t(text), name="verification.outcome")


FLOW = Flow("verification", N_("Identity verification"), VerificationData, [UploadStep()], start="upload")

COMMANDS = [
    CommandSpec("verify", N_("verify your identity (freelancers)"), verify_command, role="freelancer"),
    CommandSpec("review_identity", N_("review an identity document (admins)"), review_command, in_help=False),
]
