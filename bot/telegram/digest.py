"""The worker's daily digest: call requests still waiting, then tomorrow's appointments."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.common import say, tr
from bot.telegram.roles import services, worker
from bot.telegram.safety import open_calls_for_digest
from bot.usecases.worker_replies import person_name


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Call requests still waiting, then tomorrow's appointments and their summaries."""
    await open_calls_for_digest(update, context)
    found = services(context)
    translator = tr(context)
    tz = found.settings.timezone
    entries = await found.digests.tomorrow(worker())
    if not entries:
        await say(update, context, translator.message("reminder.digest_none"))
        return
    from babel.dates import format_time  # at first use: babel is not loaded at start-up

    lines = [translator.message("reminder.digest_title")]
    for entry in entries:
        lines.append(
            translator.message(
                "reminder.digest_line",
                time=format_time(
                    entry.at.astimezone(tz),
                    translator.message("format.time"),
                    locale=translator.language,
                ),
                person=person_name(entry.person, translator),
                summary=translator.message(
                    "reminder.digest_summary_yes"
                    if entry.summary_sent
                    else "reminder.digest_summary_no"
                ),
            )
        )
    await say(update, context, "\n".join(lines))
