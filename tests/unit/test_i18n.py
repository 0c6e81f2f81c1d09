"""Parameters shown in the reader's language: translated labels and numbers with their digit grouping."""

from __future__ import annotations

from bot.core.i18n import N_, Count, Translator


def test_counts_are_grouped_as_the_reader_writes_numbers() -> None:
    message = N_("That is too long: at most {limit} characters, and you sent {length}.")
    assert Translator("en").t(message, limit=Count(5000), length=Count(12345)) == (
        "That is too long: at most 5,000 characters, and you sent 12,345."
    )
    assert "5\u202f000" in Translator("fr").t(message, limit=Count(5000), length=Count(12345))


def test_plain_numbers_such_as_ids_are_left_alone() -> None:
    assert Translator("fr").t(N_("Contract #{id} was not found."), id=12345) == "Le contrat #12345 est introuvable."
