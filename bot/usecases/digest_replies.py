"""The worker's side of call requests and their daily digest, as replies: the call requests
still waiting (each with its acknowledgement buttons), tomorrow's appointments, and the
answer to "J'ai appelé" / "Je m'en occupe"."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.actions import CallAckButton
from bot.domain import Worker
from bot.i18n import Translator
from bot.replies import ClosePressed, Message, Notice, Reply, Rows, reply, say
from bot.usecases.digest import Digests
from bot.usecases.safety import Safety
from bot.usecases.worker_replies import person_name


def ack_choices(call_id: int, tr: Translator) -> Rows:
    """The two acknowledgement buttons under a call request."""
    return (
        (
            (tr.message("safety.worker_called"), CallAckButton("called", call_id)),
            (tr.message("safety.worker_handling"), CallAckButton("handling", call_id)),
        ),
    )


class DigestReplies:
    """What a worker sees of the calls asked of them and of tomorrow."""

    def __init__(self, safety: Safety, digests: Digests, timezone: ZoneInfo) -> None:
        self._safety = safety
        self._digests = digests
        self._tz = timezone

    async def acknowledge(
        self, worker: Worker, button: CallAckButton, chosen: str | None, tr: Translator
    ) -> Reply:
        """The worker called, or takes it in hand: the person is told (once); the button
        answers whether this press did it, and the request shows the choice."""
        done = await self._safety.acknowledge(worker, button.call_id, button.how)
        key = "safety.worker_ack_done" if done else "safety.worker_ack_again"
        return reply(Notice(tr.message(key)), ClosePressed(chosen))

    async def digest(self, worker: Worker, tr: Translator) -> Reply:
        """Call requests still waiting, then tomorrow's appointments and their summaries."""
        return await self.open_calls(worker, tr) + await self.tomorrow(worker, tr)

    async def open_calls(self, worker: Worker, tr: Translator) -> Reply:
        """Every call request not acknowledged yet, each with its buttons (nothing if none)."""
        calls = await self._safety.open_calls(worker)
        if not calls:
            return Reply()
        parts = [Message(tr.message("safety.digest_title"))]
        for call, who in calls:
            name = who.pseudonym or tr.message("worker.no_pseudonym")
            when = tr.date_time(call.requested_at, self._tz)
            line = tr.message("safety.digest_line", pseudonym=name, date=when)
            parts.append(Message(line, ack_choices(call.id, tr)))
        return Reply(tuple(parts))

    async def tomorrow(self, worker: Worker, tr: Translator) -> Reply:
        """Tomorrow's appointments, each with whether a summary came for it."""
        entries = await self._digests.tomorrow(worker)
        if not entries:
            return say(tr.message("reminder.digest_none"))
        from babel.dates import format_time  # at first use: babel is not loaded at start-up

        lines = [tr.message("reminder.digest_title")]
        for entry in entries:
            time = format_time(
                entry.at.astimezone(self._tz), tr.message("format.time"), locale=tr.language
            )
            summary = (
                "reminder.digest_summary_yes"
                if entry.summary_sent
                else "reminder.digest_summary_no"
            )
            lines.append(
                tr.message(
                    "reminder.digest_line",
                    time=time,
                    person=person_name(entry.person, tr),
                    summary=tr.message(summary),
                )
            )
        return say("\n".join(lines))
