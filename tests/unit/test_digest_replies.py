"""The worker's call requests and digest as replies, without any transport: the requests
still waiting come first, each with its buttons; "J'ai appelé" acknowledges once and the
request leaves the digest; "Voir" under the evening reminder brings the digest."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.actions import CallAckButton, ReminderButton
from bot.config import Settings
from bot.replies import ClosePressed, Message, Notice
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, opened

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TOMORROW = datetime(2026, 12, 2, 13, 30, tzinfo=UTC)


async def test_a_call_request_waits_in_the_digest_until_acknowledged(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201", "Amina")
        assert await services.safety.request_call(amina) is not None
        worker = services.worker_conversation

        digest = await worker.pressed(sophie, "telegram:101", ReminderButton(1), None, tr)

        assert digest.parts[:2] == (Notice(), ClosePressed())
        messages = [part for part in digest.parts if isinstance(part, Message)]
        assert messages[0].text == tr.message("safety.digest_title")
        ack = messages[1].choices[0][0][1]
        assert isinstance(ack, CallAckButton) and ack.how == "called"
        assert messages[-1].text == tr.message("reminder.digest_none")

        done = await worker.pressed(sophie, "telegram:101", ack, "✅ J'ai appelé", tr)
        again = await worker.pressed(sophie, "telegram:101", ack, None, tr)

        assert done.parts == (
            Notice(tr.message("safety.worker_ack_done")),
            ClosePressed("✅ J'ai appelé"),
        )
        assert again.parts[0] == Notice(tr.message("safety.worker_ack_again"))
        assert await services.safety.open_calls(sophie) == []
        await services.appointments.set(sophie, amina.id, TOMORROW)
        after = await worker.pressed(sophie, "telegram:101", ReminderButton(1), None, tr)
        [listed] = [p.text for p in after.parts if isinstance(p, Message)]
        title, line = listed.split("\n")
        assert title == tr.message("reminder.digest_title")
        assert tr.message("reminder.digest_summary_no") in line
