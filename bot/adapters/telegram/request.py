"""PTB's Bot API requests over aiohttp instead of its default httpx.

Every update costs at least one Bot API call (the reply; a press also answers its callback query), and httpx
spends about 1.2 ms of CPU on a small POST where aiohttp spends about 0.2 ms (measured on the development VM,
sequential POSTs to a local server): at a few hundred updates a second that is most of a core. aiohttp is a
dependency already (webhook server, job feeds). PTB's ``BaseRequest`` contract is kept: the status and body of
the answer are returned as they are (PTB reads errors from them), a timeout raises ``TimedOut`` and any other
transport failure ``NetworkError``. A call without files goes as a JSON body (the Bot API takes one), which costs
less to write than a URL-encoded form; uploads go as multipart forms.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue  # what PTB passes for "not given" (as its own requests read)
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

CONNECT_TIMEOUT_SECONDS = 5.0
WRITE_TIMEOUT_SECONDS = 5.0
MEDIA_WRITE_TIMEOUT_SECONDS = 20.0  # an upload may take longer to write than a message (PTB's default too)


JSON_BODY = {"Content-Type": "application/json"}


class JsonCall(RequestData):
    """A call's parameters in the Bot API's own JSON shapes (a keyboard as ``{"inline_keyboard": ...}``), for the
    calls the front end makes without PTB's objects (``TelegramSender.call``); never with files."""

    def __init__(self, parameters: dict[str, Any]) -> None:
        super().__init__()
        self._given = {name: value for name, value in parameters.items() if value is not None}

    @property
    def parameters(self) -> dict[str, Any]:
        return self._given


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of ``connections`` (PTB's defaults: 256 for calls, 1 for getUpdates)."""

    __slots__ = ("_connections", "_read_timeout", "_session")

    def __init__(self, *, connections: int, read_timeout: float) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else {}
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = CONNECT_TIMEOUT_SECONDS if isinstance(connect_timeout, DefaultValue) else connect_timeout
        default_write = MEDIA_WRITE_TIMEOUT_SECONDS if files else WRITE_TIMEOUT_SECONDS
        write = default_write if isinstance(write_timeout, DefaultValue) else write_timeout
        # aiohttp has no write timeout of its own: the connect, write and read times together bound the call.
        total = None if read is None or connect is None or write is None else connect + write + read
        timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)
        body: aiohttp.FormData | bytes | None = None
        if request_data is not None and files:
            body = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mime_type) in files.items():
                body.add_field(name, content, filename=filename, content_type=mime_type)
        elif request_data is not None:  # (PTB's json_payload would send every value as a string)
            body = json.dumps(request_data.parameters).encode()
        headers = JSON_BODY if isinstance(body, bytes) else None
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
