"""An agreement written and answered through the conversation use cases, without any
transport: the worker's words become a round; the person's words for a change go there
only after the safety step, and /retour steps back inside the round."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.actions import AgreementButton, StepButton, WorkerButton
from bot.config import Settings
from bot.pending_states import AgreementProblem, AgreementSteps, ChangeDraft
from bot.replies import Message, Notice, Reply
from bot.usecases.conversation_inputs import Command, Pressed, Words
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, opened

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SOPHIE, AMINA = "telegram:101", "telegram:201"


def texts(reply: Reply | None) -> list[str]:
    assert reply is not None
    return [part.text for part in reply.parts if isinstance(part, Message)]


async def test_a_round_written_by_the_worker_then_changed_by_the_person(
    settings: Settings,
) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", SOPHIE)
        amina = await a_person(services, sophie, AMINA)
        desk = services.worker_conversation

        asked = await desk.pressed(sophie, SOPHIE, WorkerButton("agree", amina.id), None, tr)
        assert asked.parts[-1] == Notice()
        assert await services.inputs.peek(SOPHIE) == AgreementProblem(amina.id)
        await desk.said(sophie, SOPHIE, "Le loyer", tr)
        preview = await desk.said(sophie, SOPHIE, "Appeler la CAF\nEcrire au bailleur", tr)
        assert isinstance(await services.inputs.peek(SOPHIE), AgreementSteps)
        assert texts(preview)[0].startswith(tr.message("worker.agree_preview", person="Amina"))
        sent = await desk.pressed(sophie, SOPHIE, WorkerButton("agsend", amina.id), None, tr)
        assert tr.message("worker.agree_sent", person="Amina") in texts(sent)
        (round_,) = await services.agreements.rounds(amina.id)

        conversation = services.conversation
        change = Pressed(AgreementButton("change", round_.id), "Changer")
        which = await conversation.handle(amina, AMINA, change)
        assert texts(which)[-1].endswith(tr.message("agreement.which_step"))
        part = Pressed(StepButton("change", round_.id, 0, "what"), "Quoi")
        words = await conversation.handle(amina, AMINA, part)
        assert texts(words) == [tr.message("agreement.ask_what")]

        help = await conversation.handle(amina, AMINA, Words("je veux mourir"))
        assert texts(help)[0] == tr.message("safety.heard")  # screened before the round
        await services.storage.drop_held(AMINA)
        shown = await conversation.handle(amina, AMINA, Words("Aller à la CAF"))
        draft = await services.inputs.peek(AMINA)
        assert isinstance(draft, ChangeDraft) and draft.after == "Aller à la CAF"
        assert any(
            tr.message("agreement.send") == c[0]
            for m in shown.parts
            if isinstance(m, Message)
            for row in m.choices
            for c in row
        )

        back = await conversation.handle(amina, AMINA, Command("back"))
        assert texts(back) == [tr.message("agreement.ask_what")]
        draft = await services.inputs.peek(AMINA)
        assert isinstance(draft, ChangeDraft) and draft.after is None


async def test_another_worker_s_agreement_buttons_are_refused(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", SOPHIE)
        karim = await a_worker(services, "Karim", "telegram:102")
        amina = await a_person(services, sophie, AMINA)
        desk = services.worker_conversation

        for action in ("agree", "rounds", "agsend", "agredo", "agback"):
            button = WorkerButton(action, amina.id)
            refused = await desk.pressed(karim, "telegram:102", button, None, tr)
            assert refused.parts[-1] == Notice(tr.message("worker.not_yours"))
        assert await services.inputs.peek("telegram:102") is None
