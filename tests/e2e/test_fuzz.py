"""Property-based and adversarial tests (Hypothesis) against the real bot and its parts.

- Junk: a stranger, a person in the middle of a dialogue and their worker send random
  text in any script, markup, 4,000-character messages, commands, deep links, media,
  edits, and presses on live, stale, forged and mutated buttons; thousands of updates
  to the real Application over the fake Bot API. After every update: no handler
  failed, Telegram refused nothing, the sender got an answer; at the end, the person's
  stored answers are as they were.
- Hostile words through the front door: the same kind of text given as valid answers,
  summary topics and agreement wording, followed wherever it is read back (recaps,
  button labels, the worker's HTML summary, agreements, exports).
- Pure functions: callback data decoding, and splitting long texts into messages.

Each example of the first two starts its own fake server, database and bot (~0.2 s), so
examples are independent and the tests are plain synchronous functions. Examples are
derandomized: every run, on every machine, plays the same ones.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import itertools
import json
import logging
import os
import re
import string
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from aiohttp import web
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from telegram.ext import AIORateLimiter

from bot.actions import AnswerButton, Callback, RightsButton
from bot.config import Settings, load_settings
from bot.engine.model import BACK, DONE, FIX, NO, OTHER, PREVIOUS, SKIP, SWITCH_SCALE, YES
from bot.engine.prompts import CORRECT_PREFIX
from bot.i18n import ui_text
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.app import PERSON_COMMANDS, inbox_of
from bot.telegram.callbacks import MAX_BYTES, ForgedCallback, decode, encode
from bot.telegram.joining import WORKER_COMMANDS
from bot.telegram.render import MESSAGE_LIMIT, split_text
from tests.conftest import ROOT, running_bot
from tests.e2e.helpers import (
    App,
    again,
    asked,
    expect,
    finish_probleme,
    open_dialogue,
    person_joins,
    services_of,
    start_code,
    title,
    ui_piece,
    ui_start,
    worker_joins,
)
from tests.fakegram import BotMessage, FakeTelegram, FakeUser
from tests.fakegram.html_entities import utf16_len
from tests.fakegram.validation import MAX_CAPTION_LENGTH as MAX_CAPTION
from tests.fakegram.validation import MAX_TEXT_LENGTH as MAX_TEXT

T = TypeVar("T")

# -- budget ------------------------------------------------------------------------------

EXAMPLES = 25  # each a fresh bot (~0.3 s to set up) and 60 to 120 updates: ~35 s in all
MIN_ACTIONS, MAX_ACTIONS = 60, 120
# A bot that is merely slow under load still answers well within this.
REPLY_TIMEOUT = 30.0

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run and every machine
    deadline=None,  # no wall-clock assertion: CI machines vary
    database=None,  # nothing written into the repository
    # No shrinking: each shrink step restarts a bot, and shrinking a long action list
    # could outlast pytest's timeout. A failure names the action it happened at and
    # lists the actions before it, which is what one needs to replay it by hand.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=(
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ),
)

# -- what the actors send -------------------------------------------------------------------

Actor = Literal["stranger", "person", "worker"]
# The person gets half of the junk: they are the one with something to lose.
ACTORS: tuple[Actor, ...] = ("person", "person", "person", "worker", "worker", "stranger")

# Whatever Unicode a Telegram message can carry: no lone surrogates (not valid UTF-8,
# Telegram cannot deliver them), no NUL (no client sends one).
CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
WORD_CHARS = st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))
words = st.text(CHARS, min_size=1, max_size=120)
LOWER, LETTERS, DIGITS = string.ascii_lowercase, string.ascii_letters, string.digits


def spelled(alphabet: str, least: int, most: int) -> st.SearchStrategy[str]:
    """Text from `alphabet` (st.from_regex would do, but crowds out the other branches)."""
    return st.text(st.sampled_from(alphabet), min_size=least, max_size=most)


def weighted(*choices: tuple[int, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """One of `choices`, about as often as its weight says.

    st.one_of lets branches with more structure crowd out the others (plain text came
    up in one example out of ten); an explicit draw keeps the mix as intended.
    """
    branches = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(min_value=0, max_value=len(branches) - 1).flatmap(branches.__getitem__)


# Pieces of HTML, Markdown, format strings and tricky Unicode that break naive code.
FRAGMENTS = (
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    '<a href="tg://user?id=1">',
    "</a>",
    "<br>",
    "<",
    ">",
    "&",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x110000;",
    "*",
    "**",
    "_",
    "__",
    "[",
    "](http://x)",
    ")",
    "~",
    "`",
    "```",
    "||",
    "\\",
    "{}",
    "{0}",
    "{person}",
    "{worker}",
    "{{",
    "}}",
    "%s",
    "%(name)s",
    "$1",
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200d",  # zero-width joiner
    "\ufeff",
    "\u2028",
    "\n",
    "\n\n",
    " ",
    "\t",
    "👩‍👩‍👧‍👦",
    "🇫🇷",
    "e\u0301",
    "ﷺ",
    "𝕏",
    "سلام",
    "/menu",
    "@equipage_test_bot",
    "v1|a|1|1|1",
    "?start=",
    "3114",
    "je veux mourir",
)
markup = st.lists(st.one_of(st.sampled_from(FRAGMENTS), words), min_size=1, max_size=25).map(
    "".join
)


def _as_telegram_delivers(text: str) -> str:
    """Telegram trims what users send, and 4,096 UTF-16 code units is the most it takes."""
    delivered = text.strip()
    if utf16_len(delivered) > MESSAGE_LIMIT:
        units = itertools.accumulate(2 if ord(char) > 0xFFFF else 1 for char in delivered)
        delivered = delivered[: sum(1 for total in units if total <= MESSAGE_LIMIT)].strip()
    return text if delivered == text else delivered


class Repeated(str):
    """`piece` repeated to `size` characters, as delivered; cheap to draw, short to print."""

    piece: str
    size: int

    def __new__(cls, piece: str, size: int) -> Repeated:
        text = super().__new__(
            cls, _as_telegram_delivers((piece * (size // len(piece) + 1))[:size])
        )
        text.piece, text.size = piece, size
        return text

    def __repr__(self) -> str:
        return f"Repeated({self.piece!r}, {self.size})"


long_text = st.builds(
    Repeated, st.one_of(words, markup, st.just("x")), st.integers(min_value=3000, max_value=4096)
)


message_text = (
    weighted((2, words), (2, markup), (1, long_text)).map(_as_telegram_delivers).filter(bool)
)

# Every command a person or a worker has, their English aliases, and the admin's.
KNOWN_COMMANDS = tuple(
    sorted(
        {name for name, _ in (*PERSON_COMMANDS, *WORKER_COMMANDS)}
        | {"start", "help", "cancel", "language", "emergency", "inviter_intervenant"}
    )
)
command_name = st.one_of(
    st.sampled_from(KNOWN_COMMANDS),
    st.sampled_from(KNOWN_COMMANDS).map(str.upper),
    spelled(LOWER + DIGITS + "_", 1, 40),
    st.text(WORD_CHARS, min_size=1, max_size=20),
)
addressee = st.sampled_from(("", "", "", "@equipage_test_bot", "@EQUIPAGE_TEST_BOT", "@other_bot"))
command_args = st.one_of(st.just(""), words, markup)


def _command(name: str, to: str, args: str) -> str:
    return _as_telegram_delivers(f"/{name}{to} {args}")


command_text = st.builds(_command, command_name, addressee, command_args)
deep_link = st.builds(
    lambda payload: f"/start {payload}",
    st.one_of(
        spelled(LETTERS + DIGITS + "_-", 1, 100),
        st.text(WORD_CHARS, min_size=1, max_size=100),
    ),
)


def _fit(data: str) -> str:
    """At most 64 bytes of UTF-8 and never empty, as any callback_data Telegram carries."""
    cut = data.encode()[:MAX_BYTES].decode(errors="ignore")
    return cut or "-"


# What callback data is made of, beyond the action names callbacks.py lists itself.
CALLBACK_WORDS = (
    *("v1", "v2", "-", "0", "5", "10", "0123456789abcdef", "fr", "en", "zz"),
    *"abcdefghijklmnopqrstuvwxyz",  # kinds of buttons, known or not
    *("erase", "keep", "call", "no", "probleme", "forces", "idees", "moi", "logement"),
    *(SKIP, OTHER, DONE, YES, NO, FIX, BACK, SWITCH_SCALE, f"{CORRECT_PREFIX}0", "c99"),
)
# Small ids hit what exists in a young database (persons, runs, summaries, invitations
# of the other actors); a few large ones hit nothing.
ids = st.one_of(st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=10**12))


def _vocabulary() -> tuple[str, ...]:
    """Every word callback data is made of: ours, and the action names callbacks.py lists."""
    found = set(CALLBACK_WORDS)
    for value in vars(callbacks).values():
        if isinstance(value, tuple | frozenset) and all(isinstance(v, str) for v in value):
            found.update(value)
        if isinstance(value, re.Pattern):  # "(noted|cannot)" in a pattern: two more words
            for group in re.findall(r"\(([a-z_]+(?:\|[a-z_]+)+)\)", str(value.pattern)):
                found.update(group.split("|"))
    return tuple(sorted(found))


VOCABULARY = _vocabulary()
callback_field = st.one_of(
    st.integers(min_value=-2, max_value=40).map(str),
    st.integers(min_value=0, max_value=10**13).map(str),
    st.sampled_from(VOCABULARY),
    st.text(CHARS, max_size=12),
)


def _is_int(field: dataclasses.Field[Any]) -> bool:
    return field.type in (int, "int")


def _readable_words(kind: type[Any]) -> list[tuple[str, ...]]:
    """The words for this kind's text fields that decode accepts: found by asking it."""
    names = [field.name for field in dataclasses.fields(kind) if not _is_int(field)]
    found = []
    for words in itertools.product(VOCABULARY, repeat=len(names)):
        values = {field.name: 1 for field in dataclasses.fields(kind) if _is_int(field)}
        button = kind(**values, **dict(zip(names, words, strict=True)))
        with contextlib.suppress(ForgedCallback, ValueError):
            if decode(encode(button)) == button:
                found.append(words)
    return found


def _button(kind: type[Any]) -> st.SearchStrategy[Callback]:
    """Any button of this kind: mostly words it accepts, always ids and turns of our own."""
    names = [field.name for field in dataclasses.fields(kind) if not _is_int(field)]
    any_words = st.tuples(*(st.sampled_from(VOCABULARY) for _ in names))
    readable = _readable_words(kind)
    words = weighted((4, st.sampled_from(readable)), (1, any_words)) if readable else any_words
    numbers = {field.name: ids for field in dataclasses.fields(kind) if _is_int(field)}
    built: st.SearchStrategy[Callback] = st.builds(
        lambda chosen, **rest: kind(**rest, **dict(zip(names, chosen, strict=True))),
        words,
        **numbers,
    )
    return built


def _encoded(button: Callback) -> str:
    try:
        return encode(button)
    except ValueError:  # over 64 bytes: cut, as a client would have to
        return _fit("|".join(str(v) for v in ("v1", *vars(button).values())))


# Well-formed data with the wrong ids, turns or values (every kind of button, new ones
# included): it decodes fine, so it reaches the handlers, which must refuse what is
# not the presser's.
well_formed = weighted(*((1, _button(kind)) for kind in get_args(Callback)))
forged_data = weighted(
    (3, well_formed.map(_encoded)),
    (2, st.text(CHARS, min_size=1, max_size=64).map(_fit)),
    (
        2,
        st.builds(
            lambda kind, fields: _fit("|".join(("v1", kind, *fields))),
            st.sampled_from(string.ascii_lowercase),
            st.lists(callback_field, max_size=5),
        ),
    ),
)


@dataclass(frozen=True)
class Send:
    """A text message: free text, markup, a long text, a command or a deep link."""

    actor: Actor
    text: str


@dataclass(frozen=True)
class Edit:
    """The actor edits their last text message."""

    actor: Actor
    text: str


@dataclass(frozen=True)
class Media:
    actor: Actor
    kind: Literal["voice", "sticker", "photo", "location", "contact"]
    text: str = ""  # sticker emoji, photo caption or contact phone number
    number: float = 0.0  # voice duration, or latitude (longitude is derived)


@dataclass(frozen=True)
class Press:
    """A button press: on the live keyboard, a stale button, forged or mutated data.

    `pick` chooses the button (or the earlier callback data to mutate) among those
    seen when the action runs; `target` the message it is pressed on (0: the newest).
    """

    actor: Actor
    how: Literal["live", "stale", "forged", "mutated"]
    pick: int = 0
    target: int = 0
    data: str = ""  # forged data, or the replacement a mutation puts in
    mutation: Literal["truncate", "prefix", "suffix", "field", "swap"] = "field"


@dataclass(frozen=True)
class OpenInvite:
    """The stranger opens the worker's newest invitation link, maybe garbled."""

    mangle: Literal["exact", "truncate", "upper", "suffix"]


Action = Send | Edit | Media | Press | OpenInvite

actors = st.sampled_from(ACTORS)
sends = st.builds(Send, actors, weighted((3, message_text), (2, command_text), (1, deep_link)))
edits = st.builds(Edit, actors, weighted((3, message_text), (1, command_text)))
medias = st.one_of(
    st.builds(Media, actors, st.just("voice"), number=st.integers(0, 3600).map(float)),
    st.builds(Media, actors, st.just("sticker"), st.sampled_from(("👍", "😢", "🇫🇷", "❤️"))),
    st.builds(Media, actors, st.just("photo"), st.one_of(st.just(""), words, markup)),
    st.builds(Media, actors, st.just("location"), number=st.floats(-90, 90, allow_nan=False)),
    st.builds(Media, actors, st.just("contact"), spelled("+" + DIGITS + " ", 1, 20)),
)
picks = st.integers(min_value=0, max_value=1000)
presses = weighted(
    (3, st.builds(Press, actors, st.just("live"), picks, picks)),
    (2, st.builds(Press, actors, st.just("stale"), picks, picks)),
    (3, st.builds(Press, actors, st.just("forged"), picks, picks, forged_data)),
    (
        2,
        st.builds(
            Press,
            actors,
            st.just("mutated"),
            picks,
            picks,
            callback_field,
            st.sampled_from(("truncate", "prefix", "suffix", "field", "swap")),
        ),
    ),
)
invites = st.builds(OpenInvite, st.sampled_from(("exact", "truncate", "upper", "suffix")))
# Presses and sends first: they reach the most code; media and edits are simpler paths.
action = weighted((4, sends), (4, presses), (2, medias), (1, edits), (1, invites))


# -- the fake server, recording what Telegram refused -----------------------------------------


class RecordingTelegram(FakeTelegram):
    """The fake Bot API, also keeping every error response: what Telegram refused.

    The fake counts a text's length in characters; Telegram counts UTF-16 code units
    (an emoji outside the BMP is two), so the lengths are checked again here.
    """

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[tuple[str, int, str]] = []

    async def _serve_method(self, request: web.Request) -> web.Response:
        response = await super()._serve_method(request)
        method = request.match_info["method"]
        body = response.body if isinstance(response.body, bytes) else b""
        if response.status >= 400:
            self.refused.append((method, response.status, body.decode(errors="replace")))
            return response
        result = json.loads(body or b"{}").get("result")
        if isinstance(result, dict):
            for key, limit in (("text", MAX_TEXT), ("caption", MAX_CAPTION)):
                size = utf16_len(result.get(key) or "")
                if size > limit:
                    self.refused.append((method, 400, f"{key} of {size} UTF-16 code units"))
        return response


class ProblemRecords(logging.Handler):
    """Log records that mean something went wrong: any error, and our own warnings."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.name.split(".")[0] in ("bot", "telegram"):
            self.records.append(record)

    def describe(self) -> list[str]:
        described = []
        for record in self.records:
            extra = {k: v for k, v in vars(record).items() if k in ("error", "stack", "item")}
            line = f"{record.levelname} {record.name}: {record.getMessage()} {extra}"
            if record.exc_info and record.exc_info[1] is not None:
                line += f" [{type(record.exc_info[1]).__name__}: {record.exc_info[1]}]"
            described.append(line)
        return described


@contextmanager
def problem_records() -> Iterator[ProblemRecords]:
    handler = ProblemRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def bot_settings(fake: FakeTelegram, directory: Path) -> Settings:
    """As the `settings` fixture of tests/conftest.py: a fresh database and key, the fake."""
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "EQUIPAGE_DATABASE": str(directory / "equipage.sqlite3"),
            "EQUIPAGE_DATA_KEY": key,
            "EQUIPAGE_DIALOGS": str(ROOT / "dialogs"),
            # Scripted users type at machine speed; the limits have their own tests.
            "EQUIPAGE_RATE_BURST": "100000",
            "EQUIPAGE_CHAT_BURST": "100000",
        }
    )


def lift_flood_limit(app: App) -> None:
    """Let the bot send as fast as the fake answers.

    The rate limiter keeps the bot under Telegram's 30 messages a second overall, which
    would make thousands of updates take minutes; it stays in the request path, only
    that budget goes (EQUIPAGE_CHAT_BURST lifts the pace per chat).
    """
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, AIORateLimiter)
    limiter._base_limiter = None


# -- one example: three actors, a list of actions -------------------------------------------


@dataclass
class Chat:
    """One actor's chat, and every callback button seen in it so far."""

    user: FakeUser
    seen: list[tuple[str, BotMessage]] = field(default_factory=list)
    sent_text: bool = False

    def remember_buttons(self) -> None:
        known = {data for data, _ in self.seen}
        for message in self.user.messages:
            for row in message.buttons:
                for _, data in row:
                    if data is not None and data not in known:
                        known.add(data)
                        self.seen.append((data, message))


@dataclass
class Snapshot:
    """The person's answers before the junk: a finished run, and one in progress."""

    finished_run: int
    finished_state: dict[str, Any]
    active_run: int
    active_answers: dict[str, Any]


class Session:
    """A running bot, its fake Telegram, and the three actors."""

    def __init__(
        self,
        fake: RecordingTelegram,
        app: App,
        chats: dict[Actor, Chat],
        problems: ProblemRecords,
    ) -> None:
        self.fake = fake
        self.app = app
        self.chats = chats
        self.problems = problems
        self.done: list[str] = []  # what each action actually did, for failure messages
        self.updates = 0

    @property
    def services(self) -> Services:
        return services_of(self.app)

    def context(self) -> str:
        recent = "\n".join(f"  {line[:300]}" for line in self.done[-12:])
        return f"after {len(self.done)} actions; the last ones:\n{recent}"

    async def settle(self) -> None:
        """Wait until the bot has fetched and fully handled every update sent so far."""
        await self.fake.wait_for(
            lambda: self.fake.pending_updates == 0,
            timeout=REPLY_TIMEOUT,
            message=f"the bot stopped fetching updates {self.context()}",
        )
        await asyncio.wait_for(inbox_of(self.app).join(), REPLY_TIMEOUT)
        for chat in self.chats.values():
            chat.remember_buttons()
        self.assert_no_trouble()

    def assert_no_trouble(self) -> None:
        """No handler failed and Telegram refused nothing; checked after every action."""
        trouble = [
            *self.problems.describe(),
            *(f"Telegram refused: {refused}" for refused in self.fake.refused),
        ]
        assert not trouble, "\n".join(["something went wrong:", *trouble, self.context()])

    async def perform(self, action: Action) -> None:
        if isinstance(action, OpenInvite):
            await self._open_invite(action)
            return
        chat = self.chats[action.actor]
        if isinstance(action, Press):
            await self._press(action.actor, chat, action)
            return
        before = len(chat.user.messages)
        if isinstance(action, Send):
            text = action.text
            if action.actor == "person" and _commands_going_back(text):
                text = "/aide"  # like "erase": a deliberate change of answers, not junk
            self.done.append(f"{action.actor} sends {text!r}")
            await chat.user.send(text)
            chat.sent_text = True
        elif isinstance(action, Edit):
            if not chat.sent_text:
                return
            self.done.append(f"{action.actor} edits their last message into {action.text!r}")
            await chat.user.edit_last(action.text)
        else:
            self.done.append(f"{action.actor} sends a {action.kind} {action}")
            await self._media(chat.user, action)
        self.updates += 1
        await self.settle()
        # Whatever arrives, the bot says something back: nobody is left in silence.
        await self.fake.wait_for(
            lambda: len(chat.user.messages) > before,
            timeout=REPLY_TIMEOUT,
            message=f"no reply to {action.actor} {self.context()}",
        )

    async def _media(self, user: FakeUser, media: Media) -> None:
        if media.kind == "voice":
            await user.send_voice(int(media.number))
        elif media.kind == "sticker":
            await user.send_sticker(media.text)
        elif media.kind == "photo":
            await user.send_photo(caption=_as_telegram_delivers(media.text)[:1024] or None)
        elif media.kind == "location":
            await user.send_location(media.number, (media.number * 2) % 180)
        else:
            await user.send_contact(media.text)

    async def _press(self, actor: Actor, chat: Chat, press: Press) -> None:
        user = chat.user
        messages = user.messages
        if not messages:
            # Nothing to press on yet: say hello instead.
            await self.perform(Send(actor, "/start"))
            return
        on = messages[-1 - press.target % len(messages)]
        if press.how == "live":
            live = [
                (data, message)
                for message in reversed(messages)
                for row in message.buttons
                for _, data in row
                if data is not None
            ]
            if not live:
                await self.perform(Press(actor, "forged", target=press.target, data="v1|m|menu|-"))
                return
            newest = live[0][1]
            choices = [data for data, message in live if message is newest]
            data, on = choices[press.pick % len(choices)], newest
        elif press.how == "forged":
            data = press.data
        elif not chat.seen:
            data = _fit(press.data or "-")
        else:
            seen, message = chat.seen[press.pick % len(chat.seen)]
            if press.how == "stale":
                data = seen
                on = message if not message.deleted else on
            else:
                others = [d for d, _ in chat.seen]
                data = mutate(seen, press.mutation, press.data, others, press.target)
        if actor == "person" and (_erases(data) or _goes_back(data)):
            # Erasing everything, or going back to answer again, is what those buttons are
            # for: the presses that may change the stored answers. The person says "keep".
            data = encode(RightsButton("keep"))
        self.done.append(f"{actor} presses {data!r} ({press.how}) on #{on.message_id}")
        try:
            await user.click_data(data, message=on, timeout=REPLY_TIMEOUT)
        except AssertionError:
            # Never answered: a failed handler explains why better than the timeout.
            self.assert_no_trouble()
            raise
        self.updates += 1
        await self.settle()

    async def _open_invite(self, invite: OpenInvite) -> None:
        links = [m for m in self.chats["worker"].user.messages if "?start=" in m.text]
        if not links:
            await self.perform(Send("worker", "/inviter"))
            return
        code = start_code(links[-1])
        garbled = {
            "exact": code,
            "truncate": code[: len(code) // 2],
            "upper": code.upper(),
            "suffix": code + "x",
        }[invite.mangle]
        await self.perform(Send("stranger", f"/start {garbled}"))


def mutate(data: str, how: str, piece: str, others: Sequence[str], index: int) -> str:
    """Real callback data, changed the way a tampering client or a bit flip would."""
    parts = data.split("|")
    if how == "truncate":
        return _fit(data[: max(1, index % len(data))])
    if how == "prefix":
        return _fit(piece + data)
    if how == "suffix":
        return _fit(data + piece)
    position = index % len(parts)
    if how == "swap":
        # The same field from another button: another run, turn, summary or person.
        other = others[index % len(others)].split("|")
        piece = other[position] if position < len(other) else piece
    parts[position] = piece
    return _fit("|".join(parts))


def _goes_back(data: str) -> bool:
    try:
        decoded = decode(data)
    except ForgedCallback:
        return False
    return isinstance(decoded, AnswerButton) and decoded.value == PREVIOUS


def _commands_going_back(text: str) -> bool:
    """/retour (or /back), however spelled: it goes back to answer again, on purpose."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return first.lower().split("@")[0] in ("/retour", "/back")


def _erases(data: str) -> bool:
    try:
        decoded = decode(data)
        return isinstance(decoded, RightsButton) and decoded.action == "erase"
    except ForgedCallback:
        return False


async def set_up(
    fake: RecordingTelegram, app: App, problems: ProblemRecords
) -> tuple[Session, Snapshot]:
    """A worker; their person, who finished Mon problème and is in the middle of Mes forces."""
    worker, _ = await worker_joins(fake, app, "Séverine")
    person = await person_joins(fake, app, "Ana", worker_user=worker)
    await finish_probleme(person, "Les factures <b>s'accumulent</b> & {0}")
    await open_dialogue(person, title("forces"))
    await person.next_message()
    await expect(person, asked("forces", "logement"))
    await person.click("6")
    await expect(person, asked("forces", "logement_bien"))
    await person.send("Ma voisine m'aide")
    await expect(person, asked("forces", "argent_papiers"))
    stranger = fake.user("Zoé", language_code="ar")
    chats: dict[Actor, Chat] = {
        "worker": Chat(worker),
        "person": Chat(person),
        "stranger": Chat(stranger),
    }
    session = Session(fake, app, chats, problems)
    session.chats["person"].sent_text = session.chats["worker"].sent_text = True
    await session.settle()

    storage = session.services.storage
    found = await storage.person_by_account(f"telegram:{person.id}")
    assert found is not None
    finished = await storage.finished_runs(found.id, "probleme")
    active = await storage.active_run(found.id, "forces")
    assert len(finished) == 1 and active is not None
    assert set(active.state["answers"]) == {"logement", "logement_bien"}
    return session, Snapshot(
        finished[0].id, finished[0].state, active.id, dict(active.state["answers"])
    )


async def check_answers_unchanged(session: Session, snapshot: Snapshot) -> None:
    """What the person had answered before the junk is still exactly there.

    Sound because nothing the junk can do may change it: a finished run is never
    written again (Refaire starts a new run), and the presses that change answers on
    purpose — "erase" after /effacer, "↩︎ Retour" and /retour — are never sent by the
    person (see Session._press and Session.perform). Junk may add answers
    to later questions of Mes forces: valid input is valid, whoever types it.
    """
    storage = session.services.storage
    finished = await storage.get_run(snapshot.finished_run)
    assert finished is not None, f"the finished run is gone {session.context()}"
    assert finished.state == snapshot.finished_state, (
        f"a finished dialogue changed {session.context()}"
    )
    active = await storage.get_run(snapshot.active_run)
    assert active is not None, f"the run in progress is gone {session.context()}"
    kept = {key: active.state["answers"].get(key) for key in snapshot.active_answers}
    assert kept == snapshot.active_answers, f"an answer changed {session.context()}"


async def outbox_drained(session: Session) -> None:
    """Everything queued for delivery (summaries, agreements, notices) went out."""
    services = session.services

    async def empty() -> bool:
        return not await services.storage.due_outbox(services.clock.now())

    for _ in range(int(REPLY_TIMEOUT / 0.01)):
        if await empty():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the outbox never emptied {session.context()}")


async def run_example(actions: Sequence[Action]) -> int:
    """Start a bot, set up the actors, play the actions, check; the number of updates."""
    with tempfile.TemporaryDirectory() as directory, problem_records() as problems:
        async with RecordingTelegram() as fake:
            async with running_bot(bot_settings(fake, Path(directory))) as app:
                lift_flood_limit(app)
                session, snapshot = await set_up(fake, app, problems)
                for action in actions:
                    await session.perform(action)
                # After all that, help still comes to whoever asks.
                for actor in ("stranger", "worker", "person"):
                    await session.perform(Send(actor, "/aide"))
                await outbox_drained(session)
                await check_answers_unchanged(session, snapshot)
            # Stopping the bot must not fail either.
            session.assert_no_trouble()
    return session.updates


def test_junk_from_three_actors_breaks_nothing() -> None:
    """Thousands of junk updates: no failure, no refused request, no silence, no lost answer."""
    sent: list[int] = []

    @FUZZ_SETTINGS
    @given(st.lists(action, min_size=MIN_ACTIONS, max_size=MAX_ACTIONS))
    # What fuzzing once found, replayed first on every run: a worker's button for someone
    # else's person (answered twice), a setting tapped twice (edited into itself).
    @example([Press("worker", "forged", data="v1|w|card|99")])
    @example([Send("person", "/reglages"), Press("person", "live"), Press("person", "live")])
    def play(actions: list[Action]) -> None:
        sent.append(asyncio.run(run_example(actions)))

    play()
    # Seen with pytest -s: how much junk this test really sent.
    print(f"\nfuzz: {sum(sent)} junk updates in {len(sent)} examples")


# -- hostile words through every valid path --------------------------------------------------

# What a person or a worker may legitimately type, at its worst: markup, 4,000 characters,
# any script. Accepted as answers, it then flows into recaps, button labels, summaries
# (HTML for the worker), agreements and exports: every one must remain a valid message.
# (Not a command: "/menu…" is one, whatever follows.)
hostile = (
    weighted((2, markup), (2, long_text), (1, words))
    .map(_as_telegram_delivers)
    .filter(lambda text: bool(text) and not text.startswith("/"))
)


def _pseudonym(raw: str) -> str:
    """As /inviter keeps it: single spaces, 40 characters at most."""
    return " ".join(raw.split())[:40].strip()


pseudonyms = (
    st.lists(
        st.one_of(
            st.sampled_from(("<b>", "&amp;", "{0}", "*_`", "Ana", "😢", "\u202eAli", "Zoé")),
            st.text(WORD_CHARS, min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=5,
    )
    .map(" ".join)
    .map(_pseudonym)
    .filter(bool)
)
# A long but ordinary name: every text quoting the worker has less room left.
LONG_WORKER_NAME = "Marie-Christine Dupont-Lefebvre"


async def until(session: Session, user: FakeUser, fragment: str) -> BotMessage:
    """The next bot message containing `fragment`, skipping others (safety, notices); words
    the safety step held ("je veux mourir" among them) are kept, so the journey goes on."""
    session.done.append(f"waits for {fragment!r} in the chat with {user.first_name}")
    while True:
        message = await user.next_message(timeout=REPLY_TIMEOUT)
        session.assert_no_trouble()
        if fragment in message.text:
            return message
        if message.text == ui_text("safety.keep_question"):
            await user.click(ui_text("safety.keep_yes"), message=message)


async def arrives(
    session: Session, user: FakeUser, fragment: str, *, button: str = ""
) -> BotMessage:
    """A message the courier delivers in the background, with `fragment` and `button`."""
    session.done.append(f"waits for {fragment or button!r} to reach {user.first_name}")
    for _ in range(int(REPLY_TIMEOUT / 0.01)):
        # A refused delivery is reported at once, rather than as a timeout.
        session.assert_no_trouble()
        for message in reversed(user.messages):
            labels = message.button_labels
            if fragment in message.text and (not button or any(button in x for x in labels)):
                return message
        await asyncio.sleep(0.01)
    raise AssertionError(f"{fragment or button!r} never reached {user} {session.context()}")


async def choose(session: Session, user: FakeUser, title: str) -> None:
    """/menu, then a dialogue's button (replies of several messages are skipped)."""
    await user.send("/menu")
    await until(session, user, ui_start("bot.menu"))
    await user.click(title)


async def first_button(session: Session, user: FakeUser, message: BotMessage) -> None:
    """Press the first button of `message` (its label comes from the person's words)."""
    data = message.buttons[0][0][1]
    assert data is not None
    await user.click_data(data, message=message, timeout=REPLY_TIMEOUT)


async def hostile_journey(
    session: Session, person: FakeUser, worker: FakeUser, pseudonym: str, texts: list[str]
) -> None:
    """Both dialogues with free text, a summary, an agreement negotiated, the exports."""
    said = iter(texts)
    # Mon problème, with "Autre" in both choices and the branch for a score of 0.
    await choose(session, person, title("probleme"))
    for fragment in (asked("probleme", "difficulte"), asked("probleme", "titre")):
        await until(session, person, fragment)
        await person.send(next(said))
    await until(session, person, asked("probleme", "concernes"))
    await person.click(ui_text("engine.other"))
    await until(session, person, ui_text("engine.other_prompt"))
    await person.send(next(said))
    await until(session, person, asked("probleme", "concernes"))
    await person.click(ui_start("engine.done"))
    for fragment in (asked("probleme", "mieux"), asked("probleme", "moments")):
        await until(session, person, fragment)
        await person.send(next(said))
    await until(session, person, asked("probleme", "situation"))
    await person.click("0")
    await until(session, person, asked("probleme", "tenir"))
    await person.send(next(said))
    await until(session, person, asked("probleme", "importance"))
    await person.click("10")
    await until(session, person, asked("probleme", "domaine"))
    await person.click(ui_text("engine.other"))
    await until(session, person, ui_text("engine.other_prompt"))
    await person.send(next(said))
    # A long recap comes in several messages, its buttons on the last; a short one in one
    # message holding both sentences: waiting for the question alone covers both.
    recap = await until(session, person, ui_text("engine.recap_question"))
    await person.click(ui_start("engine.recap_yes"), message=recap)
    await until(session, person, ui_start("bot.menu"))

    # Mes idées: the person's idea comes back as the label of a button.
    await choose(session, person, title("idees"))
    for step in ("deja_essaye", "idee", "bloquer"):
        await until(session, person, asked("idees", step))
        await person.send(next(said))
    await until(session, person, asked("idees", "aide"))
    await person.click(ui_start("engine.skip"))
    await until(session, person, again("idees", "idees"))
    await person.click(ui_start("engine.no"))
    await first_button(session, person, await until(session, person, asked("idees", "premier_pas")))
    await until(session, person, asked("idees", "confiance"))
    await person.click("8")
    await until(session, person, asked("idees", "quand"))
    await person.send(next(said))
    recap = await until(session, person, ui_text("engine.recap_question"))
    await person.click(ui_start("engine.recap_yes"), message=recap)
    await until(session, person, asked("idees", "rappel"))
    await person.click(ui_text("engine.no"))
    await until(session, person, ui_start("bot.menu"))

    # The summary: previewed by the person, delivered to the worker as HTML.
    await person.send("/preparer")
    await until(session, person, ui_start("summary.topics_question"))
    await person.send(next(said))
    await until(session, person, ui_start("summary.preview_header"))
    control = await until(session, person, ui_piece("summary.control"))
    await person.click(ui_text("summary.send"), message=control)
    await until(session, person, ui_start("summary.sent"))
    # Its last part carries the buttons: once it is there, the whole summary is.
    summary = await arrives(session, worker, "", button=ui_text("worker.ack"))
    # One HTML message, or the top in HTML and the whole as a document.
    assert any(m.html for m in worker.messages)
    await worker.click(ui_text("worker.ack"), message=summary)
    await arrives(session, person, ui_piece("summary.acknowledged"))

    # What was agreed: the worker's words, then the person's, each way.
    await worker.send("/personnes")
    await until(session, worker, ui_text("worker.persons_header"))
    await worker.click(pseudonym)
    await until(session, worker, ui_piece("worker.card"))
    await worker.click(ui_text("worker.card_agree"))
    await until(session, worker, ui_text("worker.agree_problem_question").splitlines()[1])
    await worker.send(next(said))
    await until(session, worker, ui_start("worker.agree_steps_question"))
    # One line, so one step (each line of the worker's text is a step of its own).
    await worker.send("A " + " ".join(next(said).splitlines()))
    await until(session, worker, ui_piece("worker.agree_preview"))
    # A long preview comes in several messages, the buttons on the last one.
    preview = await arrives(session, worker, "", button=ui_text("worker.agree_redo"))
    await worker.click(ui_text("worker.agree_send"), message=preview)
    await until(session, worker, ui_start("worker.agree_sent"))
    await arrives(session, person, ui_text("agreement.question"))
    await person.click(ui_text("agreement.change_step"))
    await until(session, person, ui_start("agreement.which_part"))
    await person.click(ui_text("agreement.part_what"))
    await until(session, person, ui_text("agreement.ask_what"))
    await person.send("B " + next(said))
    await until(session, person, ui_start("agreement.preview"))
    preview = await arrives(session, person, "", button=ui_text("agreement.drop"))
    await person.click(ui_text("agreement.send"), message=preview)
    await until(session, person, ui_text("agreement.amended_sent"))
    await arrives(session, worker, ui_piece("worker.agreement_amended"))
    question = await arrives(session, worker, ui_text("agreement.question"))
    await worker.click(ui_text("agreement.ok"), message=question)
    await arrives(session, person, ui_piece("agreement.accepted_by_worker"))

    # Every place the words are read back.
    await person.send("/convenu")
    await until(session, person, ui_text("agreement.history_header"))
    await worker.send("/personnes")
    await until(session, worker, ui_text("worker.persons_header"))
    await worker.click(pseudonym)
    await until(session, worker, ui_piece("worker.card"))
    await worker.click(ui_text("worker.card_rounds"))
    await until(session, worker, ui_piece("worker.rounds_header"))
    await worker.click(ui_text("worker.card_summaries"))
    await until(session, worker, ui_piece("worker.history_header"))
    await choose(session, person, ui_text("bot.menu_done", title=title("probleme")))
    await until(session, person, ui_piece("bot.version_header"))
    await person.send("/mes_donnees")
    await until(session, person, ui_start("rights.export_intro"))
    await session.fake.wait_for(lambda: sum(m.document is not None for m in person.messages) == 2)
    await session.settle()


async def run_hostile_example(pseudonym: str, texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as directory, problem_records() as problems:
        async with RecordingTelegram() as fake:
            async with running_bot(bot_settings(fake, Path(directory))) as app:
                lift_flood_limit(app)
                worker, _ = await worker_joins(fake, app, LONG_WORKER_NAME)
                person = await person_joins(fake, app, pseudonym, worker_user=worker)
                chats: dict[Actor, Chat] = {"worker": Chat(worker), "person": Chat(person)}
                session = Session(fake, app, chats, problems)
                await hostile_journey(session, person, worker, pseudonym, texts)
                await outbox_drained(session)
            session.assert_no_trouble()


@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large),
)
@given(pseudonyms, st.lists(hostile, min_size=16, max_size=16))
def test_hostile_words_stay_valid_messages_all_the_way(pseudonym: str, texts: list[str]) -> None:
    """Whatever words people use, every message quoting them is one Telegram accepts."""
    asyncio.run(run_hostile_example(pseudonym, texts))


# -- properties of pure functions ------------------------------------------------------------

# Near misses of what encode writes: the start of real data (of any kind of button),
# then a tail of digits, separators, line breaks or letters, which a sloppy pattern
# lets through.
tails = weighted(
    (1, st.text(max_size=20)),
    (2, st.text(st.sampled_from("0123456789abcdef|_-.\n \t\u0660"), max_size=20)),
    (1, st.sampled_from(("\n", "\r\n", " ", "\t", "0", "|", "\n\n", "\u2028"))),
)
near_misses = st.builds(
    lambda button, keep, tail: _encoded(button)[:keep] + tail,
    well_formed,
    # Cut somewhere, or kept whole (then the tail is all that is wrong with it).
    weighted((1, st.integers(min_value=3, max_value=40)), (1, st.just(MAX_BYTES))),
    tails,
)
any_data = weighted(
    (1, st.text(max_size=80)),
    (1, forged_data),
    (1, well_formed.map(_encoded)),
    (3, near_misses),
)


@settings(max_examples=2000, derandomize=True, deadline=None, database=None)
@given(any_data)
def test_decode_refuses_anything_it_cannot_read_and_nothing_else(data: str) -> None:
    """Anything but ForgedCallback would escape the button handler."""
    try:
        decoded = decode(data)
    except ForgedCallback:
        return
    # What it accepts means the same once written again, and fits in a button.
    again = encode(decoded)
    assert decode(again) == decoded
    assert len(again.encode()) <= MAX_BYTES


@settings(max_examples=2000, derandomize=True, deadline=None, database=None)
@given(any_data)
@example("v1|g|ok|00")  # found once: numbers with a leading zero,
@example("v1|w|card|7\n")  # and a trailing line break, were read as "0" and "7"
def test_decode_accepts_only_what_encode_writes(data: str) -> None:
    """One spelling per button: "007" or a trailing line break is not data we wrote."""
    try:
        decoded = decode(data)
    except ForgedCallback:
        return
    assert encode(decoded) == data


class Times(str):
    """`piece * count`, printed that way when Hypothesis shows a failing example."""

    piece: str
    times: int

    def __new__(cls, piece: str, times: int) -> Times:
        text = super().__new__(cls, piece * times)
        text.piece, text.times = piece, times
        return text

    def __repr__(self) -> str:
        return f"{self.piece!r} * {self.times}"


# Text in pieces: words, runs of spaces and line breaks, long runs without any break.
split_pieces = st.lists(
    weighted(
        (1, st.sampled_from((" ", "\n", "\n\n", "  ", "\t", "\u2028", "\xa0"))),
        (1, st.text(max_size=200)),
        (1, st.text(WORD_CHARS, min_size=1, max_size=400)),
        (
            2,
            st.builds(
                Times,
                st.sampled_from(("x", "é ", "👩‍👩‍👧", " ", "\n", "ab\n\n")),
                # Either a few, or about one message's worth (around the 4,096 limit).
                weighted((1, st.integers(1, 50)), (1, st.integers(MESSAGE_LIMIT - 100, 5000))),
            ),
        ),
    ),
    max_size=12,
)


@settings(max_examples=1000, derandomize=True, deadline=None, database=None)
@given(st.text(st.sampled_from(" \n\t"), max_size=3), split_pieces)
@example("", [Times(" ", 4097)])  # found once: an empty first part,
@example("", [Times("👩‍👩‍👧", 1000)])  # and parts of 4,096 characters, 6,500 in UTF-16
def test_split_text_yields_messages_telegram_accepts(lead: str, pieces: list[str]) -> None:
    """Parts of 1 to 4,096 characters, not blank, that add up to the text."""
    text = lead + "".join(pieces)
    parts = split_text(text)
    assert parts
    for part in parts:
        # Telegram counts UTF-16 code units: an emoji outside the BMP is two.
        assert 1 <= utf16_len(part) <= MESSAGE_LIMIT
        assert part.strip(), "Telegram refuses a message of only whitespace"
    if not text.strip():
        assert parts == ["…"]
    else:
        # Nothing lost or added: only whitespace at the cuts may go.
        assert "".join("".join(parts).split()) == "".join(text.split())
