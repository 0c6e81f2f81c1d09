"""The marketplace through the real `gigbot run`, as several Telegram users of a Bot API server started here, with
only the documented settings: the whole two-person cycle (the work submitted as a PDF document, passed on by
Telegram's file_id), Telegram's reply, approving by button, stale, forged
and copied buttons, hostile HTML, a long text, a kill -9 in the middle of a form, a double press, French."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.fake_bot_api import TOKEN, FakeBotApi
from tests.adapters.telegram_person import TelegramPerson
from tests.conftest import TEST_SECRET
from tests.e2e.test_console import GIGBOT
from tests.flows.contract_steps import fund
from tests.flows.job_steps import post_job
from tests.flows.proposal_steps import submit_proposal
from tests.flows.signup_steps import sign_up


class GigbotRun:
    """`gigbot run` in a working directory of its own (its SQLite database in ./data), restartable."""

    def __init__(self, workdir: Path, server: FakeBotApi) -> None:
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GIGBOT_")} | {
            "LANG": "en_US.UTF-8",
            "LC_ALL": "",
            "GIGBOT_SECRET_KEY": TEST_SECRET,
            "GIGBOT_TELEGRAM__TOKEN": TOKEN,
            "GIGBOT_TELEGRAM__API_BASE_URL": server.base_url,
            "GIGBOT_TELEGRAM__BUDGET__PER_CHAT_PER_SECOND": "20",
            "GIGBOT_TELEGRAM__BUDGET__PER_CHAT_BURST": "10",
            "GIGBOT_OUTBOX__POLL_SECONDS": "0.2",
        }
        self.process: asyncio.subprocess.Process | None = None
        self.log = workdir / "gigbot.stderr"

    async def start(self) -> None:
        with self.log.open("a") as stderr:
            self.process = await asyncio.create_subprocess_exec(
                GIGBOT, "run", cwd=self.workdir, env=self.env, stdout=asyncio.subprocess.DEVNULL, stderr=stderr
            )

    async def kill(self) -> None:
        """kill -9: no chance to finish anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def gigbot(tmp_path: Path, server: FakeBotApi) -> AsyncIterator[GigbotRun]:
    run = GigbotRun(tmp_path, server)
    await run.start()
    yield run
    assert await run.stop() == 0
    log = run.log.read_text()
    assert TOKEN not in log
    assert "Traceback" not in log, log


def person(server: FakeBotApi, user_id: int, name: str, language: str = "en") -> TelegramPerson:
    return TelegramPerson(server.user(user_id, name, language_code=language), within=60)  # the first start migrates


async def test_the_whole_cycle_between_a_client_and_a_freelancer(server: FakeBotApi, gigbot: GigbotRun) -> None:
    alice, bob = person(server, 101, "Alice"), person(server, 102, "Bob")
    await sign_up(alice, "client", username="alice")
    assert "Your account is ready, Alice Martin" in alice.screen.plain
    alice.within = bob.within = 20
    await sign_up(bob, "freelancer", full_name="Bob Stone", username="bob")

    job_id = await post_job(alice, hourly=False)
    await bob.send("/search django")
    assert "Build a Django REST API" in bob.screen.plain
    proposal_id = await submit_proposal(bob, job_id, bid="1200")
    await alice.user.wait_for_text("📨 New proposal from Bob Stone for “Build a Django REST API”: $1,200 fixed price.")

    await alice.send(f"/proposal {proposal_id} message")
    hostile = '<a href="tg://x">click</a> & <script>alert(1)</script> Can you start Monday?'
    await alice.send(hostile)
    relayed = await bob.user.wait_for_text("Can you start Monday?")
    assert hostile in relayed.text  # shown as typed, never as markup
    assert "<script>" not in relayed.html
    bob.user.reply(relayed, "Yes, Monday works.")
    await alice.user.wait_for_text("💬 Bob Stone about “Build a Django REST API”:\nYes, Monday works.")

    await alice.send(f"/offer {proposal_id}")
    await alice.click("Send the offer")
    assert "Offer sent" in alice.screen.plain
    contract_id = int(alice.screen.plain.split("Contract #", 1)[1].split(" ", 1)[0])
    await bob.click("Accept")
    await bob.user.wait_for_text("the contract has started")

    await fund(alice, contract_id)
    await bob.user.wait_for_text("🔒 The client funded")

    await bob.send(f"/contract {contract_id}")
    await bob.click("Submit work")
    sent = bob.user.send_document("api.pdf", b"%PDF-1.4 the API docs", "application/pdf")
    await bob.user.wait_for_text("📎 Added api.pdf.")
    await bob.send("First version of the API.")
    assert "Submitted: the client has been told" in bob.screen.plain
    submitted = await alice.user.wait_for_text("Bob Stone submitted work")
    await alice.user.wait_for(lambda user: any(message.document == "api.pdf" for message in user.messages))
    assert next(message for message in alice.user.messages if message.document).file_id == sent.file_id
    alice.user.press(submitted, "Approve & pay")  # straight from the notification
    await alice.user.wait_for_text("$120 service fee, Bob Stone receives $1,080")
    await alice.click("Confirm")
    await alice.user.wait_for_text("✅ Released $1,200 to Bob Stone: $120 service fee, Bob Stone receives $1,080.")
    await bob.user.wait_for_text(
        "💰 The client approved “Build a Django REST API” and released $1,200: $120 service fee, you receive $1,080."
    )


async def test_buttons_that_must_do_nothing_a_kill_mid_form_a_long_text_and_french(
    server: FakeBotApi, gigbot: GigbotRun
) -> None:
    amelie = person(server, 201, "Amélie", "fr")
    await amelie.send("/start")
    welcome = amelie.screen.message
    assert welcome.labels[0] == "Français"
    french = welcome.button("Français")["callback_data"]
    amelie.user.press(welcome, "Français")
    amelie.user.press(welcome, "Français", data=french)  # a double press
    role = await amelie.user.wait_for_text("Comment allez-vous utiliser gigbot")
    amelie.within = 20
    freelance = role.button("Freelance")["callback_data"]
    forged = freelance[:-1] + ("A" if freelance[-1] != "A" else "B")
    amelie.user.press(role, "Freelance", data=forged)
    await amelie.user.wait_for_text("Ce bouton n’est pas valide")

    mallory = person(server, 202, "Mallory")
    await mallory.send("/start")
    mallory.within = 20
    mallory.user.press(mallory.screen.message, "English", data=freelance)  # Amélie's button, in Mallory's chat
    await mallory.user.wait_for_text("This button has expired")

    await amelie.click("Freelance")
    await amelie.send("Amélie Laurent")
    await amelie.user.wait_for_text("Choisissez un nom d’utilisateur")
    await gigbot.kill()  # in the middle of the sign-up form
    amelie.user.send("amelie")  # written while the bot is down: Telegram keeps it
    await gigbot.start()
    await amelie.user.wait_for_text("Dans quel pays", within=60)
    await amelie.send("France")
    await amelie.click("✅")
    await amelie.user.wait_for_text("Votre compte est prêt, Amélie Laurent")

    await mallory.click("English")
    await mallory.click("Client")
    await mallory.submit({"full_name": "Mallory Doe", "username": "mallory"})
    await mallory.send("France")
    await mallory.click("✅")
    paragraphs = [f"Paragraph {n}: " + "word " * 95 + "end." for n in range(10)]
    job_id = await post_job(mallory, description="\n\n".join(paragraphs))
    await amelie.send(f"/job {job_id}")
    await amelie.user.wait_for_text("Paragraph 9:")
    parts = [message.text for message in amelie.user.messages if "Paragraph" in message.text]
    assert len(parts) >= 2
    for paragraph in paragraphs:
        assert any(paragraph in part for part in parts)  # every paragraph whole, in one message
