"""Where the editable data lives: dialogs/ and locales/."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_VARIABLES = {"dialogs": "EQUIPAGE_DIALOGS", "locales": "EQUIPAGE_LOCALES"}


def project_dir(name: str, environ: Mapping[str, str] | None = None) -> Path:
    """`dialogs` or `locales`: its variable if set, else in the working directory, else beside
    the package (a checkout)."""
    env = os.environ if environ is None else environ
    configured = env.get(_VARIABLES[name], "").strip()
    if configured:
        return Path(configured)
    here = Path.cwd() / name
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / name


def private_folder(path: Path) -> Path:
    """Create the folder (and missing parents) readable by its owner only, whatever the umask.

    Folders that already exist keep their mode: the data folder may be a shared one."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        os.chmod(folder, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create the file if absent, and make it readable by its owner only, whatever the umask."""
    private_folder(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write a whole file that only its owner may read, never readable by others meanwhile."""
    private_file(path)
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "wb") as target:
        target.write(data)
    return path


def fsync_folder(path: Path) -> None:
    """Make a rename or a new file in this folder durable (the entry itself, not only the data)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
