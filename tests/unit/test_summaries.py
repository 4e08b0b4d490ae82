"""Summaries as use cases: the person's topics (typed or said), one send per preview, the
worker's "Bien reçu" told once and only by their own worker; no Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.domain import VoiceNote
from bot.messages import SummaryAcknowledged, SummaryToWorker
from bot.services import Services
from bot.usecases.access import NotYours
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, finishes, opened

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def bodies(services: Services) -> list[object]:
    """What is queued, whenever it is due."""
    return [i.message.body for i in await services.storage.due_outbox(NOW + timedelta(days=30))]


async def test_topics_said_aloud_stay_a_voice_note(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        await finishes(services, amina, "probleme")
        await services.summaries.prepare(amina, services.catalogs.translator())

        said = VoiceNote("voice-file-1", 12)
        view = await services.summaries.set_topics(amina, said)

        assert view is not None and view.topics == said
        current = await services.summaries.current(amina)
        assert current is not None and current.topics == said  # read back from storage
        typed = await services.summaries.set_topics(amina, "  Le loyer  ")
        assert typed is not None and typed.topics == "Le loyer"


async def test_one_preview_is_sent_once_and_acknowledged_once(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        karim = await a_worker(services, "Karim", "telegram:102")
        amina = await a_person(services, sophie, "telegram:201")
        await finishes(services, amina, "probleme")
        await services.summaries.prepare(amina, services.catalogs.translator())
        view = await services.summaries.set_topics(amina, "Le loyer")
        assert view is not None

        assert await services.summaries.send(amina, view.summary_id, view.revision) == "sent"
        again = await services.summaries.send(amina, view.summary_id, view.revision)
        assert again == "already_sent"
        assert (await bodies(services)).count(SummaryToWorker(view.summary_id)) == 1

        with pytest.raises(NotYours):
            await services.summaries.acknowledge(karim, view.summary_id)
        assert await services.summaries.acknowledge(sophie, view.summary_id)
        assert not await services.summaries.acknowledge(sophie, view.summary_id)
        told = SummaryAcknowledged(view.summary_id, "Sophie")
        assert (await bodies(services)).count(told) == 1


async def test_a_stale_preview_sends_nothing(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        await finishes(services, amina, "probleme")
        await services.summaries.prepare(amina, services.catalogs.translator())
        first = await services.summaries.set_topics(amina, "Le loyer")
        second = await services.summaries.set_topics(amina, "La CAF")
        assert first is not None and second is not None

        result = await services.summaries.send(amina, first.summary_id, first.revision)

        assert result == "changed"
        assert not any(isinstance(b, SummaryToWorker) for b in await bodies(services))
