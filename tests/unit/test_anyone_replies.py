"""What every chat gets, whoever writes, without any transport: /aide by role, then the
question waiting; /urgence; an unknown command; what we cannot read; an edited message, its
words screened for distress first and held for nothing."""

from __future__ import annotations

from bot.config import Settings
from bot.replies import ClosePressed, DialogueQuestion, Notice
from bot.usecases.anyone_replies import Someone
from tests.clock import ManualClock
from tests.unit.actors import a_worker, opened
from tests.unit.test_conversation import ACCOUNT, DISTRESS, NOW, in_probleme, message, texts


async def test_help_by_role_then_the_question_waiting(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        amina, shown = await in_probleme(services)
        anyone = services.anyone
        found = await services.storage.get_person(amina.id)
        assert found is not None

        helped = await anyone.help(Someone(ACCOUNT, person=found))

        assert texts(helped) == [message(services, "bot.help")]
        again = helped.parts[-1]
        assert isinstance(again, DialogueQuestion) and again.seen
        assert again.prompt.turn == shown.prompt.turn
        sophie = await services.workers.by_account("telegram:101")
        assert sophie is not None
        worker_help = await anyone.help(Someone("telegram:101", worker=sophie))
        assert texts(worker_help) == [message(services, "worker.help")]
        stranger = await anyone.help(Someone("telegram:999"))
        assert texts(stranger) == [message(services, "join.stranger")]


async def test_emergency_and_unknown_command_for_a_worker(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        who = Someone("telegram:101", worker=sophie)

        emergency = await services.anyone.emergency(who)
        unknown = await services.anyone.unknown_command(who)

        assert texts(emergency) == [message(services, "bot.emergency")]
        assert texts(unknown) == [message(services, "bot.unknown_command")]


async def test_a_caption_stating_distress_brings_help_and_holds_nothing(
    settings: Settings,
) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        amina, _ = await in_probleme(services)
        who = Someone(ACCOUNT, person=amina)

        photo = await services.anyone.unsupported(who, DISTRESS)
        edited = await services.anyone.edited(who, "Le loyer, en fait")

        assert texts(photo)[0] == message(services, "safety.heard")
        assert texts(photo)[-1] == message(services, "bot.unsupported")
        assert message(services, "safety.keep_question") not in texts(photo)  # held for nothing
        assert texts(edited) == [message(services, "bot.edited")]


async def test_a_button_not_theirs_gets_a_kind_word_and_loses_its_buttons(
    settings: Settings,
) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        refused = services.anyone.refused_button()

    assert refused.parts == (Notice(message(services, "bot.stale_button")), ClosePressed())
