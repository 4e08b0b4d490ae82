"""/start, invitation links and consent as replies, without any transport: a worker's link
opens their access and their command menu; a person's link shows the consent question and
stores nothing until "accept"; refusing stores nothing; a used link is invalid."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.actions import ConsentButton
from bot.config import Settings
from bot.replies import ClosePressed, Message, Notice, Reply, WorkerCommandMenu
from bot.usecases.anyone_replies import Someone
from tests.clock import ManualClock
from tests.unit.actors import a_worker, opened

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def texts(reply: Reply) -> list[str]:
    return [part.text for part in reply.parts if isinstance(part, Message)]


def consent_button(reply: Reply, action: str) -> ConsentButton:
    [question] = [p for p in reply.parts if isinstance(p, Message) and p.choices]
    choices = [choice for row in question.choices for _, choice in row]
    [found] = [c for c in choices if isinstance(c, ConsentButton) and c.action == action]
    return found


async def test_a_worker_link_opens_their_access_and_their_commands(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        _, issued = await services.invitations.invite_worker("Karim D.", None)

        joined = await services.joining.start(Someone("telegram:102"), issued.code, 102, "fr")

        assert joined.parts[0] == WorkerCommandMenu("fr")
        assert texts(joined) == [
            tr.message("join.worker_welcome", name="Karim D."),
            tr.message("worker.help"),
        ]
        karim = await services.workers.by_account("telegram:102")
        assert karim is not None and karim.active
        again = await services.joining.start(Someone("telegram:102", worker=karim), None, 102, "fr")
        assert texts(again) == [tr.message("worker.help")]


async def test_a_person_consents_after_learning_more(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", "telegram:101")
        issued = await services.invitations.invite_person(sophie, "Amina")
        stranger = Someone("telegram:201")

        offered = await services.joining.start(stranger, issued.code, 201, "fr")

        assert texts(offered)[-1] == tr.message("consent.question")
        assert await services.persons.find("telegram:201", chat_id=201) is None  # nothing yet
        more = await services.joining.consent_pressed(
            stranger, consent_button(offered, "more"), "✅ En savoir plus", 201, "fr"
        )
        assert more.parts[:2] == (Notice(), ClosePressed("✅ En savoir plus"))
        assert texts(more)[-1] == tr.message("consent.question")
        accepted = await services.joining.consent_pressed(
            stranger, consent_button(more, "accept"), None, 201, "fr"
        )
        assert texts(accepted)[:2] == [tr.message("consent.welcome"), tr.message("bot.greeting")]
        amina = await services.persons.find("telegram:201", chat_id=201)
        assert amina is not None
        used = await services.joining.start(Someone("telegram:202"), issued.code, 202, "fr")
        assert texts(used) == [tr.message("join.invalid")]


async def test_refusing_stores_nothing(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", "telegram:101")
        issued = await services.invitations.invite_person(sophie, None)
        stranger = Someone("telegram:201")
        offered = await services.joining.start(stranger, issued.code, 201, "fr")

        refused = await services.joining.consent_pressed(
            stranger, consent_button(offered, "refuse"), None, 201, "fr"
        )

        assert texts(refused) == [tr.message("consent.refused")]
        assert await services.persons.find("telegram:201", chat_id=201) is None
        closed = await services.joining.stranger(
            Someone("telegram:301", closed_worker=True), "Bonjour"
        )
        assert texts(closed) == [tr.message("worker.not_allowed")]
