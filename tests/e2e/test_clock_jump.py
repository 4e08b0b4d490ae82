"""A clock set years ahead at start-up erases nobody (the audit: it erased every person)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.jobs import PURGE_FIRST_DELAY, daily_purge
from tests.clock import ManualClock
from tests.conftest import running_bot
from tests.e2e.helpers import expect, person_joins, services_of
from tests.fakegram import FakeTelegram


async def test_a_clock_three_years_ahead_at_start_up_erases_nobody(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    async with running_bot(settings) as app:
        for name in ("Amina", "Nadia", "Karim"):
            await person_joins(fake_telegram, app, name)
        assert len(await services_of(app).storage.all_persons()) == 3

    ahead = ManualClock(datetime.now(UTC) + timedelta(days=3 * 365))
    async with running_bot(settings, ahead) as app:
        services = services_of(app)
        visitor = fake_telegram.user(first_name="Léa")
        await visitor.send("/aide")  # the bot is up and answering
        await expect(visitor, "")
        assert len(await services.storage.all_persons()) == 3
        # The purge's first round comes an hour after start; when it comes, it refuses.
        assert daily_purge(services)._first_delay == PURGE_FIRST_DELAY >= 3600
        settings_ = services.settings
        erased = await services.rights.purge(settings_.retention_days, settings_.purge_max_percent)
        assert erased == 0
        assert len(await services.storage.all_persons()) == 3
