"""The one composition root: settings -> storage -> services -> engine -> adapters and scheduler."""

from __future__ import annotations

import logging
import os
import secrets
import sys
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import make_url

from bot.adapters.feeds.fetch import fetch_feed
from bot.config import Settings
from bot.conversations import (
    alerts,
    clouds,
    contracts,
    disputes,
    earnings,
    feed,
    feedback,
    job_views,
    link,
    menu,
    messages,
    my_jobs,
    offer,
    post_job,
    privacy,
    profile,
    profile_edit,
    proposals,
    propose,
    saved,
    search,
    signup,
    testimonial,
    verification,
    worklog,
)
from bot.conversations.engine import Engine
from bot.conversations.feed_sources import FeedPoller, PollCounts
from bot.conversations.flow import CommandSpec, Flow
from bot.core.actions import ActionCodec, RetiredKey, key_id
from bot.core.clock import Clock, SystemClock
from bot.core.fees import FeeRules, basis_points
from bot.core.i18n import LANGUAGES, Translator
from bot.core.market import CreditRules, MarketRules
from bot.core.payments import SandboxProvider
from bot.core.ui import plain
from bot.runtime import Runtime
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from bot.storage.repositories import Repositories

log = logging.getLogger("gigbot")

FLOWS: list[Flow] = [
    *alerts.FLOWS,
    signup.FLOW,
    post_job.FLOW,
    post_job.EDIT_FLOW,
    my_jobs.INVITE_FLOW,
    clouds.NEW_FLOW,
    clouds.INVITE_FLOW,
    profile_edit.FLOW,
    verification.FLOW,
    testimonial.FLOW,
    link.FLOW,
    privacy.FLOW,
    search.FLOW,
    offer.FLOW,
    *contracts.FLOWS,
    worklog.FLOW,
    feedback.FLOW,
    disputes.FLOW,
    disputes.SPLIT_FLOW,
    earnings.FLOW,
    propose.FLOW,
    propose.EDIT_FLOW,
    messages.FLOW,
]
COMMANDS: list[CommandSpec] = [
    *menu.COMMANDS,
    *post_job.COMMANDS,
    *my_jobs.COMMANDS,
    *job_views.COMMANDS,
    *clouds.COMMANDS,
    *profile.COMMANDS,
    *verification.COMMANDS,
    *testimonial.COMMANDS,
    *link.COMMANDS,
    *privacy.COMMANDS,
    *search.COMMANDS,
    *alerts.COMMANDS,
    *saved.COMMANDS,
    *feed.COMMANDS,
    *offer.COMMANDS,
    *contracts.COMMANDS,
    *worklog.COMMANDS,
    *feedback.COMMANDS,
    *disputes.COMMANDS,
    *earnings.COMMANDS,
    *propose.COMMANDS,
    *proposals.COMMANDS,
    *messages.COMMANDS,
]


def secret_key(settings: Settings) -> bytes:
    """GIGBOT_SECRET_KEY, or for a token-less local run a key generated once into the data folder.

    Config validation already refuses to start Telegram or Discord without GIGBOT_SECRET_KEY.
    """
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = settings.data_dir / ".secret_key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
        log.info("generated a local action signing key in %s", path)
    return path.read_text().strip().encode()


@dataclass
class App:
    settings: Settings
    database: Database
    engine: Engine

    async def close(self) -> None:
        await self.database.dispose()


async def action_codec(settings: Settings, database: Database, clock: Clock) -> ActionCodec:
    """The button signer: the current key, and the previous one for the grace period after the current key was
    first used (the database remembers that moment, so every process and restart agrees on it)."""
    secret = secret_key(settings)
    async with database.transaction() as session:
        first_used = await Repositories.bind(session).signing_keys.first_used(key_id(secret), clock.now())
    retired = []
    if settings.previous_secret_key is not None:
        until = first_used + timedelta(hours=settings.secret_key_grace_hours)
        retired.append(RetiredKey(settings.previous_secret_key.get_secret_value().encode(), until))
    return ActionCodec(secret, retired=retired, now=clock.now)


async def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    form_platforms: frozenset[str] = frozenset({"discord"}),
    payment_platforms: frozenset[str] | None = None,
) -> App:
    """``payment_platforms``: where the chat takes payments; by default those configured for it."""
    database = Database(settings.database.url, echo=settings.database.echo)
    if migrate:
        await upgrade(database)
    clock = clock or SystemClock()
    engine = Engine(
        database,
        await action_codec(settings, database, clock),
        clock,
        flows=FLOWS,
        commands=COMMANDS,
        idle_timeout=timedelta(seconds=settings.conversation.idle_timeout_seconds),
        default_language=settings.default_language,
        form_platforms=form_platforms,
        admins=frozenset(name.lower().removeprefix("@") for name in settings.admins),
        rules=market_rules(settings),
        payments=SandboxProvider(fail_charges=settings.payments.sandbox_fail_charges),
        payment_platforms=in_chat_payments(settings) if payment_platforms is None else payment_platforms,
    )
    return App(settings, database, engine)


def in_chat_payments(settings: Settings) -> frozenset[str]:
    """The platforms whose chats take payments: Telegram with a payment provider token."""
    return frozenset({"telegram"}) if settings.telegram.payment_provider_token is not None else frozenset()


def market_rules(settings: Settings) -> MarketRules:
    fees, credits, payments = settings.fees, settings.credits, settings.payments
    return MarketRules(
        fees=FeeRules(fees.schedule, basis_points(fees.freelancer_percent), basis_points(fees.client_percent)),
        credits=CreditRules(credits.enabled, credits.per_proposal, credits.monthly_allowance),
        security_period=timedelta(days=payments.security_period_days),
        auto_release=timedelta(days=payments.auto_release_days),
        feedback_window=timedelta(days=payments.feedback_window_days),
    )


async def run_console(settings: Settings) -> None:
    """The runtime with the console front end (``gigbot console``, or ``gigbot run`` without tokens)."""
    from bot.adapters.console.frontend import ConsoleFrontEnd

    app = await build_app(settings)
    console = ConsoleFrontEnd(app.engine, data_dir=settings.data_dir, default_user=settings.console.default_user)
    try:
        await Runtime(settings, app.engine, [console], deliver_before_next_input=True, feeds=feed_poller(app)).run()
    finally:
        await app.close()


def command_menus(engine: Engine) -> dict[str, list[tuple[str, str]]]:
    """A platform's command menu in each language (and under "" the default language's, for every other one):
    the commands /help lists, with their descriptions."""
    menus = {
        language: [(spec.name, plain(Translator(language).t(spec.description))) for spec in engine.help_commands]
        for language in LANGUAGES
    }
    return {"": menus[engine.default_language], **menus}


def descriptions(engine: Engine) -> dict[str, tuple[str, str]]:
    """The bot's (description, short description) in each language, and under "" the default language's."""
    texts = {
        language: (Translator(language).t(menu.ABOUT), Translator(language).t(menu.ABOUT_SHORT))
        for language in LANGUAGES
    }
    return {"": texts[engine.default_language], **texts}


BUILT_PLATFORMS = ("telegram",)  # platforms with a front end in this build (Discord's is still to come)


async def run_platforms(settings: Settings) -> int:
    """The runtime with every configured platform this build has a front end for (``gigbot run`` with tokens);
    a configured platform without one is named on stderr. Returns the exit status."""
    from bot.adapters.telegram.frontend import TelegramFrontEnd

    for platform in settings.platforms:
        if platform not in BUILT_PLATFORMS:
            print(
                f"{platform}: this build has no {platform.title()} front end yet; unset "
                f"GIGBOT_{platform.upper()}__TOKEN to chat in the console",
                file=sys.stderr,
            )
    if "telegram" not in settings.platforms:
        return 2
    app = await build_app(settings)
    try:
        telegram = TelegramFrontEnd(
            app.engine.codec,
            settings.telegram,
            command_menus=command_menus(app.engine),
            inline=app.engine.inline,
            checkout=app.engine.checkout,
            descriptions=descriptions(app.engine),
        )
        await Runtime(settings, app.engine, [telegram], feeds=feed_poller(app)).run()
    finally:
        await app.close()
    return 0


def feed_poller(app: App) -> FeedPoller:
    """The job feeds' poller, fetching over HTTP(S)."""
    return FeedPoller(app.database, app.engine.clock, fetch_feed)


async def poll_feeds(settings: Settings) -> list[PollCounts]:
    """``gigbot feeds poll``: migrate if needed (as ``gigbot run`` does), then poll every configured feed once."""
    database = Database(settings.database.url)
    try:
        await upgrade(database)
        return await FeedPoller(database, SystemClock(), fetch_feed).poll_all(settings.feeds)
    finally:
        await database.dispose()


async def upgrade_database(settings: Settings) -> None:
    database = Database(settings.database.url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()
    print(f"database is at the latest schema: {redacted_url(settings.database.url)}")


def redacted_url(url: str) -> str:
    """A database URL fit for logs and screens: the password (if any) masked."""
    return make_url(url).render_as_string(hide_password=True)
