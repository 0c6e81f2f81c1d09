"""Sign-up, as a user sees it, in English and French, with the bad input people really type."""

from __future__ import annotations

import pytest

from bot.conversations.harness import Harness
from tests.conftest import MODAL_PLATFORM
from tests.flows.signup_steps import reach_confirm, reach_details, sign_up


async def test_signup_in_english_ends_on_the_main_menu(alice: Harness) -> None:
    await alice.send("/start")
    assert "Welcome to gigbot" in alice.screen.plain
    await alice.click("English")
    assert "How will you use gigbot?" in alice.screen.plain
    await alice.click("Both")
    assert "Your full name" in alice.screen.plain
    await alice.send("Alice Martin")
    assert "Choose a username" in alice.screen.plain
    await alice.send("@Alice_M")
    assert "Which country" in alice.screen.plain
    await alice.send("germany")
    assert "Germany has several time zones" in alice.screen.plain
    await alice.click("Berlin")
    assert "Please check your details" in alice.screen.plain
    assert "Username: @alice_m" in alice.screen.plain
    assert "Role: freelancer and client" in alice.screen.plain
    assert "Berlin (UTC+01:00)" in alice.screen.plain
    await alice.click("Create my account")
    assert "Your account is ready, Alice Martin" in alice.screen.plain
    labels = [[button.label for button in row] for row in alice.screen.buttons]
    assert labels == [
        ["🔎 Find work", "⭐ Best matches", "♥ Saved jobs"],
        ["📝 Post a job", "📋 My jobs", "👥 Talent clouds"],
        ["📄 My proposals", "💬 Messages", "🤝 Contracts", "💰 Earnings"],
        ["👤 My profile", "⚙️ Account", "❓ Help"],
    ]

    await alice.click("Account")
    assert "Country: Germany" in alice.screen.plain
    assert "Time zone: Europe/Berlin" in alice.screen.plain


async def test_signup_in_french_speaks_french_after_the_choice(app) -> None:
    amelie = Harness(app.engine, "amelie", locale="fr-FR")
    await amelie.send("/start")
    assert [b.label for b in amelie.screen.all_buttons()] == ["Français", "English"]
    await amelie.click("Français")
    assert "Comment allez-vous utiliser gigbot" in amelie.screen.plain
    await amelie.click("Freelance")
    await amelie.submit({"full_name": "Amélie Laurent", "username": "amelie"})
    assert "Dans quel pays" in amelie.screen.plain
    await amelie.send("Belgique")
    assert "Belgique" in amelie.screen.plain
    await amelie.click("Créer mon compte")
    assert "Amélie Laurent" in amelie.screen.plain
    await amelie.send("/account")
    assert "Pays : Belgique" in amelie.screen.plain


async def test_start_again_when_signed_up_shows_the_main_menu(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/start")
    assert "Hi Alice Martin! What would you like to do?" in alice.screen.plain


async def test_modal_platform_gets_one_form_and_all_errors_at_once(app) -> None:
    dana = Harness(app.engine, "dana", platform=MODAL_PLATFORM)
    await reach_details(dana, "client")
    assert dana.screen.form is not None
    assert [f.name for f in dana.screen.form.fields] == ["full_name", "username"]
    await dana.submit({"full_name": "   ", "username": "9lives"})
    assert "can't be empty" in dana.screen.plain
    assert "must start with a letter" in dana.screen.plain
    assert dana.screen.form is not None  # the form is offered again
    await dana.submit({"full_name": "Dana Whitfield", "username": "dana"})
    assert "Which country" in dana.screen.plain


@pytest.mark.parametrize(
    ("full_name", "complaint"),
    [
        ("", "can't be empty"),
        ("    \t ", "can't be empty"),
        ("x" * 10_000, "too long: at most 80 characters, and you sent 10,000"),
        ("Alice\x07Martin", "not “U+0007”"),
        ("Alice \u202eMartin", "not “U+202E”"),
        ("Alice 😀", "not “😀”"),
        ("12345", "not “1”"),
        ("<b>Bob</b>", "not “<”"),
    ],
)
async def test_bad_full_names_are_refused_and_asked_again(alice: Harness, full_name: str, complaint: str) -> None:
    await reach_details(alice, "freelancer")
    await alice.send(full_name)
    assert complaint in alice.screen.plain
    assert "About you · 1/2" in alice.screen.plain
    await alice.send("Alice Martin")
    assert "About you · 2/2" in alice.screen.plain


async def test_right_to_left_and_accented_names_are_welcome(alice: Harness) -> None:
    await reach_details(alice, "freelancer")
    await alice.send("  محمد   علي  ")
    assert "About you · 2/2" in alice.screen.plain
    await alice.send("mohammed")
    await alice.send("Egypt")
    assert "Name: محمد علي" in alice.screen.plain


@pytest.mark.parametrize(
    ("username", "complaint"),
    [
        ("ab", "at least 3 characters"),
        ("jane doe", "only the letters a-z"),
        ("jané", "only the letters a-z"),
        ("_jane", "must start with a letter"),
        ("admin", "@admin is reserved"),
        ("j" * 40, "at most 32 characters"),
    ],
)
async def test_bad_usernames_are_refused(alice: Harness, username: str, complaint: str) -> None:
    await reach_details(alice, "freelancer")
    await alice.send("Alice Martin")
    await alice.send(username)
    assert complaint in alice.screen.plain
    assert "About you · 2/2" in alice.screen.plain


async def test_a_taken_username_is_refused_with_a_free_suggestion(alice: Harness) -> None:
    await sign_up(alice, username="jane")
    bob = alice.user("bob")
    await reach_details(bob, "client")
    await bob.send("Jane Other")
    await bob.send("JANE")
    assert "@jane is taken. How about @jane2?" in bob.screen.plain
    await bob.send("jane2")
    assert "Which country" in bob.screen.plain


async def test_typing_where_a_button_is_expected_gets_a_hint_and_keeps_the_step(alice: Harness) -> None:
    await alice.send("/start")
    await alice.click("English")
    await alice.send("3")
    assert "Please choose one of the options below." in alice.screen.plain
    assert "How will you use gigbot?" in alice.screen.plain
    await alice.send("🔁 both")  # typing a button's label is the same as pressing it
    assert "Your full name" in alice.screen.plain


async def test_country_by_code_by_list_and_unknown(alice: Harness) -> None:
    await reach_details(alice, "client")
    await alice.submit({"full_name": "Alice Martin", "username": "alice"})
    await alice.send("Atlantis")
    assert "No country matches “Atlantis”" in alice.screen.plain
    await alice.send("guin")
    options = [option.label for option in alice.screen.choice.options]
    assert options[:2] == ["Guinea (GN)", "Guinea-Bissau (GW)"]
    assert "Papua New Guinea (PG)" in options
    await alice.click("Guinea-Bissau")
    assert "Country: Guinea-Bissau" in alice.screen.plain


async def test_time_zone_pages_and_typed_city(alice: Harness) -> None:
    await reach_details(alice, "client")
    await alice.submit({"full_name": "Alice Martin", "username": "alice"})
    await alice.send("US")
    assert "United States has several time zones" in alice.screen.plain
    assert "Page 1 of 2" in alice.screen.plain
    assert len(alice.screen.choice.options) == 20
    await alice.click("Next ▶")
    assert "Page 2 of 2" in alice.screen.plain
    await alice.send("Europe/Paris")
    assert "not in United States" in alice.screen.plain
    await alice.send("new york")
    assert "Time zone: New York (UTC−05:00)" in alice.screen.plain


async def test_back_buttons_and_start_over(alice: Harness) -> None:
    await alice.send("/start")
    await alice.click("English")
    await alice.click("Back")
    assert "Choose your language" in alice.screen.plain
    await reach_confirm(alice)
    await alice.click("Start over")
    assert "Choose your language" in alice.screen.plain


async def test_a_username_taken_while_confirming_sends_you_back_to_choose_another(alice: Harness) -> None:
    bob = alice.user("bob")
    await bob.send("/start")
    await reach_confirm(bob)  # bob picked "alice" too, and dawdles on the summary
    await sign_up(alice, username="alice")
    await bob.click("Create my account")
    assert "@alice is taken. How about @alice2?" in bob.screen.plain
    assert "About you · 1/2" in bob.screen.plain


async def test_the_main_menu_offers_what_each_role_does(alice: Harness) -> None:
    await sign_up(alice, "freelancer")
    assert [row[0].label for row in alice.screen.buttons] == ["🔎 Find work", "📄 My proposals", "👤 My profile"]
    bob = alice.user("bob")
    await sign_up(bob, "client", username="bob")
    assert [row[0].label for row in bob.screen.buttons] == ["📝 Post a job", "💬 Messages", "👤 My profile"]
    assert [button.label for button in bob.screen.buttons[1]] == ["💬 Messages", "🤝 Contracts"]  # no earnings


async def test_a_command_remembered_before_signup_that_fails_leaves_the_account_standing(alice: Harness) -> None:
    await alice.send("/job_files 999")  # needs an account (a public post does not: /job 42 shows it to anyone)
    await sign_up(alice, "freelancer")
    assert "Your account is ready, Alice Martin" in alice.screen.plain
    assert "⚠️ Job #999 was not found, or it is not visible to you." in alice.screen.plain
    await alice.send("/account")
    assert "Username: @alice" in alice.screen.plain


async def test_the_remembered_command_fails_politely_in_french_too(app) -> None:
    amelie = Harness(app.engine, "amelie", locale="fr")
    await amelie.send("/job_files 999")
    await amelie.send("/start")
    await amelie.click("Français")
    await amelie.click("freelance")
    await amelie.submit({"full_name": "Amélie Laurent", "username": "amelie"})
    await amelie.send("France")
    await amelie.click("✅")
    assert "Votre compte est prêt, Amélie Laurent" in amelie.screen.plain
    assert "⚠️ L’offre #999 est introuvable, ou vous n’y avez pas accès." in amelie.screen.plain
