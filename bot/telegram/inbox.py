"""The inbox in action: updates are stored before they are acknowledged, then handled per
chat, in order, by the PTB handlers.

Both receivers (polling, webhook) call `Inbox.receive` with Telegram's raw JSON and only
acknowledge (move the getUpdates offset, answer 200) once it returned: by then the updates
are on disk. Limits are checked here, on arrival: an account over its allowance has its
update stored as refused and gets one kind notice, so nothing is dropped silently.
Urgency is decided on arrival too: `/urgence`, and any text stating distress (the safety
reader), goes first in its lane and skips the wait for a slot. Distress words are never
refused; past a few a minute from one account they are queued like any message (the cap
in bot/usecases/throttle.py), so a flood cannot use them to bypass the limits.

Handling is exactly once for what is stored, as far as a kill -9 allows (bot/handling.py):
an update's "processed" mark commits in the same transaction as the first change its
handlers write, or, when they wrote nothing yet, just before their first Bot API call with
an effect (a message, an edit; not a button answer, which Telegram takes only once). After
a crash, an update is handled again only if nothing of it was written or sent. The cost: a
message in flight at the kill is lost rather than repeated (a dialogue's question is shown
again before free text is taken as its answer).
Urgent updates keep the old order (marked after their handlers returned): a lost emergency
reply would be worse than a repeated one.

Webhook replicas on one PostgreSQL database all receive updates and share the lanes
(`Services.sharing`, storage/claims.py). **The claim boundary** is `Inbox._work`: a lane
is claimed before its next updates are read and released after the last one's mark is
committed; in between, this replica alone handles the chat. Anything kept in memory about a
chat is valid only inside that span: the cache of its persons and runs
(`Services.turn_scope`, storage/turn_cache.py) is opened after the claim and dropped
before the claim is let go.
Nothing stored is stranded: a replica that stores an update first commits it, then tries the
lane; if another replica holds the lane, that one counts the lane's waiting updates again
*after* letting it go, so it sees the update (its read starts after the failed try, which
came after the commit). A replica killed while holding a lane cannot do that: every
`SWEEP_SECONDS` each replica looks for lanes whose oldest waiting update is older than
`SWEEP_AGE` and tries them, so such an update waits at most about two seconds once the dead
replica's session is gone (at once for a killed process; TCP keepalives for a lost machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from bot.domain import Arrival, InboxEntry, InboxStatus
from bot.handling import Handling, current_handling
from bot.services import Services
from bot.telegram.ordering import FairLanes
from bot.usecases.inbox import InboxStorage
from bot.usecases.persons import telegram_account
from bot.usecases.replay import current_update

log = logging.getLogger(__name__)

# An update whose handling kept failing (or killed the process) this many times is set aside.
MAX_ATTEMPTS = 3
# A chat may have this many updates waiting; past it, new ones are refused (and said so).
LANE_LIMIT = 60
# The whole inbox: past this, the receivers stop taking updates (Telegram keeps them).
DEPTH_LIMIT = 20_000
# Updates a lane handles before giving its slot to the next lane.
LANE_TURN = 8
# Shared lanes (webhook replicas): how often each replica looks for lanes nobody took, and
# how long an update waits before such a look counts it as possibly stranded.
SWEEP_SECONDS = 1.0
SWEEP_AGE = 1.0
URGENT_COMMANDS = ("/urgence", "/emergency")
UPDATE_KINDS = ("message", "edited_message", "callback_query", "my_chat_member")

Application = Any  # PTB's Application; only process_update and bot are used


class Inbox:
    """Stores what arrives, decides lanes and limits, and feeds the handlers lane by lane."""

    def __init__(self, application: Application, services: Services) -> None:
        self._application = application
        self._services = services
        self._storage: InboxStorage = services.storage
        self._lanes = FairLanes(self._work)
        self._marks = DoneMarks(self._storage, services)
        self._sharing = services.sharing
        self._sweeper: asyncio.Task[None] | None = None
        # Called with a lane just before its claim is let go (see "the claim boundary").
        self._waiting: dict[int, int] = {}
        self._lane_limit = LANE_LIMIT
        self._depth = 0
        # Lanes told "too fast" since their last accepted update: told once, not per message.
        self._warned: set[int] = set()
        self.processed = 0
        self.set_aside = 0

    def share(self, replicas: int) -> None:
        """Behind a round-robin proxy, this replica stores about 1/`replicas` of a chat's
        updates: its share of the per-chat queue keeps the chat's whole queue as on one."""
        self._lane_limit = max(1, LANE_LIMIT // max(1, replicas))

    @property
    def depth(self) -> int:
        """Updates stored and not yet handled."""
        return self._depth

    @property
    def full(self) -> bool:
        """True when receivers should stop taking updates for a while."""
        return self._depth >= DEPTH_LIMIT

    async def start(self) -> None:
        """Resume what a previous run left: every waiting lane, urgent ones first."""
        self._marks.start()
        if self._sharing.shared:
            # Other replicas are handling lanes now: their updates in hand are no crash of
            # ours. A replica that dies leaves its lanes to the sweep, and its try counted
            # (`_turn`).
            self._sweeper = asyncio.create_task(self._sweep(), name="inbox-sweep")
        else:
            beats = await self._storage.heartbeats()
            started, stopped = beats.get("inbox-started"), beats.get("inbox-stopped")
            if stopped is None or (started is not None and started > stopped):
                # The last run did not stop cleanly: what each lane had in hand counts as a try.
                await self._storage.inbox_count_crashes()
            await self._storage.beat("inbox-started", self._services.clock.now())
        lanes = await self._storage.inbox_lanes()
        for lane, waiting, _ in lanes:
            self._waiting[lane] = waiting
            self._depth += waiting
        for lane, _, urgent in sorted(lanes, key=lambda found: not found[2]):
            self._lanes.notify(lane, urgent=urgent)
        if lanes:
            log.info("inbox_resumed", extra={"depth": self._depth, "lanes": len(lanes)})

    async def stop(self, drain: float = 10.0, grace: float = 10.0) -> None:
        """Handle what is stored for up to `drain` seconds, then finish the update in hand in
        each lane (`grace`); whatever is left waits in the inbox for the next start."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._lanes.join(), drain)
        await self._lanes.stop(grace)
        await self._marks.stop()
        if not self._sharing.shared:
            await self._storage.beat("inbox-stopped", self._services.clock.now())

    async def join(self) -> None:
        """Wait until every stored update was handled."""
        await self._lanes.join()

    async def receive(self, raw_updates: Sequence[object]) -> int:
        """Store what Telegram sent (durably) and schedule it; returns how many were valid.

        Items that are not updates (no integer update_id) cannot be stored or acknowledged
        meaningfully: they are counted and logged without content."""
        arrivals = []
        for raw in raw_updates:
            arrival = self._arrival(raw)
            if arrival is None:
                log.warning("update_invalid")
                continue
            arrivals.append(arrival)
        fresh = set(await self._storage.inbox_store(arrivals, self._services.clock.now()))
        for arrival in arrivals:
            if arrival.update_id not in fresh:
                continue
            self._waiting[arrival.lane] = self._waiting.get(arrival.lane, 0) + 1
            self._depth += 1
            self._lanes.notify(arrival.lane, urgent=arrival.urgent)
        return len(arrivals)

    def _arrival(self, raw: object) -> Arrival | None:
        if not isinstance(raw, dict):
            return None
        update_id = raw.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return None
        lane, sender, urgent = route(raw)
        distress = False
        if not urgent:
            # Safety first: words stating distress skip every queue, like /urgence, and are
            # never refused; past a few a minute from one account (a flood using such words),
            # they wait in their lane like any message and are still screened when handled.
            words = _words(raw)
            distress = words is not None and self._services.safety.states_distress(words)
            urgent = distress and (
                sender is None or self._services.throttle.first_in_line(telegram_account(sender))
            )
        refused = False
        if not distress and not urgent and sender is not None:
            over_rate = not self._services.throttle.admit(telegram_account(sender))
            over_queue = self._waiting.get(lane, 0) >= self._lane_limit
            refused = over_rate or over_queue
        return Arrival(update_id, lane, urgent, refused, raw)

    async def _work(self, lane: int) -> bool:
        """A turn of the lane, inside its claim (the claim boundary, see the module doc)."""
        if not await self._sharing.claim_lane(lane):
            # Another replica handles this chat; it looks for more once it lets go.
            self._depth -= self._waiting.pop(lane, 0)
            return False
        try:
            # The batch's persons and runs stay in memory for its next updates, and no longer
            # than the claim: another replica may take the lane next.
            with self._services.turn_scope():
                more = await self._turn(lane)
        finally:
            await self._sharing.release_lane(lane)
        if self._sharing.shared and not more and not self._lanes.stopping:
            # Updates other replicas stored while this one held the lane: ours now.
            await self._recount(lane)
            more = lane in self._waiting
        return more

    async def _sweep(self) -> None:
        """Shared lanes: try those whose oldest update has waited too long (their replica
        died holding them, or nobody tried them yet)."""
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                now = self._services.clock.now()
                lanes = await self._storage.inbox_lanes(now - timedelta(seconds=SWEEP_AGE))
            except Exception as error:  # the next round tries again
                log.warning("inbox_sweep_failed", extra={"error": type(error).__name__})
                continue
            for lane, _, urgent in lanes:
                if not self._lanes.holds(lane):
                    self._lanes.notify(lane, urgent=urgent)

    async def _turn(self, lane: int) -> bool:
        entries = await self._storage.inbox_next(lane, LANE_TURN)
        counted = None
        if self._sharing.shared and entries and entries[0].attempts < MAX_ATTEMPTS:
            # No clean-stop record tells a replica that another one died in hand: each claim
            # counts its try first. An update that kills whoever takes it is then set aside
            # after MAX_ATTEMPTS deaths (a death later in the batch leaves that update first
            # in the lane, counted by the next claim).
            await self._storage.inbox_taking(entries[0].update_id)
            counted = entries[0].update_id
        for entry in entries:
            if self._lanes.stopping:
                return False
            handling = self._handling(entry)
            status = await self._handle(entry, handling, counted=entry.update_id == counted)
            if status == "retry":
                return True
            if status == "noted":  # set aside by inbox_failed already
                self._forget(lane)
                continue
            if handling is not None and handling.marked:
                # Marked with its effect, or before its reply: an erasure may have emptied the
                # lane after that, so ask storage (a read, no commit) whether it is still there.
                stored = not handling.gone and await self._storage.inbox_stored(entry.update_id)
            else:
                stored = await self._marks.mark(entry.update_id, status)  # type: ignore[arg-type]
            self._forget(lane)
            if not stored:
                # The chat's person was erased (their waiting updates with them): the rest of
                # this batch is their words, read before; only what storage still has counts.
                await self._recount(lane)
                return True
        return len(entries) == LANE_TURN

    def _handling(self, entry: InboxEntry) -> Handling | None:
        """The update's mark, committed with its first write or before its first reply; None
        for urgent updates, marked once handled (see the module doc)."""
        if entry.urgent:
            return None
        now = self._services.clock.now()
        storage = self._storage

        async def mark_now() -> None:
            handling.marked = True  # set first: this very write must not carry the mark again
            try:
                gone = await storage.inbox_done([(entry.update_id, "processed")], now)
            except BaseException:
                handling.marked = False
                raise
            handling.gone = bool(gone)

        handling = Handling(entry.update_id, now, mark_now, task=None, repeat=entry.attempts > 0)
        return handling

    async def _handled(
        self, handling: Handling | None, work: Callable[[], Awaitable[None]]
    ) -> None:
        """`work()` in a task of its own: each update gets a fresh copy of the context
        variables, and the update's mark follows that task only."""

        async def run() -> None:
            if handling is not None:
                handling.task = asyncio.current_task()
                current_handling.set(handling)
            await work()

        await asyncio.create_task(run())

    async def _handle(
        self, entry: InboxEntry, handling: Handling | None, counted: bool = False
    ) -> str:
        """Handle one update; `counted`: its try was counted before (replicas sharing lanes)."""
        if entry.attempts >= MAX_ATTEMPTS:
            # In hand each time the process died: do not let it take the bot down again.
            return self._aside(entry, "crashed", "attempts")
        if entry.status == "refused":
            await self._handled(handling, lambda: self._refuse(entry))
            return "processed"
        self._warned.discard(entry.lane)
        try:
            update = Update.de_json(entry.raw, self._application.bot)
        except Exception as error:  # PTB raises many kinds on malformed updates
            return self._aside(entry, "unparseable", type(error).__name__)
        if update is None:
            return self._aside(entry, "unparseable", "empty")
        try:
            await self._handled(handling, lambda: self._process(update, entry.update_id))
        except Exception as error:  # handler errors go to the error handler; this is the rest
            if handling is not None and handling.marked:
                # Its effect (or its reply) is committed: handling it again would repeat it.
                log.warning("update_failed_after_effect", extra={"update": entry.update_id})
                self.processed += 1
                return "processed"
            now = self._services.clock.now()
            if await self._storage.inbox_failed(entry.update_id, MAX_ATTEMPTS, now, counted):
                self._aside(entry, "failed", type(error).__name__)
                return "noted"
            log.warning("update_retry", extra={"update": entry.update_id})
            await asyncio.sleep(0.5)
            return "retry"
        self.processed += 1
        return "processed"

    async def _process(self, update: Update, update_id: int) -> None:
        current_update.set(update_id)
        await self._application.process_update(update)

    def _aside(self, entry: InboxEntry, reason: str, error: str) -> str:
        # The id, the reason and the exception's type: never the update's content.
        self.set_aside += 1
        log.error(
            "update_set_aside",
            extra={"update": entry.update_id, "reason": reason, "error": error},
        )
        return "set_aside"

    def _forget(self, lane: int) -> None:
        if self._sharing.shared and lane not in self._waiting:
            return  # stored by another replica: never counted here
        self._waiting[lane] = self._waiting.get(lane, 1) - 1
        if self._waiting[lane] <= 0:
            del self._waiting[lane]
        self._depth -= 1

    async def _recount(self, lane: int) -> None:
        waiting = await self._storage.inbox_waiting(lane)
        self._depth += waiting - self._waiting.pop(lane, 0)
        if waiting:
            self._waiting[lane] = waiting

    async def _refuse(self, entry: InboxEntry) -> None:
        """Say so, once per flood: a refused button is answered, a message gets one notice."""
        catalogs = self._services.catalogs
        sender = _sender(entry.raw)
        language = sender.get("language_code") if sender else None
        text = catalogs.translator(
            catalogs.best_language(language if isinstance(language, str) else None)
        ).message("bot.slow_down")
        bot = self._application.bot
        query = entry.raw.get("callback_query")
        try:
            if isinstance(query, dict) and isinstance(query.get("id"), str):
                await bot.answer_callback_query(query["id"], text)
            elif entry.lane > 0 and entry.lane not in self._warned:
                # One log line per flood, not one per refused message.
                log.info("flood_refused", extra={"lane": entry.lane, "update": entry.update_id})
                self._warned.add(entry.lane)
                await bot.send_message(entry.lane, text)
        except TelegramError as error:
            log.warning("refusal_notice_failed", extra={"error": type(error).__name__})


class DoneMarks:
    """Group commit of "processed" marks: lanes finishing together share one transaction
    (one fsync), and each lane waits for its mark before taking its next update."""

    def __init__(self, storage: InboxStorage, services: Services) -> None:
        self._storage = storage
        self._clock = services.clock
        self._queued: list[tuple[int, InboxStatus, asyncio.Future[bool]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Flush in the background."""
        self._task = asyncio.create_task(self._run(), name="inbox-marks")

    async def stop(self) -> None:
        """Flush what is queued, then stop (never cancelled inside a transaction)."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            await self._task
            self._task = None
        await self._flush()

    async def mark(self, update_id: int, status: InboxStatus) -> bool:
        """Record the update as done; returns once committed, False when the update was no
        longer stored (an erasure emptied its lane)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queued.append((update_id, status, done))
        self._wake.set()
        if self._task is None:
            await self._flush()
        return await done

    async def _run(self) -> None:
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            await self._flush()

    async def _flush(self) -> None:
        batch, self._queued = self._queued, []
        if not batch:
            return
        try:
            gone = await self._storage.inbox_done(
                [(update_id, status) for update_id, status, _ in batch], self._clock.now()
            )
        except Exception as error:  # each lane sees the failure and retries its update
            for _, _, done in batch:
                if not done.done():
                    done.set_exception(error)
            return
        for update_id, _, done in batch:
            if not done.done():
                done.set_result(update_id not in gone)


def route(raw: dict[str, Any]) -> tuple[int, int | None, bool]:
    """(lane, sender's user id, urgent) read from raw JSON, whatever else is malformed."""
    sender = _sender(raw)
    sender_id = sender.get("id") if sender else None
    if not isinstance(sender_id, int):
        sender_id = None
    lane = _chat_id(raw)
    if lane is None:
        lane = sender_id if sender_id is not None else 0
    message = raw.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    urgent = False
    if isinstance(text, str) and text.startswith("/"):
        command = text.split(maxsplit=1)[0].split("@", 1)[0].lower() if text.split() else ""
        urgent = command in URGENT_COMMANDS
    return lane, sender_id, urgent


def _words(raw: dict[str, Any]) -> str | None:
    """What the person wrote (a message's or an edit's text or caption), if any."""
    for kind in ("message", "edited_message"):
        body = raw.get(kind)
        if isinstance(body, dict):
            words = body.get("text", body.get("caption"))
            return words if isinstance(words, str) else None
    return None


def _body(raw: dict[str, Any]) -> dict[str, Any] | None:
    for kind in UPDATE_KINDS:
        body = raw.get(kind)
        if isinstance(body, dict):
            return body
    return None


def _sender(raw: dict[str, Any]) -> dict[str, Any] | None:
    body = _body(raw)
    sender = body.get("from") if body else None
    return sender if isinstance(sender, dict) else None


def _chat_id(raw: dict[str, Any]) -> int | None:
    body = _body(raw)
    if body is None:
        return None
    chat = body.get("chat")
    if not isinstance(chat, dict):
        message = body.get("message")
        chat = message.get("chat") if isinstance(message, dict) else None
    found = chat.get("id") if isinstance(chat, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None
