"""Fair lanes: one chat at a time per lane, a flood takes one slot, urgent lanes jump the queue."""

from __future__ import annotations

import asyncio

from bot.telegram.ordering import FairLanes


async def test_a_busy_lane_does_not_hold_back_the_others_and_urgent_ones_go_first() -> None:
    order: list[int] = []
    release = asyncio.Event()
    flood_turns = 0

    running: set[int] = set()

    async def work(lane: int) -> bool:
        nonlocal flood_turns
        assert lane not in running  # one worker per lane, ever
        running.add(lane)
        order.append(lane)
        try:
            if lane == 1:
                flood_turns += 1
                await release.wait()  # the flooding chat is slow (its own pacing)
                return flood_turns < 3  # it has more updates
            return False
        finally:
            running.discard(lane)

    lanes = FairLanes(work, max_lanes=2)
    lanes.notify(1)
    lanes.notify(2)
    lanes.notify(3)  # waits: both slots taken (1 is slow)
    await asyncio.sleep(0)
    lanes.notify(4, urgent=True)  # runs now, whatever the queue
    await asyncio.sleep(0.01)
    assert order[:2] == [1, 2]
    assert 4 in order and 3 in order  # neither waited for the slow lane
    lanes.notify(1)  # more for the busy lane: noted, not run beside it
    release.set()
    await asyncio.wait_for(lanes.join(), 5)
    assert order.count(1) == 3  # went round again, never twice at once
    await lanes.stop(1.0)
