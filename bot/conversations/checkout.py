"""A payment the platform took for a milestone's invoice, as the people concerned hear of it: the payer sees the
contract funded and the freelancer is told, as after any funding; a payment that could not fund its milestone
is set aside for a refund, the payer is told why and the admins are asked to refund it. A payment recorded
before (the platform sent it again) says nothing at all.
"""

from __future__ import annotations

from bot.conversations.contracts import money, moved_screen
from bot.conversations.flow import Ctx, command_button
from bot.conversations.notices import notice_kind
from bot.core.checkout import Bill, Charge
from bot.core.i18n import N_, Translator
from bot.core.ui import Screen, plain, rows


@notice_kind("payments.refund_due")
def refund_due_notice(
    tr: Translator, *, total_minor: int, currency: str, payer: str, reason: str, charge: str, reference: str
) -> Screen:
    """To each admin: a payment taken that funds nothing, with what they need to refund it at the provider
    (``reason`` as the payer was told it)."""
    return Screen(
        tr.t(
            N_(
                "💸 <b>A payment waits to be refunded</b>\n\n{total} paid by {payer} could not fund its milestone: "
                "{reason}\nRefund it through the payment provider.\nCharge: <code>{charge}</code>\n"
                "Provider reference: <code>{reference}</code>"
            ),
            total=money(tr, total_minor, currency),
            payer=payer,
            reason=reason,
            charge=charge,
            reference=reference,
        ),
        buttons=rows(command_button(tr.t(N_("⬅️ Main menu")), "menu")),
        name="refund-due",
    )


async def payment_received(ctx: Ctx, bill: Bill | None, charge: Charge) -> Screen | None:
    """The payer's screen after a payment (None when this charge was recorded before: nothing to say again)."""
    recorded = await ctx.services.checkout.record(ctx.account, bill, charge)
    if recorded.moved is not None:
        return await moved_screen(ctx, "fund", recorded.moved)
    if recorded.refused is None:
        return None
    reason = ctx.t(recorded.refused.message_id, **recorded.refused.params)
    payer = ctx.account.full_name if ctx.account else ctx.actor.display_name
    for admin in await ctx.services.profiles.admin_accounts(ctx.admins):
        ctx.notify(
            admin.id,
            refund_due_notice,
            total_minor=charge.total_minor,
            currency=charge.currency,
            payer=payer,
            reason=plain(reason),
            charge=charge.key,
            reference=charge.provider_charge_id,
        )
    tr = Translator(ctx.locale)
    text = "\n\n".join(
        [
            ctx.t(
                N_("⚠️ Your payment of {total} arrived, but it can't fund the milestone:"),
                total=money(tr, charge.total_minor, charge.currency),
            )
            + " "
            + reason,
            ctx.t(N_("It is set aside to be refunded to you, and the gigbot admins have been told.")),
        ]
    )
    return Screen(text, buttons=rows(ctx.command_button(ctx.t(N_("📋 My contracts")), "contracts")), name="refund-due")
