"""Log lines with an event name and ids only: never message text, names, bodies or the token.

Libraries log what they received (PTB: "Error while parsing updates! Received data was …",
raw 502 bodies; httpx: URLs holding the token). Every record is cleaned where it is made (a
log record factory, so every logger and every handler sees the clean record), then capped in
volume by the handler's filter. Kept: the logger, the template, numbers (ids, status codes),
exception types and the frames of tracebacks (file, line, function). Dropped: every string
argument, every collection's content, exception messages.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import IO, Any

# Attributes every LogRecord has; anything else was passed in `extra=` by our code.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# Loggers whose records quote what they received or sent.
LIBRARY_LOGGERS = ("telegram", "telegram.ext", "httpx", "httpcore", "aiohttp", "asyncio")

# `bot123456:AAH…` in URLs, or the bare `123456:AAH…` form of a Bot API token.
_TOKEN_PATTERN = re.compile(r"(bot)?\d{5,}:[A-Za-z0-9_-]{20,}")
_MASK = "<token>"
_secrets: set[str] = set()

# A library message without arguments is a constant of its code; keep its first line, short.
_MAX_PLAIN_MESSAGE = 160
_MAX_BUCKETS = 10_000
_ROOT = str(Path(__file__).resolve().parent.parent) + os.sep


def protect(secret: str | None) -> None:
    """Mask this value (the configured token) wherever it would appear in a log line."""
    if secret:
        _secrets.add(secret)


def mask_secrets(text: str) -> str:
    """The text with the token, configured or shaped like one, replaced by a mask."""
    for secret in _secrets:
        text = text.replace(secret, _MASK)
    return _TOKEN_PATTERN.sub(_MASK, text)


def _safe_value(value: object, depth: int = 0) -> object:
    """Numbers, booleans and None stay (ids, status codes); everything else becomes its kind."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        inner = value.value
        return inner if isinstance(inner, bool | int | float) else f"<{type(value).__name__}>"
    if isinstance(value, Mapping):
        update_id = value.get("update_id")
        if isinstance(update_id, int):
            return f"<update {update_id}>"
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, list | tuple) and depth == 0:
        shown = ", ".join(str(_safe_value(item, 1)) for item in value[:5])
        more = ", …" if len(value) > 5 else ""
        return f"[{shown}{more}]"
    if isinstance(value, BaseException):
        return f"<{type(value).__name__}>"
    return f"<{type(value).__name__}>"


def _relative(filename: str) -> str:
    if filename.startswith(_ROOT):
        return filename[len(_ROOT) :]
    _, marker, rest = filename.partition("site-packages" + os.sep)
    return rest if marker else os.path.basename(filename)


def frames(error: BaseException) -> str:
    """Every frame of the error and of its causes, as `file:line function`: no messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        stack = traceback.extract_tb(current.__traceback__)
        where = " < ".join(
            f"{_relative(frame.filename)}:{frame.lineno} {frame.name}" for frame in reversed(stack)
        )
        parts.append(f"{type(current).__name__} at {where}" if where else type(current).__name__)
        current = current.__cause__ or current.__context__
    return " | caused by ".join(parts)


def _error_of(exc_info: object) -> BaseException | None:
    if isinstance(exc_info, BaseException):
        return exc_info
    if (
        isinstance(exc_info, tuple)
        and len(exc_info) == 3
        and isinstance(exc_info[1], BaseException)
    ):
        return exc_info[1]
    return None


def clean(record: logging.LogRecord) -> logging.LogRecord:
    """Strip payloads from a record in place: arguments, exception messages, the token."""
    ours = record.name == "bot" or record.name.startswith(("bot.", "__main__"))
    if isinstance(record.msg, str):
        message = record.msg if ours else record.msg.split("\n", 1)[0][:_MAX_PLAIN_MESSAGE]
        record.msg = mask_secrets(message)
    else:
        record.msg = f"<{type(record.msg).__name__}>"
    if isinstance(record.args, Mapping):
        record.args = {key: _safe_value(value) for key, value in record.args.items()}
    elif record.args:
        record.args = tuple(_safe_value(value) for value in record.args)
    error = _error_of(record.exc_info)
    if error is not None:
        record.exc_type = type(error).__name__
        record.exc_frames = frames(error)
    # The traceback text would repeat each exception's message: the frames above replace it.
    record.exc_info = None
    record.exc_text = None
    return record


def _install_record_factory() -> None:
    current = logging.getLogRecordFactory()
    if getattr(current, "equipage_clean", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return clean(current(*args, **kwargs))

    factory.equipage_clean = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class PrivacyFilter(logging.Filter):
    """Fields passed with `extra=` are added after the record is made: mask the token there."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask strings among the extra fields; never drops a record."""
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_secrets(value))
        return True


class VolumeCap(logging.Filter):
    """A token bucket per logger and event: a flood of one line becomes a few lines, and the
    next line let through says how many were dropped (`suppressed=n`)."""

    def __init__(
        self, burst: int = 20, per_second: float = 1.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._burst = float(burst)
        self._rate = per_second
        self._now = now
        self._buckets: dict[tuple[str, str], tuple[float, float, int]] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        """False when this logger's event has spent its allowance."""
        key = (record.name, str(record.msg))
        now = self._now()
        with self._lock:
            if len(self._buckets) > _MAX_BUCKETS:  # events are code constants; this is a guard
                self._buckets.clear()
            tokens, last, dropped = self._buckets.get(key, (self._burst, now, 0))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now, dropped + 1)
                return False
            self._buckets[key] = (tokens - 1.0, now, 0)
        if dropped:
            record.suppressed = dropped
        return True


class EventFormatter(logging.Formatter):
    """`time level logger event key=value…`, or one JSON object per line."""

    def __init__(self, as_json: bool) -> None:
        super().__init__()
        self._as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        """Render the event and its extra fields (the token masked, even if something slipped)."""
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if self._as_json:
            payload = {
                "time": self.formatTime(record),
                "level": record.levelname,
                "logger": record.name,
                "event": record.getMessage(),
                **fields,
            }
            return mask_secrets(json.dumps(payload, ensure_ascii=False, default=str))
        pairs = " ".join(f"{key}={value}" for key, value in fields.items())
        head = f"{self.formatTime(record)} {record.levelname} {record.name}"
        return mask_secrets(f"{head} {record.getMessage()} {pairs}".rstrip())


def quiet_token_leaks(token: str | None = None) -> None:
    """Clean every record from now on; request URLs (they hold the token) below WARNING."""
    protect(token)
    _install_record_factory()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def setup_logging(
    token: str | None = None,
    stream: IO[str] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> logging.Handler:
    """Configure the root logger: one line per event, JSON if asked, cleaned and capped."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(EventFormatter(os.environ.get("EQUIPAGE_LOG_FORMAT") == "json"))
    handler.addFilter(PrivacyFilter())
    handler.addFilter(VolumeCap(now=clock))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    quiet_token_leaks(token)
    # Uncaught errors go through the same cleaning instead of printing a raw traceback.
    sys.excepthook = _log_uncaught
    return handler


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    logging.getLogger("bot").critical("uncaught_error", exc_info=(kind, error, trace))
