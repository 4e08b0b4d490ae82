"""The safety step: every message screened, help shown, the person's choice respected.

One function, `Safety.screen`, reads every text anyone sends (person, worker, stranger) in
every transport, and says what to show as a render-neutral `SafetyHelp`: the levels and
their numbers, the whole block or a calmer repeat, whether to offer a call, and whether to
ask the person to keep or drop their words (held aside instead of being filed as an answer).
A "call me" reaches the worker at once, and comes back to the person if nobody acknowledges
it within a working day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain import OutboxMessage, Person, SafetyCall, Worker
from bot.engine import Translator
from bot.messages import SafetyCallRaised, SafetyCallSeen, SafetyCallUnseen
from bot.pending_states import encode
from bot.storage.base import SafetyStorage
from bot.usecases.clock import Clock
from bot.usecases.distress import LEVELS, DistressReader
from bot.usecases.outbox import OutboxSignal

log = logging.getLogger(__name__)

# The numbers each level brings; 119 only when a child is named beside violence.
LEVEL_NUMBERS: dict[str, tuple[str, ...]] = {
    "life": ("3114", "15", "112"),
    "violence": ("3919", "17"),
    "shelter": ("115",),
    "general": ("15", "112", "114"),
}
CHILD_NUMBER = "119"
# After the whole block, the same levels within this window get a calmer repeat.
REPEAT_WINDOW = timedelta(minutes=30)
# A worker's working hours (local time), Monday to Friday: when a call request can be seen.
WORK_STARTS = 9
WORK_ENDS = 18

Acknowledgement = Literal["called", "handling"]


@dataclass(frozen=True)
class SafetyHelp:
    """What to show for a message that states distress; each transport renders it."""

    levels: tuple[str, ...]
    numbers: tuple[str, ...]
    # The whole block (heard, numbers, a short step) or a calmer repeat of the numbers.
    full: bool
    duty_line: str | None
    # The person has a worker who can be asked to call.
    offer_call: bool
    # The words are held: ask whether to keep them (button data carries this id).
    held_id: int | None = None


@dataclass(frozen=True)
class CallPromise:
    """What the person is told after "call me": when their worker can see it at the soonest."""

    call_id: int
    # None during working hours; else the next working moment.
    seen_from: datetime | None


class StaleHold(Exception):
    """A keep-or-drop button for words no longer held (already answered, or replaced)."""


def numbers_for(levels: tuple[str, ...], child: bool) -> tuple[str, ...]:
    """The numbers of these levels, each once, in a stable order."""
    found: list[str] = []
    for level in levels:
        found += [number for number in LEVEL_NUMBERS[level] if number not in found]
    if child and CHILD_NUMBER not in found:
        found.append(CHILD_NUMBER)
    return tuple(found)


def is_working_time(moment: datetime, timezone: ZoneInfo) -> bool:
    """Monday to Friday, 9:00 to 18:00 local time (public holidays are not known)."""
    local = moment.astimezone(timezone)
    return local.weekday() < 5 and WORK_STARTS <= local.hour < WORK_ENDS


def next_working_start(moment: datetime, timezone: ZoneInfo) -> datetime:
    """The next 9:00 on a weekday, strictly after `moment`'s working hours."""
    local = moment.astimezone(timezone)
    day = local.date()
    if local.hour >= WORK_STARTS:
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, WORK_STARTS, tzinfo=timezone)


def one_working_day_after(moment: datetime, timezone: ZoneInfo) -> datetime:
    """When a request is overdue: the same time next working day, or the end of the next
    working day for a request made at night or on a weekend."""
    local = moment.astimezone(timezone)
    if is_working_time(moment, timezone):
        day = local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return datetime(day.year, day.month, day.day, local.hour, local.minute, tzinfo=timezone)
    start = next_working_start(moment, timezone)
    return start.replace(hour=WORK_ENDS)


class Safety:
    """Screens every message and follows each call request until someone acts on it."""

    def __init__(
        self,
        storage: SafetyStorage,
        reader: DistressReader,
        clock: Clock,
        signal: OutboxSignal,
        timezone: ZoneInfo,
        duty_line: str | None = None,
    ) -> None:
        self._storage = storage
        self._reader = reader
        self._clock = clock
        self._signal = signal
        self._tz = timezone
        self.duty_line = duty_line

    def states_distress(self, text: str) -> bool:
        """Whether this text states distress (no side effect: the inbox reads it on arrival
        to put the message first; `screen` still shows the help when it is handled)."""
        return bool(self._reader.read(text))

    async def screen(
        self, account: str, text: str, *, person: Person | None = None, hold: bool = True
    ) -> SafetyHelp | None:
        """Help to show for this text, whoever wrote it; None when it states no distress.

        A person's words that would have answered a question are held, not filed: the
        person is asked whether to keep them (`hold=False` for words that answer nothing,
        such as an edit or a caption). Any other text drops words held earlier."""
        found = self._reader.read(text)
        if not found:
            if person is not None and hold and await self._storage.drop_held(account):
                log.info("safety_words_dropped", extra={"person": person.id})
            return None
        now = self._clock.now()
        levels = found.levels
        last = await self._storage.safety_last_shown(account)
        recent = last is not None and now - last[1] < REPEAT_WINDOW
        full = not recent or last is None or not set(levels) <= set(last[0])
        if full:
            shown = set(levels) | (set(last[0]) if recent and last is not None else set())
            await self._storage.safety_mark_shown(
                account, tuple(level for level in LEVELS if level in shown), now
            )
        held_id = None
        offer_call = False
        if person is not None and hold:
            context = await self._context(account, person)
            if context is not None:
                held_id = await self._storage.hold_words(account, person.id, context, text, now)
        if person is not None:
            offer_call = full and await self._worker_of(person) is not None
        log.info(
            "safety_help_shown",
            extra={"levels": ",".join(levels), "full": full, "held": held_id is not None},
        )
        return SafetyHelp(
            levels=levels,
            numbers=numbers_for(levels, found.child),
            full=full,
            duty_line=self.duty_line,
            offer_call=offer_call,
            held_id=held_id,
        )

    async def _context(self, account: str, person: Person) -> str | None:
        """What a text from this person answers now, if anything."""
        pending = await self._storage.get_pending(account)
        if pending is not None:
            stored = encode(pending)
            return f"input:{stored.kind}:{stored.ref}"
        if person.current_run_id is not None:
            return f"run:{person.current_run_id}"
        return None

    async def release(self, account: str, person: Person, held_id: int, keep: bool) -> str | None:
        """The person chose: their held words (to be filed where they were written), or None.

        Raises StaleHold for an old button, or when the question they answered has changed."""
        held = await self._storage.take_held(account)
        if held is None or held.id != held_id:
            raise StaleHold
        if held.context != await self._context(account, person):
            log.info("safety_words_stale", extra={"person": person.id})
            raise StaleHold
        log.info(
            "safety_words_kept" if keep else "safety_words_dropped", extra={"person": person.id}
        )
        return held.words if keep else None

    async def _worker_of(self, person: Person) -> Worker | None:
        if person.worker_id is None:
            return None
        worker = await self._storage.get_worker(person.worker_id)
        return worker if worker is not None and worker.active else None

    async def request_call(self, person: Person) -> CallPromise | None:
        """The person asked to be called: the worker is told at once, whatever the hour, with
        the moment and where it comes from; never the person's words. None: no worker."""
        worker = await self._worker_of(person)
        if worker is None:
            return None
        now = self._clock.now()

        def notice(call_id: int) -> OutboxMessage:
            return OutboxMessage(
                dedupe_key=f"safety_call:{call_id}",
                recipient_kind="worker",
                recipient_id=worker.id,
                body=SafetyCallRaised(call_id, now, person.pseudonym or ""),
                about_person=person.id,
            )

        call_id = await self._storage.create_safety_call(
            person.id, worker.id, now, one_working_day_after(now, self._tz), notice
        )
        self._signal.wake()
        log.info("safety_call_requested", extra={"person": person.id, "call": call_id})
        seen_from = None if is_working_time(now, self._tz) else next_working_start(now, self._tz)
        return CallPromise(call_id, seen_from)

    async def acknowledge(self, worker: Worker, call_id: int, how: Acknowledgement) -> bool:
        """The worker called or takes it in hand; the person is told. False: not theirs or
        already acknowledged."""
        call = await self._storage.get_safety_call(call_id)
        if call is None or call.worker_id != worker.id:
            return False
        done = await self._storage.acknowledge_safety_call(
            call_id,
            how,
            self._clock.now(),
            OutboxMessage(
                dedupe_key=f"safety_seen:{call_id}",
                recipient_kind="person",
                recipient_id=call.person_id,
                body=SafetyCallSeen(call_id, how),
                about_person=call.person_id,
            ),
        )
        if done:
            self._signal.wake()
            log.info("safety_call_acknowledged", extra={"call": call_id, "how": how})
        return done

    async def open_calls(self, worker: Worker) -> list[tuple[SafetyCall, Person]]:
        """This worker's unacknowledged call requests, for their digest."""
        found = []
        for call in await self._storage.open_safety_calls(worker.id):
            person = await self._storage.get_person(call.person_id)
            if person is not None:
                found.append((call, person))
        return found

    async def follow_up(self) -> int:
        """Tell each person whose request nobody acknowledged within a working day, once."""
        now = self._clock.now()
        told = 0
        for call in await self._storage.due_safety_follow_ups(now):
            message = OutboxMessage(
                dedupe_key=f"safety_unseen:{call.id}",
                recipient_kind="person",
                recipient_id=call.person_id,
                body=SafetyCallUnseen(call.id),
                about_person=call.person_id,
            )
            if await self._storage.mark_safety_followed_up(call.id, now, message):
                told += 1
                log.info("safety_call_unseen", extra={"call": call.id})
        if told:
            self._signal.wake()
        return told


def number_lines(numbers: tuple[str, ...], duty_line: str | None, tr: Translator) -> list[str]:
    """One line per number, then the service's own duty line if it has one."""
    lines = [tr.message(f"safety.number_{number}") for number in numbers]
    if duty_line:
        lines.append(tr.message("safety.duty_line", line=duty_line))
    return lines


def help_messages(help: SafetyHelp, tr: Translator) -> list[str]:
    """The messages of the help, in order, for any transport (buttons come after them)."""
    if not help.full:
        numbers = " · ".join(help.numbers)
        repeat = tr.message("safety.repeat", numbers=numbers)
        if help.duty_line:
            repeat += "\n" + tr.message("safety.duty_line", line=help.duty_line)
        return [repeat]
    block = [tr.message("safety.numbers_intro")]
    block += number_lines(help.numbers, help.duty_line, tr)
    return [tr.message("safety.heard"), "\n".join(block), tr.message("safety.step")]


def unseen_message(duty_line: str | None, tr: Translator) -> str:
    """The follow-up when nobody acknowledged the call request: the numbers again."""
    lines = [tr.message("safety.unseen")]
    lines += number_lines(LEVEL_NUMBERS["life"], duty_line, tr)
    return "\n".join(lines)
