"""The console front end: a chat in the terminal, so anyone can use gigbot without a platform token.

Type a message or /command; type a number to press that button (unless the screen asks for a typed answer:
then the number is the answer, and ``#2`` presses button 2, as its buttons show); ``/attach PATH`` sends a file;
``>12 text`` answers message #12 as a platform's "reply" would (relayed messages and notifications show their number);
``/as NAME`` switches which user you are (so one person can play client and freelancer). Ctrl-D quits.
Each console user is the identity ("console", NAME) and has a chat of the same name; notifications for another
console user are shown in the same terminal with a header naming them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import mimetypes
import os
import re
import sys
import threading
import uuid
from pathlib import Path
from typing import TextIO

from bot.adapters.console.render import numbered_actions, render
from bot.conversations.engine import Engine
from bot.core.delivery import SendOutcome, Sent, TurnHandler
from bot.core.events import (
    Actor,
    AttachmentIn,
    ChatRef,
    Click,
    Inbound,
    Outbound,
    Payload,
    Text,
    parse_command,
)
from bot.core.i18n import N_, Translator
from bot.core.markup import to_terminal
from bot.core.numbers import whole_number
from bot.core.ui import Screen

PLATFORM = "console"
_USER_NAME = re.compile(r"[A-Za-z0-9_]{1,32}")
_REPLY = re.compile(r">([0-9]{1,9})\s+(.*)", re.DOTALL)
BANNER = N_("gigbot console · type /start · a number presses that button · /as NAME switches user · Ctrl-D quits")


def _locale_from_environment() -> str | None:
    """The terminal's language, as a platform's language_code would tell it (LANG=fr_FR.UTF-8 -> fr)."""
    value = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return value.split(".", 1)[0] or None


class ConsoleFrontEnd:
    platform = PLATFORM

    def __init__(
        self,
        engine: Engine,
        *,
        data_dir: Path,
        default_user: str,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
    ) -> None:
        self.engine = engine
        self.stdin = stdin
        self.stdout = stdout
        self.color = stdout.isatty() and "NO_COLOR" not in os.environ
        self.echo_input = not stdin.isatty()
        self._user_file = data_dir / "console-user"
        self.user = self._user_file.read_text().strip() if self._user_file.exists() else default_user
        self.last_screen: dict[str, Screen] = {}
        self.locale_hint = _locale_from_environment()
        self.translator = Translator(self.locale_hint or engine.default_language)
        self.done = asyncio.Event()
        self._message_ids = itertools.count(1)
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._reading: asyncio.Task[None] | None = None
        self._closing = False

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _words(self, message: str, **params: str) -> str:
        """The console's own words, in the current user's language (placeholders escaped as on any screen)."""
        return to_terminal(self.translator.t(message, **params), color=self.color)

    async def _follow_language(self) -> None:
        """Speak as the bot speaks to the current user: their account's language, else the terminal's."""
        locale = await self.engine.locale_of(PLATFORM, self.user, self.user, self.locale_hint)
        self.translator = Translator(locale)

    # ---- sending ----------------------------------------------------------------------------------

    async def send(self, message: Outbound) -> SendOutcome:
        """Show a screen (a terminal cannot edit, so a replaced screen is shown anew); one for another console
        user is shown with a header naming them, and with its number when it can be answered by replying."""
        user = message.chat.chat_id
        message_id = str(next(self._message_ids))
        self.last_screen[user] = message.screen
        header = "" if user == self.user else self._words(N_("📨 for {user}:"), user=user) + "\n"
        footer = (
            "\n  " + self._words(N_("(#{number}: answer with >{number} your text)"), number=message_id)
            if message.screen.reply_to
            else ""
        )
        self._print(f"\n{header}{render(message.screen, color=self.color)}{footer}")
        return Sent(message_id)

    async def delete(self, chat: ChatRef, message_id: str) -> SendOutcome:
        return Sent(message_id)  # what a terminal printed stays printed

    # ---- reading ----------------------------------------------------------------------------------

    async def _resume(self) -> None:
        screen = await self.engine.resume_screen(PLATFORM, self.user, self.user, self.locale_hint)
        await self.send(Outbound(ChatRef(PLATFORM, self.user), screen))

    async def _switch_user(self, name: str) -> None:
        if not _USER_NAME.fullmatch(name):
            self._print(self._words(N_("Usage: /as NAME (letters, digits and _, up to 32 characters), e.g. /as alice")))
            return
        self.user = name
        self._user_file.parent.mkdir(parents=True, exist_ok=True)
        self._user_file.write_text(name)
        await self._follow_language()
        self._print(self._words(N_("— you are now {name} —"), name=name))
        await self._resume()

    def _payload(self, line: str) -> Payload | None:
        if line.startswith("/attach "):
            return self._attachment(Path(line.removeprefix("/attach ").strip()).expanduser())
        command = parse_command(line)
        if command is not None:
            return command
        last = self.last_screen.get(self.user)
        marked = line.startswith("#")
        number = whole_number(line[1:] if marked else line)
        # An open question wins over buttons: there a bare number is the answer, and "#2" presses button 2.
        if last is not None and number is not None and (marked or not last.expects_text):
            actions = numbered_actions(last)
            if 1 <= number <= len(actions):
                return Click(self.engine.codec.pack(actions[number - 1][1]))
        return Text(line)

    def _attachment(self, path: Path) -> AttachmentIn | None:
        """``/attach PATH`` sends a local file, as a chat app's paperclip would."""
        if not path.is_file():
            self._print(self._words(N_("No such file: {path}"), path=str(path)))
            return None
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return AttachmentIn(path.name, mime_type, path.read_bytes())

    def event(self, line: str) -> Inbound | None:
        """The event a typed line makes (None for a line the console handles itself or refuses)."""
        reply_to = None
        answer = _REPLY.fullmatch(line)
        if answer is not None:
            reply_to, line = answer.group(1), answer.group(2).strip()
        payload = self._payload(line)
        if payload is None:
            return None
        actor = Actor(
            PLATFORM, self.user, display_name=self.user, username_hint=self.user, locale_hint=self.locale_hint
        )
        return Inbound(actor, self.user, payload, update_id=uuid.uuid4().hex, message_ref=reply_to)

    def _read_stdin(self, loop: asyncio.AbstractEventLoop) -> None:
        """A daemon thread, so a pending read never holds the process at exit."""
        for line in iter(self.stdin.readline, ""):
            loop.call_soon_threadsafe(self._lines.put_nowait, line)
        loop.call_soon_threadsafe(self._lines.put_nowait, None)

    async def start(self, on_event: TurnHandler) -> None:
        await self._follow_language()
        self._print(self._words(BANNER))
        self._print(self._words(N_("— you are {name} —"), name=self.user))
        await self._resume()
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._read_stdin, args=(loop,), name="console-stdin", daemon=True).start()
        self._reading = asyncio.create_task(self._take_lines(on_event), name="console")

    async def _take_lines(self, on_event: TurnHandler) -> None:
        while True:
            self.stdout.write(f"{self.user}> ")
            self.stdout.flush()
            line = await self._lines.get()
            if line is None or self._closing:
                self._print("\n" + self._words(N_("Bye! Everything is saved; run again to carry on.")))
                self.done.set()
                return
            line = line.rstrip("\r\n")
            if self.echo_input:
                self._print(line)
            line = line.strip()
            if line.startswith("/as ") or line == "/as":
                await self._switch_user(line[4:].strip())
            elif line and (event := self.event(line)) is not None:
                await on_event(event)
                await self._follow_language()  # signing up or changing language changes it

    async def stop(self) -> None:
        """Take no more lines; the one being handled finishes first."""
        self._closing = True
        self._lines.put_nowait(None)
        if self._reading is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading
