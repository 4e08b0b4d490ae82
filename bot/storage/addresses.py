"""What an EQUIPAGE_DATABASE address says, read without the PostgreSQL driver (asyncpg is
imported only by a bot that uses PostgreSQL)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def is_postgresql(database: str) -> bool:
    """Whether EQUIPAGE_DATABASE names a PostgreSQL server rather than a SQLite file."""
    return database.startswith(("postgresql://", "postgres://"))


def without_password(url: str) -> str:
    """The address as it may be shown or logged: any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
