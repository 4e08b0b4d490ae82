"""The conversation use case, without any transport: what a person's input means now and what
the bot answers. Safety comes first, then what waits for the person's words, then the
dialogue; forwarded words are asked about; an old button brings the live question back."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.actions import (
    AnswerButton,
    ForwardButton,
    HeldWordsButton,
    MenuButton,
    RightsButton,
    SummaryButton,
)
from bot.config import Settings
from bot.domain import Person
from bot.pending_states import Forwarded, SummaryTopics
from bot.replies import ClosePressed, DialogueQuestion, Message, Notice, Reply, RetireQuestion
from bot.services import Services
from bot.usecases.conversation_inputs import Command, ForwardedWords, Input, Pressed, Words
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, finishes, opened

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ACCOUNT = "telegram:201"
DISTRESS = "je veux mourir"


async def said(services: Services, person: Person, what: Input) -> Reply:
    """The person as stored now (as each update reads them) says or presses `what`; a
    dialogue question in the reply is then shown, as a transport does."""
    found = await services.storage.get_person(person.id)
    assert found is not None
    reply = await services.conversation.handle(found, ACCOUNT, what)
    for part in reply.parts:
        if isinstance(part, DialogueQuestion) and not part.seen:
            await services.conversation.shown(part)
    return reply


def texts(reply: Reply) -> list[str]:
    return [part.text for part in reply.parts if isinstance(part, Message)]


def question(reply: Reply) -> DialogueQuestion:
    found = [part for part in reply.parts if isinstance(part, DialogueQuestion)]
    assert len(found) == 1, reply
    return found[0]


def message(services: Services, key: str) -> str:
    return services.catalogs.translator().message(key)


async def in_probleme(services: Services) -> tuple[Person, DialogueQuestion]:
    """Amina, joined, opened "Mon problème" from the menu: its first question shown."""
    sophie = await a_worker(services, "Sophie", "telegram:101")
    amina = await a_person(services, sophie, ACCOUNT)
    reply = await said(services, amina, Pressed(MenuButton("open", "probleme"), "Mon problème"))
    assert isinstance(reply.parts[0], Notice) and isinstance(reply.parts[1], ClosePressed)
    return amina, question(reply)


async def answers(services: Services, person: Person) -> dict[str, object]:
    found = await services.storage.get_person(person.id)
    assert found is not None and found.current_run_id is not None
    run = await services.storage.get_run(found.current_run_id)
    assert run is not None
    return dict(run.state.get("answers", {}))


async def test_words_answer_the_dialogue_question_shown(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        amina, first = await in_probleme(services)

        reply = await said(services, amina, Words("Le loyer est trop cher"))

        assert isinstance(reply.parts[0], RetireQuestion)  # the answered question's buttons go
        assert question(reply).prompt.turn > first.prompt.turn
        assert "Le loyer est trop cher" in (await answers(services, amina)).values()


async def test_distress_is_screened_before_the_dialogue_and_held_for_her_choice(
    any_settings: Settings,
) -> None:
    async with opened(any_settings, ManualClock(NOW)) as services:
        amina, first = await in_probleme(services)

        help = await said(services, amina, Words(DISTRESS))

        assert texts(help)[0] == message(services, "safety.heard")
        keep_question = [p for p in help.parts if isinstance(p, Message) and p.choices][-1]
        assert keep_question.text == message(services, "safety.keep_question")
        keep = keep_question.choices[0][0][1]
        assert isinstance(keep, HeldWordsButton) and keep.action == "keep"
        assert await answers(services, amina) == {}  # not filed under the question

        kept = await said(services, amina, Pressed(keep, message(services, "safety.keep_yes")))

        assert message(services, "safety.kept") in texts(kept)
        assert DISTRESS in (await answers(services, amina)).values()
        assert question(kept).prompt.turn > first.prompt.turn
        again = await said(services, amina, Pressed(keep, "Oui"))  # the same button, twice
        assert again.parts[0] == Notice(message(services, "safety.stale"))


async def test_what_waits_takes_the_words_before_the_dialogue(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, ACCOUNT)
        await finishes(services, amina, "probleme")

        asked = await said(services, amina, Command("prepare"))

        assert texts(asked)[-1] == message(services, "summary.topics_question")
        pending = await services.inputs.peek(ACCOUNT)
        assert isinstance(pending, SummaryTopics)
        skip = [p for p in asked.parts if isinstance(p, Message)][-1].choices[0][0][1]
        assert isinstance(skip, SummaryButton) and skip.action == "skip"
        assert skip.summary_id == pending.summary_id
        # Distress while the topics wait: help first, and the topics still wait.
        help = await said(services, amina, Words(DISTRESS))
        assert texts(help)[0] == message(services, "safety.heard")
        assert await services.inputs.peek(ACCOUNT) == pending
        await services.storage.drop_held(ACCOUNT)

        preview = await said(services, amina, Words("Le loyer"))

        assert await services.inputs.peek(ACCOUNT) is None
        current = await services.summaries.current(amina)
        assert current is not None and current.topics == "Le loyer"
        control = [p for p in preview.parts if isinstance(p, Message)][-1]
        actions = {choice[1] for row in control.choices for choice in row}
        assert SummaryButton("send", current.summary_id, current.revision) in actions


async def test_forwarded_words_are_asked_about_then_kept_as_her_answer(
    settings: Settings,
) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        amina, first = await in_probleme(services)

        asked = await said(services, amina, ForwardedWords("Texte de ma sœur"))

        assert texts(asked) == [message(services, "bot.forwarded_question")]
        assert await services.inputs.peek(ACCOUNT) == Forwarded("Texte de ma sœur")
        assert await answers(services, amina) == {}
        kept = await said(services, amina, Pressed(ForwardButton("keep"), "Oui"))
        assert await services.inputs.peek(ACCOUNT) is None
        assert "Texte de ma sœur" in (await answers(services, amina)).values()
        assert question(kept).prompt.turn > first.prompt.turn
        late = await said(services, amina, Pressed(ForwardButton("keep"), "Oui"))
        assert message(services, "bot.stale_button") in texts(late)


async def test_an_old_or_forged_button_brings_the_live_question_back(
    settings: Settings,
) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        amina, first = await in_probleme(services)
        await said(services, amina, Words("Le loyer"))
        old = AnswerButton(first.run_id, first.prompt.turn, "x")

        for action in (old, None):
            reply = await said(services, amina, Pressed(action, "x"))

            stale = Notice(message(services, "bot.stale_button"))
            assert reply.parts[:2] == (stale, ClosePressed())
            assert question(reply).prompt.turn == first.prompt.turn + 1
        assert list((await answers(services, amina)).values()) == ["Le loyer"]


async def test_commands_without_a_dialogue_point_to_the_menu(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, ACCOUNT)

        cancel = await said(services, amina, Command("cancel"))
        back = await said(services, amina, Command("back"))
        words = await said(services, amina, Words("bonjour"))

        assert texts(cancel) == [message(services, "bot.cancel_nothing")]
        for reply in (back, words):
            assert texts(reply)[0] == message(services, "bot.no_dialogue")
            assert texts(reply)[-1] == message(services, "bot.menu")
            menu = [p for p in reply.parts if isinstance(p, Message)][-1]
            assert MenuButton("open", "probleme") in {c[1] for row in menu.choices for c in row}


async def test_erase_asks_first_and_a_token_not_issued_erases_nothing(
    settings: Settings,
) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, ACCOUNT)

        asked = await said(services, amina, Command("erase"))

        (question,) = [p for p in asked.parts if isinstance(p, Message)]
        assert question.text == message(services, "rights.erase_question")
        erase = question.choices[0][0][1]
        assert isinstance(erase, RightsButton) and erase.action == "erase"
        forged = await said(services, amina, Pressed(RightsButton("erase", "0.000000000000")))
        assert texts(forged) == [message(services, "rights.erase_question")]
        assert await services.storage.get_person(amina.id) is not None
        erased = await said(services, amina, Pressed(erase, "Oui"))
        assert texts(erased) == [message(services, "rights.erased")]
        assert await services.storage.get_person(amina.id) is None
