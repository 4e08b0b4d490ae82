"""What an operator can get wrong ends in one French sentence: no traceback, never the token.

Each case runs the real `equipage` command as a process, against the fake Bot API (stopped,
refusing the token, refusing the webhook) or a file system set up to fail."""

from __future__ import annotations

import asyncio
import base64
import os
import resource
import signal
import socket
import sys
from pathlib import Path

from bot.config import Settings
from bot.failures import CONFIGURATION, TEMPORARY
from bot.i18n import ui_text
from bot.storage.crypto import key_path
from tests.e2e.helpers import expect
from tests.fakegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
WRONG_TOKEN = "123456:MAUVAIS-JETON-SECRET"


def environment(fake: FakeTelegram, settings: Settings, **overrides: str) -> dict[str, str]:
    """The process's environment: the test's database, key and fake server, then overrides."""
    key = ",".join(base64.urlsafe_b64encode(k).decode() for k in settings.data_keys or ())
    env = dict(
        os.environ,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        EQUIPAGE_DATABASE=str(settings.database),
        EQUIPAGE_DATA_KEY=key,
        EQUIPAGE_DIALOGS=str(ROOT / "dialogs"),
        EQUIPAGE_LISTEN_PORT="0",
        EQUIPAGE_STARTUP_WAIT="0",
    )
    for name in ("EQUIPAGE_WEBHOOK_URL", "EQUIPAGE_WEBHOOK_SECRET"):
        env.pop(name, None)
    env.update(overrides)
    return {name: value for name, value in env.items() if value != "<unset>"}


async def equipage(
    env: dict[str, str], *args: str, file_size_limit: int | None = None
) -> tuple[int, str, str]:
    """Run `equipage ARGS` to its end: exit code, standard output, standard error."""

    def limit_file_size() -> None:
        # As if the disk were full: writes past this size fail (and do not kill the process).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        assert file_size_limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=limit_file_size if file_size_limit is not None else None,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def assert_one_sentence(
    code: int, out: str, err: str, key: str, exit_code: int, **params: object
) -> None:
    """The command failed with exactly this catalogue sentence as its last word."""
    expected = ui_text(key, **params)
    printed = out + err
    assert code == exit_code, printed
    assert "Traceback" not in printed, printed
    assert "MAUVAIS-JETON" not in printed and "TEST-TOKEN" not in printed, printed
    assert err.strip().splitlines()[-1] == expected, printed


def closed_port() -> int:
    """A local port where nothing listens (the server of a test that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_refused_token_is_one_sentence_without_the_token(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    env = environment(fake_telegram, settings, TELEGRAM_BOT_TOKEN=WRONG_TOKEN)
    for command in (["run"], ["admin", "invite-worker", "--nom", "Séverine D."]):
        code, out, err = await equipage(env, *command)
        assert_one_sentence(code, out, err, "cli.token_refused", CONFIGURATION)


async def test_no_network_is_one_sentence_for_run_and_invite_worker(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    down = f"http://127.0.0.1:{closed_port()}"
    env = environment(fake_telegram, settings, TELEGRAM_API_BASE_URL=down)
    for command in (["run"], ["admin", "invite-worker", "--nom", "Séverine D."]):
        code, out, err = await equipage(env, *command)
        assert_one_sentence(code, out, err, "cli.telegram_unreachable", TEMPORARY)


async def test_a_dns_failure_is_named(fake_telegram: FakeTelegram, settings: Settings) -> None:
    # .invalid never resolves (RFC 2606), with or without a resolver on the machine.
    env = environment(
        fake_telegram, settings, TELEGRAM_API_BASE_URL="http://telegram.equipage.invalid"
    )
    code, out, err = await equipage(env, "run")
    assert_one_sentence(code, out, err, "cli.dns_failure", TEMPORARY)


async def test_a_webhook_url_telegram_refuses(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    env = environment(
        fake_telegram,
        settings,
        EQUIPAGE_WEBHOOK_URL="https://equipage.exemple.fr:9999/telegram",
        EQUIPAGE_WEBHOOK_SECRET="secret",
    )
    code, out, err = await equipage(env, "run")
    assert_one_sentence(code, out, err, "cli.webhook_refused", CONFIGURATION)
    assert fake_telegram.webhook_url is None


async def test_a_port_already_in_use(fake_telegram: FakeTelegram, settings: Settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = environment(
            fake_telegram,
            settings,
            EQUIPAGE_WEBHOOK_URL="https://equipage.exemple.fr/telegram",
            EQUIPAGE_WEBHOOK_SECRET="secret",
            EQUIPAGE_LISTEN_PORT=str(port),
        )
        code, out, err = await equipage(env, "run")
    assert_one_sentence(code, out, err, "cli.port_in_use", CONFIGURATION, port=port)


async def test_a_database_that_is_not_one(fake_telegram: FakeTelegram, settings: Settings) -> None:
    settings.database.parent.mkdir(parents=True, exist_ok=True)
    settings.database.write_bytes(b"Ceci n'est pas une base SQLite." * 200)
    env = environment(fake_telegram, settings)
    for command in (["run"], ["admin", "persons"]):
        code, out, err = await equipage(env, *command)
        assert_one_sentence(
            code, out, err, "cli.database_not_sqlite", CONFIGURATION, path=settings.database
        )


async def test_an_unreadable_database(fake_telegram: FakeTelegram, settings: Settings) -> None:
    # The tests run as root, whom file modes do not stop: a folder in the database's place
    # cannot be opened by anyone.
    settings.database.mkdir(parents=True)
    code, out, err = await equipage(environment(fake_telegram, settings), "run")
    assert_one_sentence(
        code, out, err, "cli.database_unreadable", CONFIGURATION, path=settings.database
    )


async def test_an_unreadable_key_file(fake_telegram: FakeTelegram, settings: Settings) -> None:
    key_file = key_path(settings.database)
    key_file.mkdir(parents=True)  # a folder where the key should be: unreadable, even by root
    env = environment(fake_telegram, settings, EQUIPAGE_DATA_KEY="")
    code, out, err = await equipage(env, "admin", "persons")
    assert_one_sentence(code, out, err, "cli.key_unreadable", CONFIGURATION, path=key_file)


async def test_the_wrong_key(fake_telegram: FakeTelegram, settings: Settings) -> None:
    env = environment(fake_telegram, settings)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "chat", env=env, cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.wait_for(process.communicate(b"1\nLes factures\n"), timeout=60)
    other = base64.urlsafe_b64encode(os.urandom(32)).decode()
    for command in (["run"], ["admin", "persons"]):
        code, out, err = await equipage(dict(env, EQUIPAGE_DATA_KEY=other), *command)
        assert_one_sentence(code, out, err, "cli.key_wrong", CONFIGURATION)


async def test_a_full_disk(fake_telegram: FakeTelegram, settings: Settings) -> None:
    env = environment(fake_telegram, settings)
    code, out, err = await equipage(env, "admin", "persons", file_size_limit=20_000)
    assert_one_sentence(code, out, err, "cli.disk_full", TEMPORARY)


async def test_ctrl_c_in_chat_ends_cleanly(fake_telegram: FakeTelegram, settings: Settings) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "chat", env=environment(fake_telegram, settings), cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    seen = b""
    while not seen.endswith(b"> "):  # waiting for the person's answer
        chunk = await asyncio.wait_for(process.stdout.read(1), timeout=60)
        assert chunk, seen.decode()
        seen += chunk
    process.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 130
    assert err.decode().strip() == ui_text("cli.interrupted"), err.decode()


async def test_start_up_waits_out_an_outage_then_serves(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    """Telegram is down when the bot starts; it comes back; the bot serves, no restart."""
    port = closed_port()
    coming = FakeTelegram(port=port)
    env = environment(
        fake_telegram,
        settings,
        EQUIPAGE_STARTUP_WAIT="600",
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    try:
        # The bot says, once, that it is waiting for Telegram.
        while True:
            line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
            assert line, "the bot exited instead of waiting"
            if b"telegram_unreachable_retrying" in line:
                break
        assert process.returncode is None
        async with coming:
            await coming.wait_for(
                lambda: len(coming.requests_for("setMyCommands")) >= 2, timeout=90
            )
            stranger = coming.user(first_name="Inconnu")
            await stranger.send("Bonjour")
            await expect(stranger, "")
            process.send_signal(signal.SIGTERM)
            _, rest = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, rest.decode()
        assert b"Traceback" not in rest and b"TEST-TOKEN" not in rest
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
