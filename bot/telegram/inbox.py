"""The inbox in action: updates are stored before they are acknowledged, then handled per
chat, in order, by the PTB handlers.

Both receivers (polling, webhook) call `Inbox.receive` with Telegram's raw JSON and only
acknowledge (move the getUpdates offset, answer 200) once it returned: by then the updates
are on disk. The inbox's parts, each in its own module:
- what an update is on arrival: its lane, urgent or refused (bot/telegram/arrivals.py);
- how many wait, per chat and in all, and the limits on both (bot/telegram/lane_counts.py);
- fair scheduling across chats, urgent lanes first (bot/telegram/ordering.py);
- one update through the handlers, and setting aside what keeps failing
  (bot/telegram/update_handling.py), with the notice a refused update gets (refusals.py);
- its "processed" mark, committed with its first effect (bot/telegram/inbox_marks.py);
- shared lanes nobody took, looked for again (bot/telegram/lane_sweep.py).
This module ties them: a lane's turn, and the start and stop of the whole.

Webhook replicas on one PostgreSQL database all receive updates and share the lanes
(`Services.sharing`, storage/claims.py). **The claim boundary** is `Inbox._work`: a lane
is claimed before its next updates are read and released after the last one's mark is
committed; in between, this replica alone handles the chat. Anything kept in memory about a
chat is valid only inside that span: the cache of its persons and runs
(`Services.turn_scope`, storage/turn_cache.py) is opened after the claim and dropped
before the claim is let go.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from bot.services import Services
from bot.telegram.arrivals import arrival_of
from bot.telegram.inbox_marks import DoneMarks, handling_for
from bot.telegram.lane_counts import WaitingCounts
from bot.telegram.lane_sweep import LaneSweep
from bot.telegram.ordering import FairLanes
from bot.telegram.update_handling import MAX_ATTEMPTS, Application, UpdateHandling
from bot.usecases.inbox import InboxStorage

log = logging.getLogger(__name__)

# Updates a lane handles before giving its slot to the next lane.
LANE_TURN = 8


class Inbox:
    """Stores what arrives, decides lanes and limits, and feeds the handlers lane by lane."""

    def __init__(self, application: Application, services: Services) -> None:
        self._services = services
        self._storage: InboxStorage = services.storage
        self._lanes = FairLanes(self._work)
        self._marks = DoneMarks(self._storage, services)
        self._sharing = services.sharing
        self._sweep = LaneSweep(self._storage, services.clock, self._lanes)
        self._counts = WaitingCounts(self._storage, services.sharing)
        self._updates = UpdateHandling(application, services)

    def share(self, replicas: int) -> None:
        """Behind a round-robin proxy, this replica stores about 1/`replicas` of a chat's
        updates: its share of the per-chat queue keeps the chat's whole queue as on one."""
        self._counts.share(replicas)

    @property
    def depth(self) -> int:
        """Updates stored and not yet handled."""
        return self._counts.depth

    @property
    def full(self) -> bool:
        """True when receivers should stop taking updates for a while."""
        return self._counts.full

    async def start(self) -> None:
        """Resume what a previous run left: every waiting lane, urgent ones first."""
        self._marks.start()
        if self._sharing.shared:
            # Other replicas are handling lanes now: their updates in hand are no crash of
            # ours. A replica that dies leaves its lanes to the sweep, and its try counted
            # (`_turn`).
            self._sweep.start()
        else:
            beats = await self._storage.heartbeats()
            started, stopped = beats.get("inbox-started"), beats.get("inbox-stopped")
            if stopped is None or (started is not None and started > stopped):
                # The last run did not stop cleanly: what each lane had in hand counts as a try.
                await self._storage.inbox_count_crashes()
            await self._storage.beat("inbox-started", self._services.clock.now())
        lanes = await self._storage.inbox_lanes()
        for lane, waiting, _ in lanes:
            self._counts.resumed(lane, waiting)
        for lane, _, urgent in sorted(lanes, key=lambda found: not found[2]):
            self._lanes.notify(lane, urgent=urgent)
        if lanes:
            log.info("inbox_resumed", extra={"depth": self._counts.depth, "lanes": len(lanes)})

    async def stop(self, drain: float = 10.0, grace: float = 10.0) -> None:
        """Handle what is stored for up to `drain` seconds, then finish the update in hand in
        each lane (`grace`); whatever is left waits in the inbox for the next start."""
        await self._sweep.stop()
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
            arrival = arrival_of(raw, self._services, self._counts.lane_full)
            if arrival is None:
                log.warning("update_invalid")
                continue
            arrivals.append(arrival)
        fresh = set(await self._storage.inbox_store(arrivals, self._services.clock.now()))
        for arrival in arrivals:
            if arrival.update_id not in fresh:
                continue
            self._counts.arrived(arrival.lane)
            self._lanes.notify(arrival.lane, urgent=arrival.urgent)
        return len(arrivals)

    async def _work(self, lane: int) -> bool:
        """A turn of the lane, inside its claim (the claim boundary, see the module doc)."""
        if not await self._sharing.claim_lane(lane):
            # Another replica handles this chat; it looks for more once it lets go.
            self._counts.drop(lane)
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
            await self._counts.recount(lane)
            more = self._counts.holds(lane)
        return more

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
            handling = handling_for(entry, self._storage, self._services.clock)
            status = await self._updates.handle(entry, handling, counted=entry.update_id == counted)
            if status == "retry":
                return True
            if status == "noted":  # set aside by inbox_failed already
                self._counts.forget(lane)
                continue
            if handling is not None and handling.marked:
                # Marked with its effect, or before its reply: an erasure may have emptied the
                # lane after that, so ask storage (a read, no commit) whether it is still there.
                stored = not handling.gone and await self._storage.inbox_stored(entry.update_id)
            else:
                stored = await self._marks.mark(entry.update_id, status)
            self._counts.forget(lane)
            if not stored:
                # The chat's person was erased (their waiting updates with them): the rest of
                # this batch is their words, read before; only what storage still has counts.
                await self._counts.recount(lane)
                return True
        return len(entries) == LANE_TURN
