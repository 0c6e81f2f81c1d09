"""`gigbot doctor`: check the configuration, the database and the tokens, and say what would start.

It never prints a secret: only whether each one is set. It also shows the notification outbox: how many wait,
and the notifications parked after repeated send errors, with the last error.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.bootstrap import BUILT_PLATFORMS, redacted_url
from bot.config import Settings
from bot.storage.db import Database
from bot.storage.migrate import schema_heads
from bot.storage.repositories import Repositories

PARKED_SHOWN = 10


async def report_outbox(database: Database, report: Callable[[bool, str], None]) -> None:
    """Notifications waiting, and those parked after repeated errors (with the last error), for admins."""
    async with database.transaction() as session:
        outbox = Repositories.bind(session).outbox
        counts = await outbox.counts()
        parked = await outbox.parked(PARKED_SHOWN)
    report(
        not counts["parked"],
        f"outbox: {counts['queued']} to send ({counts['waiting']} waiting for an unreachable person), "
        f"{counts['parked']} parked, {counts['sent']} sent",
    )
    for row in parked:
        to = f"account {row.recipient_id}" if row.recipient_id is not None else f"{row.platform} chat {row.chat_id}"
        print(f"    parked #{row.id} {row.kind} to {to} after {row.attempts} attempts: {row.last_error}")


async def doctor(settings: Settings) -> int:
    """Print one line per check; exit status 1 if something needs fixing."""
    failures = 0

    def report(ok: bool, line: str) -> None:
        nonlocal failures
        failures += not ok
        print(f"{'ok ' if ok else 'BAD'} {line}")

    report(True, "config: valid")
    database = Database(settings.database.url)
    try:
        current, expected = await schema_heads(database)
        if current == expected:
            report(True, f"database: reachable, schema current ({redacted_url(settings.database.url)})")
            await report_outbox(database, report)
        else:
            report(
                False,
                f"database: schema at {sorted(current) or 'nothing'}, code expects {sorted(expected)}; "
                "run `gigbot db upgrade`",
            )
    except Exception as error:  # the point of doctor is to report any failure as one line
        report(
            False,
            f"database: cannot connect to {redacted_url(settings.database.url)}: {type(error).__name__}: {error}",
        )
    finally:
        await database.dispose()
    for platform in ("telegram", "discord"):
        token_set = getattr(settings, platform).token is not None
        report(True, f"{platform}: token {'set' if token_set else 'not set'} (GIGBOT_{platform.upper()}__TOKEN)")
    telegram = settings.telegram
    if telegram.token is not None:
        report(
            True,
            f"telegram: updates by webhook at {telegram.webhook_url}, served on {telegram.webhook_listen}:"
            f"{telegram.webhook_port}{telegram.webhook_path} (secret from GIGBOT_TELEGRAM__WEBHOOK_SECRET)"
            if telegram.webhook_url
            else "telegram: updates by polling (set telegram.webhook_url for a webhook)",
        )
    paid = "set: clients fund milestones by invoice" if settings.telegram.payment_provider_token else "not set"
    report(True, f"telegram payments: provider token {paid} (GIGBOT_TELEGRAM__PAYMENT_PROVIDER_TOKEN)")
    report(
        True,
        "secret key: "
        + (
            "set (GIGBOT_SECRET_KEY)"
            if settings.secret_key
            else f"not set; the console uses {settings.data_dir / '.secret_key'}"
        ),
    )
    report(True, f"admins: {', '.join(settings.admins) or 'none'}")
    starts = [platform for platform in settings.platforms if platform in BUILT_PLATFORMS]
    print(f"would start: {', '.join(starts) or ('nothing' if settings.platforms else 'console')}")
    for platform in settings.platforms:
        if platform not in starts:
            print(f"  {platform}: no front end in this build yet")
    return 1 if failures else 0
