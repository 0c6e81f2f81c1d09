"""Talent clouds: create one, invite freelancers (they join or decline), see and remove members, leave.

Screens are commands (``/cloud ID ACTION``) so their buttons work at any time; the two questions that need
typing (a new cloud's name, an invitee's @username) are one small table of steps with two entry points.
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.conversations.flow import (
    RUN_COMMAND,
    CommandSpec,
    Ctx,
    Finish,
    Flow,
    Outcome,
    Retry,
    StartFlow,
    Step,
    command_button,
)
from bot.conversations.notices import notice_kind
from bot.core.actions import Action
from bot.core.clouds import NAME_MAX, NAME_MIN, Cloud, Role
from bot.core.i18n import N_, Translator
from bot.core.ui import Choice, Option, Screen, rows

ROLE_LABELS = {"owner": N_("owner"), "member": N_("member"), "invited": N_("invited")}


async def clouds_screen(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/clouds: the clouds you own, belong to or are invited to; "/clouds new" creates one."""
    assert ctx.account is not None
    may_create = ctx.account.is_client or ctx.is_admin
    if args.strip() == "new" and may_create:
        return StartFlow(NEW_FLOW.name)
    clouds = await ctx.services.clouds.of(ctx.account)
    lines = [
        ctx.t(
            N_(
                "<b>Talent clouds</b> are private pools of freelancers you trust. A job can be restricted to a "
                "cloud: only its members see it."
            )
        )
    ]
    if clouds:
        lines += [
            ctx.t(N_("👥 {name} · {role}"), name=cloud.name, role=ctx.t(ROLE_LABELS[role])) for cloud, role in clouds
        ]
    else:
        lines.append(ctx.t(N_("You are not in any talent cloud yet.")))
    buttons = [ctx.command_button(ctx.t(N_("➕ New talent cloud")), "clouds", "new")] if may_create else []
    buttons.append(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"))
    choice = (
        Choice(
            tuple(Option(f"👥 {cloud.name}", Action(RUN_COMMAND, ("cloud", str(cloud.id)))) for cloud, _ in clouds),
            placeholder=ctx.t(N_("Open a talent cloud")),
        )
        if clouds
        else None
    )
    return Screen("\n".join(lines), choice=choice, buttons=rows(*buttons), name="clouds")


async def cloud_screen(ctx: Ctx, cloud: Cloud, role: Role, notice: str = "") -> Screen:
    members = await ctx.services.clouds.members(cloud)
    lines = [ctx.t(N_("👥 <b>{name}</b>"), name=cloud.name)]
    if role == "invited":
        lines.append(ctx.t(N_("You are invited to join this talent cloud.")))
    else:
        joined = [m for m in members if m.status == "member"]
        lines.append(ctx.tn("{count} member", "{count} members", len(joined)))
        lines += [
            ctx.t(
                N_("{icon} {name} (@{username})"),
                icon="✅" if m.status == "member" else "⏳",
                name=m.full_name,
                username=m.username,
            )
            for m in members
            if role == "owner" or m.status == "member"
        ]
    ident = str(cloud.id)
    buttons = []
    if role == "owner":
        buttons.append(ctx.command_button(ctx.t(N_("✉️ Invite a freelancer")), "cloud", ident, "invite"))
        if members:
            buttons.append(ctx.command_button(ctx.t(N_("➖ Remove someone")), "cloud", ident, "remove"))
    elif role == "invited":
        buttons += [
            ctx.command_button(ctx.t(N_("✅ Join")), "cloud", ident, "join"),
            ctx.command_button(ctx.t(N_("❌ Decline")), "cloud", ident, "decline"),
        ]
    else:
        buttons.append(ctx.command_button(ctx.t(N_("🚪 Leave")), "cloud", ident, "leave"))
    buttons.append(ctx.command_button(ctx.t(N_("⬅️ Talent clouds")), "clouds"))
    screen = Screen("\n".join(lines), buttons=rows(*buttons), name="cloud")
    return screen.with_notice(notice) if notice else screen


@notice_kind("cloud.notice")
def cloud_notice(translator: Translator, *, message: str, cloud_id: int, name: str, username: str = "") -> Screen:
    """A notification about a talent cloud in the recipient's language, with a button to open it."""
    return Screen(
        translator.t(message, name=name, username=username),
        buttons=rows(command_button(translator.t(N_("👥 Open")), "cloud", str(cloud_id))),
        name="cloud-notice",
    )


@notice_kind("cloud.invitation")
def cloud_invitation(translator: Translator, *, owner_name: str, cloud_id: int, name: str) -> Screen:
    return Screen(
        translator.t(
            N_("👥 {owner} invited you to their talent cloud “{name}”: you'd see the jobs they post to it."),
            owner=owner_name,
            name=name,
        ),
        buttons=rows(
            command_button(translator.t(N_("✅ Join")), "cloud", str(cloud_id), "join"),
            command_button(translator.t(N_("❌ Decline")), "cloud", str(cloud_id), "decline"),
        ),
        name="cloud-invitation",
    )


async def cloud_command(ctx: Ctx, args: str) -> Screen | StartFlow:
    """/cloud ID [invite|remove [ACCOUNT]|join|decline|leave|leave_confirmed]."""
    assert ctx.account is not None
    ident, _, rest = args.strip().partition(" ")
    action, _, target = rest.strip().partition(" ")
    service, me = ctx.services.clouds, ctx.account
    cloud, role = await service.visible(me, ident or "?")
    if action == "invite":
        cloud = await service.owned(me, cloud.id)
        return StartFlow(INVITE_FLOW.name, {"cloud_id": cloud.id, "name": cloud.name})
    if action in ("join", "decline"):
        await service.answer(me, cloud.id, join=action == "join")
        message = (
            N_("✅ @{username} joined “{name}”.") if action == "join" else N_("@{username} declined to join “{name}”.")
        )
        ctx.notify(
            cloud.owner_id, cloud_notice, message=message, cloud_id=cloud.id, name=cloud.name, username=me.username
        )
        if action == "decline":
            return Screen(ctx.t(N_("You declined to join “{name}”."), name=cloud.name), name="cloud-declined")
        return await cloud_screen(ctx, cloud, "member", ctx.t(N_("Welcome to “{name}”!"), name=cloud.name))
    if action == "leave":
        return Screen(
            ctx.t(N_("Leave “{name}”? You will no longer see the jobs posted to it."), name=cloud.name),
            buttons=rows(
                ctx.command_button(ctx.t(N_("🚪 Yes, leave")), "cloud", str(cloud.id), "leave_confirmed"),
                ctx.command_button(ctx.t(N_("⬅️ Stay")), "cloud", str(cloud.id)),
            ),
            name="cloud-leave",
        )
    if action == "leave_confirmed":
        await service.leave(me, cloud.id)
        ctx.notify(
            cloud.owner_id,
            cloud_notice,
            message=N_("@{username} left “{name}”."),
            cloud_id=cloud.id,
            name=cloud.name,
            username=me.username,
        )
        return Screen(ctx.t(N_("You left “{name}”."), name=cloud.name), name="cloud-left")
    if action == "remove" and target:
        cloud, member = await service.remove(me, cloud.id, target)
        ctx.notify(
            member.account_id,
            cloud_notice,
            message=N_("You are no longer in the talent cloud “{name}”."),
            cloud_id=cloud.id,
            name=cloud.name,
        )
        notice = ctx.t(N_("Removed @{username}."), username=member.username)
        return await cloud_screen(ctx, cloud, "owner", notice)
    if action == "remove":
        cloud = await service.owned(me, cloud.id)
        members = await service.members(cloud)
        if not members:
            return await cloud_screen(ctx, cloud, role, ctx.t(N_("Nobody to remove.")))
        options = tuple(
            Option(
                f"{m.full_name} (@{m.username})",
                Action(RUN_COMMAND, ("cloud", str(cloud.id), "remove", str(m.account_id))),
            )
            for m in members
        )
        return Screen(
            ctx.t(N_("Whom do you want to remove from “{name}”?"), name=cloud.name),
            choice=Choice(options),
            buttons=rows(ctx.command_button(ctx.t(N_("⬅️ Back")), "cloud", str(cloud.id))),
            name="cloud-remove",
        )
    return await cloud_screen(ctx, cloud, role)


class CloudData(BaseModel):
    cloud_id: int | None = None
    name: str = ""


class NameStep(Step):
    name = "name"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        return Screen(
            ctx.t(
                N_("What is the new talent cloud called? {min} to {max} characters, e.g. <i>Trusted designers</i>."),
                min=NAME_MIN,
                max=NAME_MAX,
            )
        )

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        cloud = await ctx.services.clouds.create(ctx.account, text, is_admin=ctx.is_admin)
        notice = ctx.t(N_("✅ Talent cloud “{name}” created. Invite freelancers to it."), name=cloud.name)
        return Finish(await cloud_screen(ctx, cloud, "owner", notice))


class InviteStep(Step):
    name = "invite"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        return Screen(
            ctx.t(N_("Whom do you want to invite to “{name}”? Type their gigbot @username."), name=ctx.data.name),
            buttons=rows(ctx.button(ctx.t(N_("✅ Done")), "done")),
        )

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        cloud, invitee = await ctx.services.clouds.invite(ctx.account, ctx.data.cloud_id, text)
        ctx.notify(invitee.id, cloud_invitation, owner_name=ctx.account.full_name, cloud_id=cloud.id, name=cloud.name)
        return Retry(
            ctx.t(
                N_("✅ Invited @{username}: they join when they accept. Type another @username, or press Done."),
                username=invitee.username,
            )
        )

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value != "done":
            return await super().on_click(ctx, value)
        cloud, role = await ctx.services.clouds.visible(ctx.account, ctx.data.cloud_id)
        return Finish(await cloud_screen(ctx, cloud, role))


STEPS: list[Step] = [NameStep(), InviteStep()]
NEW_FLOW = Flow("new_cloud", N_("Creating a talent cloud"), CloudData, STEPS, start="name")
INVITE_FLOW = Flow("cloud_invite", N_("Inviting to a talent cloud"), CloudData, STEPS, start="invite")

COMMANDS = [
    CommandSpec("clouds", N_("talent clouds: your private pools of freelancers"), clouds_screen, role="client"),
    CommandSpec("cloud", N_("one talent cloud"), cloud_command, in_help=False),
]
