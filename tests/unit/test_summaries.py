"""Summaries as use cases: the person's topics (typed or said), one send per preview, the
worker's "Bien reçu" told once and only by their own worker, the parts the person chooses,
and what never goes (nothing chosen, no worker); no Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.domain import VoiceNote
from bot.engine import load_dialogues
from bot.messages import SummaryAcknowledged, SummaryToWorker
from bot.services import Services
from bot.usecases.access import NotYours
from bot.usecases.summaries import NothingToSummarise
from bot.usecases.summary_content import SECTIONS
from tests.clock import ManualClock
from tests.conftest import ROOT
from tests.unit.actors import a_person, a_worker, finishes, opened

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DIALOGUES = load_dialogues(ROOT / "dialogs")


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
            await services.summaries.received.acknowledge(karim, view.summary_id)
        assert await services.summaries.received.acknowledge(sophie, view.summary_id)
        assert not await services.summaries.received.acknowledge(sophie, view.summary_id)
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


async def test_the_person_chooses_the_parts_and_only_those_reach_the_worker(
    any_settings: Settings,
) -> None:
    async with opened(any_settings, ManualClock(NOW)) as services:
        summaries, tr = services.summaries, services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        await finishes(services, amina, "forces")
        await finishes(services, amina, "probleme")
        await finishes(services, amina, "forces")

        view = await summaries.prepare(amina, tr)
        # In the menu's order, whatever order they were answered in; all parts chosen.
        assert [s.key for s in view.sections] == ["probleme", "forces"]
        assert view.chosen == ["probleme", "forces"]
        assert [s.title for s in view.sections] == [
            tr.gettext(DIALOGUES[key].title) for key in SECTIONS if key != "idees"
        ]
        assert len(view.scores) == 8 and all(s.before is not None for s in view.scores)

        # Leave Mon problème out; a stale preview's tap changes nothing.
        assert await summaries.toggle(amina, view.summary_id, view.revision, "probleme")
        assert await summaries.toggle(amina, view.summary_id, view.revision, "forces") is None
        again = await summaries.prepare(amina, tr)  # preparing again keeps her choice
        assert again.chosen == ["forces"]
        assert await summaries.send(amina, again.summary_id, again.revision) == "sent"

        shown, person = await summaries.delivery.for_delivery(again.summary_id)
        assert [s.key for s in shown.sections] == ["forces"] and person == amina
        scores, _, _ = await summaries.received.strengths_history(sophie, amina.id, tr)
        assert [s.label for s in scores] == [s.label for s in view.scores]
        (stored,) = await services.storage.sent_summaries(amina.id)
        assert stored.status == "sent" and stored.worker_id == sophie.id
        assert [s["included"] for s in stored.content["sections"]] == [False, True]


async def test_nothing_chosen_or_no_worker_sends_nothing(any_settings: Settings) -> None:
    async with opened(any_settings, ManualClock(NOW)) as services:
        summaries, tr = services.summaries, services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        with pytest.raises(NothingToSummarise):
            await summaries.prepare(amina, tr)
        await finishes(services, amina, "probleme")
        view = await summaries.prepare(amina, tr)
        off = await summaries.toggle(amina, view.summary_id, view.revision, "probleme")
        assert off is not None and off.chosen == []
        assert await summaries.send(amina, off.summary_id, off.revision) == "nothing_chosen"

        on = await summaries.toggle(amina, off.summary_id, off.revision, "probleme")
        assert on is not None
        await services.workers.deactivate(sophie.id)
        assert await summaries.send(amina, on.summary_id, on.revision) == "no_worker"
        assert not any(isinstance(b, SummaryToWorker) for b in await bodies(services))
        draft = await services.storage.draft_of(amina.id)
        assert draft is not None and draft.status == "draft"  # kept for later
