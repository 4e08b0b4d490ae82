"""The shape shared by every Bot API method implementation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .params import Params
from .state import World

Handler = Callable[[World, Params], Awaitable[Any]]
