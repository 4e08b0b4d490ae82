"""The fake Telegram server behaves like the Bot API where our bot's tests rely on it."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from tests.fakegram import BotMessage, FakeTelegram, FakeUser, UploadedFile
from tests.fakegram.fixtures import fake_telegram  # noqa: F401 - the fixture under test
from tests.fakegram.html_entities import EntityParseError, parse_html

Json = dict[str, Any]
SAFETY = 10.0  # seconds; only reached when something is broken


class Api:
    """A raw Bot API client encoding parameters the way PTB does."""

    def __init__(self, session: aiohttp.ClientSession, server: FakeTelegram) -> None:
        self.session = session
        self.server = server

    async def call(
        self,
        method: str,
        *,
        token: str | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        client_timeout: float | None = None,
        **params: Any,
    ) -> tuple[int, Json]:
        form = aiohttp.FormData()
        for name, value in params.items():
            form.add_field(name, value if isinstance(value, str) else json.dumps(value))
        for name, (filename, data, mime) in (files or {}).items():
            form.add_field(name, data, filename=filename, content_type=mime)
        url = f"{self.server.base_url}/bot{token or self.server.token}/{method}"
        timeout = aiohttp.ClientTimeout(total=client_timeout)
        async with self.session.post(url, data=form, timeout=timeout) as response:
            return response.status, await response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self.call(method, **params)
        assert (status, body["ok"]) == (200, True), body
        return body["result"]

    async def fails(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = await self.call(method, **params)
        assert body["ok"] is False and body["error_code"] == status, body
        return status, body["description"]

    async def updates(self, **params: Any) -> list[Json]:
        """Fetch pending updates and confirm them, like a polling bot does."""
        updates: list[Json] = await self.ok("getUpdates", **params)
        if updates:
            await self.ok("getUpdates", offset=updates[-1]["update_id"] + 1, timeout=0)
        return updates

    async def answer_next_click(self, text: str | None = None) -> str:
        """Wait for the next callback query, answer it, and return its data."""
        while True:
            for update in await self.updates(timeout=SAFETY):
                if query := update.get("callback_query"):
                    answer = {"text": text} if text else {}
                    await self.ok("answerCallbackQuery", callback_query_id=query["id"], **answer)
                    return str(query["data"])


@pytest.fixture
def server(fake_telegram: FakeTelegram) -> FakeTelegram:  # noqa: F811 - fixture injection
    return fake_telegram


@pytest_asyncio.fixture
async def api(server: FakeTelegram) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, server)


@pytest_asyncio.fixture
async def amina(server: FakeTelegram) -> FakeUser:
    """A user who has already written to the bot, so the bot may answer."""
    user = server.user("Amina", language_code="fr")
    await user.send("bonjour")
    return user


def keyboard(*rows: list[tuple[str, str]]) -> Json:
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in rows
        ]
    }


# -- transport ---------------------------------------------------------------------------


async def test_get_me_describes_the_test_bot(api: Api) -> None:
    me = await api.ok("getMe")
    assert me["id"] == 123456
    assert me["username"] == "equipage_test_bot"
    assert me["is_bot"] is True
    assert me["first_name"] == "Équipage"


async def test_wrong_token_is_unauthorized(api: Api) -> None:
    assert await api.fails("getMe", token="123456:WRONG") == (401, "Unauthorized")


async def test_unknown_method_is_not_found(api: Api) -> None:
    assert await api.fails("sendPigeon") == (404, "Not Found")


async def test_real_but_unimplemented_method_says_so(api: Api) -> None:
    status, description = await api.fails("sendVideo")
    assert status == 501
    assert "does not implement sendVideo" in description


async def test_method_names_are_case_insensitive_and_get_works(api: Api) -> None:
    url = f"{api.server.base_url}/bot{api.server.token}/getme"
    async with api.session.get(url) as response:
        assert (await response.json())["result"]["id"] == 123456
    assert api.server.requests[-1].method == "getMe"


# -- who the bot may write to ------------------------------------------------------------


async def test_bot_cannot_write_first(server: FakeTelegram, api: Api) -> None:
    stranger = server.user("Léa")
    assert await api.fails("sendMessage", chat_id=stranger.id, text="Salut") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )


async def test_blocked_user_forbids_sending_until_unblocked(api: Api, amina: FakeUser) -> None:
    amina.block()
    assert await api.fails("sendMessage", chat_id=amina.id, text="Salut") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    amina.unblock()
    await api.ok("sendMessage", chat_id=amina.id, text="Salut")
    statuses = [
        u["my_chat_member"]["new_chat_member"]["status"]
        for u in await api.updates()
        if "my_chat_member" in u
    ]
    assert statuses == ["kicked", "member"]


async def test_blocked_user_cannot_send(amina: FakeUser) -> None:
    amina.block()
    with pytest.raises(AssertionError, match="unblock"):
        await amina.send("coucou")


async def test_unknown_chat_is_not_found(api: Api) -> None:
    assert await api.fails("sendMessage", chat_id=999, text="Salut") == (
        400,
        "Bad Request: chat not found",
    )


# -- message text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": ""}, "Bad Request: message text is empty"),
        ({"text": "  \n "}, "Bad Request: message text is empty"),
        ({"text": "<b></b>", "parse_mode": "HTML"}, "Bad Request: message text is empty"),
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": "&lt;" * 4097, "parse_mode": "HTML"}, "Bad Request: message is too long"),
    ],
)
async def test_text_limits(api: Api, amina: FakeUser, params: Json, description: str) -> None:
    assert await api.fails("sendMessage", chat_id=amina.id, **params) == (400, description)


async def test_length_counts_text_after_markup(api: Api, amina: FakeUser) -> None:
    await api.ok("sendMessage", chat_id=amina.id, text="x" * 4096)
    html = "<b>" + "&amp;" * 4096 + "</b>"
    await api.ok("sendMessage", chat_id=amina.id, text=html, parse_mode="HTML")
    assert amina.messages[-1].text == "&" * 4096


async def test_html_message_keeps_plain_text_markup_and_entities(api: Api, amina: FakeUser) -> None:
    html = "<b>Rendez-vous</b> à 14&#104; &amp; <i>pas</i> avant"
    result = await api.ok("sendMessage", chat_id=amina.id, text=html, parse_mode="HTML")
    message = await amina.next_message()
    assert message.text == result["text"] == "Rendez-vous à 14h & pas avant"
    assert message.html == html
    assert message.parse_mode == "HTML"
    assert result["entities"] == [
        {"type": "bold", "offset": 0, "length": 11},
        {"type": "italic", "offset": 20, "length": 3},
    ]


async def test_surrounding_whitespace_is_trimmed(api: Api, amina: FakeUser) -> None:
    result = await api.ok(
        "sendMessage", chat_id=amina.id, text="\n  <b>Salut</b>  \n", parse_mode="HTML"
    )
    assert result["text"] == "Salut"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 5}]


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
        ("<b>gras", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("fin</b>", "Unexpected end tag at byte offset 3"),
        ("3 < 4", 'Unsupported start tag "" at byte offset 2'),
        ("a <b", "Unclosed start tag at byte offset 2"),
        ("l&nbsp;espace", 'Unsupported HTML entity "&nbsp;" at byte offset 1'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("é<i>x", 'Can\'t find end tag corresponding to start tag "i"'),
    ],
)
async def test_invalid_html_is_refused(api: Api, amina: FakeUser, html: str, detail: str) -> None:
    assert await api.fails("sendMessage", chat_id=amina.id, text=html, parse_mode="HTML") == (
        400,
        f"Bad Request: can't parse entities: {detail}",
    )


async def test_markdown_is_refused_outright(api: Api, amina: FakeUser) -> None:
    status, description = await api.fails(
        "sendMessage", chat_id=amina.id, text="*gras*", parse_mode="MarkdownV2"
    )
    assert status == 400
    assert "does not implement parse_mode MarkdownV2" in description


def test_html_parser_handles_every_supported_tag() -> None:
    parsed = parse_html(
        "<strong>a</strong><em>b</em><ins>c</ins><del>d</del><s>e</s><strike>f</strike>"
        '<u>g</u><code>h</code><tg-spoiler>i</tg-spoiler><span class="tg-spoiler">j</span>'
        '<a href="https://example.org/?a=1&amp;b=2">k</a>'
        '<pre><code class="language-python">l</code></pre>'
        "<blockquote>m</blockquote><blockquote expandable>n</blockquote>"
    )
    assert parsed.text == "abcdefghijklmn"
    assert [(e["type"], e["offset"]) for e in parsed.entities] == [
        ("bold", 0),
        ("italic", 1),
        ("underline", 2),
        ("strikethrough", 3),
        ("strikethrough", 4),
        ("strikethrough", 5),
        ("underline", 6),
        ("code", 7),
        ("spoiler", 8),
        ("spoiler", 9),
        ("text_link", 10),
        ("pre", 11),
        ("blockquote", 12),
        ("expandable_blockquote", 13),
    ]
    assert parsed.entities[10]["url"] == "https://example.org/?a=1&b=2"
    assert parsed.entities[11]["language"] == "python"


def test_html_parser_counts_offsets_in_utf16_and_decodes_references() -> None:
    parsed = parse_html("👍 <b>&#x1F600; &quot;ok&quot; &gt; &lt;</b> Tom & Jerry")
    assert parsed.text == '👍 😀 "ok" > < Tom & Jerry'
    assert parsed.entities == ({"type": "bold", "offset": 3, "length": 11},)


def test_html_parser_reports_byte_offsets() -> None:
    with pytest.raises(EntityParseError, match="byte offset 3"):
        parse_html("é <x>")


# -- keyboards ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        (keyboard([("Oui", "é" * 33)]), "Bad Request: BUTTON_DATA_INVALID"),
        (keyboard([("Oui", "")]), "Bad Request: BUTTON_DATA_INVALID"),
        (keyboard([("", "yes")]), "Bad Request: BUTTON_TEXT_INVALID"),
        (
            keyboard(*[[(f"b{i}", str(i))] for i in range(101)]),
            "Bad Request: reply markup is too long",
        ),
        (
            {"inline_keyboard": [[{"text": "Oui"}]]},
            "Bad Request: text buttons are unallowed in the inline keyboard",
        ),
        ("[not json", "Bad Request: can't parse reply_markup JSON object"),
    ],
)
async def test_inline_keyboard_limits(
    api: Api, amina: FakeUser, markup: Json | str, description: str
) -> None:
    assert await api.fails(
        "sendMessage", chat_id=amina.id, text="Choix ?", reply_markup=markup
    ) == (400, description)


async def test_keyboard_at_the_limits_is_accepted(api: Api, amina: FakeUser) -> None:
    markup = keyboard([("Oui", "é" * 32)], *[[(f"b{i}", str(i))] for i in range(99)])
    await api.ok("sendMessage", chat_id=amina.id, text="Choix ?", reply_markup=markup)
    message = await amina.next_message()
    assert message.buttons[0] == (("Oui", "é" * 32),)
    assert len(message.button_labels) == 100


# -- edits and deletions -----------------------------------------------------------------


async def test_edit_with_same_content_is_not_modified(api: Api, amina: FakeUser) -> None:
    markup = keyboard([("Oui", "yes")])
    sent = await api.ok(
        "sendMessage", chat_id=amina.id, text="<b>Q</b>", parse_mode="HTML", reply_markup=markup
    )
    status, description = await api.fails(
        "editMessageText",
        chat_id=amina.id,
        message_id=sent["message_id"],
        text="<strong>Q</strong>",
        parse_mode="HTML",
        reply_markup=markup,
    )
    assert status == 400
    assert description.startswith("Bad Request: message is not modified: ")
    status, description = await api.fails(
        "editMessageReplyMarkup",
        chat_id=amina.id,
        message_id=sent["message_id"],
        reply_markup=markup,
    )
    assert description.startswith("Bad Request: message is not modified: ")


async def test_edit_without_markup_drops_the_keyboard(api: Api, amina: FakeUser) -> None:
    sent = await api.ok(
        "sendMessage", chat_id=amina.id, text="Q ?", reply_markup=keyboard([("Oui", "yes")])
    )
    edited = await api.ok(
        "editMessageText", chat_id=amina.id, message_id=sent["message_id"], text="Q : oui"
    )
    assert "reply_markup" not in edited
    assert "edit_date" in edited
    (message,) = amina.messages
    assert (message.text, message.buttons, message.edits) == ("Q : oui", (), 1)


async def test_editing_or_deleting_a_missing_message_fails(api: Api, amina: FakeUser) -> None:
    sent = await api.ok("sendMessage", chat_id=amina.id, text="Q ?")
    assert await api.ok("deleteMessage", chat_id=amina.id, message_id=sent["message_id"])
    assert amina.messages == []
    assert await api.fails(
        "editMessageText", chat_id=amina.id, message_id=sent["message_id"], text="x"
    ) == (400, "Bad Request: message to edit not found")
    assert await api.fails("deleteMessage", chat_id=amina.id, message_id=sent["message_id"]) == (
        400,
        "Bad Request: message to delete not found",
    )


# -- callback queries --------------------------------------------------------------------


async def test_click_waits_for_the_answer_and_returns_it(api: Api, amina: FakeUser) -> None:
    await api.ok(
        "sendMessage",
        chat_id=amina.id,
        text="Venir ?",
        reply_markup=keyboard([("Oui", "yes"), ("Non", "no")]),
    )
    click = asyncio.create_task(amina.click("Oui"))
    assert await api.answer_next_click("Noté !") == "yes"
    assert await click == "Noté !"
    assert amina.messages[-1].answer_text == "Noté !"
    assert [(c.label, c.data, c.answered) for c in amina.clicks] == [("Oui", "yes", True)]


async def test_click_matches_exact_label_then_unique_substring(api: Api, amina: FakeUser) -> None:
    await api.ok(
        "sendMessage",
        chat_id=amina.id,
        text="Quand ?",
        reply_markup=keyboard([("Matin", "am"), ("Matinée entière", "day")]),
    )
    click = asyncio.create_task(amina.click("Matin"))
    assert await api.answer_next_click() == "am"
    assert await click is None
    click = asyncio.create_task(amina.click("entière"))
    assert await api.answer_next_click() == "day"
    await click


async def test_click_explains_ambiguous_or_missing_buttons(api: Api, amina: FakeUser) -> None:
    with pytest.raises(AssertionError, match="no bot message with an inline keyboard"):
        await amina.click("Oui")
    await api.ok(
        "sendMessage",
        chat_id=amina.id,
        text="Quand ?",
        reply_markup=keyboard([("Lundi matin", "1"), ("Lundi soir", "2")]),
    )
    with pytest.raises(AssertionError, match="several buttons match “Lundi”"):
        await amina.click("Lundi")
    with pytest.raises(AssertionError, match="buttons: “Lundi matin”, “Lundi soir”"):
        await amina.click("Mardi")


async def test_click_on_an_older_message_and_forged_data(api: Api, amina: FakeUser) -> None:
    await api.ok("sendMessage", chat_id=amina.id, text="Un", reply_markup=keyboard([("A", "a")]))
    await api.ok("sendMessage", chat_id=amina.id, text="Deux", reply_markup=keyboard([("B", "b")]))
    first = await amina.next_message()
    click = asyncio.create_task(amina.click("A", message=first))
    assert await api.answer_next_click() == "a"
    await click
    click = asyncio.create_task(amina.click_data("v1|forged", message=first))
    assert await api.answer_next_click("Bouton périmé") == "v1|forged"
    assert await click == "Bouton périmé"


async def test_unanswered_click_fails_with_the_transcript(api: Api, amina: FakeUser) -> None:
    await api.ok(
        "sendMessage", chat_id=amina.id, text="Venir ?", reply_markup=keyboard([("Oui", "yes")])
    )
    # Nobody answers, so the short timeout cannot be a race.
    with pytest.raises(AssertionError, match=r"(?s)answerCallbackQuery.*Venir \?"):
        await amina.click("Oui", timeout=0.05)


async def test_answer_callback_query_limits(api: Api, amina: FakeUser) -> None:
    invalid = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert await api.fails("answerCallbackQuery", callback_query_id="42") == (400, invalid)
    await api.ok(
        "sendMessage", chat_id=amina.id, text="Venir ?", reply_markup=keyboard([("Oui", "yes")])
    )
    click = asyncio.create_task(amina.click("Oui"))
    (query,) = [
        u["callback_query"] for u in await api.updates(timeout=SAFETY) if "callback_query" in u
    ]
    assert await api.fails(
        "answerCallbackQuery", callback_query_id=query["id"], text="x" * 201
    ) == (400, "Bad Request: MESSAGE_TOO_LONG")
    await api.ok(
        "answerCallbackQuery", callback_query_id=query["id"], text="x" * 200, show_alert=True
    )
    assert await click == "x" * 200
    assert amina.clicks[0].show_alert is True
    assert await api.fails("answerCallbackQuery", callback_query_id=query["id"]) == (
        400,
        invalid,
    )


# -- what users send ---------------------------------------------------------------------


async def test_user_messages_become_updates(api: Api, server: FakeTelegram) -> None:
    lina = server.user("Lina", language_code="ar")
    await lina.command("start", "payload")
    await lina.send_voice(duration=7)
    await lina.send_sticker()
    await lina.send_photo()
    await lina.send_location(48.85, 2.35)
    await lina.send_contact()
    await lina.send("avant")
    await lina.edit_last("après")
    updates = await api.updates()
    first = updates[0]["message"]
    assert first["text"] == "/start payload"
    assert first["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert first["from"]["language_code"] == "ar"
    assert first["chat"] == {"id": lina.id, "type": "private", "first_name": "Lina"}
    kinds = [
        next(
            k
            for k in u.get("message", {})
            if k in ("voice", "sticker", "photo", "location", "contact", "text")
        )
        for u in updates[:7]
    ]
    assert kinds == ["text", "voice", "sticker", "photo", "location", "contact", "text"]
    assert updates[1]["message"]["voice"]["duration"] == 7
    assert updates[1]["message"]["voice"]["mime_type"] == "audio/ogg"
    assert updates[7]["edited_message"]["text"] == "après"
    assert server.pending_updates == 0


async def test_users_have_unique_ids(server: FakeTelegram) -> None:
    assert server.user("A").id != server.user("B").id


async def test_next_message_returns_each_message_once_in_order(api: Api, amina: FakeUser) -> None:
    for text in ("un", "deux"):
        await api.ok("sendMessage", chat_id=amina.id, text=text)
    assert [(await amina.next_message()).text for _ in range(2)] == ["un", "deux"]
    with pytest.raises(AssertionError, match=r"(?s)no new bot message.*bot\s+│ deux"):
        await amina.next_message(timeout=0.05)


async def test_transcript_reads_like_the_conversation(api: Api, amina: FakeUser) -> None:
    await api.ok(
        "sendMessage",
        chat_id=amina.id,
        text="Venir ?\nVraiment ?",
        reply_markup=keyboard([("Oui", "yes"), ("Non", "no")]),
    )
    click = asyncio.create_task(amina.click("Non"))
    await api.answer_next_click("Dommage")
    await click
    assert amina.transcript() == (
        "Amina │ bonjour\n"
        "bot   │ Venir ?\n"
        "      │ Vraiment ?\n"
        "      │ [Oui] [Non]\n"
        "Amina │ [clicked “Non”] → toast: Dommage"
    )


# -- commands ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("commands", "description"),
    [
        ([{"command": "Start", "description": "x"}], "Bad Request: BOT_COMMAND_INVALID"),
        ([{"command": "aide-moi", "description": "x"}], "Bad Request: BOT_COMMAND_INVALID"),
        ([{"command": "", "description": "x"}], "Bad Request: command must be non-empty"),
        ([{"command": "a" * 33, "description": "x"}], "Bad Request: command is too long"),
        (
            [{"command": "start", "description": " "}],
            "Bad Request: command description must be non-empty",
        ),
        (
            [{"command": "start", "description": "x" * 257}],
            "Bad Request: command description is too long",
        ),
        (
            [{"command": f"c{i}", "description": "x"} for i in range(101)],
            "Bad Request: too many commands specified",
        ),
    ],
)
async def test_set_my_commands_limits(api: Api, commands: list[Json], description: str) -> None:
    assert await api.fails("setMyCommands", commands=commands) == (400, description)


async def test_commands_are_kept_per_scope_and_language(api: Api, server: FakeTelegram) -> None:
    private = {"type": "all_private_chats"}
    await api.ok("setMyCommands", commands=[{"command": "start", "description": "Start"}])
    await api.ok(
        "setMyCommands",
        commands=[{"command": "aide", "description": "Aide"}],
        scope=private,
        language_code="fr",
    )
    assert server.commands() == [("start", "Start")]
    assert server.commands(scope=private, language_code="fr") == [("aide", "Aide")]
    assert server.commands(scope=private) == []
    assert await api.ok("getMyCommands", scope=private, language_code="fr") == [
        {"command": "aide", "description": "Aide"}
    ]
    await api.ok("deleteMyCommands", scope=private, language_code="fr")
    assert server.commands(scope=private, language_code="fr") == []


# -- getUpdates and webhooks -------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    api: Api, server: FakeTelegram
) -> None:
    lina = server.user("Lina")
    poll = asyncio.create_task(api.ok("getUpdates", timeout=60))
    await server.wait_for(lambda: server.requests_for("getUpdates"))
    await lina.send("coucou")
    async with asyncio.timeout(SAFETY):
        (update,) = await poll
    assert update["message"]["text"] == "coucou"


async def test_get_updates_offset_limit_and_timeout(api: Api, server: FakeTelegram) -> None:
    assert await api.ok("getUpdates", timeout=0) == []
    lina = server.user("Lina")
    for text in ("un", "deux", "trois"):
        await lina.send(text)
    first, second = await api.ok("getUpdates", limit=2)
    assert [first["message"]["text"], second["message"]["text"]] == ["un", "deux"]
    assert len(await api.ok("getUpdates")) == 3  # nothing confirmed yet
    (third,) = await api.ok("getUpdates", offset=second["update_id"] + 1)
    assert third["message"]["text"] == "trois"
    assert server.pending_updates == 1
    await api.ok("getUpdates", offset=-1)
    assert server.pending_updates == 1


async def test_allowed_updates_filters_types(api: Api, server: FakeTelegram) -> None:
    lina = server.user("Lina")
    await lina.send("ignoré")
    assert await api.ok("getUpdates", allowed_updates=["callback_query"]) == []
    await api.ok("getUpdates", allowed_updates=[])
    await lina.send("reçu")
    (update,) = await api.ok("getUpdates")
    assert update["message"]["text"] == "reçu"


async def test_a_second_poller_terminates_the_first(api: Api, server: FakeTelegram) -> None:
    first = asyncio.create_task(api.fails("getUpdates", timeout=60))
    await server.wait_for(lambda: server.requests_for("getUpdates"))
    assert await api.ok("getUpdates", timeout=0) == []
    async with asyncio.timeout(SAFETY):
        status, description = await first
    assert status == 409
    assert description.startswith("Conflict: terminated by other getUpdates request")


async def test_webhook_blocks_polling_until_deleted(api: Api, server: FakeTelegram) -> None:
    assert await api.fails("setWebhook", url="http://insecure.example") == (
        400,
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
    )
    await api.ok("setWebhook", url="https://bot.example/hook")
    assert server.webhook_url == "https://bot.example/hook"
    assert (await api.ok("getWebhookInfo"))["url"] == "https://bot.example/hook"
    status, _ = await api.fails("getUpdates")
    assert status == 409
    await server.user("Lina").send("x")
    await api.ok("deleteWebhook", drop_pending_updates=True)
    assert server.webhook_url is None
    assert await api.ok("getUpdates") == []


# -- files -------------------------------------------------------------------------------


async def test_documents_and_photos_keep_bytes_name_and_caption(api: Api, amina: FakeUser) -> None:
    sent = await api.ok(
        "sendDocument",
        chat_id=amina.id,
        caption="<b>Votre</b> fiche",
        parse_mode="HTML",
        files={"document": ("fiche.pdf", b"%PDF-1.7", "application/pdf")},
    )
    assert sent["document"]["file_name"] == "fiche.pdf"
    assert sent["caption"] == "Votre fiche"
    again = await api.ok("sendDocument", chat_id=amina.id, document=sent["document"]["file_id"])
    await api.ok(
        "sendPhoto", chat_id=amina.id, files={"photo": ("carte.png", b"\x89PNG", "image/png")}
    )
    document, resent, photo = amina.messages
    assert (document.document, document.filename, document.caption) == (
        b"%PDF-1.7",
        "fiche.pdf",
        "Votre fiche",
    )
    assert resent.document == b"%PDF-1.7"
    assert again["document"]["file_id"] == sent["document"]["file_id"]
    assert (photo.kind, photo.photo, photo.caption) == ("photo", b"\x89PNG", None)
    assert await api.fails("sendDocument", chat_id=amina.id, document="nope") == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )


async def test_caption_limit(api: Api, amina: FakeUser) -> None:
    assert await api.fails(
        "sendPhoto",
        chat_id=amina.id,
        caption="x" * 1025,
        files={"photo": ("carte.png", b"\x89PNG", "image/png")},
    ) == (400, "Bad Request: message caption is too long")


async def test_voice_notes_can_be_downloaded(api: Api, amina: FakeUser) -> None:
    await amina.send_voice(duration=3, data=b"OggS-voice")
    (update,) = [u for u in await api.updates() if "voice" in u.get("message", {})]
    file = await api.ok("getFile", file_id=update["message"]["voice"]["file_id"])
    base = f"{api.server.base_url}/file/bot"
    async with api.session.get(f"{base}{api.server.token}/{file['file_path']}") as response:
        assert await response.read() == b"OggS-voice"
    async with api.session.get(f"{base}{api.server.token}/voice/missing.oga") as response:
        assert response.status == 404
    async with api.session.get(f"{base}123456:WRONG/{file['file_path']}") as response:
        assert response.status == 401
    assert await api.fails("getFile", file_id="nope") == (400, "Bad Request: invalid file_id")


# -- failure injection -------------------------------------------------------------------


async def test_injected_failures_are_served_in_order(
    api: Api, server: FakeTelegram, amina: FakeUser
) -> None:
    server.fail_next("sendMessage", status=429, retry_after=7)
    server.fail_next("sendMessage", status=500)
    server.fail_next("sendMessage", status=502, count=2)
    status, body = await api.call("sendMessage", chat_id=amina.id, text="x")
    assert (status, body["description"], body["parameters"]) == (
        429,
        "Too Many Requests: retry after 7",
        {"retry_after": 7},
    )
    assert await api.fails("sendMessage", chat_id=amina.id, text="x") == (
        500,
        "Internal Server Error",
    )
    for _ in range(2):
        assert await api.fails("sendMessage", chat_id=amina.id, text="x") == (502, "Bad Gateway")
    await api.ok("sendMessage", chat_id=amina.id, text="x")
    assert len(amina.messages) == 1
    assert len(server.requests_for("sendMessage")) == 5


async def test_held_request_times_out_client_side_without_effect(
    api: Api, server: FakeTelegram, amina: FakeUser
) -> None:
    server.fail_next("sendMessage", timeout=True)
    with pytest.raises(TimeoutError):
        await api.call("sendMessage", chat_id=amina.id, text="x", client_timeout=0.1)
    await api.ok("sendMessage", chat_id=amina.id, text="y")
    assert [m.text for m in amina.messages] == ["y"]


async def test_briefly_held_request_is_served_late(
    api: Api, server: FakeTelegram, amina: FakeUser
) -> None:
    server.fail_next("sendMessage", timeout=0.05)
    await api.ok("sendMessage", chat_id=amina.id, text="en retard")
    assert [m.text for m in amina.messages] == ["en retard"]


async def test_stop_releases_held_requests(api: Api) -> None:
    async with FakeTelegram() as other:
        other.fail_next("getMe", timeout=True)
        held = asyncio.create_task(Api(api.session, other).call("getMe"))
        await other.wait_for(lambda: other.requests)
    async with asyncio.timeout(SAFETY):
        status, body = await held
    assert (status, body["description"]) == (502, "Bad Gateway")


# -- the real python-telegram-bot --------------------------------------------------------


def ptb_bot(server: FakeTelegram, **kwargs: Any) -> Bot:
    return Bot(
        server.token,
        base_url=f"{server.base_url}/bot",
        base_file_url=f"{server.base_url}/file/bot",
        **kwargs,
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message and update.effective_user
    name = update.effective_user.first_name
    await update.effective_message.reply_html(f"Bienvenue <b>{name}</b> ({context.args})")


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message
    buttons = [
        [
            InlineKeyboardButton("Oui", callback_data="yes"),
            InlineKeyboardButton("Non", callback_data="no"),
        ]
    ]
    await update.effective_message.reply_text(
        f"Tu as dit « {update.effective_message.text} ». D'accord ?",
        reply_markup=InlineKeyboardMarkup(buttons),
    )


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query
    await query.answer("Noté")
    await query.edit_message_text(f"Réponse : {query.data}")


async def test_ptb_application_round_trip(recwarn: pytest.WarningsRecorder) -> None:
    async with FakeTelegram() as server:
        app = (
            Application.builder()
            .token(server.token)
            .base_url(f"{server.base_url}/bot")
            .base_file_url(f"{server.base_url}/file/bot")
            .build()
        )
        app.add_handler(CommandHandler("start", start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, ask))
        app.add_handler(CallbackQueryHandler(choose))
        await app.initialize()
        assert app.updater
        await app.updater.start_polling(timeout=dtm.timedelta(seconds=1), poll_interval=0)
        await app.start()

        amina = server.user("Amina")
        await amina.command("start", "abc")
        welcome = await amina.next_message()
        assert welcome.text == "Bienvenue Amina (['abc'])"
        assert welcome.html == "Bienvenue <b>Amina</b> (['abc'])"

        await amina.send("bonjour")
        question: BotMessage = await amina.next_message()
        assert question.button_labels == ["Oui", "Non"]
        assert await amina.click("Oui") == "Noté"
        await server.wait_for(lambda: question.edits == 1)
        assert (question.text, question.buttons) == ("Réponse : yes", ())

        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert server.pending_updates == 0
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
    assert [str(w.message) for w in recwarn] == []


async def test_ptb_sees_retry_after_forbidden_and_bad_request(server: FakeTelegram) -> None:
    amina = server.user("Amina")
    await amina.send("bonjour")
    async with ptb_bot(server) as bot:
        server.fail_next("sendMessage", status=429, retry_after=3)
        with warnings.catch_warnings():
            # PTB >= 22.2 warns about int retry_after unless PTB_TIMEDELTA is set.
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            with pytest.raises(RetryAfter) as retry:
                await bot.send_message(amina.id, "x")
            assert retry.value.retry_after in (3, dtm.timedelta(seconds=3))

        sent = await bot.send_message(amina.id, "Salut")
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("Salut", chat_id=amina.id, message_id=sent.message_id)

        amina.block()
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(amina.id, "x")


async def test_ptb_times_out_on_a_held_request(server: FakeTelegram) -> None:
    amina = server.user("Amina")
    await amina.send("bonjour")
    async with ptb_bot(server) as bot:
        server.fail_next("sendMessage", timeout=True)
        with pytest.raises(TimedOut):
            await bot.send_message(amina.id, "x", read_timeout=0.1)
        await bot.send_message(amina.id, "y")
    assert [m.text for m in amina.messages] == ["y"]


async def test_ptb_uploads_a_document(server: FakeTelegram) -> None:
    amina = server.user("Amina")
    await amina.send("bonjour")
    async with ptb_bot(server) as bot:
        await bot.send_document(
            amina.id,
            b"%PDF-1.7",
            filename="fiche.pdf",
            caption="<i>Votre</i> fiche",
            parse_mode="HTML",
        )
    (message,) = amina.messages
    assert (message.document, message.filename, message.caption) == (
        b"%PDF-1.7",
        "fiche.pdf",
        "Votre fiche",
    )
    (request,) = server.requests_for("sendDocument")
    assert isinstance(request["document"], UploadedFile)
    assert request["chat_id"] == amina.id


async def test_ptb_downloads_a_voice_note(server: FakeTelegram) -> None:
    amina = server.user("Amina")
    await amina.send_voice(duration=5, data=b"OggS-hello")
    async with ptb_bot(server) as bot:
        (update,) = await bot.get_updates()
        assert update.message and update.message.voice
        file = await bot.get_file(update.message.voice.file_id)
        assert bytes(await file.download_as_bytearray()) == b"OggS-hello"
