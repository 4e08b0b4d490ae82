"""The worker's view of their persons as replies: the list, one person's card, the summaries
received, the strengths chart, and "Bien reçu" under a summary."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.actions import AcceptAgreementButton, AckSummaryButton, WorkerButton
from bot.domain import Person, Worker
from bot.i18n import Translator
from bot.pictures.chart import ChartLabels, DomainScore, strengths_chart
from bot.replies import Message, Notice, PictureAttachment, Reply, reply, say
from bot.usecases.access import NotYours
from bot.usecases.agreements import AgreementClosed, Agreements
from bot.usecases.appointments import Appointments
from bot.usecases.summaries import Summaries
from bot.usecases.summary_content import Score
from bot.usecases.workers import Workers

# How many persons the list offers as buttons (Telegram's keyboards have a limit).
LISTED = 90


def person_name(found: Person, translator: Translator) -> str:
    """How the worker knows the person."""
    return found.pseudonym or translator.message("worker.no_pseudonym")


def chart_png(
    scores: list[Score], now: object, before: object, translator: Translator, title: str
) -> bytes:
    """The strengths chart with translated labels."""
    return strengths_chart(
        [DomainScore(score.label, score.now, score.before) for score in scores],
        ChartLabels(
            title=title,
            now=translator.message("worker.chart_now", date=now),
            before=translator.message("worker.chart_before", date=before),
            decimal_separator=translator.message("format.decimal_separator"),
        ),
    )


class WorkerReplies:
    """What a worker sees of the persons they support (each use case checks the link)."""

    def __init__(
        self,
        workers: Workers,
        summaries: Summaries,
        agreements: Agreements,
        appointments: Appointments,
        timezone: ZoneInfo,
    ) -> None:
        self._workers = workers
        self._summaries = summaries
        self._agreements = agreements
        self._appointments = appointments
        self._timezone = timezone

    async def persons(self, worker: Worker, tr: Translator) -> Reply:
        """/personnes: the persons this worker supports, each a button to their card."""
        listing = await self._workers.persons(worker)
        if not listing:
            return say(tr.message("worker.persons_none"))
        lines = [tr.message("worker.persons_header")]
        rows = []
        for entry in listing:
            name = entry.pseudonym or tr.message("worker.no_pseudonym")
            date = tr.day(entry.joined_at, self._timezone) if entry.joined_at else ""
            lines.append(tr.message("worker.persons_line", pseudonym=name, date=date))
            rows.append([(name, WorkerButton("card", entry.person_id))])
        lines.append(tr.message("worker.persons_pick"))
        return say("\n".join(lines), rows[:LISTED])

    async def pressed(
        self,
        worker: Worker,
        button: WorkerButton | AckSummaryButton | AcceptAgreementButton,
        tr: Translator,
    ) -> Reply:
        """A worker's button about one of their persons; anything about someone else's is
        refused kindly. Only card, hist and chart of the `WorkerButton` actions come here."""
        try:
            if isinstance(button, AckSummaryButton):
                done = await self._summaries.received.acknowledge(worker, button.summary_id)
                return reply(Notice(tr.message("worker.ack_done" if done else "worker.ack_again")))
            if isinstance(button, AcceptAgreementButton):
                # No longer shown (the worker answers a round with its own buttons); a button
                # already sent still works.
                await self._agreements.accept_as_worker(worker, button.agreement_id)
                return reply(Notice()) + say(tr.message("worker.agreement_accepted_done"))
            if button.action == "hist":
                shown = await self._history(worker, button.person_id, tr)
            elif button.action == "chart":
                shown = await self._chart(worker, button.person_id, tr)
            else:
                shown = await self.card(worker, button.person_id, tr)
        except (NotYours, AgreementClosed):
            return reply(Notice(tr.message("worker.not_yours")))
        # Answered once, after the use case said yes or no: Telegram refuses a second answer.
        return shown + reply(Notice())

    async def card(self, worker: Worker, person_id: int, tr: Translator) -> Reply:
        """The person's card: since when, how many summaries, and what the worker can do."""
        who = await self._workers.person_of(worker, person_id)
        received = await self._summaries.received.of_person(worker, person_id, audit=None)
        joined = tr.day(who.consented_at, self._timezone) if who.consented_at else ""
        text = tr.message(
            "worker.card", person=person_name(who, tr), date=joined, count=len(received)
        )
        rows = [
            [(tr.message("worker.card_summaries"), WorkerButton("hist", person_id))],
            [(tr.message("worker.card_chart"), WorkerButton("chart", person_id))],
            [(tr.message("worker.card_agree"), WorkerButton("agree", person_id))],
            [(tr.message("worker.card_rounds"), WorkerButton("rounds", person_id))],
            [(tr.message("appointment.worker_set_button"), WorkerButton("rdv", person_id))],
        ]
        upcoming = await self._appointments.next_for_worker(worker, person_id)
        if upcoming is not None:
            when = tr.date_time(upcoming.at, self._timezone)
            text += "\n" + tr.message("appointment.worker_next", date=when)
            cancel = WorkerButton("rdvcancel", person_id)
            rows.append([(tr.message("appointment.worker_cancel_button"), cancel)])
        return say(text, rows)

    async def _history(self, worker: Worker, person_id: int, tr: Translator) -> Reply:
        """Every summary the person sent this worker, with where it is on its way."""
        who = await self._workers.person_of(worker, person_id)
        name = person_name(who, tr)
        received = await self._summaries.received.of_person(worker, person_id)
        if not received:
            return say(tr.message("worker.history_none", person=name))
        lines = [tr.message("worker.history_header", person=name)]
        for summary in received:
            moment = summary.sent_at or summary.created_at
            lines.append(
                tr.message(
                    "worker.history_line",
                    date=tr.date_time(moment, self._timezone),
                    status=tr.message(f"worker.status_{summary.status}"),
                )
            )
        return reply(Message("\n".join(lines)))

    async def _chart(self, worker: Worker, person_id: int, tr: Translator) -> Reply:
        """The strengths the person shared, newest against the one before, as a picture."""
        who = await self._workers.person_of(worker, person_id)
        name = person_name(who, tr)
        scores, now, before = await self._summaries.received.strengths_history(
            worker, person_id, tr
        )
        if not scores:
            return say(tr.message("worker.chart_none", person=name))
        caption = tr.message("worker.chart_caption", person=name)
        picture = chart_png(
            scores,
            tr.day(now, self._timezone) if now else "",
            tr.day(before, self._timezone) if before else "",
            tr,
            caption,
        )
        return reply(PictureAttachment(picture, "forces", caption))
