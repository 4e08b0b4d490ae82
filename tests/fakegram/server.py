"""FakeTelegram: the Bot API over HTTP on 127.0.0.1, plus the handles tests drive it by."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from functools import cache
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web
from telegram import Bot

from . import api_bot, api_messages, api_updates
from .api_types import Handler
from .errors import ApiError, http_error
from .failures import Failure, FailurePlan
from .models import ApiRequest, Json
from .params import read_params
from .state import BOT_ID, BOT_USERNAME, World, scope_key
from .users import FakeUser
from .webhook import WebhookPusher

T = TypeVar("T")

_METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler)
    for table in (api_bot.METHODS, api_messages.METHODS, api_updates.METHODS)
    for name, handler in table.items()
}


@cache
def _real_bot_api_methods() -> frozenset[str]:
    """Lower-cased Bot API method names, from PTB's camelCase aliases on Bot."""
    return frozenset(
        name.lower() for name in dir(Bot) if name[:1].islower() and name.lower() != name
    )


class FakeTelegram:
    """A fake Bot API server; `async with FakeTelegram() as server:` starts and stops it."""

    token = f"{BOT_ID}:TEST-TOKEN"
    bot_id = BOT_ID
    bot_username = BOT_USERNAME

    def __init__(self, port: int = 0) -> None:
        # A fixed port lets a test start the server after the bot (an outage at boot).
        self._port = port
        self._world = World()
        self._failures = FailurePlan()
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._stopping = asyncio.Event()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already running")
        app = web.Application(client_max_size=50 * 1024 * 1024)  # Telegram's upload limit
        app.router.add_route("*", "/bot{token}/{method}", self._serve_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._serve_file)
        # handler_cancellation: when PTB gives up on a request (its long poll on shutdown,
        # a held request on timeout), the handler stops instead of lingering.
        runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=2.0, access_log=None
        )
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self._port).start()
        host, port = runner.addresses[0][:2]
        self._runner = runner
        self._base_url = f"http://{host}:{port}"
        self.webhook = WebhookPusher(self._world)
        self.webhook.start()

    async def stop(self) -> None:
        """Release every held or long-polling request, then close the server."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._world.stopping = True
        self._stopping.set()
        self._world.changes.notify()
        await self.webhook.stop()
        await runner.cleanup()

    @property
    def base_url(self) -> str:
        """Like "http://127.0.0.1:PORT"; PTB's base_url is this plus "/bot"."""
        if self._base_url is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._base_url

    # -- test handles -------------------------------------------------------------------

    def user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "fr",
    ) -> FakeUser:
        """A new user with a unique id; the bot may write to them once they wrote first."""
        chat = self._world.new_chat(
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        return FakeUser(self._world, chat)

    def fail_next(
        self,
        method: str,
        *,
        status: int = HTTPStatus.TOO_MANY_REQUESTS,
        retry_after: int = 1,
        timeout: bool | float = False,
        count: int = 1,
        description: str | None = None,
        chat_id: int | None = None,
        processed: bool = False,
    ) -> None:
        """Make the bot's next `count` calls of `method` fail, each consuming one failure.

        status=429 answers "Too Many Requests" with retry_after; any other status answers
        with its standard phrase ("Internal Server Error", "Bad Gateway", …) unless
        `description` is given. timeout=True (or a number of seconds, True meaning 60)
        instead holds the request until the client gives up, the time passes or the server
        stops; a request still held when the time passes is then served normally, late.
        chat_id limits the failures to calls aimed at that chat (others pass untouched).
        processed=True (with timeout) serves the call at once, then holds the answer: the
        message is in the chat, but the client times out ("process then hang").
        """
        hold = None if timeout is False else 60.0 if timeout is True else float(timeout)
        failure = Failure(status, retry_after, description, hold, chat_id, after=processed)
        self._failures.add(method, failure, count)

    def clear_failures(self) -> None:
        """Forget the failures still planned."""
        self._failures.clear()

    async def wait_for(
        self,
        predicate: Callable[[], T],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - fails with the transcripts, unlike a bare timeout
        message: str | None = None,
    ) -> T:
        """The predicate's first truthy value, re-checked whenever the server state changes."""
        result = await self._world.changes.wait(predicate, timeout)
        if not result:
            raise AssertionError(
                f"{message or 'condition not met'} within {timeout} s\n\n"
                f"{self._world.transcripts()}"
            )
        return result

    @property
    def requests(self) -> list[ApiRequest]:
        """Every call the bot made with the right token, in order, including failed ones."""
        return self._world.requests

    def requests_for(self, method: str) -> list[dict[str, Any]]:
        return [r.params for r in self._world.requests if r.method.lower() == method.lower()]

    def commands(
        self, *, scope: Json | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """(command, description) pairs setMyCommands registered for that scope and language."""
        return list(self._world.commands.get((scope_key(scope), language_code), []))

    @property
    def webhook_url(self) -> str | None:
        return self._world.webhook["url"] if self._world.webhook else None

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot's getUpdates offset."""
        return len(self._world.updates)

    @property
    def pending_failures(self) -> int:
        return self._failures.pending()

    def transcripts(self) -> str:
        return self._world.transcripts()

    # -- HTTP -----------------------------------------------------------------------------

    async def _serve_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(HTTPStatus.UNAUTHORIZED, "Unauthorized"))
        name = request.match_info["method"]
        entry = _METHODS.get(name.lower())
        if entry is None:
            if name.lower() in _real_bot_api_methods():
                return _error(
                    http_error(
                        HTTPStatus.NOT_IMPLEMENTED,
                        f"Not Implemented: fakegram does not implement {name}",
                    )
                )
            return _error(ApiError(HTTPStatus.NOT_FOUND, "Not Found"))
        method, handler = entry
        try:
            params = await read_params(request)
            self._world.record(method, params.values)
            failure = self._failures.take(method, params.values.get("chat_id"))
            if failure is not None and not failure.after:
                await self._fail(failure)
                if request.transport is None or request.transport.is_closing():
                    # The client gave up (or died) while held: Telegram never did it.
                    raise http_error(HTTPStatus.BAD_GATEWAY)
            result = await handler(self._world, params)
            if failure is not None and failure.after:
                await self._fail(failure)
        except ApiError as error:
            return _error(error)
        return web.json_response({"ok": True, "result": result})

    async def _fail(self, failure: Failure) -> None:
        """Raise the planned error, or hold the request and return to serve it late."""
        if failure.hold is None:
            raise failure.error()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(failure.hold):
                await self._stopping.wait()
        if self._stopping.is_set():
            raise http_error(HTTPStatus.BAD_GATEWAY)

    async def _serve_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(HTTPStatus.UNAUTHORIZED, "Unauthorized"))
        stored = self._world.files.at_path(request.match_info["path"])
        if stored is None:
            return _error(ApiError(HTTPStatus.NOT_FOUND, "Not Found"))
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )


def _error(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.status)
