"""Messaging between a client and a freelancer, relayed by the bot: the inbox (/messages), one thread
(/thread ID, latest messages first, older ones by page), and Reply (/reply ID), which puts the next text or
file into that thread and notifies the other party on every platform they use, with a Reply button of their own.

The other party sees the sender's full name on gigbot, never their platform handle. Who may read or write a
thread is decided by the messaging service (its two parties only).
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.conversations.flow import (
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
from bot.conversations.job_views import ago, file_attachments
from bot.conversations.notices import notice_kind
from bot.core.events import AttachmentIn
from bot.core.formats import format_moment
from bot.core.i18n import N_, Count, Translator
from bot.core.messaging import MESSAGE_MAX, Message, Thread
from bot.core.numbers import whole_number
from bot.core.ui import Button, Screen, escape, rows

INBOX_SIZE = 10
THREAD_SIZE = 10
SNIPPET = 60


def _about(ctx: Ctx | Translator, thread: Thread) -> str:
    if thread.job_title:
        return ctx.t(N_("{name} · “{title}”"), name=thread.other_name, title=thread.job_title)
    return escape(thread.other_name)


@notice_kind("message.received")
def message_notice(
    translator: Translator, *, sender_name: str, thread_id: int, job_title: str, text: str, file_name: str
) -> Screen:
    """The other party's notification: who wrote, about which job, the message itself, and Reply (replying to
    the notification itself writes in the thread too)."""
    head = (
        translator.t(N_("💬 <b>{name}</b> about “{title}”:"), name=sender_name, title=job_title)
        if job_title
        else translator.t(N_("💬 <b>{name}</b>:"), name=sender_name)
    )
    body = escape(text) if text else ""
    if file_name:
        body = (body + "\n" if body else "") + f"📎 {escape(file_name)}"
    return Screen(
        f"{head}\n{body}",
        buttons=rows(
            command_button(translator.t(N_("↩️ Reply")), "reply", str(thread_id)),
            command_button(translator.t(N_("💬 Open the conversation")), "thread", str(thread_id)),
        ),
        reply_to=("reply", str(thread_id)),
        name="message-received",
    )


def _message_line(ctx: Ctx, message: Message) -> str:
    when = format_moment(message.created_at, ctx.locale, ctx.account.timezone)
    who = (
        ctx.t(N_("You"))
        if message.sender_id == ctx.account.id
        else (escape(message.sender_name) if message.sender_id is not None else "gigbot")
    )
    lines = [f"<b>{who}</b> · <i>{escape(when)}</i>"]
    if message.text:
        lines.append(escape(message.text))
    if message.file_name:
        lines.append(f"📎 {escape(message.file_name)}")
    return "\n".join(lines)


async def thread_screen(ctx: Ctx, thread_id: str, page: int = 1, notice: str = "") -> Screen:
    """One page of a thread (page 1: the latest messages), oldest first within it; reading it marks it read."""
    thread, messages, total = await ctx.services.messaging.page(ctx.account, thread_id, page, THREAD_SIZE)
    pages = max(1, -(-total // THREAD_SIZE))
    lines = [ctx.t(N_("💬 <b>Conversation with {about}</b>"), about=_about(ctx, thread))]
    if pages > 1:
        lines.append(ctx.t(N_("Page {page} of {pages} (1 is the latest)"), page=page, pages=pages))
    lines.append("")
    lines += [_message_line(ctx, message) + "\n" for message in messages]
    if not messages:
        lines.append(ctx.t(N_("No messages yet. Press Reply to write the first one.")))
    ident = str(thread.id)
    buttons = [ctx.command_button(ctx.t(N_("↩️ Reply")), "reply", ident)]
    if page < pages:
        buttons.append(ctx.command_button(ctx.t(N_("⏪ Older")), "thread", ident, str(page + 1)))
    if page > 1:
        buttons.append(ctx.command_button(ctx.t(N_("⏩ Newer")), "thread", ident, str(page - 1)))
    if any(message.file_id for message in messages):
        buttons.append(ctx.command_button(ctx.t(N_("📎 Get the files")), "thread_files", ident))
    if thread.proposal_id is not None:
        buttons.append(ctx.command_button(ctx.t(N_("📄 Proposal")), "proposal", str(thread.proposal_id)))
    buttons.append(ctx.command_button(ctx.t(N_("📥 Messages")), "messages"))
    screen = Screen("\n".join(lines).rstrip(), buttons=rows(*buttons, per_row=3), name="thread")
    return screen.with_notice(notice) if notice else screen


async def thread_command(ctx: Ctx, args: str) -> Screen:
    """/thread ID [PAGE]."""
    ident, _, page = args.strip().partition(" ")
    return await thread_screen(ctx, ident or "?", max(1, whole_number(page) or 1))


async def messages_command(ctx: Ctx, args: str) -> Screen:
    """/messages [PAGE]: the account's conversations, latest activity first, with their unread counts."""
    assert ctx.account is not None
    page = max(1, whole_number(args) or 1)
    threads, total = await ctx.services.messaging.inbox(ctx.account, (page - 1) * INBOX_SIZE, INBOX_SIZE)
    unread = await ctx.services.messaging.unread(ctx.account)
    lines = [ctx.t(N_("📥 <b>Messages</b> · {count} unread"), count=unread), ""]
    first = (page - 1) * INBOX_SIZE + 1
    for number, row in enumerate(threads, first):
        thread = row.thread
        about = (
            ctx.t(N_("{name} · “{title}”"), name=row.other_name, title=row.job_title)
            if row.job_title
            else escape(row.other_name)
        )
        badge = f" 🔵 {row.unread}" if row.unread else ""
        last = row.last_text or ("📎" if row.last_file else "")
        snippet = escape(last[:SNIPPET] + ("…" if len(last) > SNIPPET else ""))
        when = ago(ctx, thread.last_message_at or thread.created_at)
        lines.append(f"{number}. <b>{about}</b>{badge} · {escape(when)}" + (f"\n   {snippet}" if snippet else ""))
    if not threads:
        lines.append(ctx.t(N_("No conversations yet. They start with a proposal, an invitation or a contract.")))
    items = [
        (f"{number}. {row.other_name}" + (f" · {row.job_title}" if row.job_title else ""), "thread", str(row.thread.id))
        for number, row in enumerate(threads, first)
    ]
    paging: list[Button] = []
    if page > 1:
        paging.append(ctx.command_button(ctx.t(N_("◀ Previous")), "messages", str(page - 1)))
    if page * INBOX_SIZE < total:
        paging.append(ctx.command_button(ctx.t(N_("Next ▶")), "messages", str(page + 1)))
    paging.append(ctx.command_button(ctx.t(N_("⬅️ Main menu")), "menu"))
    return Screen(
        "\n".join(lines),
        buttons=(tuple(paging),),
        choice=ctx.command_options(ctx.t(N_("Open a conversation")), items),
        name="messages",
    )


async def thread_files_command(ctx: Ctx, args: str) -> Screen:
    """/thread_files ID: every file sent in the thread."""
    thread, file_ids = await ctx.services.messaging.files(ctx.account, args.strip() or "?")
    return Screen(
        ctx.t(N_("📎 Files of your conversation with {about}"), about=_about(ctx, thread)),
        attachments=await file_attachments(ctx, file_ids),
        buttons=rows(ctx.command_button(ctx.t(N_("⬅️ Back to the conversation")), "thread", str(thread.id))),
        name="thread-files",
    )


class ReplyData(BaseModel):
    thread_id: int


class WriteStep(Step):
    name = "write"
    accepts_text = True

    async def show(self, ctx: Ctx) -> Screen:
        thread = await ctx.services.messaging.thread(ctx.account, ctx.data.thread_id)
        return Screen(
            ctx.t(
                N_(
                    "✍️ Write to {about}: type your message (up to {max} characters) or send a file. "
                    "Send /cancel to stop."
                ),
                about=_about(ctx, thread),
                max=Count(MESSAGE_MAX),
            ),
            buttons=rows(ctx.button(ctx.t(N_("💬 Show the conversation")), "show")),
        )

    async def _send(self, ctx: Ctx, text: str, upload: AttachmentIn | None) -> Outcome:
        sent = await ctx.services.messaging.send(ctx.account, ctx.data.thread_id, text, upload)
        ctx.notify(
            sent.thread.other_id,
            message_notice,
            files=[sent.file_id] if sent.file_id is not None else [],
            sender_name=ctx.account.full_name,
            thread_id=sent.thread.id,
            job_title=sent.thread.job_title or "",
            text=text.strip(),
            file_name=upload.filename if upload is not None else "",
        )
        notice = ctx.t(N_("✅ Sent to {name}."), name=sent.thread.other_name)
        return Finish(await thread_screen(ctx, str(sent.thread.id), notice=notice))

    async def on_text(self, ctx: Ctx, text: str) -> Outcome:
        return await self._send(ctx, text, None)

    async def on_attachment(self, ctx: Ctx, attachment: AttachmentIn) -> Outcome:
        return await self._send(ctx, "", attachment)

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "show":
            _thread, messages, _total = await ctx.services.messaging.page(ctx.account, ctx.data.thread_id, 1, 5)
            shown = "\n\n".join(_message_line(ctx, message) for message in messages)
            return Retry(shown or ctx.t(N_("No messages yet.")))
        return await super().on_click(ctx, value)


FLOW = Flow("reply", N_("Writing a message"), ReplyData, [WriteStep()], start="write")


async def reply_command(ctx: Ctx, args: str) -> StartFlow:
    """/reply ID: the next text or file goes into that thread (if the asker is one of its parties)."""
    thread = await ctx.services.messaging.thread(ctx.account, args.strip() or "?")
    return StartFlow(FLOW.name, {"thread_id": thread.id})


async def contact_command(ctx: Ctx, args: str) -> StartFlow:
    """/contact JOB_ID: a freelancer writes to a job's client, once they applied or were invited."""
    thread = await ctx.services.messaging.for_job(ctx.account, args.strip() or "?")
    return StartFlow(FLOW.name, {"thread_id": thread.id})


COMMANDS = [
    CommandSpec("messages", N_("your conversations with clients and freelancers"), messages_command, deep_link=True),
    CommandSpec("thread", N_("one conversation: /thread 7"), thread_command, in_help=False, deep_link=True),
    CommandSpec("reply", N_("write in a conversation: /reply 7"), reply_command, in_help=False, deep_link=True),
    CommandSpec(
        "contact",
        N_("write to the client of a job you applied or were invited to"),
        contact_command,
        in_help=False,
        deep_link=True,
    ),
    CommandSpec("thread_files", N_("the files sent in a conversation"), thread_files_command, in_help=False),
]
