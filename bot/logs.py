"""Log lines with an event name and ids only: never message text, names or handles."""

from __future__ import annotations

import json
import logging
import os
import sys

# Attributes every LogRecord has; anything else was passed in `extra=` by our code.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class EventFormatter(logging.Formatter):
    """`time level logger event key=value…`, or one JSON object per line."""

    def __init__(self, as_json: bool) -> None:
        super().__init__()
        self._as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        """Render the event and its extra fields."""
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if self._as_json:
            payload = {
                "time": self.formatTime(record),
                "level": record.levelname,
                "logger": record.name,
                "event": record.getMessage(),
                **fields,
            }
            return json.dumps(payload, ensure_ascii=False, default=str)
        pairs = " ".join(f"{key}={value}" for key, value in fields.items())
        head = f"{self.formatTime(record)} {record.levelname} {record.name}"
        return f"{head} {record.getMessage()} {pairs}".rstrip()


def quiet_token_leaks() -> None:
    """The HTTP client logs each request URL, and Bot API URLs contain the bot's token."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def setup_logging() -> None:
    """Configure the root logger once: one line per event, JSON if asked."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EventFormatter(os.environ.get("EQUIPAGE_LOG_FORMAT") == "json"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    quiet_token_leaks()
