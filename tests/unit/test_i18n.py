"""Parameters shown in the reader's language: translated labels and numbers with their digit grouping."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.i18n import N_, Count, Day, Moment, Money, Translator


def test_counts_are_grouped_as_the_reader_writes_numbers() -> None:
    message = N_("That is too long: at most {limit} characters, and you sent {length}.")
    assert Translator("en").t(message, limit=Count(5000), length=Count(12345)) == (
        "That is too long: at most 5,000 characters, and you sent 12,345."
    )
    assert "5\u202f000" in Translator("fr").t(message, limit=Count(5000), length=Count(12345))


def test_plain_numbers_such_as_ids_are_left_alone() -> None:
    assert Translator("fr").t(N_("Contract #{id} was not found."), id=12345) == "Le contrat #12345 est introuvable."


def test_money_dates_and_moments_are_shown_as_the_reader_writes_them() -> None:
    message = N_("A fixed budget must be between {min} and {max}.")
    assert Translator("en").t(message, min=Money(500), max=Money(100_000_000)) == (
        "A fixed budget must be between $5 and $1,000,000."
    )
    assert Translator("fr").t(message, min=Money(500), max=Money(100_000_000)) == (
        "Un budget à prix fixe doit être compris entre 5\u00a0$US et 1\u202f000\u202f000\u00a0$US."
    )
    start = N_("Start date: {date}")
    assert Translator("en").t(start, date=Day(date(2026, 12, 3))) == "Start date: Dec 3, 2026"
    assert Translator("fr").t(start, date=Day(date(2026, 12, 3))).endswith("3 déc. 2026")
    noon = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert Translator("fr", "Europe/Paris")._shown(Moment(noon)) == "3 déc. 2026, 13:00"
    assert Translator("en")._shown(Moment(noon)) == "Dec 3, 2026, 12:00\u202fPM UTC"  # no zone known: said so
