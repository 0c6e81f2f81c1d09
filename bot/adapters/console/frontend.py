"""The console front end: a chat in the terminal, so anyone can use gigbot without a platform token.

Type a message or /command; type a number to press that button (unless the screen asks for a typed answer:
then the number is the answer); ``/attach PATH`` sends a file;
``/as NAME`` switches which user you are (so one person can play client and freelancer). Ctrl-D quits.
Each console user is the identity ("console", NAME) and has a chat of the same name.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import re
import sys
import uuid
from pathlib import Path
from typing import TextIO

from bot.adapters.console.render import markup_to_terminal, numbered_actions, render
from bot.conversations.engine import Engine
from bot.core.events import Actor, AttachmentIn, ChatRef, Click, Inbound, Outbound, Payload, Text, parse_command
from bot.core.i18n import N_, Translator
from bot.core.numbers import whole_number
from bot.core.ui import Screen

PLATFORM = "console"
_USER_NAME = re.compile(r"[A-Za-z0-9_]{1,32}")
BANNER = N_("gigbot console · type /start · a number presses that button · /as NAME switches user · Ctrl-D quits")


def _locale_from_environment() -> str | None:
    """The terminal's language, as a platform's language_code would tell it (LANG=fr_FR.UTF-8 -> fr)."""
    value = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return value.split(".", 1)[0] or None


class ConsoleFrontEnd:
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

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _words(self, message: str, **params: str) -> str:
        """The console's own words, in the current user's language (placeholders escaped as on any screen)."""
        return markup_to_terminal(self.translator.t(message, **params), color=self.color)

    async def _follow_language(self) -> None:
        """Speak as the bot speaks to the current user: their account's language, else the terminal's."""
        locale = await self.engine.locale_of(PLATFORM, self.user, self.user, self.locale_hint)
        self.translator = Translator(locale)

    async def deliver(self, outbound: list[Outbound]) -> None:
        """Show screens; those for another console user are shown with a header naming them."""
        for message in outbound:
            user = message.chat.chat_id
            self.last_screen[user] = message.screen
            header = "" if user == self.user else self._words(N_("📨 for {user}:"), user=user) + "\n"
            self._print(f"\n{header}{render(message.screen, color=self.color)}")

    async def _resume(self) -> None:
        screen = await self.engine.resume_screen(PLATFORM, self.user, self.user, self.locale_hint)
        await self.deliver([Outbound(ChatRef(PLATFORM, self.user), screen)])

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
        number = whole_number(line)
        if last is not None and not last.expects_text and number is not None:  # an open question wins over buttons
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

    async def handle_line(self, line: str) -> None:
        if line.startswith("/as ") or line == "/as":
            await self._switch_user(line[4:].strip())
            return
        payload = self._payload(line)
        if payload is None:
            return
        actor = Actor(
            PLATFORM, self.user, display_name=self.user, username_hint=self.user, locale_hint=self.locale_hint
        )
        event = Inbound(actor, self.user, payload, update_id=uuid.uuid4().hex)
        await self.deliver(await self.engine.handle(event))
        await self._follow_language()  # signing up or changing language changes it

    async def run(self) -> None:
        await self._follow_language()
        self._print(self._words(BANNER))
        self._print(self._words(N_("— you are {name} —"), name=self.user))
        await self._resume()
        loop = asyncio.get_running_loop()
        while True:
            self.stdout.write(f"{self.user}> ")
            self.stdout.flush()
            line = await loop.run_in_executor(None, self.stdin.readline)
            if not line:
                self._print("\n" + self._words(N_("Bye! Everything is saved; run again to carry on.")))
                return
            line = line.rstrip("\r\n")
            if self.echo_input:
                self._print(line)
            if line.strip():
                await self.handle_line(line.strip())
