"""The summary hand-off and the negotiation loop, end to end."""

from __future__ import annotations

import base64
import html
import io
import json
import zipfile
from collections import defaultdict
from datetime import timedelta

import pytest
from PIL import Image

from bot.config import Settings
from bot.i18n import _default_catalogs, ui_text
from bot.telegram import delivery
from tests.conftest import running_bot
from tests.e2e.helpers import (
    DIALOGUES,
    App,
    eventually,
    expect,
    finish_forces,
    finish_probleme,
    person_joins,
    services_of,
    title,
    ui_start,
    worker_joins,
)
from tests.e2e.test_invitations import admin
from tests.fakegram import BotMessage, FakeTelegram, FakeUser
from tests.stored import rows

HOSTILE = "Je dors chez ma sœur <b>&amp;</b> {0} {} 😢 & <script>"
LONG = "Mes démarches. " * 266  # about 4,000 characters
SENT = ui_start("summary.sent")
DELIVERED = ui_text("summary.delivered", worker="Séverine D.")


def summaries_received(worker: FakeUser) -> list[BotMessage]:
    """The neutral notices that open each summary."""
    start = ui_text("worker.summary_notice", person="").split(" de ")[0]
    return [m for m in worker.messages if m.text.startswith(start)]


async def read_preview(amina: FakeUser) -> tuple[str, BotMessage]:
    """The preview's text (however many messages) and the control message after it."""
    first = await expect(amina, ui_start("summary.preview_header"))
    texts = [first.text]
    while True:
        message = await amina.next_message()
        if message.buttons:
            return "\n".join(texts), message
        texts.append(message.text)


async def prepare(amina: FakeUser, topics: str | None) -> BotMessage:
    """/preparer, answer the topics question, read the preview; returns the control message."""
    await amina.send("/preparer")
    await expect(amina, ui_start("summary.topics_question"))
    if topics is None:
        await amina.click(ui_start("engine.skip"))
    else:
        await amina.send(topics)
    return (await read_preview(amina))[1]


@pytest.mark.both_backends
async def test_a_person_prepares_and_sends_a_summary_and_the_worker_acknowledges_it(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()

    await amina.send("/preparer")
    await expect(amina, ui_start("summary.nothing"))
    await finish_probleme(amina, HOSTILE + " " + LONG)
    await finish_forces(amina, 4)
    await finish_forces(amina, 6)

    await amina.send("/preparer")
    await expect(amina, ui_start("summary.topics_question"))
    await amina.send("Le dossier CAF <i>urgent</i>")
    whole, control = await read_preview(amina)
    assert HOSTILE in whole and "Le dossier CAF <i>urgent</i>" in whole
    housing = DIALOGUES["forces"].step("logement").label
    assert ui_text("worker.summary_score_up", label=housing, before=4, now=6) in whole

    def receives(*parts: str) -> str:
        return first_line("summary.control", worker="Séverine D.", parts=", ".join(parts))

    topics = ui_text("summary.topics_title")
    assert receives(title("probleme"), title("forces"), topics) in control.text
    # Leave a part out, then put it back: the choices change in place.
    await amina.click(ui_text("summary.part_on", title=title("probleme")))
    await fake_telegram.wait_for(
        lambda: receives(title("forces"), topics) in amina.messages[-1].text
    )
    await amina.click(ui_text("summary.part_off", title=title("probleme")))
    await fake_telegram.wait_for(
        lambda: receives(title("probleme"), title("forces"), topics) in amina.messages[-1].text
    )
    send = ui_text("summary.send")
    send_data = next(
        data for row in amina.messages[-1].buttons for label, data in row if label == send
    )
    assert send_data is not None
    await amina.click(send)
    await eventually(fake_telegram, amina, SENT)
    # A double tap arrives after the buttons closed: nothing is sent twice.
    await amina.click_data(send_data, message=control)
    # The delivery notice and the answer to the double tap may come in either order.
    await eventually(fake_telegram, amina, ui_text("summary.already_sent"))
    await eventually(fake_telegram, amina, DELIVERED)
    received = summaries_received(severine)
    assert len(received) == 1
    # Too long for one message: a neutral notice, the top, then the whole as a document.
    notice, top, document = severine.messages[-3:]
    assert notice.text == ui_text("worker.summary_notice_vowel", person="Amina")
    assert top.html and "« Le dossier CAF <i>urgent</i> »" in top.text  # escaped, shown verbatim
    assert ui_text("worker.summary_more_in_document") in top.text
    assert all(len(m.text) <= 4096 for m in severine.messages)
    assert document.filename == "resume.html" and document.document is not None
    assert document.button_labels == [ui_text("worker.ack"), ui_text("worker.history")]
    page = html.unescape(document.document.decode("utf-8"))
    assert f"« {HOSTILE} {LONG.strip()}" in page and "<script>" not in page.replace(HOSTILE, "")
    chart = base64.b64decode(page.split("data:image/png;base64,")[1].split('"')[0])
    picture = Image.open(io.BytesIO(chart))
    assert picture.format == "PNG" and 600 <= picture.width <= 1400 and picture.height > 400

    answer = await severine.click(ui_text("worker.ack"))
    assert answer == ui_text("worker.ack_done")
    await eventually(fake_telegram, amina, ui_text("summary.acknowledged", worker="Séverine D."))
    again = await severine.click(ui_text("worker.ack"))
    assert again == ui_text("worker.ack_again")
    assert rows(settings, "SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'summary_ack%'") == [
        (1,)
    ]
    await severine.click(ui_text("worker.history"))
    history = await eventually(
        fake_telegram, severine, ui_text("worker.history_header", person="Amina")
    )
    read = ui_text("worker.history_line", date="", status=ui_text("worker.status_acknowledged"))
    assert history.text.count("• ") == 1 and read.split(" : ")[1] in history.text
    # Each access to Amina's shared data is in the audit trail, with who and when.
    person_id = rows(settings, "SELECT id FROM persons")[0][0]
    audit = await admin(settings, "audit", "--person", str(person_id))
    for action in ("summary_delivered", "summaries_listed"):
        line = ui_text(
            "cli.audit_line",
            date="",
            worker="Séverine D.",
            worker_id=1,
            action=ui_text(f"cli.audit_{action}"),
        )
        assert line in audit


def first_line(key: str, **params: object) -> str:
    """The first line of a catalogue text with the parameters it uses (others left empty)."""
    source = _default_catalogs().ui_texts[key]
    return source.format_map(defaultdict(str, params)).split("\n")[0]


STEPS_OF_SOPHIE = (
    ("Prendre rendez-vous à la CAF", "Amina", "mercredi"),
    ("Appeler le bailleur", "Sophie", "vendredi"),
    ("Remplir le dossier FSL", "ensemble", "le 12 décembre"),
)


@pytest.mark.both_backends
async def test_amending_one_step_of_three_keeps_the_other_two(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    """The issue's case: Amina moves step 1 to Thursday; Sophie's steps 2 and 3 stay."""
    sophie, _ = await worker_joins(fake_telegram, bot, "Sophie")
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=sophie)
    await sophie.next_message()

    await sophie.send("/personnes")
    await sophie.next_message()
    await sophie.click("Amina")
    await sophie.next_message()
    await sophie.click(ui_text("worker.card_agree"))
    await expect(sophie, first_line("worker.agree_problem_question", person="Amina"))
    await sophie.send("Trouver un logement stable")
    await expect(sophie, first_line("worker.agree_steps_question"))
    await sophie.send("\n".join(" ; ".join(step) for step in STEPS_OF_SOPHIE))
    # The worker sees exactly what Amina will get before it goes.
    preview = await expect(sophie, ui_text("worker.agree_preview", person="Amina"))
    for number, step in enumerate(STEPS_OF_SOPHIE, start=1):
        assert ui_text("agreement.step_line", number=number, step=" — ".join(step)) in preview.text
    assert rows(settings, "SELECT COUNT(*) FROM agreements") == [(0,)]
    await sophie.click(ui_text("worker.agree_send"))
    await expect(sophie, first_line("worker.agree_sent", person="Amina"))

    proposal = await expect(amina, first_line("agreement.proposed", worker="Sophie D."))
    assert "Trouver un logement stable" in proposal.text
    await expect(amina, ui_text("agreement.question"))
    await amina.click(ui_text("agreement.change_step"))
    await expect(amina, ui_text("agreement.which_step"))
    await amina.click(ui_text("agreement.step_button", number=1))
    await expect(amina, ui_text("agreement.which_part", number=1))
    await amina.click(ui_text("agreement.part_when"))
    await expect(amina, ui_text("agreement.ask_when"))
    await amina.send("jeudi matin")
    difference = ui_text("agreement.diff_change", number=1, before="mercredi", after="jeudi matin")
    mine = await expect(amina, first_line("agreement.preview", name="Sophie D.", change=""))
    assert difference in mine.text
    await amina.click(ui_text("agreement.send"))
    await expect(amina, ui_text("agreement.amended_sent"))

    amended = await expect(
        sophie, first_line("worker.agreement_amended", person="Amina", change="")
    )
    print(f"\nWhat Sophie reads:\n{amended.text}")
    assert difference in amended.text
    # All three steps are still there, only the first one's day moved.
    assert ui_text("agreement.step_line", number=2, step=" — ".join(STEPS_OF_SOPHIE[1])) in (
        amended.text
    )
    await expect(sophie, ui_text("agreement.question"))
    await sophie.click(ui_text("agreement.ok"))
    await expect(sophie, ui_text("worker.agreement_accepted_done"))
    await expect(amina, ui_text("agreement.accepted_by_worker", worker="Sophie D."))

    person_id = rows(settings, "SELECT id FROM persons")[0][0]
    agreed = await services_of(bot).agreements.first_steps(person_id)
    assert agreed is not None and agreed.problem == "Trouver un logement stable"
    assert [(s.what, s.who, s.when) for s in agreed.steps] == [
        ("Prendre rendez-vous à la CAF", "Amina", "jeudi matin"),
        STEPS_OF_SOPHIE[1],
        STEPS_OF_SOPHIE[2],
    ]
    # The first agreed step is now her first step, with its check-in scheduled.
    assert rows(settings, "SELECT kind FROM reminders WHERE person_id IS NOT NULL") != []
    assert {r[0] for r in rows(settings, "SELECT kind FROM reminders")} >= {"checkin_step"}

    # Both see every round, the answer as its difference.
    await amina.send("/convenu")
    history = await expect(amina, ui_text("agreement.history_header"))
    assert difference in history.text and "Appeler le bailleur" in history.text
    await sophie.send("/convenu")
    rounds = await expect(sophie, ui_text("worker.rounds_header", person="Amina"))
    assert difference in rounds.text
    assert ui_text("agreement.status_accepted") in rounds.text


async def test_a_round_can_remove_or_add_a_step_and_old_buttons_are_refused(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    sophie, _ = await worker_joins(fake_telegram, bot, "Sophie")
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=sophie)
    await sophie.next_message()
    await sophie.send("/personnes")
    await sophie.next_message()
    await sophie.click("Amina")
    await sophie.next_message()
    await sophie.click(ui_text("worker.card_agree"))
    await sophie.next_message()
    await sophie.send("Trouver un logement stable")
    await sophie.next_message()
    await sophie.send("\n".join(" ; ".join(step) for step in STEPS_OF_SOPHIE))
    await sophie.next_message()
    await sophie.click(ui_text("worker.agree_send"))
    await sophie.next_message()

    await amina.next_message()
    first_question = await expect(amina, ui_text("agreement.question"))
    old_ok = next(
        data
        for row in first_question.buttons
        for label, data in row
        if label == ui_text("agreement.ok")
    )
    await amina.click(ui_text("agreement.remove_step"))
    # The answered question shows the choice made; its buttons are gone.
    chosen = ui_text("bot.chosen", answer=ui_text("agreement.remove_step"))
    await fake_telegram.wait_for(
        lambda: any(
            m.message_id == first_question.message_id and m.text.endswith(chosen) and not m.buttons
            for m in amina.messages
        )
    )
    await expect(amina, ui_text("agreement.which_step"))
    await amina.click(ui_text("agreement.step_button", number=2))
    removal = ui_text("agreement.diff_remove", number=2, before=" — ".join(STEPS_OF_SOPHIE[1]))
    assert removal in (await amina.next_message()).text
    # She changes her mind: nothing goes, and the question is asked again.
    await amina.click(ui_text("agreement.drop"))
    await expect(amina, ui_text("agreement.dropped"))
    await expect(amina, ui_text("agreement.question"))
    await amina.click(ui_text("agreement.add_step"))
    await expect(amina, ui_text("agreement.ask_add"))
    await amina.send("Demander à ma sœur de venir avec moi")
    await amina.next_message()
    await amina.click(ui_text("agreement.send"))
    await expect(amina, ui_text("agreement.amended_sent"))

    amended = await expect(
        sophie, first_line("worker.agreement_amended", person="Amina", change="")
    )
    addition = ui_text("agreement.diff_add", number=4, after="Demander à ma sœur de venir avec moi")
    assert addition in amended.text
    # Sophie counters: she takes her own step 2 out; Amina sees that difference.
    await expect(sophie, ui_text("agreement.question"))
    await sophie.click(ui_text("agreement.remove_step"))
    await sophie.next_message()
    await sophie.click(ui_text("agreement.step_button", number=2))
    await sophie.next_message()
    await sophie.click(ui_text("agreement.send"))
    await expect(sophie, first_line("agreement.counter_sent", person="Amina"))
    countered = await expect(
        amina, first_line("agreement.proposed_change", worker="Sophie D.", change="")
    )
    assert ui_text("agreement.diff_remove", number=2, before=" — ".join(STEPS_OF_SOPHIE[1])) in (
        countered.text
    )
    await expect(amina, ui_text("agreement.question"))
    # The first proposal's button belongs to a replaced round: a kind word, nothing changes.
    assert old_ok is not None
    await amina.click_data(old_ok, message=first_question)
    await expect(amina, ui_text("agreement.closed"))
    await amina.click(ui_text("agreement.ok"))
    await expect(amina, first_line("agreement.accepted"))
    assert rows(settings, "SELECT round, author, status FROM agreements ORDER BY id") == [
        (1, "worker", "superseded"),
        (2, "person", "superseded"),
        (3, "worker", "accepted"),
    ]
    person_id = rows(settings, "SELECT id FROM persons")[0][0]
    agreed = await services_of(bot).agreements.first_steps(person_id)
    assert agreed is not None
    assert [s.what for s in agreed.steps] == [
        "Prendre rendez-vous à la CAF",
        "Remplir le dossier FSL",
        "Demander à ma sœur de venir avec moi",
    ]


SOUND = b"OggS\x00\x02" + b"Amina raconte sa semaine" + bytes(40)


async def test_a_voice_answer_reaches_the_worker_as_a_recording_and_the_export_holds_it(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()
    await finish_probleme(amina, SOUND)
    await prepare(amina, None)
    await amina.click(ui_text("summary.send"))
    await eventually(fake_telegram, amina, SENT)

    def recordings() -> list[BotMessage]:
        return [m for m in severine.messages if m.voice is not None]

    await fake_telegram.wait_for(lambda: recordings() or None)
    (voice,) = recordings()
    sent = next(m for m in amina.sent if m.get("voice"))["voice"]
    assert voice.voice is not None and voice.voice.data == SOUND
    assert voice.voice.file_id == sent["file_id"]  # sent again by its file id, not uploaded
    difficult = DIALOGUES["probleme"].step("difficulte").label
    label = ui_text("worker.summary_voice_caption", person="Amina", label=difficult)
    assert voice.caption == label
    # In the summary's order: after the text, before the chart and its buttons.
    texts = [i for i, m in enumerate(severine.messages) if m.html]
    assert texts and max(texts) < severine.messages.index(voice)

    await amina.send("/mes_donnees")

    def document(name: str) -> BotMessage | None:
        return next((m for m in amina.messages if m.filename == name), None)

    await fake_telegram.wait_for(lambda: document("mes_donnees.zip"))
    readable, packed = document("mes_donnees.txt"), document("mes_donnees.zip")
    assert readable is not None and packed is not None and packed.document is not None
    with zipfile.ZipFile(io.BytesIO(packed.document)) as archive:
        names = archive.namelist()
        assert {"mes_donnees.txt", "mes_donnees.json"} <= set(names)
        (recording,) = [n for n in names if n.endswith(".oga")]
        assert archive.read(recording) == SOUND
        data = json.loads(archive.read("mes_donnees.json"))
        assert archive.read("mes_donnees.txt") == readable.document
    assert data["recordings"][0]["file"] == recording and not data["recordings"][0]["missing"]
    assert readable.document is not None and recording in readable.document.decode()


async def test_a_typical_summary_is_three_messages_opening_with_a_neutral_notice(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()
    await finish_probleme(amina, "Je dors chez ma sœur depuis mars")
    await finish_forces(amina, 4)
    await finish_forces(amina, 6)
    await amina.send("/preparer")
    await expect(amina, ui_start("summary.topics_question"))
    await amina.send("Le dossier CAF")
    whole, _ = await read_preview(amina)
    notice = ui_text("worker.summary_notice_vowel", person="Amina")
    # The person sees what the worker's phone shows first, then the same text.
    assert f"« {notice} »" in whole
    before = len(severine.messages)
    await amina.click(ui_text("summary.send"))
    await eventually(fake_telegram, amina, DELIVERED)
    sent = severine.messages[before:]
    print("\n\n".join(m.text for m in sent))
    assert len(sent) == 3
    first, body, chart = sent
    assert first.text == notice and not first.buttons  # nothing else in the preview
    assert body.html and body.text in whole  # exactly what the person previewed
    assert "« Je dors chez ma sœur depuis mars »" in body.text
    assert "« Le dossier CAF »" in body.text
    # Our own numbers and labels are plain: a score is never quoted as her words.
    score = ui_text("engine.scale_value", value=9, of=10)
    assert score in body.text and f"« {score}" not in body.text
    up = ui_text("worker.summary_score_up", label="", before="", now="").split()[0]
    assert body.text.count(up) == 8
    assert (
        body.text.index("« Le dossier CAF »")
        < body.text.index(up)
        < body.text.index(ui_text("worker.summary_quote_note"))
    )
    assert chart.photo is not None
    assert chart.button_labels == [ui_text("worker.ack"), ui_text("worker.history")]


async def test_delivery_survives_bot_api_failures_and_a_restart_with_exactly_one_delivery(
    fake_telegram: FakeTelegram, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Retries wait at most a second here (ten minutes in production): same path, less waiting.
    monkeypatch.setattr(delivery, "MAX_BACKOFF", timedelta(seconds=1))
    async with running_bot(settings) as first:
        severine, _ = await worker_joins(fake_telegram, first)
        amina = await person_joins(fake_telegram, first, "Amina", worker_user=severine)
        await severine.next_message()
        await finish_probleme(amina, "Les factures")
        control = await prepare(amina, None)
        # The worker's side fails: a 5xx, then the bot is stopped before any retry.
        # Every attempt of this first run fails, however many it makes before stopping.
        fake_telegram.fail_next("sendMessage", status=502, chat_id=severine.chat_id, count=1000)
        await amina.click(ui_text("summary.send"), message=control)
        await expect(amina, SENT)
        await fake_telegram.wait_for(
            lambda: (
                rows(settings, "SELECT attempts FROM outbox WHERE dedupe_key LIKE 'summary:%'")
                == [(1,)]
            )
        )
    assert summaries_received(severine) == []
    fake_telegram.clear_failures()

    # Back up: a 429, another 5xx and a timeout on the way, then it goes through, once.
    # Planned before the start, since the courier delivers as soon as the bot is up.
    worker_chat = severine.chat_id
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1, chat_id=worker_chat)
    fake_telegram.fail_next("sendMessage", status=500, chat_id=worker_chat)
    # A slow answer (3 s): the courier waits for it (sends wait up to 60 s) rather than resend.
    fake_telegram.fail_next("sendMessage", timeout=3, chat_id=worker_chat)
    async with running_bot(settings):
        await expect(amina, DELIVERED)
        assert len(summaries_received(severine)) == 1
        assert fake_telegram.pending_failures == 0

    async with running_bot(settings):
        await amina.send("/aide")
        await expect(amina, ui_text("bot.help").splitlines()[0])
        assert len(summaries_received(severine)) == 1
    # Each side heard of the delivery once, whichever moment the bot was stopped at.
    assert sum(DELIVERED in m.text for m in amina.messages) == 1


async def test_a_worker_who_blocked_the_bot_leaves_the_summary_with_the_person(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()
    await finish_probleme(amina, "Les factures")
    control = await prepare(amina, "Mes dettes")
    severine.block()
    await amina.click(ui_text("summary.send"), message=control)
    # The reply and the courier's notice may arrive in either order.
    await eventually(fake_telegram, amina, SENT)
    await eventually(fake_telegram, amina, ui_start("summary.failed"))
    # The words are still there: a new summary can be prepared and sent later.
    question = ui_start("summary.topics_question")
    asked_before = sum(question in m.text for m in amina.messages)
    await amina.send("/preparer")
    await fake_telegram.wait_for(
        lambda: sum(question in m.text for m in amina.messages) > asked_before
    )


async def test_redoing_a_dialogue_while_a_summary_is_pending_updates_it(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()
    await finish_forces(amina, 5)
    old_control = await prepare(amina, "Le travail")
    await finish_forces(amina, 8)
    # The old preview's Envoyer no longer matches what would be sent.
    await amina.click(ui_text("summary.send"), message=old_control)
    await expect(amina, ui_text("summary.changed"))
    _, fresh = await read_preview(amina)
    assert summaries_received(severine) == []
    await amina.click(ui_text("summary.send"), message=fresh)
    await eventually(fake_telegram, amina, SENT)
    await eventually(fake_telegram, amina, DELIVERED)
    housing = DIALOGUES["forces"].step("logement").label
    moved = ui_text("worker.summary_score_up", label=housing, before=5, now=8)
    assert moved in "\n".join(m.text for m in severine.messages)
