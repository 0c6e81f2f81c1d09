"""A notification carrying a file another platform keeps: when its bytes cannot be fetched (that platform is not
served here, or it fails), the notification waits and is tried again later, rather than going without the file
or being parked at once; once the bytes can be had it arrives with them."""

from __future__ import annotations

from sqlalchemy import select

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.core.clock import ManualClock
from bot.core.events import AttachmentIn
from bot.core.ui import FileRef
from bot.storage.orm import OutboxRow
from tests.flows.job_steps import post_job
from tests.flows.proposal_steps import submit_proposal
from tests.flows.signup_steps import sign_up

PDF = b"%PDF-1.4 the brief"
FROM_TELEGRAM = AttachmentIn(
    "brief.pdf", "application/pdf", ref=FileRef("telegram", "BQAC-file-id", "AgAD-unique"), declared_size=len(PDF)
)


class TelegramFiles:
    platform = "telegram"

    def __init__(self) -> None:
        self.downloads = 0

    async def download(self, handle: str) -> bytes:
        self.downloads += 1
        return PDF


async def test_a_file_whose_bytes_cannot_be_had_yet_holds_its_notification_back(
    app: App, alice: Harness, clock: ManualClock
) -> None:
    await sign_up(alice, "client", username="alice")
    bob = alice.user("bob", platform="telegram")
    await sign_up(bob, "freelancer", full_name="Bob Stone", username="bob")
    await submit_proposal(bob, job_id := await post_job(alice))
    await bob.send(f"/contact {job_id}")
    seen = len(alice.screens)
    await bob.deliver(FROM_TELEGRAM)
    assert "Sent to Alice Martin." in bob.screen.plain
    async with app.database.transaction() as session:
        (row,) = (await session.execute(select(OutboxRow).where(OutboxRow.kind == "message.received"))).scalars()
    assert (row.sent_at, row.parked_at, row.attempts) == (None, None, 1)
    assert row.last_error == "a file's bytes could not be fetched"
    assert len(alice.screens) == seen  # nothing without the file

    telegram = TelegramFiles()
    alice.dispatcher.file_sources["telegram"] = telegram  # the Telegram front end is served again
    clock.advance(minutes=1)
    await alice.dispatcher.drain()
    assert "💬 Bob Stone about “Build a Django REST API”" in alice.screen.plain
    assert [(a.filename, a.content) for a in alice.screen.attachments] == [("brief.pdf", PDF)]
    assert telegram.downloads == 1
