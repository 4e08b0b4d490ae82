"""A worker's inputs through the worker conversation use case, without any transport: words
with nothing waiting, an appointment's date typed in two answers, read back, then set;
other workers refused."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.actions import WorkerButton
from bot.config import Settings
from bot.pending_states import AppointmentWhen
from bot.replies import Message, Notice, Reply
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, opened

# A Monday morning in Paris.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SOPHIE = "telegram:101"


def texts(reply: Reply | None) -> list[str]:
    assert reply is not None
    return [part.text for part in reply.parts if isinstance(part, Message)]


async def test_an_appointment_typed_read_back_then_set(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", SOPHIE)
        karim = await a_worker(services, "Karim", "telegram:102")
        amina = await a_person(services, sophie, "telegram:201")
        desk = services.worker_conversation
        # Nothing waits: a pointer to the commands, unless the words state distress.
        hello = await desk.said(sophie, SOPHIE, "bonjour", tr)
        assert texts(hello) == [tr.message("worker.use_commands")]
        help = await desk.said(sophie, SOPHIE, "je veux mourir", tr)
        assert texts(help)[0] == tr.message("safety.heard")

        asked = await desk.pressed(sophie, SOPHIE, WorkerButton("rdv", amina.id), None, tr)
        assert texts(asked) == [tr.message("appointment.worker_ask", person="Amina")]
        day_only = await desk.said(sophie, SOPHIE, "mercredi", tr)
        assert texts(day_only) == [tr.message("appointment.problem_no_time")]
        assert await services.inputs.peek(SOPHIE) == AppointmentWhen(amina.id, day="mercredi")
        read_back = await desk.said(sophie, SOPHIE, "14h", tr)
        assert read_back is not None
        (confirm,) = [part for part in read_back.parts if isinstance(part, Message)]
        assert confirm.choices[0][0][1] == WorkerButton("rdvok", amina.id)
        assert await services.appointments.next_for_worker(sophie, amina.id) is None

        ok = await desk.pressed(sophie, SOPHIE, WorkerButton("rdvok", amina.id), None, tr)

        assert ok.parts[-1] == Notice()
        assert texts(ok)[0].startswith(tr.message("appointment.worker_set_for", person="Amina"))
        assert await services.inputs.peek(SOPHIE) is None
        upcoming = await services.appointments.next_for_worker(sophie, amina.id)
        assert upcoming is not None and upcoming.at.weekday() == 2  # that Wednesday
        for action in ("rdv", "rdvcancel", "card"):
            button = WorkerButton(action, amina.id)
            refused = await desk.pressed(karim, "telegram:102", button, None, tr)
            assert refused.parts == (Notice(tr.message("worker.not_yours")),)
