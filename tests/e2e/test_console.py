"""`gigbot console` driven through stdin/stdout in a subprocess, as a person at a terminal would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GIGBOT = str(Path(sys.executable).with_name("gigbot"))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def gigbot(
    workdir: Path, *args: str, stdin: str = "", lang: str = "en_US.UTF-8", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    if env is None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIGBOT_")}
        env |= {"LANG": lang, "LC_ALL": "", "NO_COLOR": "1"}
    return subprocess.run(
        [GIGBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
        timeout=60,
        check=False,
    )


def test_help_lists_every_command(workdir: Path) -> None:
    result = gigbot(workdir, "--help")
    assert result.returncode == 0
    for command in ("run", "console", "demo", "db", "doctor"):
        assert command in result.stdout


def test_signup_in_the_console_then_resume_after_quitting(workdir: Path) -> None:
    first = gigbot(workdir, "console", stdin="/start\n1\n3\nJane Doe\n")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "— you are me —" in out
    assert "[1] English   [2] Français" in out
    assert "[1] 💼 Find work (freelancer)" in out
    assert "About you · 1/2\nYour full name" in out
    assert "About you · 2/2\nChoose a username" in out
    assert "Bye! Everything is saved" in out
    assert (workdir / "data" / "gigbot.db").exists()

    second = gigbot(workdir, "console", stdin="jane_doe\nportugal\n2\n1\n")
    out = second.stdout
    assert out.index("About you · 2/2") < out.index("me> jane_doe")  # resumed at the pending question
    assert "Portugal has several time zones" in out
    assert "Role: freelancer and client" in out
    assert "Your account is ready, Jane Doe" in out
    assert "[1] 🔎 Find work   [2] ⭐ Best matches   [3] ♥ Saved jobs" in out
    assert "[4] 📝 Post a job   [5] 📋 My jobs   [6] 👥 Talent clouds" in out


def test_switching_users_and_numbers_out_of_range(workdir: Path) -> None:
    result = gigbot(workdir, "console", stdin="/as alice\n/start\n7\n/as bob\n/start\n2\n/as alice\n/as no way\n")
    out = result.stdout
    assert "— you are now alice —" in out
    assert "Please choose one of the options below." in out  # "7" is not a button here
    assert "— you are now bob —" in out
    assert "Comment allez-vous utiliser gigbot" in out  # bob chose Français
    # alice's /start, her "7" answered with the same screen, bob's /start, and alice's screen on return
    assert out.count("Choose your language") == 4
    assert "Usage: /as NAME" in out
    assert (workdir / "data" / "console-user").read_text() == "alice"


def test_console_language_comes_from_the_terminal_locale(workdir: Path) -> None:
    result = gigbot(workdir, "console", stdin="/start\n", lang="fr_FR.UTF-8")
    assert "[1] Français   [2] English" in result.stdout


def test_demo_people_can_be_played_in_the_console(workdir: Path) -> None:
    seeded = gigbot(workdir, "demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "@amelie: Amélie Laurent" in seeded.stdout
    assert "8 job posts published" in seeded.stdout
    again = gigbot(workdir, "demo").stdout
    assert "@amelie is already there" in again
    assert "0 job posts published" in again
    feed = gigbot(workdir, "console", stdin="/as chen\n/feed\n").stdout
    assert "1. Build a REST API for our booking platform" in feed  # chen's Python and Django fit it best
    result = gigbot(workdir, "console", stdin="/as amelie\n/account\n")
    assert "Nom\u00a0: Amélie Laurent" in result.stdout  # amelie speaks French
    assert "Nom d’utilisateur\u00a0: @amelie" in result.stdout


def test_the_demo_client_approves_submitted_work_and_the_freelancer_is_paid(workdir: Path) -> None:
    assert "contract #1 between ben and chen" in gigbot(workdir, "demo").stdout
    approved = gigbot(workdir, "console", stdin="/as ben\n/contract 1\n1\n1\n").stdout  # Approve & pay, Confirm
    assert "1. Calendar sync and reminders — $900\n   📬 Work submitted · $900 in escrow" in approved
    assert "$900 leaves escrow for Chen" in approved
    assert "Released $900 to Chen" in approved
    earnings = gigbot(workdir, "console", stdin="/as chen\n/earnings\n").stdout
    assert "$810" in earnings  # $900 less the 10% service fee, pending through the security period


def test_doctor_reports_database_tokens_and_what_would_start(workdir: Path) -> None:
    before = gigbot(workdir, "doctor")
    assert before.returncode == 1
    assert "BAD database: schema at nothing" in before.stdout
    assert gigbot(workdir, "db", "upgrade").returncode == 0
    after = gigbot(workdir, "doctor")
    assert after.returncode == 0, after.stdout
    assert "ok  database: reachable, schema current" in after.stdout
    assert "ok  telegram: token not set (GIGBOT_TELEGRAM__TOKEN)" in after.stdout
    assert "would start: console" in after.stdout


def test_logs_say_what_happened_without_saying_what_was_typed(workdir: Path) -> None:
    gigbot(workdir, "console", stdin="/start\n1\n1\nSecret Name\n")
    log = (workdir / "data" / "gigbot.log").read_text()
    assert "inbound platform=console chat=me user=me kind=text" in log
    assert "outbound platform=console chat=me screen=signup.details" in log
    assert "Secret Name" not in log


SIGN_UP_JANE = "/start\n1\n1\nJane Doe\njane_doe\nfrance\n1\n"


def test_a_number_typed_at_an_open_question_answers_it_instead_of_pressing_a_button(workdir: Path) -> None:
    # /search, [1] Filters, 11. Custom fixed budget (its screen asks for a typed range), then "1" and "²"
    out = gigbot(workdir, "console", stdin=SIGN_UP_JANE + "/search\n1\n11\n1\n²\n").stdout
    budget_panel = out.split("me> 11\n", 1)[1]
    assert budget_panel.count("⚠️ Type a range like 20-50, or a minimum like 30+.") == 2  # not [1] Done
    assert "Sorry, something went wrong" not in out


def test_switching_user_shows_where_that_user_is(workdir: Path) -> None:
    out = gigbot(workdir, "console", stdin="/as jane\n" + SIGN_UP_JANE + "/as newcomer\n/as jane\n").stdout
    newcomer = out.split("— you are now newcomer —", 1)[1].split("— you are now jane —", 1)[0]
    assert "You don't have a gigbot account yet. Send /start to create one" in newcomer
    back = out.split("— you are now jane —")[-1]
    assert "👋 Hi Jane Doe! What would you like to do?" in back  # her main menu, not a blank prompt
    french = gigbot(workdir, "console", stdin="/as nouveau\n", lang="fr_FR.UTF-8").stdout
    assert "Vous n’avez pas encore de compte gigbot" in french.split("nouveau", 1)[1]


def test_the_console_speaks_the_language_of_whoever_is_at_it(workdir: Path) -> None:
    french = gigbot(workdir, "console", stdin="/as x\n/as no way\n/attach /nope\n", lang="fr_FR.UTF-8").stdout
    assert "console gigbot · tapez /start · un numéro appuie sur ce bouton" in french
    assert "— vous êtes maintenant x —" in french
    assert "Utilisation\u00a0: /as NOM" in french
    assert "Fichier introuvable\u00a0: /nope" in french
    assert "Au revoir\u00a0! Tout est enregistré" in french
    # in an English terminal, y picks Français at sign-up: from then on the console speaks French to y
    english = gigbot(workdir, "console", stdin="/as y\n/start\n2\n").stdout
    assert "— you are now y —" in english
    assert "Au revoir\u00a0! Tout est enregistré" in english


POST_DJANGO_JOB = (
    "1\nDjango developer for a booking API\n"  # 📝 Post a job, its title
    "We need a Django REST API with tests, docs and a small admin for our booking app.\n"
    "1\npython, django\n#2\n"  # Web, Mobile & Software Dev; the skills, then Done (#2: the screen asks for text)
    "1\n25-40\n2\n2\n1\n"  # by the hour at $25-40, intermediate, 1 to 3 months, less than 30 hrs/week
    "#1\n1\n1\n1\n"  # no screening questions, public, no files, Publish
)


def test_an_alert_saved_from_a_search_arrives_when_another_person_posts_a_matching_job(workdir: Path) -> None:
    assert gigbot(workdir, "demo").returncode == 0
    steps = "/as chen\n/search django\n4\n" + "/as ben\n" + POST_DJANGO_JOB + "/as chen\n/alerts\n"
    out = gigbot(workdir, "console", stdin=steps).stdout
    assert "🔔 Saved as “django”: new jobs like these will reach you here" in out
    assert "  [#1] 🧹 Clear   [#2] ✅ Done" in out  # buttons of a screen that asks for typed text
    assert "is live: job #" in out
    alert = out.split("📨 for chen:\n", 1)[1]
    assert alert.startswith("🔔 Django developer for a booking API\nHourly: $25–$40/hr\n")
    assert "• Matches your search “django”: django" in alert
    assert "[1] 👁 View   [2] ♥ Save\n  [3] 👎 Not interested   [4] 📨 Submit a proposal" in alert
    assert "1. django · Instant\n   ↳ Django developer for a booking API" in out.split("chen> /alerts", 1)[1]
