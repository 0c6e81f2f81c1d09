"""Numbers as people really type them: other scripts' digits, superscripts, circled and fullwidth digits, huge
or negative numbers, stray whitespace. Every command that takes an id and every number prompt answers them
politely (never the apology screen of a crashed turn), and only ASCII digits count as a number."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bootstrap import build_app
from bot.conversations.harness import Harness
from bot.core.clock import ManualClock
from bot.core.numbers import whole_number
from bot.core.ui import Screen
from tests.conftest import make_settings
from tests.flows.job_steps import post_job
from tests.flows.signup_steps import sign_up

APOLOGY = "Sorry, something went wrong"
ID_COMMANDS = (
    "job",
    "job_files",
    "save",
    "unsave",
    "hide",
    "unhide",
    "my_job",
    "propose",
    "proposal",
    "job_proposals",
    "offer",
    "contract",
    "thread",
    "reply",
    "thread_files",
    "messages",
    "saved",
    "feed",
    "proposals",
    "feedback",
    "cloud",
    "review_identity approve",
    "dispute milestone",
    "dispute invoice",
    "dispute_case",
    "resolve_dispute",
    "withdraw",
    "log",
)
NUMBERISH = st.one_of(
    st.sampled_from(["²", "①", "４２", "٤٢", "१२", "½", "-1", "-0", " 7 ", "1e3", "0x10", "9" * 40, "+3", "3.5"]),
    st.text(st.characters(categories=["Nd", "No", "Nl", "Zs"]), min_size=1, max_size=6),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(min_size=1, max_size=12),
)
EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def run_in_own_loop(
    tmp_path: Path, prepare: Callable[[Harness], Awaitable[None]]
) -> Iterator[tuple[Harness, Callable]]:
    """A signed-up client and freelancer with a job post, driven from a plain loop (hypothesis calls the test
    many times over one app, which pytest-asyncio fixtures would rebuild each time); closed after."""
    loop = asyncio.new_event_loop()
    app = loop.run_until_complete(build_app(make_settings(tmp_path, admins=["alice"]), clock=ManualClock()))
    alice = Harness(app.engine, "alice")

    async def setup() -> None:
        await sign_up(alice, "Both", username="alice")
        await post_job(alice)
        await prepare(alice)

    try:
        loop.run_until_complete(setup())
        yield alice, loop.run_until_complete
    finally:
        loop.run_until_complete(app.close())
        loop.close()


def assert_polite(screens: list[Screen]) -> None:
    assert screens, "no answer at all"
    assert all(APOLOGY not in screen.plain for screen in screens), [screen.plain for screen in screens]


async def nothing(_alice: Harness) -> None:
    return None


def test_commands_that_take_an_id_answer_any_number_politely(tmp_path: Path) -> None:
    with run_in_own_loop(tmp_path, nothing) as (alice, run):

        @EXAMPLES
        @given(command=st.sampled_from(ID_COMMANDS), number=NUMBERISH)
        def typed(command: str, number: str) -> None:
            screens = run(alice.send(f"/{command} {number}"))
            assert_polite(screens)

        typed()


async def at_the_budget_prompt(alice: Harness) -> None:
    await alice.send("/post_job")
    await alice.send("Build a booking website in Django")
    await alice.send("We need a booking site with payments, tests and docs, delivered in a month.")
    await alice.click("Web, Mobile & Software Dev")
    await alice.send("python")
    await alice.click("Done")
    await alice.click("A fixed price")


def test_a_number_prompt_answers_any_number_politely(tmp_path: Path) -> None:
    with run_in_own_loop(tmp_path, at_the_budget_prompt) as (alice, run):

        @EXAMPLES
        @given(number=NUMBERISH)
        def typed(number: str) -> None:
            screens = run(alice.send(number))
            assert_polite(screens)
            if "budget for the whole project" not in alice.screen.plain:  # a budget it took: back to the question
                assert number.isascii(), number
                run(alice.click("Back"))

        typed()


def test_only_ascii_digits_make_a_number() -> None:
    assert whole_number(" 42 ") == 42
    assert [whole_number(text) for text in ("²", "①", "４２", "٤٢", "-1", "4.2", "9" * 19, "")] == [None] * 8
