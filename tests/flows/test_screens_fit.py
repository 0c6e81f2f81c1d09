"""Every screen the flows show, in English and in French, fits Telegram, Discord and the console once the core
has split and paged it, and every form fits a Discord modal; a label too long in either language fails here,
when the screen is built.

The people use the modal test platform, so forms reach them as forms (as on Discord). The English pass goes
through every flow with the step helpers; then everyone switches to French and walks the same screens again,
and a newcomer signs up in French (buttons are pressed by their English label, found through the catalog).
"""

from __future__ import annotations

from babel.messages.pofile import read_po
from sqlalchemy import update

from bot.conversations.harness import Harness
from bot.core.actions import Action
from bot.core.fit import fit, problems
from bot.core.i18n import LOCALES_DIR, Translator
from bot.core.ui import CONSOLE, DISCORD, MAX_FORM_TITLE, STRICTEST, TELEGRAM, Screen
from bot.storage.orm import AccountRow
from tests.conftest import MODAL_PLATFORM, AppFactory
from tests.flows.contract_steps import fund, hire, submit_work
from tests.flows.job_steps import post_job
from tests.flows.job_steps import reach_preview as reach_job_preview
from tests.flows.proposal_steps import COVER_LETTER, submit_proposal
from tests.flows.signup_steps import sign_up

with (LOCALES_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
    ENGLISH_OF = {message.string: message.id for message in read_po(po) if isinstance(message.id, str) and message.id}


class Bilingual(Harness):
    """A harness that presses a button by its English label whatever the screen's language."""

    def find_action(self, label: str, screen: Screen | None = None) -> Action:
        screen = screen or self.screen
        pressable = [(b.label, b.action) for b in screen.all_buttons()]
        pressable += [(o.label, o.action) for o in screen.choice.options] if screen.choice else []
        wanted = label.casefold()
        for match in (lambda text: text.casefold() == wanted, lambda text: wanted in text.casefold()):
            found = [action for text, action in pressable if match(text) or match(ENGLISH_OF.get(text, text))]
            if len(found) == 1:
                return found[0]
        return super().find_action(label, screen)

    def user(self, name: str, **options: str | None) -> Bilingual:
        return Bilingual(self.engine, name, platform=self.actor.platform, _chats=self._chats, **options)  # type: ignore[arg-type]


async def walk_every_section(user: Harness) -> None:
    """Open each section of /edit_profile and come back."""
    await user.send("/edit_profile")
    sections = [option.label for option in user.screen.choice.options] if user.screen.choice else []
    for section in sections:
        await user.send("/edit_profile")
        await user.click(section)


async def walk_the_search(freelancer: Harness) -> None:
    """Results, then every filter panel, then the sort menu."""
    await freelancer.send("/search django OR python")
    await freelancer.click("⚙️")
    panels = [option.label for option in freelancer.screen.choice.options]
    for panel in panels:
        await freelancer.click(panel)
        await freelancer.click("Done")
    await freelancer.click("Show results")
    await freelancer.click("↕️")
    await freelancer.send("/feed")


async def command_screens(client: Harness, freelancer: Harness, judge: Harness, ids: dict[str, int]) -> None:
    for user in (client, freelancer, judge):
        for command in ("/start", "/menu", "/help", "/profile", "/account", "/messages", "/contracts", "/earnings"):
            await user.send(command)
    await walk_every_section(freelancer)
    await walk_the_search(freelancer)
    visits = [
        (client, "/my_jobs"),
        (client, f"/my_job {ids['job']}"),
        (client, f"/job {ids['job']}"),
        (client, f"/job_proposals {ids['job']} best"),
        (client, f"/offer {ids['proposal']}"),
        (client, "/cancel"),
        (freelancer, f"/job {ids['fixed_job']}"),
        (freelancer, f"/share {ids['fixed_job']}"),
        (freelancer, "/proposals"),
        (freelancer, f"/proposal {ids['proposal']}"),
        (freelancer, "/saved"),
        *((user, f"/contract {ids[kind]}") for user in (client, freelancer) for kind in ("contract", "hourly")),
        (freelancer, f"/log 2h30 #{ids['hourly']} Wrote the booking endpoints"),
        (judge, "/disputes"),
        (judge, f"/dispute_case {ids['dispute']}"),
        (client, "/clouds"),
    ]
    for user, command in visits:
        await user.send(command)
    await reach_job_preview(client, title="Write the docs of a booking API")
    await client.click("Publish")
    await freelancer.send(f"/propose {ids['spare']}")
    await freelancer.click("Split into milestones")
    await freelancer.submit({"description": "Sketches", "amount": "300", "due": "-"})
    await freelancer.click("Done")
    await freelancer.click("Continue")
    await freelancer.send(COVER_LETTER)
    await freelancer.click("Skip")
    await freelancer.click("1 to 3 months")
    await freelancer.send("/cancel")


async def test_every_screen_fits_every_platform_in_english_and_french(make_app: AppFactory) -> None:
    app = await make_app(admins=["judge"])
    client = Bilingual(app.engine, "alice", platform=MODAL_PLATFORM)
    freelancer, judge = client.user("bob"), client.user("judge")
    await sign_up(client, "client", username="alice")
    await sign_up(freelancer, "freelancer", full_name="Bob Stone", username="bob")
    await sign_up(judge, "client", full_name="Judy Judge", username="judge")
    await walk_every_section(freelancer)
    await freelancer.send("/edit_profile")
    await freelancer.click("Title and overview")
    await freelancer.submit({"title": "Senior *Python* developer", "about": "I build APIs.\n\n" * 200})
    job = await post_job(client)
    fixed_job = await post_job(client, hourly=False)
    proposal = await submit_proposal(freelancer, job)
    await submit_proposal(freelancer, fixed_job, milestones=[("Design", "400", ""), ("Build", "800", "")])
    contract = await hire(client, freelancer, hourly=False)
    hourly = await hire(client, freelancer)
    await fund(client, contract)
    await submit_work(freelancer, contract)
    await freelancer.send("/contract " + str(contract))
    milestone = int(next(a.args[-1] for a in _actions(freelancer.screen) if "dispute" in a.args))
    await freelancer.send(f"/dispute milestone {milestone} The client stopped answering after I delivered.")
    await judge.send("/disputes")
    dispute = int(judge.screen.choice.options[0].action.args[-1])
    ids = {"job": job, "fixed_job": fixed_job, "proposal": proposal, "contract": contract, "hourly": hourly}
    ids["dispute"] = dispute
    ids["spare"] = await post_job(client, hourly=False, title="Design a logo for our cafe")
    await command_screens(client, freelancer, judge, ids)
    english = [screen for user in (client, freelancer, judge) for screen in user.screens]

    async with app.database.transaction() as session:
        await session.execute(update(AccountRow).values(language="fr"))
    for user in (client, freelancer, judge):
        user.screens.clear()
    await command_screens(client, freelancer, judge, ids)
    newcomer = client.user("chloe")
    await sign_up(newcomer, "freelancer", language="Français", full_name="Chloé Dupont", username="chloe")
    french = [screen for user in (client, freelancer, judge, newcomer) for screen in user.screens]
    assert "Que souhaitez-vous faire" in " ".join(screen.plain for screen in french)
    assert [screen.name for screen in english + french if screen.name == "error"] == []
    walked = {"post_job.preview", "propose.preview", "search.filter", "contract", "earnings", "disputes.queue"}
    assert walked <= {screen.name for screen in english}
    assert walked <= {screen.name for screen in french}

    assert len(english) > 150
    assert len(french) > 100
    for screen in english + french:
        for limits in (TELEGRAM, DISCORD, CONSOLE, STRICTEST):
            parts = fit(screen, limits)
            assert all(not problems(part, limits) for part in parts), (screen.name, limits.name)
            assert "".join(part.plain for part in parts) == screen.plain

    forms = [screen.form for screen in english if screen.form is not None]
    assert {form.id for form in forms} >= {"about-you", "profile-basics", "milestone"}
    labels = {form.title for form in forms} | {field.label for form in forms for field in form.fields}
    french_labels = {label: Translator("fr").t(label) for label in labels}
    assert [label for label, shown in french_labels.items() if len(shown) > MAX_FORM_TITLE] == []


def _actions(screen: Screen) -> list[Action]:
    options = [option.action for option in screen.choice.options] if screen.choice else []
    return options + [button.action for button in screen.all_buttons()]
