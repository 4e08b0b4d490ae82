"""The running bot meets an update PTB cannot parse: its log keeps the update's id, never the
person's words, name or the token; the update is set aside once, not retried for ever."""

from __future__ import annotations

import io
import json
import logging
import time

from bot.logs import EventFormatter, PrivacyFilter, VolumeCap
from tests.e2e.helpers import App
from tests.fakegram import FakeTelegram

WORDS = "Mon voisin Gaspard me vole mon courrier"
SET_ASIDE = "update_set_aside"


async def test_an_unparseable_update_leaves_no_payload_in_the_log(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    """The audit: PTB logged "Received data was [...]" with the person's words and name."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EventFormatter(as_json=True))
    handler.addFilter(PrivacyFilter())
    handler.addFilter(VolumeCap(burst=3, per_second=0.01, now=time.monotonic))
    root = logging.getLogger()
    root.addHandler(handler)
    zephyrine = fake_telegram.user(first_name="Zéphyrine", username="zephy")
    profile = {"id": zephyrine.id, "is_bot": False, "first_name": "Zéphyrine"}
    world = fake_telegram._world  # the raw update a real client could trigger
    pushed = world.updates.push(
        "message",
        {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": zephyrine.id, "type": "private", "first_name": "Zéphyrine"},
            "from": profile,
            "text": WORDS,
            "poll": {"id": "p", "question": WORDS},  # required fields missing
        },
    )
    world.changes.notify()
    try:
        await fake_telegram.wait_for(lambda: SET_ASIDE in stream.getvalue())
    finally:
        root.removeHandler(handler)
        world.updates.confirm(pushed["update_id"] + 1)  # let the bot move on for teardown
    lines = stream.getvalue().splitlines()
    for line in lines:
        json.loads(line)
    text = stream.getvalue()
    for private in (WORDS, "Gaspard", "Zéphyrine", "zephy", fake_telegram.token):
        assert private not in text, private
    assert (
        json.loads(next(line for line in lines if SET_ASIDE in line))["update"]
        == (pushed["update_id"])
    )
    # The inbox sets it aside at the first failure to parse: no flood of the same error.
    assert text.count(SET_ASIDE) == 1
