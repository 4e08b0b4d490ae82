"""The worker's view of their persons as replies, without any transport: the list and the
card of their own persons, a kind refusal for anyone else's, "Bien reçu" told once."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.actions import AckSummaryButton, WorkerButton
from bot.config import Settings
from bot.replies import Message, Notice, PictureAttachment
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, finishes, opened

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_a_worker_sees_their_persons_and_no_one_else_s(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", "telegram:101")
        karim = await a_worker(services, "Karim", "telegram:102")
        amina = await a_person(services, sophie, "telegram:201")
        desk = services.worker_desk

        listing = await desk.persons(sophie, tr)
        (shown,) = listing.parts
        assert isinstance(shown, Message)
        assert shown.choices == (((amina.pseudonym or "", WorkerButton("card", amina.id)),),)
        assert (await desk.persons(karim, tr)).parts == (
            Message(tr.message("worker.persons_none")),
        )

        card = await desk.pressed(sophie, WorkerButton("card", amina.id), tr)
        assert isinstance(card.parts[0], Message) and card.parts[-1] == Notice()
        for action in ("card", "hist", "chart"):
            refused = await desk.pressed(karim, WorkerButton(action, amina.id), tr)
            assert refused.parts == (Notice(tr.message("worker.not_yours")),)


async def test_the_chart_and_the_acknowledgement(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        desk = services.worker_desk
        none = await desk.pressed(sophie, WorkerButton("chart", amina.id), tr)
        assert none.parts[0] == Message(tr.message("worker.chart_none", person=amina.pseudonym))

        await finishes(services, amina, "probleme")
        await finishes(services, amina, "forces")
        await services.summaries.prepare(amina, tr)
        view = await services.summaries.set_topics(amina, "Le loyer")
        assert view is not None
        assert await services.summaries.send(amina, view.summary_id, view.revision) == "sent"

        chart = await desk.pressed(sophie, WorkerButton("chart", amina.id), tr)
        assert isinstance(chart.parts[0], PictureAttachment)
        assert chart.parts[0].data.startswith(b"\x89PNG")
        ack = AckSummaryButton(view.summary_id)
        assert (await desk.pressed(sophie, ack, tr)).parts == (
            Notice(tr.message("worker.ack_done")),
        )
        assert (await desk.pressed(sophie, ack, tr)).parts == (
            Notice(tr.message("worker.ack_again")),
        )
