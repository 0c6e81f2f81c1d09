"""`gigbot run` with a Telegram token: the real binary polls the fake Bot API server, signs a person up, and stops
cleanly on SIGTERM; `gigbot doctor` says what would start."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

from tests.adapters.fake_bot_api import TOKEN, FakeBotApi
from tests.conftest import TEST_SECRET
from tests.e2e.test_console import GIGBOT, gigbot


def environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIGBOT_")}
    return env | {"LANG": "en_US.UTF-8", "LC_ALL": "", "GIGBOT_SECRET_KEY": TEST_SECRET} | settings


async def test_gigbot_run_serves_telegram_and_stops_on_sigterm(tmp_path: Path) -> None:
    server = FakeBotApi()
    await server.start()
    env = environment(
        GIGBOT_TELEGRAM__TOKEN=TOKEN,
        GIGBOT_TELEGRAM__API_BASE_URL=server.base_url,
        GIGBOT_TELEGRAM__BUDGET__PER_CHAT_PER_SECOND="20",
        GIGBOT_TELEGRAM__BUDGET__PER_CHAT_BURST="10",
    )
    log_file = tmp_path / "stderr.log"
    with log_file.open("w") as stderr:  # a file, not a pipe nobody reads while it runs
        process = await asyncio.create_subprocess_exec(
            GIGBOT, "run", cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=stderr
        )
    try:
        alice = server.user(101, "Alice", language_code="en")
        alice.send("/start")
        await alice.wait_for_text("Welcome to gigbot", within=60)  # start-up migrates a new database first
        await alice.converse(
            ("Welcome to gigbot", "English"),
            ("How will you use gigbot?", "Freelancer"),
            ("Your full name", "Alice Martin"),
            ("Choose a username", "alice"),
            ("Which country", "France"),
            ("Please check your details", "✅"),
        )
        await alice.wait_for_text("Your account is ready, Alice Martin")

        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await server.stop()
    log = log_file.read_text()
    assert "front end started: telegram" in log
    assert TOKEN not in log


def test_doctor_says_telegram_would_start_and_discord_has_no_front_end_yet(tmp_path: Path) -> None:
    env = environment(GIGBOT_TELEGRAM__TOKEN=TOKEN, GIGBOT_DISCORD__TOKEN="discord-token")
    doctor = gigbot(tmp_path, "doctor", env=env).stdout
    assert "ok  telegram: token set (GIGBOT_TELEGRAM__TOKEN)" in doctor
    assert "ok  telegram: updates by polling (set telegram.webhook_url for a webhook)" in doctor
    assert "would start: telegram\n  discord: no front end in this build yet" in doctor


def test_gigbot_run_with_only_a_discord_token_says_there_is_no_discord_front_end_yet(tmp_path: Path) -> None:
    result = gigbot(tmp_path, "run", env=environment(GIGBOT_DISCORD__TOKEN="discord-token"))
    assert result.returncode == 2
    assert "discord: this build has no Discord front end yet" in result.stderr


def test_doctor_says_telegram_payments_are_on_without_showing_the_provider_token(tmp_path: Path) -> None:
    provider = "284685063:TEST:provider-secret"
    env = environment(GIGBOT_TELEGRAM__TOKEN=TOKEN, GIGBOT_TELEGRAM__PAYMENT_PROVIDER_TOKEN=provider)
    doctor = gigbot(tmp_path, "doctor", env=env).stdout
    assert "ok  telegram payments: provider token set: clients fund milestones by invoice" in doctor
    assert provider not in doctor


def test_gigbot_run_in_webhook_mode_without_its_secret_refuses_to_start(tmp_path: Path) -> None:
    env = environment(GIGBOT_TELEGRAM__TOKEN=TOKEN, GIGBOT_TELEGRAM__WEBHOOK_URL="https://bot.example.com/telegram")
    result = gigbot(tmp_path, "run", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "config error: telegram.webhook_secret: required with telegram.webhook_url (Telegram sends it with every "
        "update, so nobody else can post updates); set GIGBOT_TELEGRAM__WEBHOOK_SECRET"
    )


async def test_gigbot_run_in_webhook_mode_takes_updates_posted_with_its_secret(tmp_path: Path) -> None:
    server = FakeBotApi()
    await server.start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secret = "e2e_webhook-Secret"
    env = environment(
        GIGBOT_TELEGRAM__TOKEN=TOKEN,
        GIGBOT_TELEGRAM__API_BASE_URL=server.base_url,
        GIGBOT_TELEGRAM__WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        GIGBOT_TELEGRAM__WEBHOOK_LISTEN="127.0.0.1",
        GIGBOT_TELEGRAM__WEBHOOK_PORT=str(port),
        GIGBOT_TELEGRAM__WEBHOOK_PATH="/hook",
        GIGBOT_TELEGRAM__WEBHOOK_SECRET=secret,
        GIGBOT_LOG_LEVEL="DEBUG",
    )
    doctor = gigbot(tmp_path, "doctor", env=env).stdout
    assert f"telegram: updates by webhook at http://127.0.0.1:{port}/hook, served on 127.0.0.1:{port}/hook" in doctor
    assert secret not in doctor
    log_file = tmp_path / "stderr.log"
    with log_file.open("w") as stderr:
        process = await asyncio.create_subprocess_exec(
            GIGBOT, "run", cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=stderr
        )
    try:
        alice = server.user(101, "Alice", language_code="en")
        alice.send("/start")  # waits at Telegram until the bot has set its webhook, then is posted to it
        await alice.wait_for_text("Welcome to gigbot", within=60)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await server.stop()
    log = log_file.read_text()
    assert f"webhook as @gigbot_test_bot at http://127.0.0.1:{port}/hook" in log
    assert secret not in log
    assert TOKEN not in log
