"""A fake Telegram Bot API server (aiohttp) that python-telegram-bot talks to over real HTTP.

It answers the methods the Telegram front end uses, in the Bot API's JSON shapes, keeps each private chat's
history (what the bot sent, edits applied), and queues updates made by simulated users:
``server.user(123, "Alice").send("/start")``, ``user.press(message, "Label")``, ``user.reply(message, "text")``.
``server.fail_next(chat_id, ...)`` makes the next sends to one chat answer 429 (with ``retry_after``) or 403, or
hang past the client's read timeout; ``server.replay(update_id)`` hands out an update again (a lost confirmation).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT = {"id": 4242, "is_bot": True, "first_name": "gigbot", "username": "gigbot_test_bot"}
TOKEN = "4242:fake-token"
_JSON_FIELDS = {"reply_markup", "reply_parameters", "commands", "allowed_updates", "scope", "link_preview_options"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "reply_to_message_id"}
BLOCKED = (403, "Forbidden: bot was blocked by the user")
HANG = (0, "hang", None)  # a send that never gets through: no answer until the client has given up
HANG_SECONDS = 1.5  # longer than the read timeout tests give PTB


@dataclass
class Message:
    """A message in a chat, as the fake keeps it (and as tests read it)."""

    message_id: int
    sender: dict[str, Any]
    html: str  # as sent (with parse_mode HTML, its markup)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    document: str | None = None  # the file name of a document sent
    edits: int = 0
    update_id: int | None = None  # the update that brought it, for a message a user sent

    @property
    def text(self) -> str:
        """What the person sees: the HTML rendered, as Telegram renders it."""
        if self.parse_mode != "HTML":
            return self.html
        return html.unescape(re.sub(r"<[^>]*>", "", self.html))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    @property
    def labels(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    def button(self, label: str) -> dict[str, Any]:
        """The button whose label is, or uniquely contains, ``label``."""
        exact = [button for button in self.buttons if button["text"] == label]
        found = exact or [button for button in self.buttons if label.casefold() in button["text"].casefold()]
        if len(found) != 1:
            raise AssertionError(f"{len(found)} buttons match {label!r} on {self.text!r}; buttons: {self.labels}")
        return found[0]


@dataclass
class User:
    """A simulated Telegram user in a private chat with the bot."""

    server: FakeBotApi
    id: int
    first_name: str
    language_code: str | None = None
    username: str | None = None
    chat: list[Message] = field(default_factory=list)  # the whole chat, the user's own messages too

    @property
    def json(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        if self.username:
            user["username"] = self.username
        return user

    @property
    def chat_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    @property
    def messages(self) -> list[Message]:
        """What the bot sent to this chat, in order, edits applied."""
        return [message for message in self.chat if message.sender["id"] == BOT["id"]]

    @property
    def last(self) -> Message:
        return self.messages[-1]

    def send(self, text: str, reply_to: Message | None = None) -> Message:
        """Type ``text`` (a /command gets its bot_command entity, as Telegram marks it)."""
        message = self.server.add_message(self, self.json, text, reply_to=reply_to.message_id if reply_to else None)
        body = self.server.message_json(self, message)
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split(" ", 1)[0])}]
        message.update_id = self.server.queue({"message": body})
        return message

    def reply(self, message: Message, text: str) -> Message:
        """Answer ``message`` with Telegram's reply."""
        return self.send(text, reply_to=message)

    def press(self, message: Message, label: str, *, data: str | None = None) -> str:
        """Press the button ``label`` on ``message`` (``data`` forges its callback_data); returns the query id."""
        query_id = str(next(self.server.ids))
        callback_data = data if data is not None else message.button(label)["callback_data"]
        self.server.queue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.json,
                    "message": self.server.message_json(self, message),
                    "chat_instance": str(self.id),
                    "data": callback_data,
                }
            }
        )
        return query_id

    async def converse(self, *steps: tuple[str, str], within: float = 10) -> None:
        """For each (what the bot asks, the answer): once a message shows the question, press the button the
        answer names, or type the answer when no button does."""
        for question, answer in steps:
            asked = await self.wait_for_text(question, within)
            if any(answer.casefold() in label.casefold() for label in asked.labels):
                self.press(asked, answer)
            else:
                self.send(answer)

    async def wait_for(self, predicate: Callable[[User], bool], within: float = 10) -> None:
        """Until ``predicate(self)`` holds (the bot works in the background), for at most ``within`` seconds."""

        def seen() -> str:
            last = "\n---\n".join(message.text for message in self.messages[-3:])
            return f"in {self.first_name}'s chat; last messages:\n{last}"

        await eventually(lambda: predicate(self), within, seen)

    async def wait_for_text(self, text: str, within: float = 10) -> Message:
        """The newest bot message that contains ``text``, once there is one."""
        await self.wait_for(lambda user: any(text in message.text for message in user.messages), within)
        return next(message for message in reversed(self.messages) if text in message.text)


async def eventually(predicate: Callable[[], bool], within: float = 10, seen: Callable[[], str] = str) -> None:
    """Until ``predicate()`` holds, for at most ``within`` seconds; ``seen`` says what there was instead."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting {seen()}")
        await asyncio.sleep(0.02)


class FakeBotApi:
    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self.updates: list[dict[str, Any]] = []
        self.history: dict[int, dict[str, Any]] = {}  # every update queued, by id
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answered_queries: list[str] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.sent_at: dict[int, list[float]] = {}
        self._failures: dict[int, list[tuple[int, str, int | None]]] = {}
        self._queued = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.refused: set[str] = set()  # methods a test made answer 400
        self.base_url = ""

    # ---- test controls ---------------------------------------------------------------------------

    def user(self, user_id: int, first_name: str, *, language_code: str | None = None) -> User:
        user = User(self, user_id, first_name, language_code, username=first_name.lower())
        self.users[user_id] = user
        return user

    def fail_next(
        self,
        chat_id: int,
        times: int = 1,
        *,
        retry_after: int | None = None,
        blocked: bool = False,
        timeout: bool = False,
    ) -> None:
        """The next ``times`` sends/edits to ``chat_id`` answer 429 (``retry_after`` seconds) or 403 (blocked), or
        (timeout) hang for HANG_SECONDS and are not delivered."""
        error = (*BLOCKED, None) if blocked else (429, f"Too Many Requests: retry after {retry_after}", retry_after)
        self._failures.setdefault(chat_id, []).extend([HANG if timeout else error] * times)

    def queue(self, update: dict[str, Any]) -> int:
        """Make ``update`` the next one getUpdates hands out; returns its update_id."""
        update_id = next(self._update_ids)
        self.history[update_id] = {"update_id": update_id, **update}
        self.updates.append(self.history[update_id])
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    def replay(self, update_id: int) -> None:
        """Hand out an update again, with its update_id: Telegram redelivers what a bot never confirmed."""
        self.updates.append(self.history[update_id])
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._queued:
            self._queued.notify_all()

    def add_message(
        self, user: User, sender: dict[str, Any], text: str, *, reply_to: int | None = None, **extra: Any
    ) -> Message:
        message = Message(next(self._message_ids), sender, text, reply_to=reply_to, **extra)
        user.chat.append(message)
        return message

    def message_json(self, user: User, message: Message) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": user.chat_json,
            "from": message.sender,
            "text": message.text,
        }
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        if message.reply_to is not None:
            original = next((m for m in user.chat if m.message_id == message.reply_to), None)
            if original is not None:
                body["reply_to_message"] = self.message_json(user, original)
        return body

    # ---- the HTTP side ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/bot"

    async def stop(self) -> None:
        self._closing = True  # a long poll still waiting returns now
        async with self._queued:
            self._queued.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append((method, params))
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        if method in self.refused:
            return _error(400, f"Bad Request: {method} refused by the test")
        failures = self._failures.get(params.get("chat_id", 0))
        if method.startswith(("send", "edit")) and failures and failures[0] == HANG:
            failures.pop(0)
            await asyncio.sleep(HANG_SECONDS)
            return _error(504, "Gateway Timeout: nothing was sent")  # the client stopped waiting long ago
        return await handler(params)

    def _failure(self, chat_id: int) -> web.Response | None:
        """The failure a test asked the next send to this chat to meet, if any."""
        failures = self._failures.get(chat_id)
        if not failures:
            return None
        code, description, retry_after = failures.pop(0)
        return _error(code, description, {"retry_after": retry_after} if retry_after is not None else None)

    def _chat(self, params: dict[str, Any]) -> User | None:
        return self.users.get(params.get("chat_id", 0))

    async def _getMe(self, params: dict[str, Any]) -> web.Response:
        return _ok(BOT)

    async def _deleteWebhook(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _setMyCommands(self, params: dict[str, Any]) -> web.Response:
        self.commands[params.get("language_code", "")] = params["commands"]
        return _ok(True)

    async def _answerCallbackQuery(self, params: dict[str, Any]) -> web.Response:
        self.answered_queries.append(params["callback_query_id"])
        return _ok(True)

    async def _getUpdates(self, params: dict[str, Any]) -> web.Response:
        offset = params.get("offset", 0)
        if offset:
            self.updates = [update for update in self.updates if update["update_id"] >= offset]
        timeout = float(params.get("timeout", 0))
        if not self.updates and timeout:
            async with self._queued:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._queued.wait_for(lambda: bool(self.updates) or self._closing), timeout)
        return _ok(self.updates[: params.get("limit", 100)])

    async def _sendMessage(self, params: dict[str, Any]) -> web.Response:
        user = self._chat(params)
        if user is None or (refusal := self._failure(user.id)) is not None:
            return _error(400, "Bad Request: chat not found") if user is None else refusal
        reply = params.get("reply_parameters", {}).get("message_id", params.get("reply_to_message_id"))
        message = self.add_message(
            user,
            BOT,
            params["text"],
            reply_to=reply,
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
        )
        self.sent_at.setdefault(user.id, []).append(time.monotonic())
        return _ok(self.message_json(user, message))

    async def _sendDocument(self, params: dict[str, Any]) -> web.Response:
        user = self._chat(params)
        if user is None or (refusal := self._failure(user.id)) is not None:
            return _error(400, "Bad Request: chat not found") if user is None else refusal
        message = self.add_message(user, BOT, params.get("caption", ""), document=params["document"])
        return _ok(self.message_json(user, message))

    def _own_message(self, user: User, params: dict[str, Any]) -> Message | None:
        return next(
            (m for m in user.messages if m.message_id == params.get("message_id")),
            None,
        )

    async def _editMessageText(self, params: dict[str, Any]) -> web.Response:
        return await self._edit(params, html=params["text"], parse_mode=params.get("parse_mode"))

    async def _editMessageReplyMarkup(self, params: dict[str, Any]) -> web.Response:
        return await self._edit(params)

    async def _edit(self, params: dict[str, Any], **changes: Any) -> web.Response:
        user = self._chat(params)
        if user is None or (refusal := self._failure(user.id)) is not None:
            return _error(400, "Bad Request: chat not found") if user is None else refusal
        message = self._own_message(user, params)
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if all(getattr(message, name) == value for name, value in changes.items()) and message.reply_markup == markup:
            return _error(400, "Bad Request: message is not modified")
        for name, value in changes.items():
            setattr(message, name, value)
        message.reply_markup = markup
        message.edits += 1
        return _ok(self.message_json(user, message))

    async def _deleteMessage(self, params: dict[str, Any]) -> web.Response:
        user = self._chat(params)
        message = self._own_message(user, params) if user else None
        if user is None or message is None:
            return _error(400, "Bad Request: message to delete not found")
        user.chat.remove(message)
        return _ok(True)


async def _params(request: web.Request) -> dict[str, Any]:
    """PTB posts form fields whose objects are JSON strings; a JSON body is taken too."""
    if request.content_type == "application/json":
        return dict(await request.json())
    params: dict[str, Any] = {}
    for name, value in (await request.post()).items():
        if isinstance(value, web.FileField):  # an uploaded document: its name is what tests look at
            params[name] = value.filename
        elif name in _JSON_FIELDS:
            params[name] = json.loads(value)
        elif name in _INT_FIELDS:
            params[name] = int(value)
        else:
            params[name] = value
    return params


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)
