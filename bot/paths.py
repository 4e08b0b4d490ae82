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
