"""Bot API methods about the bot itself: identity, commands, callbacks, files, session."""

from __future__ import annotations

import re

from . import validation
from .api_types import Handler
from .errors import bad_request
from .models import Json
from .params import Params
from .state import World, scope_key

_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


async def get_me(world: World, params: Params) -> Json:
    return world.bot


def _command_key(params: Params) -> tuple[str, str]:
    scope = params.json("scope")
    if scope is not None and (not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES):
        raise bad_request("can't parse BotCommandScope JSON object")
    language = params.text("language_code") or ""
    if language and not _LANGUAGE_CODE.match(language):
        raise bad_request("invalid language code specified")
    return scope_key(scope), language


async def set_my_commands(world: World, params: Params) -> bool:
    commands = validation.bot_commands(params.json("commands"))
    world.commands[_command_key(params)] = commands
    world.changes.notify()
    return True


async def get_my_commands(world: World, params: Params) -> list[Json]:
    commands = world.commands.get(_command_key(params), [])
    return [{"command": command, "description": text} for command, text in commands]


async def delete_my_commands(world: World, params: Params) -> bool:
    world.commands.pop(_command_key(params), None)
    world.changes.notify()
    return True


async def answer_callback_query(world: World, params: Params) -> bool:
    click = world.clicks.get(params.text("callback_query_id") or "")
    if click is None or click.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = validation.callback_answer_text(params.text("text"))
    click.answered = True
    click.answer_text = text
    click.show_alert = params.flag("show_alert")
    click.url = params.text("url")
    click.message.answer_text = text
    world.changes.notify()
    return True


async def get_file(world: World, params: Params) -> Json:
    stored = world.files.get(params.text("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_api()


async def leave_chat(world: World, params: Params) -> bool:
    world.chat(params.values.get("chat_id"))
    return True


async def session_end(world: World, params: Params) -> bool:
    # close and logOut matter to the real server's sessions; the fake has none.
    return True


METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "answerCallbackQuery": answer_callback_query,
    "getFile": get_file,
    "leaveChat": leave_chat,
    "close": session_end,
    "logOut": session_end,
}
