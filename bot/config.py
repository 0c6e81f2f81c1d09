"""Settings: a TOML file overridden by GIGBOT_* environment variables; secrets only from the environment.

An invalid configuration is reported as one readable line per problem (``ConfigError``), never a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.core.taxonomy import CATEGORIES

DEFAULT_CONFIG_PATH = Path("config.toml")
SUPPORTED_LANGUAGES = ("en", "fr")

# Settings that hold a secret: accepted from the environment only, refused in the TOML file.
SECRET_KEYS = {
    ("secret_key",),
    ("previous_secret_key",),
    ("telegram", "token"),
    ("telegram", "payment_provider_token"),
    ("telegram", "webhook_secret"),
    ("discord", "token"),
}
TELEGRAM_CLOUD = "https://api.telegram.org/"
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram's setWebhook takes as secret_token


class ConfigError(Exception):
    """The configuration is unusable; ``problems`` holds one human-readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class DatabaseSettings(BaseModel):
    url: str = "sqlite+aiosqlite:///./data/gigbot.db"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _known_driver(cls, url: str) -> str:
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return url


class ConversationSettings(BaseModel):
    idle_timeout_seconds: Annotated[int, Field(ge=60, le=7 * 24 * 3600)] = 3600


class SchedulerSettings(BaseModel):
    """How often each scheduled job runs (the scheduler runs with every front end)."""

    timeouts_seconds: Annotated[int, Field(ge=1, le=3600)] = 30  # closing idle conversations
    sweeps_seconds: Annotated[int, Field(ge=1, le=24 * 3600)] = 3600  # auto-release, invoices, earnings, feedback...
    prune_hours: Annotated[int, Field(ge=1, le=7 * 24)] = 6  # forgetting old update ids and sent notifications
    digests_seconds: Annotated[int, Field(ge=10, le=3600)] = 300  # sending the job alerts that waited for a digest


class OutboxSettings(BaseModel):
    """How the dispatcher delivers notifications."""

    batch: Annotated[int, Field(ge=1, le=1000)] = 50
    lease_seconds: Annotated[float, Field(ge=1, le=3600)] = 30  # a claimed row comes due again after this
    max_attempts: Annotated[int, Field(ge=1, le=50)] = 8  # transient errors before a row is parked
    backoff_base_seconds: Annotated[float, Field(ge=0.1, le=3600)] = 5
    backoff_cap_seconds: Annotated[float, Field(ge=1, le=24 * 3600)] = 3600
    poll_seconds: Annotated[float, Field(ge=0.1, le=300)] = 2
    keep_sent_days: Annotated[int, Field(ge=1, le=365)] = 30


Rate = Annotated[float, Field(gt=0)]


class BudgetSettings(BaseModel):
    """A platform's sending budget. Unset (null) means no limit."""

    per_second: Rate | None = None
    per_chat_per_second: Rate | None = None
    per_chat_burst: Annotated[int, Field(ge=1, le=100)] = 1
    per_group_per_minute: Rate | None = None


class TelegramSettings(BaseModel):
    token: SecretStr | None = None
    # From @BotFather's Payments: with it, clients fund milestones by paying an invoice in the chat.
    payment_provider_token: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    api_base_file_url: str = "https://api.telegram.org/file/bot"
    # How long a Bot API call may wait for Telegram's answer before it counts as timed out (tried again).
    read_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 5
    # Telegram's documented limits: about 30 messages a second overall, 1 a second per chat, 20 a minute per group.
    budget: BudgetSettings = BudgetSettings(
        per_second=30, per_chat_per_second=1, per_chat_burst=3, per_group_per_minute=20
    )
    # Webhook mode when webhook_url is set (else polling): Telegram POSTs updates to webhook_url, which must reach
    # the server listening at webhook_listen:webhook_port on webhook_path, and carry webhook_secret.
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: Annotated[int, Field(ge=1, le=65535)] = 8443
    webhook_path: Annotated[str, Field(pattern=r"^/[A-Za-z0-9_/.-]*$")] = "/telegram"
    webhook_secret: SecretStr | None = None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token_telegram_takes(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not WEBHOOK_SECRET.fullmatch(secret.get_secret_value()):
            raise ValueError("must be 1 to 256 characters of A-Z a-z 0-9 _ - (what Telegram accepts)")
        return secret

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_telegram_can_call(cls, url: str | None, info: ValidationInfo) -> str | None:
        """Telegram's servers call https URLs only; a self-hosted Bot API server may call plain http."""
        if url is None or url.startswith("https://"):
            return url
        if url.startswith("http://") and not info.data.get("api_base_url", TELEGRAM_CLOUD).startswith(TELEGRAM_CLOUD):
            return url
        raise ValueError("must be an https:// URL that Telegram can reach")


class DiscordSettings(BaseModel):
    token: SecretStr | None = None
    # Discord: 50 requests a second globally, about 5 per 5 seconds per channel.
    budget: BudgetSettings = BudgetSettings(per_second=50, per_chat_per_second=1, per_chat_burst=5)


class ConsoleSettings(BaseModel):
    default_user: Annotated[str, Field(min_length=1, max_length=32)] = "me"
    budget: BudgetSettings = BudgetSettings()


Percent = Annotated[Decimal, Field(ge=0, le=50, decimal_places=2)]


class FeeSettings(BaseModel):
    """What the platform takes. ``schedule``: flat (one percent), tiered (Upwork's 2016-2023 tiers by lifetime
    billings with the same client: 20% to $500, 10% to $10,000, 5% above) or fixed (a percent written into each
    contract at offer time, ``freelancer_percent`` unless the offer says otherwise)."""

    schedule: Literal["flat", "tiered", "fixed"] = "flat"
    freelancer_percent: Percent = Decimal(10)
    client_percent: Percent = Decimal(5)


class CreditSettings(BaseModel):
    """Proposal credits (Upwork's "Connects"): off unless enabled."""

    enabled: bool = False
    per_proposal: Annotated[int, Field(ge=1, le=100)] = 2
    monthly_allowance: Annotated[int, Field(ge=0, le=1000)] = 20


class PaymentSettings(BaseModel):
    """The payment provider and the money timings."""

    provider: Literal["sandbox"] = "sandbox"
    sandbox_fail_charges: bool = False  # the sandbox refuses every charge (to try failure paths)
    security_period_days: Annotated[int, Field(ge=0, le=60)] = 5
    auto_release_days: Annotated[int, Field(ge=1, le=60)] = 14
    feedback_window_days: Annotated[int, Field(ge=1, le=60)] = 14


class FeedFields(BaseModel):
    """Where a JSON feed keeps things: dotted paths into the document (``items``; "" when it is the list) and
    into each entry."""

    model_config = {"extra": "forbid"}

    items: str = ""
    id: str
    title: str
    link: str
    description: str | None = None
    published: str | None = None
    budget: str | None = None
    tags: str | None = None


class FeedSettings(BaseModel):
    """One external job source (a ``[[feeds]]`` table): polled every ``interval_seconds``; its jobs are tagged
    with ``category`` and ``skills`` when given."""

    model_config = {"extra": "forbid"}

    name: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")]
    url: Annotated[str, Field(max_length=2000)]
    kind: Literal["rss", "json"]
    interval_seconds: Annotated[int, Field(ge=60, le=7 * 24 * 3600)] = 900
    category: str | None = None
    skills: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list, max_length=15)
    fields: FeedFields | None = None

    @field_validator("url")
    @classmethod
    def _web_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL")
        return url

    @field_validator("category")
    @classmethod
    def _known_category(cls, category: str | None) -> str | None:
        """A category's code or its English name, as the job post form lists them."""
        if category is None:
            return None
        codes = {code: code for code in CATEGORIES} | {name.casefold(): code for code, name in CATEGORIES.items()}
        if category.casefold() not in codes:
            raise ValueError(f"unknown category; one of: {', '.join(CATEGORIES.values())}")
        return codes[category.casefold()]

    @model_validator(mode="after")
    def _fields_for_json_only(self) -> FeedSettings:
        if self.kind == "json" and self.fields is None:
            raise ValueError("a json feed needs [feeds.fields] (at least id, title and link)")
        if self.kind == "rss" and self.fields is not None:
            raise ValueError("[feeds.fields] is for json feeds; RSS and Atom name their fields themselves")
        return self


class Settings(BaseSettings):
    """Everything gigbot can be told. See config.example.toml for each setting explained."""

    model_config = SettingsConfigDict(env_prefix="GIGBOT_", env_nested_delimiter="__", extra="forbid")

    data_dir: Path = Path("data")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    default_language: Literal["en", "fr"] = "en"
    secret_key: SecretStr | None = None
    # After rotating GIGBOT_SECRET_KEY, buttons signed with the key before it (GIGBOT_PREVIOUS_SECRET_KEY) keep
    # working for this many hours from the new key's first use, then say they have expired.
    previous_secret_key: SecretStr | None = None
    secret_key_grace_hours: Annotated[int, Field(ge=0, le=24 * 90)] = 72
    admins: list[str] = Field(default_factory=list)
    database: DatabaseSettings = DatabaseSettings()
    conversation: ConversationSettings = ConversationSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    outbox: OutboxSettings = OutboxSettings()
    telegram: TelegramSettings = TelegramSettings()
    discord: DiscordSettings = DiscordSettings()
    console: ConsoleSettings = ConsoleSettings()
    fees: FeeSettings = FeeSettings()
    credits: CreditSettings = CreditSettings()
    payments: PaymentSettings = PaymentSettings()
    feeds: list[FeedSettings] = Field(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the TOML file, which arrives as init kwargs from load_settings().
        return env_settings, init_settings

    @model_validator(mode="after")
    def _platforms_need_a_secret_key(self) -> Settings:
        if self.platforms and self.secret_key is None:
            raise ValueError("secret_key: required when a Telegram or Discord token is set; set GIGBOT_SECRET_KEY")
        if self.telegram.webhook_url is not None and self.telegram.webhook_secret is None:
            raise ValueError(
                "telegram.webhook_secret: required with telegram.webhook_url (Telegram sends it with every update, "
                "so nobody else can post updates); set GIGBOT_TELEGRAM__WEBHOOK_SECRET"
            )
        return self

    @model_validator(mode="after")
    def _feed_names_unique(self) -> Settings:
        names = [feed.name.casefold() for feed in self.feeds]
        if repeated := sorted({name for name in names if names.count(name) > 1}):
            raise ValueError(f"feeds: each feed needs its own name; used more than once: {', '.join(repeated)}")
        return self

    @property
    def platforms(self) -> list[str]:
        """The chat platforms that have a token, in start order."""
        return [name for name in ("telegram", "discord") if getattr(self, name).token is not None]

    @property
    def is_sqlite(self) -> bool:
        return self.database.url.startswith("sqlite")


def _secret_problems(data: dict, path: tuple[str, ...] = ()) -> list[str]:
    problems = []
    for key, value in data.items():
        here = (*path, key)
        if here in SECRET_KEYS:
            env_name = "GIGBOT_" + "__".join(part.upper() for part in here)
            problems.append(f"{'.'.join(here)}: secrets are read from the environment only; set {env_name}")
        elif isinstance(value, dict):
            problems.extend(_secret_problems(value, here))
    return problems


def _describe(error: ValidationError) -> list[str]:
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown setting"
        lines.append(f"{where}: {message}" if where else message)  # whole-config checks name their setting
    return lines


def load_settings(config_path: Path | None = None) -> Settings:
    """Read the TOML file (``--config``, else $GIGBOT_CONFIG, else ./config.toml if present) and the env."""
    explicit = config_path or (Path(os.environ["GIGBOT_CONFIG"]) if os.environ.get("GIGBOT_CONFIG") else None)
    path = explicit or DEFAULT_CONFIG_PATH
    data: dict = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"{path}: not valid TOML ({exc})"]) from None
    elif explicit:
        raise ConfigError([f"{path}: config file not found"])
    problems = _secret_problems(data)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        problems.extend(_describe(exc))
    if problems:
        raise ConfigError(problems)
    return settings
