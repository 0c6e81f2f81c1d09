"""The conversation engine: persistence across restarts, timeouts, dedupe, cancel, stale and forged buttons,
simultaneous input, and a crashing step."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from pydantic import BaseModel

from bot.bootstrap import COMMANDS, FLOWS
from bot.conversations.engine import Engine
from bot.conversations.flow import CommandSpec, Ctx, Flow, FlowDefinitionError, Goto, Outcome, StartFlow, Step
from bot.conversations.harness import Harness
from bot.core.clock import ManualClock
from bot.core.errors import UserError
from bot.core.events import Click, Text
from bot.core.i18n import N_
from bot.core.ui import Screen
from tests.delivery import delivered
from tests.flows.signup_steps import reach_confirm, reach_details, sign_up


async def test_a_restart_resumes_the_conversation_where_it_was(make_app) -> None:
    first = await make_app()
    alice = Harness(first.engine, "alice")
    await reach_details(alice, "freelancer")
    await alice.send("Alice Martin")
    await first.close()

    restarted = await make_app()
    alice_again = Harness(restarted.engine, "alice")
    await alice_again.send("alice_m")  # the username question was pending when the bot stopped
    assert "Which country" in alice_again.screen.plain
    resumed = await restarted.engine.resume_screen("test", "alice", "alice")
    assert resumed is not None
    assert "Which country" in resumed.plain


async def test_a_label_typed_after_a_restart_presses_its_button(make_app) -> None:
    first = await make_app()
    alice = Harness(first.engine, "alice")
    await alice.send("/start")
    await alice.click("English")
    await first.close()

    restarted = await make_app()  # the screen was rendered by the bot before: this one renders it to find the label
    alice_again = Harness(restarted.engine, "alice")
    await alice_again.send("🔁 both")
    assert "Your full name" in alice_again.screen.plain


async def test_idle_conversation_times_out_even_across_a_restart(make_app, clock: ManualClock) -> None:
    first = await make_app()
    alice = Harness(first.engine, "alice")
    await alice.send("/start")
    await alice.click("English")
    await first.close()

    clock.advance(minutes=59)
    restarted = await make_app()
    assert await restarted.engine.expire_idle() == 0
    clock.advance(minutes=2)
    assert await restarted.engine.expire_idle() == 1
    notices = await delivered(restarted)
    assert [(n.chat.platform, n.chat.chat_id) for n in notices] == [("test", "alice")]
    assert "Sign-up was closed after 60 minutes without activity" in notices[0].screen.plain
    assert await restarted.engine.expire_idle() == 0  # fires once
    assert await delivered(restarted) == []
    assert (
        "You don't have a gigbot account yet" in (await restarted.engine.resume_screen("test", "alice", "alice")).plain
    )


async def test_a_late_click_on_an_expired_conversation_says_so(alice: Harness, clock: ManualClock) -> None:
    await alice.send("/start")
    await alice.click("English")
    clock.advance(hours=2)
    screens = await alice.click("freelancer")
    assert "closed after 60 minutes" in screens[0].plain
    assert "earlier screen" in screens[1].plain


async def test_a_redelivered_update_is_a_no_op(alice: Harness) -> None:
    await alice.send("/start")
    click = Click(alice.engine.codec.pack(alice.find_action("English")))
    first = await alice.deliver(click, update_id="tg-1001")
    assert "How will you use gigbot?" in first[0].plain
    assert await alice.deliver(click, update_id="tg-1001") == []
    await alice.click("client")  # still one step further, not two
    assert "Your full name" in alice.screen.plain


async def test_cancel_forgets_the_flow_and_help_keeps_it(alice: Harness) -> None:
    await alice.send("/start")
    await alice.click("English")
    screens = await alice.send("/help")
    assert "/cancel" in screens[0].plain
    assert "You are in the middle of Sign-up" in screens[1].plain
    assert "How will you use gigbot?" in screens[1].plain
    await alice.send("/cancel")
    assert "Cancelled: Sign-up." in alice.screen.plain
    assert "You don't have a gigbot account yet" in (await alice.engine.resume_screen("test", "alice", "alice")).plain
    await alice.send("/cancel")
    assert "There is nothing to cancel." in alice.screen.plain


async def test_menu_mid_signup_resumes_signup(alice: Harness) -> None:
    await alice.send("/start")
    await alice.click("English")
    await alice.send("/menu")
    assert "Welcome back! Let's carry on where you left off." in alice.screen.plain
    assert "How will you use gigbot?" in alice.screen.plain
    await alice.send("/account")
    assert "You need an account for that" in alice.screen.plain


async def test_unknown_command_mid_flow_changes_nothing(alice: Harness) -> None:
    await reach_details(alice, "freelancer")
    await alice.send("Alice Martin")
    await alice.send("/frobnicate now")
    assert "I don't know the command /frobnicate" in alice.screen.plain
    assert "About you · 2/2" in alice.screen.plain
    await alice.send("alice_m")
    assert "Which country" in alice.screen.plain


async def test_a_button_of_an_old_screen_is_refused_and_changes_nothing(alice: Harness) -> None:
    await alice.send("/start")
    language_screen = alice.screen
    await alice.click("English")
    await alice.click("client")
    await alice.click("Français", on=language_screen)
    assert "This button has expired: it belongs to an earlier screen." in alice.screen.plain
    assert "About you · 1/2" in alice.screen.plain
    await alice.send("Alice Martin")
    assert "About you · 2/2" in alice.screen.plain  # still in English, still in the form


@pytest.mark.parametrize("forge", ["flip-signature", "edit-payload", "garbage", "too-long"])
async def test_a_tampered_action_id_is_refused(alice: Harness, forge: str) -> None:
    await alice.send("/start")
    packed = alice.engine.codec.pack(alice.find_action("English"))
    payload, _, signature = packed.rpartition("~")
    forged = {
        "flip-signature": f"{payload}~{'A' if signature[0] != 'A' else 'B'}{signature[1:]}",
        "edit-payload": f"{payload.replace('en', 'fr')}~{signature}",
        "garbage": "not-an-action",
        "too-long": "c|1|" + "x" * 80,
    }[forge]
    await alice.deliver(Click(forged))
    assert "That button isn't valid" in alice.screen.plain
    assert "Choose your language" in alice.screen.plain


async def test_two_inputs_at_the_same_moment_run_one_after_the_other(alice: Harness) -> None:
    await reach_details(alice, "freelancer")
    await asyncio.gather(alice.deliver(Text("Alice Martin")), alice.deliver(Text("alice_m")))
    assert "Which country" in alice.screen.plain
    await alice.send("France")
    assert "Name: Alice Martin" in alice.screen.plain
    assert "Username: @alice_m" in alice.screen.plain


async def test_the_same_username_claimed_at_once_goes_to_one_person(app) -> None:
    people = [Harness(app.engine, name) for name in ("ann", "bea")]
    for person in people:
        await reach_confirm(person, "freelancer", full_name=person.actor.user_id.title(), username="same_name")
    await asyncio.gather(*(person.click("Create my account") for person in people))
    outcomes = sorted(person.screen.plain for person in people)
    assert "is ready" in outcomes[1] or "is ready" in outcomes[0]
    assert sum("@same_name is taken" in text for text in outcomes) == 1


class _Nothing(BaseModel):
    pass


class _Exploding(Step):
    name = "explode"
    goes_to = ("after",)

    async def show(self, ctx: Ctx) -> Screen:
        return Screen("Ready to explode", buttons=((ctx.button("Boom", "boom"), ctx.button("Fine", "fine")),))

    async def on_click(self, ctx: Ctx, value: str) -> Outcome:
        if value == "boom":
            raise RuntimeError("step bug")
        return Goto("after")


class _After(Step):
    name = "after"

    async def show(self, ctx: Ctx) -> Screen:
        return Screen("Survived")


EXPLODING = Flow("explode", "Exploding", _Nothing, [_Exploding(), _After()], start="explode")


async def test_a_crashing_step_apologises_and_keeps_the_state(app, clock, caplog) -> None:
    engine = Engine(
        app.database,
        app.engine.codec,
        clock,
        flows=[*FLOWS, EXPLODING],
        commands=[*COMMANDS, CommandSpec("explode", "explode", lambda ctx, args: _start("explode"))],
        idle_timeout=timedelta(hours=1),
    )
    alice = Harness(engine, "alice")
    await sign_up(alice)
    await alice.send("/explode")
    await alice.click("Boom")
    assert "Sorry, something went wrong on our side and nothing was changed" in alice.screen.plain
    assert "turn failed platform=test chat=alice user=alice kind=Click flow=explode state=explode" in caplog.text
    await alice.click("Fine", on=alice.screens[-2])
    assert alice.screen.plain == "Survived"


def test_a_flow_with_a_missing_target_is_refused_when_registered() -> None:
    class Lost(Step):
        name = "lost"
        goes_to = ("nowhere",)

    with pytest.raises(FlowDefinitionError, match="goes to unknown step 'nowhere'"):
        Flow("broken", "Broken", _Nothing, [Lost()], start="lost")
    with pytest.raises(FlowDefinitionError, match="start step 'missing' does not exist"):
        Flow("broken", "Broken", _Nothing, [Lost()], start="missing")


async def test_signup_survives_a_restart_on_each_backend(make_app, database_url: str) -> None:
    first = await make_app(database_url)
    ann, bea = Harness(first.engine, "ann"), Harness(first.engine, "bea")
    for person in (ann, bea):
        await reach_confirm(person, "freelancer", full_name=person.actor.user_id.title(), username="shared")
    await first.close()

    restarted = await make_app(database_url)
    ann, bea = Harness(restarted.engine, "ann"), Harness(restarted.engine, "bea")
    await asyncio.gather(
        ann.click("Create my account", on=await _resumed(restarted, "ann")),
        bea.click("Create my account", on=await _resumed(restarted, "bea")),
    )
    texts = [ann.screen.plain, bea.screen.plain]
    assert sum("Your account is ready" in text for text in texts) == 1
    assert sum("@shared is taken" in text for text in texts) == 1


async def _resumed(app, user: str) -> Screen:
    return await app.engine.resume_screen("test", user, user)


async def test_a_deep_link_start_payload_runs_its_command(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/start account")
    assert "Your account" in alice.screen.plain
    await alice.send("/start nonsense-123")
    assert "Hi Alice Martin! What would you like to do?" in alice.screen.plain


class _Vanished(Step):
    name = "gone"

    async def show(self, ctx: Ctx) -> Screen:
        raise UserError(N_("That job post no longer exists."))


VANISHING = Flow("vanish", "Vanishing", _Nothing, [_Vanished()], start="gone")


async def test_a_step_that_cannot_be_shown_explains_and_leaves_the_user_on_the_menu(app, clock) -> None:
    engine = Engine(
        app.database,
        app.engine.codec,
        clock,
        flows=[*FLOWS, VANISHING],
        commands=[*COMMANDS, CommandSpec("vanish", "vanish", lambda ctx, args: _start("vanish"))],
        idle_timeout=timedelta(hours=1),
    )
    alice = Harness(engine, "alice")
    await sign_up(alice)
    await alice.send("/vanish")
    assert "That job post no longer exists." in alice.screen.plain
    assert "What would you like to do?" in alice.screen.plain
    assert "What would you like to do?" in (await engine.resume_screen("test", "alice", "alice")).plain


async def _start(flow: str) -> StartFlow:
    return StartFlow(flow)


async def test_what_a_newcomer_asked_for_is_done_once_they_have_signed_up(alice: Harness) -> None:
    await alice.send("/account")
    assert "Choose your language" in alice.screen.plain
    await sign_up(alice)
    assert "Your account is ready" in alice.screens[-2].plain
    assert "Your account" in alice.screen.plain
    assert "Username: @alice" in alice.screen.plain


async def test_screens_say_when_they_wait_for_a_typed_answer(alice: Harness) -> None:
    await alice.send("/start")
    assert not alice.screen.expects_text  # the language buttons
    await alice.click("English")
    await alice.click("freelancer")
    assert alice.screen.expects_text  # the full name, asked as a form field
    bob = alice.user("bob")
    await sign_up(bob, "client", username="bob")
    await bob.send("/post_job")
    assert bob.screen.expects_text  # the title
    await bob.send("/menu")
    assert not bob.screen.expects_text


@pytest.mark.parametrize(
    ("role", "language", "offered", "not_offered"),
    [
        ("freelancer", "English", ["/search", "/feed", "/saved", "/proposals", "/earnings"], ["/post_job", "/my_jobs"]),
        ("client", "English", ["/post_job", "/my_jobs", "/clouds", "/offer"], ["/search", "/feed", "/earnings"]),
        ("Both", "English", ["/search", "/earnings", "/post_job", "/offer"], []),
        ("freelance", "Français", ["/search", "/feed"], ["/post_job", "/my_jobs", "/offer", "/clouds"]),
    ],
)
async def test_help_offers_the_commands_of_the_roles_the_account_has(
    alice: Harness, role: str, language: str, offered: list[str], not_offered: list[str]
) -> None:
    await sign_up(alice, role, language=language)
    await alice.send("/help")
    commands = {line.split(" ", 1)[0] for line in alice.screen.plain.splitlines()}
    assert set(offered) <= commands
    assert not set(not_offered) & commands
    assert {"/messages", "/contracts", "/profile", "/account"} <= commands
