"""Settings read from the environment (and an optional `.env` file)."""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import ui_text
from bot.paths import project_dir

DEFAULT_DATABASE = Path("data") / "equipage.sqlite3"
# With PostgreSQL, `Settings.database` is this name in the data folder: the files kept beside
# a database (key, consent secret, erasure list) are found the same way for both backends.
POSTGRESQL_ANCHOR = "postgresql"


class ConfigError(Exception):
    """A setting is missing or invalid; the message is one sentence for the deployer."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs from its environment."""

    token: str | None
    api_base_url: str | None
    database: Path
    # Primary first; more than one only while a key rotation is under way.
    data_keys: tuple[bytes, ...] | None
    admins: frozenset[int]
    timezone: ZoneInfo
    dialogs_dir: Path
    locales_dir: Path
    retention_days: int = 730
    # The retention purge refuses to erase more than this share of all persons at once.
    purge_max_percent: int = 25
    # Per account: a burst of updates at once, then this many per minute on average.
    rate_burst: int = 20
    rate_per_minute: int = 90
    # What the bot sends to one private chat: a burst, then about one message a second.
    chat_burst: int = 5
    # Telegram's global limit for the whole bot, shared by its replicas (messages a second).
    send_rate: int = 30
    # Webhook mode (production) when webhook_url is set; polling otherwise.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    # `run` waits this long for Telegram at start-up (network down at boot), then exits
    # with a sentence; the service manager starts it again later.
    startup_wait: float = 600.0
    # The service's own duty line (permanence), shown beside the national emergency numbers.
    duty_line: str | None = None
    # Polling mode: a loopback /healthz on this port for monitors (none when unset).
    health_port: int | None = None
    # PostgreSQL instead of SQLite (EQUIPAGE_DATABASE=postgresql://…); `database` is then a
    # name inside the data folder, where the key and the erasure list are kept.
    database_url: str | None = None
    database_pool: int = 10
    database_timeout: float = 30.0


def load_dotenv(path: Path = Path(".env")) -> None:
    """Load KEY=VALUE lines from `.env` without overriding the real environment."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def _value(env: dict[str, str], name: str, default: str) -> str:
    """A setting's value; absent or empty means the default (an env file may list it blank)."""
    return env.get(name, "").strip() or default


def parse_data_key(value: str) -> bytes:
    """Decode one key: 32 bytes in URL-safe base64."""
    try:
        key = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ConfigError(ui_text("config.bad_key"))
    return key


def parse_data_keys(value: str) -> tuple[bytes, ...]:
    """EQUIPAGE_DATA_KEY: one key, or "new,old" during a rotation."""
    return tuple(parse_data_key(part) for part in value.split(",") if part.strip())


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the settings; a bad value raises ConfigError with a sentence saying what to set."""
    env = dict(os.environ if environ is None else environ)
    admins: set[int] = set()
    for part in env.get("EQUIPAGE_ADMINS", "").replace(";", ",").split(","):
        if part.strip():
            if not part.strip().isdigit():
                raise ConfigError(ui_text("config.bad_admins"))
            admins.add(int(part.strip()))
    tz_name = _value(env, "EQUIPAGE_TIMEZONE", "Europe/Paris")
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(ui_text("config.bad_timezone")) from None
    key = _value(env, "EQUIPAGE_DATA_KEY", "")
    base_url = env.get("TELEGRAM_API_BASE_URL", "").strip().rstrip("/") or None
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ConfigError(ui_text("config.bad_base_url"))
    retention = _value(env, "EQUIPAGE_RETENTION_DAYS", "730")
    if not retention.isdigit() or int(retention) < 1:
        raise ConfigError(ui_text("config.bad_retention"))
    purge_share = _value(env, "EQUIPAGE_PURGE_MAX_PERCENT", "25")
    if not purge_share.isdigit() or not 1 <= int(purge_share) <= 100:
        raise ConfigError(ui_text("config.bad_purge_share"))
    rates = []
    for name, default in (
        ("EQUIPAGE_RATE_BURST", "20"),
        ("EQUIPAGE_RATE_PER_MINUTE", "90"),
        ("EQUIPAGE_CHAT_BURST", "5"),
        ("EQUIPAGE_SEND_RATE", "30"),
    ):
        value = _value(env, name, default)
        if not value.isdigit() or int(value) < 1:
            raise ConfigError(ui_text("config.bad_rate", name=name))
        rates.append(int(value))
    webhook_url = env.get("EQUIPAGE_WEBHOOK_URL", "").strip() or None
    webhook_secret = env.get("EQUIPAGE_WEBHOOK_SECRET", "").strip() or None
    if webhook_url is not None:
        # Telegram only calls HTTPS; plain HTTP on loopback is for tests and local proxies.
        if not webhook_url.startswith(("https://", "http://127.0.0.1:")):
            raise ConfigError(ui_text("config.bad_webhook_url"))
        if webhook_secret is None or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret):
            raise ConfigError(ui_text("config.bad_webhook_secret"))
    port = _value(env, "EQUIPAGE_LISTEN_PORT", "8080")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(ui_text("config.bad_port"))
    startup_wait = _value(env, "EQUIPAGE_STARTUP_WAIT", "600")
    if not startup_wait.isdigit():
        raise ConfigError(ui_text("config.bad_startup_wait"))
    health_port = _value(env, "EQUIPAGE_HEALTH_PORT", "")
    if health_port and (not health_port.isdigit() or not 0 <= int(health_port) <= 65535):
        raise ConfigError(ui_text("config.bad_port"))
    database = env.get("EQUIPAGE_DATABASE", "").strip()
    database_url = database if database.startswith(("postgresql://", "postgres://")) else None
    if database_url is not None:
        # The key file, the consent secret and the erasure list live in the data folder.
        folder = Path(_value(env, "EQUIPAGE_DATA_DIR", str(DEFAULT_DATABASE.parent)))
        database = str(folder / POSTGRESQL_ANCHOR)
    pool = _value(env, "EQUIPAGE_DATABASE_POOL", "10")
    if not pool.isdigit() or not 1 <= int(pool) <= 1000:
        raise ConfigError(ui_text("config.bad_pool"))
    statement_timeout = _value(env, "EQUIPAGE_DATABASE_TIMEOUT", "30")
    if not statement_timeout.isdigit() or int(statement_timeout) < 1:
        raise ConfigError(ui_text("config.bad_statement_timeout"))
    return Settings(
        token=env.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
        api_base_url=base_url,
        database=Path(database or DEFAULT_DATABASE),
        database_url=database_url,
        database_pool=int(pool),
        database_timeout=float(statement_timeout),
        data_keys=parse_data_keys(key) if key else None,
        admins=frozenset(admins),
        timezone=timezone,
        dialogs_dir=project_dir("dialogs", env),
        locales_dir=project_dir("locales", env),
        retention_days=int(retention),
        purge_max_percent=int(purge_share),
        rate_burst=rates[0],
        rate_per_minute=rates[1],
        chat_burst=rates[2],
        send_rate=rates[3],
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        listen_host=_value(env, "EQUIPAGE_LISTEN_HOST", "127.0.0.1"),
        listen_port=int(port),
        startup_wait=float(startup_wait),
        duty_line=" ".join(env.get("EQUIPAGE_DUTY_LINE", "").split())[:200] or None,
        health_port=int(health_port) if health_port else None,
    )
