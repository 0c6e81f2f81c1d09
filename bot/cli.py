"""Command line: ``gigbot run | console | demo | db upgrade | doctor | feeds poll`` (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("gigbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gigbot", description="gigbot: a freelance marketplace in chat.")
    parser.add_argument("--config", type=Path, help="TOML settings file (default: $GIGBOT_CONFIG or ./config.toml)")
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="overrides log_level")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="migrate, then start every configured front end (the console if no token)")
    commands.add_parser("console", help="migrate, then chat with the bot in this terminal")
    commands.add_parser("demo", help="seed realistic demo users into the database")
    database = commands.add_parser("db", help="database maintenance")
    database.add_subparsers(dest="db_command", required=True, metavar="ACTION").add_parser(
        "upgrade", help="apply the migrations"
    )
    commands.add_parser("doctor", help="check config, database and tokens; print what would start")
    feeds = commands.add_parser("feeds", help="external job feeds ([[feeds]] in the config)")
    feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION").add_parser(
        "poll", help="poll every configured feed once, now; one line per feed"
    )
    return parser


def _configure_logging(settings: Settings, level: str | None, *, to_file: bool) -> None:
    """Console chats keep the terminal for the conversation, so their log goes to data/gigbot.log."""
    handler: logging.Handler
    if to_file:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(settings.data_dir / "gigbot.log", encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=level or settings.log_level, handlers=[handler], force=True)
    for noisy in ("apscheduler", "httpx", "aiosqlite", "asyncio", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        for problem in error.problems:
            print(f"config error: {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    console = args.command == "console" or (args.command == "run" and not settings.platforms)
    _configure_logging(settings, args.log_level, to_file=console)

    # Imported late: a mistyped argument or a bad config should not pay for loading everything.
    from bot import bootstrap, demo, doctor

    try:
        if args.command == "doctor":
            raise SystemExit(asyncio.run(doctor.doctor(settings)))
        if args.command == "db":
            asyncio.run(bootstrap.upgrade_database(settings))
        elif args.command == "feeds":
            for counts in asyncio.run(bootstrap.poll_feeds(settings)):
                print(counts.line())
        elif args.command == "demo":
            asyncio.run(demo.seed_demo(settings))
        elif console:
            asyncio.run(bootstrap.run_console(settings))
        else:
            raise SystemExit(asyncio.run(bootstrap.run_platforms(settings)))
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
