"""Phase 2: many persons answering at once, through the running application's update queue.

Every person opens Mes forces, then sends a burst of answers without waiting for the bot
(a score typed as a number, a few words, a score…). All bursts are interleaved, person by
person, and put on the update queue at once, as one big getUpdates batch would be; PTB's
update fetcher hands them to our per-chat ordered update processor. Afterwards each
person's stored answers are compared with what they sent, in order.
"""

from __future__ import annotations

import asyncio
import gc
import time
from pathlib import Path
from typing import Any

from benchmarks.apps import (
    ERRORS,
    Probe,
    bench_settings,
    drain_outbox,
    join_persons,
    new_key,
    services_of,
    start_ours,
    stop_ours,
    submit_all,
)
from benchmarks.fakebot import FakeBotApi, Json, SimUser
from benchmarks.stats import percentile
from bot.engine import load_dialogues
from bot.services import Services

MENU_OPEN_FORCES: Json = {
    "inline_keyboard": [[{"text": "Mes forces", "callback_data": "v1|m|open|forces"}]]
}


def burst(user: SimUser, answers: int) -> list[tuple[str, Any]]:
    """(what the person types, what must be stored) for the first `answers` forces steps."""
    out: list[tuple[str, Any]] = []
    for index in range(answers):
        if index % 2 == 0:
            score = 2 + (user.id + index) % 9
            out.append((str(score), {"value": score, "of": 10}))
        else:
            words = f"Réponse {index} de {user.id}"
            out.append((words, words))
    return out


def _wave_figures(submitted: dict[int, float], done: dict[int, float]) -> dict[str, float]:
    latencies = [done[uid] - at for uid, at in submitted.items() if uid in done]
    start = min(submitted.values())
    end = max((done[uid] for uid in submitted if uid in done), default=start)
    seconds = max(end - start, 1e-9)
    return {
        "updates": len(submitted),
        "completed": len(latencies),
        "seconds": seconds,
        "updates_per_second": len(latencies) / seconds,
        "latency_p50_ms": 1000 * percentile(latencies, 50),
        "latency_p99_ms": 1000 * percentile(latencies, 99),
        "latency_max_ms": 1000 * max(latencies, default=0.0),
    }


async def _verify(services: Services, users: list[SimUser], answers: int) -> tuple[int, str | None]:
    """How many persons' stored answers differ from what they sent (and the first case)."""
    steps = [step.id for step in load_dialogues(services.settings.dialogs_dir)["forces"].steps]
    wrong = 0
    example = None
    for user in users:
        person = await services.storage.person_by_account(user.account)
        run = None if person is None else await services.storage.active_run(person.id, "forces")
        stored = {} if run is None else run.state.get("answers", {})
        expected = {steps[i]: value for i, (_, value) in enumerate(burst(user, answers))}
        if stored != expected:
            wrong += 1
            if example is None:
                example = f"user {user.id}: stored {stored!r}, sent {expected!r}"
    return wrong, example


async def run(workdir: Path, persons: int, answers: int) -> dict[str, Any]:
    """`persons` persons, each sending `answers` answers at once, all interleaved."""
    settings = bench_settings(workdir, new_key())
    api = FakeBotApi(keep=2)
    probe = Probe()
    app = await start_ours(settings, api, probe=probe)
    errors_before = ERRORS.count
    try:
        services = services_of(app)
        users = await join_persons(services, api, persons, first_uid=200_000_000)
        await drain_outbox(services)
        await app.start()
        patience = 120.0 + persons * answers * 0.05

        opening = [
            user.press_on(api.record(user.id, "Menu", MENU_OPEN_FORCES), "v1|m|open|forces")
            for user in users
        ]
        gc.collect()
        submitted, _ = await submit_all(app, probe, opening, patience)
        open_wave = _wave_figures(submitted, probe.done)

        bursts = [[user.text(text) for text, _ in burst(user, answers)] for user in users]
        interleaved = [b[i] for i in range(answers) for b in bursts]
        gc.collect()
        cpu = time.process_time()
        submitted, _ = await submit_all(app, probe, interleaved, patience)
        cpu = time.process_time() - cpu
        answer_wave = _wave_figures(submitted, probe.done)
        # What a loaded machine does not move much: the process's CPU (every thread, the
        # driver and the in-memory Bot API included) per update, and the rate one core of
        # its own would give at that cost.
        answer_wave["cpu_ms_per_update"] = 1000 * cpu / max(len(submitted), 1)
        answer_wave["updates_per_cpu_second"] = len(submitted) / max(cpu, 1e-9)
        await asyncio.sleep(0)

        wrong, example = await _verify(services, users, answers)
    finally:
        await stop_ours(app)
    return {
        "persons": persons,
        "answers_per_person": answers,
        "open_wave": open_wave,
        "answer_wave": answer_wave,
        "persons_with_answers_out_of_order_or_missing": wrong,
        "first_mismatch": example,
        "errors_logged": ERRORS.count - errors_before,
        "first_error": ERRORS.first,
    }
