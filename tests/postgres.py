"""A throwaway PostgreSQL server for the tests, started by the tests themselves.

It runs the distribution's server binaries (Debian's `postgresql` package: initdb, pg_ctl) in a
temporary folder, on 127.0.0.1 and a free port, with durability switched off (a test's data
need not survive a power cut). One server per test session; every test gets its own database,
cloned from a template that is already migrated (a clone costs milliseconds, migrating does not).

initdb refuses to run as root: as root, the server runs as the `postgres` user (or `nobody`).
No server can be had (binaries missing): `PostgresUnavailable` is raised, and the tests that
need PostgreSQL fail, loudly: they are never skipped.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SEARCHED = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/pgsql-*/bin")
SUPERUSER = "equipage"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here: install the distribution's `postgresql` package."""


def server_binaries() -> Path:
    """The folder holding initdb and pg_ctl (the newest version installed)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates: list[Path] = []
    for pattern in SEARCHED:
        candidates.extend(Path("/").glob(pattern.lstrip("/")))
    for folder in sorted(candidates, reverse=True):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayServer:
    """initdb + pg_ctl in a temporary folder; `stop()` removes everything."""

    def __init__(self, *, durable: bool = False) -> None:
        # durable: fsync on, as a production server (the benchmark); tests do without.
        self.durable = durable
        self.binaries = server_binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="equipage-pg-"))
        self.port = _free_port()
        self._user: str | None = None
        if os.geteuid() == 0:
            self._user = _unprivileged_user()
            shutil.chown(self.folder, self._user)
        self.data = self.folder / "data"
        self.started = False

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self._user, "--"] if self._user else []
        completed = subprocess.run(
            [*prefix, *command], capture_output=True, text=True, check=False, cwd=self.folder
        )
        if completed.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{command[0]} failed ({completed.returncode}): {completed.stderr[-2000:]}{tail}"
            )

    def start(self) -> None:
        """Create the cluster and start the server; returns once it accepts connections."""
        self._run(
            str(self.binaries / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = " ".join(
            (
                f"-k {self.folder} -c listen_addresses=127.0.0.1 -p {self.port}",
                # Tests only: a crash of the test machine may lose the last commits.
                ""
                if self.durable
                else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "-c max_connections=300 -c shared_buffers=64MB",
            )
        )
        self._run(
            str(self.binaries / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        self.started = True

    def url(self, database: str = "postgres") -> str:
        """A connection address for one database of this server."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop at once and forget the cluster."""
        if self.started:
            with contextlib.suppress(PostgresUnavailable):
                self._run(
                    str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"
                )
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PostgresUnavailable("running as root with neither a 'postgres' nor a 'nobody' user")
