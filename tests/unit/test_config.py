"""Settings: TOML under env, secrets from env only, and one clear line per problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(
        tmp_path, '[conversation]\nidle_timeout_seconds = 600\n[database]\nurl = "sqlite+aiosqlite:///a.db"\n'
    )
    monkeypatch.setenv("GIGBOT_CONVERSATION__IDLE_TIMEOUT_SECONDS", "900")
    settings = load_settings(path)
    assert settings.conversation.idle_timeout_seconds == 900
    assert settings.database.url == "sqlite+aiosqlite:///a.db"


def test_a_token_needs_a_secret_key_and_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIGBOT_TELEGRAM__TOKEN", "123:abc")
    with pytest.raises(ConfigError, match="secret_key: required when a Telegram or Discord token is set"):
        load_settings(_write(tmp_path, ""))
    monkeypatch.setenv("GIGBOT_SECRET_KEY", "s" * 32)
    settings = load_settings(_write(tmp_path, ""))
    assert settings.platforms == ["telegram"]
    assert "123:abc" not in repr(settings)


def test_secrets_in_the_file_and_bad_values_are_each_reported(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'secret_key = "oops"\nlog_level = "LOUD"\ncolour = "blue"\n'
        '[telegram]\ntoken = "123:abc"\n[database]\nurl = "mysql://x"\n',
    )
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    problems = error.value.problems
    assert "secret_key: secrets are read from the environment only; set GIGBOT_SECRET_KEY" in problems
    assert "telegram.token: secrets are read from the environment only; set GIGBOT_TELEGRAM__TOKEN" in problems
    assert "colour: unknown setting" in problems
    assert any(p.startswith("log_level: ") for p in problems)
    assert "database.url: must start with sqlite+aiosqlite:// or postgresql+asyncpg://" in problems


def test_the_command_line_prints_problems_without_a_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, "[conversation\nbroken")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "doctor"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"config error: {path}: not valid TOML")
    assert "Traceback" not in result.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(tmp_path / "nope.toml"), "doctor"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.stderr.strip() == f"config error: {tmp_path / 'nope.toml'}: config file not found"


def test_the_example_config_is_valid_and_names_the_defaults() -> None:
    example = load_settings(Path(__file__).parents[2] / "config.example.toml")
    assert (example.telegram.budget.per_second, example.telegram.budget.per_group_per_minute) == (30, 20)
    assert example.outbox.max_attempts == 8
    assert example.scheduler.sweeps_seconds == 3600


def test_the_previous_secret_key_is_a_secret_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(_write(tmp_path, 'previous_secret_key = "an-old-key-of-enough-length"'))
    assert "previous_secret_key: secrets are read from the environment only; set GIGBOT_PREVIOUS_SECRET_KEY" in (
        refused.value.problems
    )


def test_the_payment_provider_token_comes_from_the_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(_write(tmp_path, '[telegram]\npayment_provider_token = "284685063:TEST:abc"\n'))
    assert (
        "telegram.payment_provider_token: secrets are read from the environment only; "
        "set GIGBOT_TELEGRAM__PAYMENT_PROVIDER_TOKEN" in refused.value.problems
    )
    monkeypatch.setenv("GIGBOT_TELEGRAM__PAYMENT_PROVIDER_TOKEN", "284685063:TEST:abc")
    settings = load_settings(_write(tmp_path, ""))
    assert settings.telegram.payment_provider_token is not None
    assert settings.telegram.payment_provider_token.get_secret_value() == "284685063:TEST:abc"
    assert "284685063:TEST:abc" not in repr(settings)


def test_webhook_mode_needs_a_secret_token_from_the_environment_that_telegram_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIGBOT_TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("GIGBOT_SECRET_KEY", "s" * 32)
    config = _write(tmp_path, '[telegram]\nwebhook_url = "https://bot.example.com/telegram"\n')
    with pytest.raises(ConfigError) as refused:
        load_settings(config)
    assert refused.value.problems == [
        "telegram.webhook_secret: required with telegram.webhook_url (Telegram sends it with every update, so nobody "
        "else can post updates); set GIGBOT_TELEGRAM__WEBHOOK_SECRET"
    ]
    monkeypatch.setenv("GIGBOT_TELEGRAM__WEBHOOK_SECRET", "no spaces allowed")
    with pytest.raises(ConfigError, match=r"telegram\.webhook_secret: must be 1 to 256 characters"):
        load_settings(config)
    monkeypatch.setenv("GIGBOT_TELEGRAM__WEBHOOK_SECRET", "Good_secret-42")
    settings = load_settings(config)
    assert (settings.telegram.webhook_listen, settings.telegram.webhook_port) == ("0.0.0.0", 8443)
    assert settings.telegram.webhook_path == "/telegram"
    assert "Good_secret-42" not in repr(settings)
    with pytest.raises(ConfigError) as in_file:
        load_settings(_write(tmp_path, '[telegram]\nwebhook_secret = "Good_secret-42"\n'))
    assert (
        "telegram.webhook_secret: secrets are read from the environment only; set GIGBOT_TELEGRAM__WEBHOOK_SECRET"
        in (in_file.value.problems)
    )


def test_telegram_calls_https_webhooks_only_a_self_hosted_bot_api_may_call_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIGBOT_TELEGRAM__WEBHOOK_SECRET", "secret")
    with pytest.raises(ConfigError, match=r"telegram\.webhook_url: must be an https:// URL that Telegram can reach"):
        load_settings(_write(tmp_path, '[telegram]\nwebhook_url = "http://bot.example.com/telegram"\n'))
    local = '[telegram]\napi_base_url = "http://127.0.0.1:8081/bot"\nwebhook_url = "http://127.0.0.1:8443/telegram"\n'
    assert load_settings(_write(tmp_path, local)).telegram.webhook_url == "http://127.0.0.1:8443/telegram"
