"""A fake Telegram Bot API server (aiohttp) that python-telegram-bot talks to over real HTTP.

It answers the methods the Telegram front end uses, in the Bot API's JSON shapes, keeps each private chat's
history (what the bot sent, edits applied), and queues updates made by simulated users:
``server.user(123, "Alice").send("/start")``, ``user.press(message, "Label")``, ``user.reply(message, "text")``.
``user.inline("python django")`` types an inline query (its answer lands in ``server.inline_answers[query_id]``).
``server.fail_next(chat_id, ...)`` makes the next sends to one chat answer 429 (with ``retry_after``) or 403, or
hang past the client's read timeout; ``server.replay(update_id)`` hands out an update again (a lost confirmation).
Files: ``user.send_document(name, content, mime)`` and ``user.send_photo(content)`` register a file (file_id,
file_unique_id, size) as Telegram keeps it; sendDocument/sendPhoto take a file_id or an upload; getFile and
``/file/bot<token>/<path>`` serve the bytes, and ``server.downloads`` counts what was fetched.

Payments: an invoice sent is a message with ``invoice``; ``await user.pay(message)`` checks it out (a
pre_checkout_query, its answer in ``server.pre_checkout_answers``) and, when the bot said ok, pays it with a
successful_payment message; ``user.paid(payment)`` sends that payment again, as Telegram may.

Once the bot calls setWebhook, queued updates are POSTed to it (with its secret token) instead, as Telegram does.
``server.group(-100…, "Title")`` is a supergroup: ``user.send(text, in_chat=group)`` types there.
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

import aiohttp
from aiohttp import web

BOT = {"id": 4242, "is_bot": True, "first_name": "gigbot", "username": "gigbot_test_bot"}
TOKEN = "4242:fake-token"
_JSON_FIELDS = {
    "reply_markup",
    "reply_parameters",
    "commands",
    "allowed_updates",
    "scope",
    "link_preview_options",
    "results",
    "is_personal",
    "prices",
    "ok",
    "menu_button",
}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "reply_to_message_id", "cache_time"}
_BOOL_FIELDS = {"drop_pending_updates"}
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
    invoice: dict[str, Any] | None = None  # an invoice sent: title, description, payload, currency, prices, ...
    edits: int = 0
    file_id: str | None = None  # the file a document or photo message carries (as sent, or as reused)
    photo: bool = False
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

    def send(self, text: str, reply_to: Message | None = None, *, in_chat: Group | None = None) -> Message:
        """Type ``text`` here or ``in_chat`` (a /command gets its bot_command entity, as Telegram marks it)."""
        chat = in_chat or self
        message = self.server.add_message(chat, self.json, text, reply_to=reply_to.message_id if reply_to else None)
        body = self.server.message_json(chat, message)
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split(" ", 1)[0])}]
        message.update_id = self.server.queue({"message": body})
        return message

    def send_document(self, name: str, content: bytes, mime_type: str, *, caption: str = "") -> Message:
        """Send a file as a document (Telegram keeps it; the bot gets its file_id, name, type and size)."""
        stored = self.server.add_file(content, name=name, mime_type=mime_type)
        return self._send_file(caption, stored, photo=False)

    def send_photo(self, content: bytes, *, caption: str = "") -> Message:
        """Send a photo: Telegram offers it in sizes, a thumbnail first and the photo itself last."""
        photo = self.server.add_file(content)
        photo.thumbnail = self.server.add_file(content[: max(1, len(content) // 10)]).file_id
        return self._send_file(caption, photo, photo=True)

    def send_again(self, message: Message) -> Message:
        """Send the file of one's own earlier message again (forwarded): the same file, by Telegram's ids."""
        return self._send_file(message.text, self.server.files[message.file_id or ""], photo=message.photo)

    def _send_file(self, caption: str, stored: FakeFile, *, photo: bool) -> Message:
        message = self.server.add_message(self, self.json, caption, file_id=stored.file_id, photo=photo)
        self.server.queue({"message": self.server.message_json(self, message)})
        return message

    def reply(self, message: Message, text: str) -> Message:
        """Answer ``message`` with Telegram's reply."""
        return self.send(text, reply_to=message)

    def press(self, message: Message, label: str, *, data: str | None = None, in_chat: Group | None = None) -> str:
        """Press the button ``label`` on ``message`` (``data`` forges its callback_data); returns the query id."""
        query_id = str(next(self.server.ids))
        callback_data = data if data is not None else message.button(label)["callback_data"]
        self.server.queue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.json,
                    "message": self.server.message_json(in_chat or self, message),
                    "chat_instance": str(self.id),
                    "data": callback_data,
                }
            }
        )
        return query_id

    def inline(self, query: str, offset: str = "") -> str:
        """Type "@gigbot_test_bot ``query``" in a chat (``offset``: the next page asked for); returns the query id."""
        query_id = str(next(self.server.ids))
        inline = {"id": query_id, "from": self.json, "query": query, "offset": offset, "chat_type": "sender"}
        self.server.queue({"inline_query": inline})
        return query_id

    async def pay(
        self, message: Message, *, amount: int | None = None, currency: str | None = None, within: float = 10
    ) -> dict[str, Any]:
        """Pay the invoice ``message`` as Telegram does (``amount``/``currency`` tampered with if given): the bot's
        answer to the pre-checkout query, with ``seconds`` it took and, if it said ok, the ``payment`` made."""
        invoice = message.invoice
        assert invoice is not None, f"not an invoice: {message.text!r}"
        query_id = str(next(self.server.ids))
        paying = {
            "currency": currency or invoice["currency"],
            "total_amount": invoice["total_amount"] if amount is None else amount,
            "invoice_payload": invoice["payload"],
        }
        asked = time.monotonic()
        self.server.queue({"pre_checkout_query": {"id": query_id, "from": self.json, **paying}})
        await eventually(lambda: query_id in self.server.pre_checkout_answers, within)
        answer = {**self.server.pre_checkout_answers[query_id], "seconds": time.monotonic() - asked}
        if answer["ok"]:
            charges = {"telegram_payment_charge_id": f"tg-{query_id}", "provider_payment_charge_id": f"pr-{query_id}"}
            answer["payment"] = {**paying, **charges}
            self.paid(answer["payment"])
        return answer

    def paid(self, payment: dict[str, Any]) -> Message:
        """The service message of a successful payment (sent again: Telegram may deliver one twice)."""
        message = self.server.add_message(self, self.json, "")
        body = self.server.message_json(self, message)
        del body["text"]
        self.server.queue({"message": {**body, "successful_payment": payment}})
        return message

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


@dataclass
class Group:
    """A supergroup the bot is in (Telegram's group ids are negative); members type with ``in_chat=group``."""

    server: FakeBotApi
    id: int
    title: str
    chat: list[Message] = field(default_factory=list)

    @property
    def chat_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": "supergroup", "title": self.title}

    @property
    def messages(self) -> list[Message]:
        return [message for message in self.chat if message.sender["id"] == BOT["id"]]

    async def wait_for(self, predicate: Callable[[Group], bool], within: float = 10) -> None:
        await eventually(lambda: predicate(self), within, lambda: f"in {self.title}: {[m.text for m in self.chat]}")

    async def wait_for_text(self, text: str, within: float = 10) -> Message:
        await self.wait_for(lambda group: any(text in message.text for message in group.messages), within)
        return next(message for message in reversed(self.messages) if text in message.text)


async def eventually(predicate: Callable[[], bool], within: float = 10, seen: Callable[[], str] = str) -> None:
    """Until ``predicate()`` holds, for at most ``within`` seconds; ``seen`` says what there was instead."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting {seen()}")
        await asyncio.sleep(0.02)


@dataclass
class FakeFile:
    """A file as Telegram keeps it."""

    file_id: str
    file_unique_id: str
    content: bytes = field(repr=False)
    name: str | None = None
    mime_type: str | None = None
    thumbnail: str | None = None  # a photo's smaller size, offered before it

    @property
    def path(self) -> str:
        return f"documents/{self.file_unique_id}"

    @property
    def json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.name is not None:
            body["file_name"] = self.name
        if self.mime_type is not None:
            body["mime_type"] = self.mime_type
        return body


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
        self.toasts: dict[str, str] = {}  # callback query id -> the text it was answered with
        self.inline_answers: dict[str, dict[str, Any]] = {}  # inline query id -> answerInlineQuery's parameters
        self.pre_checkout_answers: dict[str, dict[str, Any]] = {}  # query id -> ok, error_message
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.sent_at: dict[int, list[float]] = {}
        self._failures: dict[int, list[tuple[int, str, int | None]]] = {}
        self._queued = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.refused: set[str] = set()  # methods a test made answer 400
        self.groups: dict[int, Group] = {}
        self.webhook: dict[str, Any] | None = None  # setWebhook's parameters while a webhook is set
        self.deleted_webhooks: list[dict[str, Any]] = []
        self.profile: dict[tuple[str, str], Any] = {}  # (method, language_code) -> what the bot set
        self._delivery: asyncio.Task[None] | None = None
        self.base_url = ""
        self.file_base_url = ""  # PTB's base_file_url
        self.files: dict[str, FakeFile] = {}
        self.downloads = 0  # files fetched through /file/bot<token>/<path>

    # ---- test controls ---------------------------------------------------------------------------

    def user(self, user_id: int, first_name: str, *, language_code: str | None = None) -> User:
        user = User(self, user_id, first_name, language_code, username=first_name.lower())
        self.users[user_id] = user
        return user

    def group(self, chat_id: int, title: str) -> Group:
        self.groups[chat_id] = Group(self, chat_id, title)
        return self.groups[chat_id]

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
        self, user: User | Group, sender: dict[str, Any], text: str, *, reply_to: int | None = None, **extra: Any
    ) -> Message:
        message = Message(next(self._message_ids), sender, text, reply_to=reply_to, **extra)
        user.chat.append(message)
        return message

    def add_file(self, content: bytes, *, name: str | None = None, mime_type: str | None = None) -> FakeFile:
        number = next(self.ids)
        stored = FakeFile(f"FILE-{number}-{len(content)}", f"uniq{number}", content, name, mime_type)
        self.files[stored.file_id] = stored
        return stored

    def _file_json(self, body: dict[str, Any], message: Message) -> None:
        """A document's or a photo's fields in place of the text (which becomes the caption)."""
        stored = self.files[message.file_id or ""]
        del body["text"]
        if message.text:
            body["caption"] = message.text
        if not message.photo:
            body["document"] = stored.json
            return
        sizes = [(self.files[stored.thumbnail], 90)] if stored.thumbnail else []
        body["photo"] = [
            {**size.json, "width": width, "height": width * 3 // 4} for size, width in [*sizes, (stored, 1280)]
        ]

    def message_json(self, user: User | Group, message: Message) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": user.chat_json,
            "from": message.sender,
            "text": message.text,
        }
        if message.file_id is not None:
            self._file_json(body, message)
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
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.file_base_url = f"http://127.0.0.1:{port}/file/bot"

    async def stop(self) -> None:
        self._closing = True  # a long poll still waiting returns now
        async with self._queued:
            self._queued.notify_all()
        if self._delivery is not None:
            await self._delivery
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

    def _chat(self, params: dict[str, Any]) -> User | Group | None:
        chat_id = params.get("chat_id", 0)
        return self.users.get(chat_id) or self.groups.get(chat_id)

    async def _getMe(self, params: dict[str, Any]) -> web.Response:
        return _ok(BOT)

    async def _deleteWebhook(self, params: dict[str, Any]) -> web.Response:
        self.deleted_webhooks.append(params)
        self.webhook = None
        return _ok(True)

    async def _setWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = params
        self._delivery = self._delivery or asyncio.get_running_loop().create_task(self._deliver())
        await self._notify()
        return _ok(True)

    async def _deliver(self) -> None:
        """As Telegram does with a webhook set: POST the oldest waiting update until it is answered 200."""
        async with aiohttp.ClientSession() as session:
            while True:
                async with self._queued:
                    await self._queued.wait_for(lambda: bool(self.updates and self.webhook) or self._closing)
                if self._closing:
                    return
                webhook, update = self.webhook, self.updates[0]
                assert webhook is not None  # what the wait was for
                try:
                    headers = {"X-Telegram-Bot-Api-Secret-Token": webhook.get("secret_token", "")}
                    async with session.post(webhook["url"], json=update, headers=headers) as response:
                        delivered = response.status == 200
                except aiohttp.ClientError:
                    delivered = False
                if delivered:
                    self.updates.remove(update)
                else:
                    await asyncio.sleep(0.05)

    async def _setChatMenuButton(self, params: dict[str, Any]) -> web.Response:
        self.profile["setChatMenuButton", ""] = params["menu_button"]
        return _ok(True)

    async def _setMyDescription(self, params: dict[str, Any]) -> web.Response:
        self.profile["setMyDescription", params.get("language_code", "")] = params.get("description", "")
        return _ok(True)

    async def _setMyShortDescription(self, params: dict[str, Any]) -> web.Response:
        self.profile["setMyShortDescription", params.get("language_code", "")] = params.get("short_description", "")
        return _ok(True)

    async def _setMyCommands(self, params: dict[str, Any]) -> web.Response:
        self.commands[params.get("language_code", "")] = params["commands"]
        return _ok(True)

    async def _answerCallbackQuery(self, params: dict[str, Any]) -> web.Response:
        self.answered_queries.append(params["callback_query_id"])
        if params.get("text"):
            self.toasts[params["callback_query_id"]] = params["text"]
        return _ok(True)

    async def _answerInlineQuery(self, params: dict[str, Any]) -> web.Response:
        self.inline_answers[params["inline_query_id"]] = params
        return _ok(True)

    async def _answerPreCheckoutQuery(self, params: dict[str, Any]) -> web.Response:
        answer = {"ok": params["ok"] is True, "error_message": params.get("error_message")}
        self.pre_checkout_answers[params["pre_checkout_query_id"]] = answer
        return _ok(True)

    async def _sendInvoice(self, params: dict[str, Any]) -> web.Response:
        user = self._chat(params)
        if user is None or (refusal := self._failure(user.id)) is not None:
            return _error(400, "Bad Request: chat not found") if user is None else refusal
        fields = ("title", "description", "payload", "currency", "prices", "provider_token")
        invoice = {name: params.get(name) for name in fields}
        invoice["total_amount"] = sum(price["amount"] for price in params["prices"])
        message = self.add_message(user, BOT, "", invoice=invoice)
        return _ok(self.message_json(user, message))

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
        stored = self._sent_file(params, "document")
        if stored is None:
            return _error(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = params.get("caption", "")
        message = self.add_message(user, BOT, caption, document=stored.name, file_id=stored.file_id)
        return _ok(self.message_json(user, message))

    async def _sendPhoto(self, params: dict[str, Any]) -> web.Response:
        user = self._chat(params)
        if user is None or (refusal := self._failure(user.id)) is not None:
            return _error(400, "Bad Request: chat not found") if user is None else refusal
        stored = self._sent_file(params, "photo")
        if stored is None:
            return _error(400, "Bad Request: wrong file identifier/HTTP URL specified")
        message = self.add_message(user, BOT, params.get("caption", ""), file_id=stored.file_id, photo=True)
        return _ok(self.message_json(user, message))

    def _sent_file(self, params: dict[str, Any], field_name: str) -> FakeFile | None:
        """The file a send names: an upload (Telegram keeps it from now on) or the file_id of a file it keeps."""
        upload = params.get("_uploads", {}).get(field_name)
        if upload is not None:
            name, content = upload
            return self.add_file(content, name=name if field_name == "document" else None)
        return self.files.get(params.get(field_name, ""))

    async def _getFile(self, params: dict[str, Any]) -> web.Response:
        stored = self.files.get(params.get("file_id", ""))
        if stored is None:
            return _error(400, "Bad Request: invalid file_id")
        return _ok({**stored.json, "file_path": stored.path})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return _error(401, "Unauthorized")
        stored = next((f for f in self.files.values() if f.path == request.match_info["path"]), None)
        if stored is None:
            return web.Response(status=404)
        self.downloads += 1
        return web.Response(body=stored.content)

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
            params.setdefault("_uploads", {})[name] = (value.filename, value.file.read())
        elif name in _JSON_FIELDS:
            params[name] = json.loads(value)
        elif name in _INT_FIELDS:
            params[name] = int(value)
        elif name in _BOOL_FIELDS:
            params[name] = value == "true"
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
