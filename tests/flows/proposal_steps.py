"""Getting a proposal sent through /propose, for tests that need one (proposals, credits, messages, offers).

bob = await client_and_freelancer(alice)           # tests/flows/job_steps.py
job_id = await post_job(alice)                      # an hourly job ($25-40/hr)
proposal_id = await submit_proposal(bob, job_id)    # bids $35/hr
fixed_id = await post_job(alice, hourly=False)      # a fixed-price job ($1,500)
await submit_proposal(bob, fixed_id, bid="1200")
await submit_proposal(bob, fixed_id, milestones=[("Design", "400", "2026-02-01"), ("Build", "800", "")])
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.conversations.harness import Harness

COVER_LETTER = "I have built five booking APIs in Django REST framework, with tests and OpenAPI docs."


async def reach_preview(
    freelancer: Harness,
    job_id: int,
    *,
    bid: str = "35",
    milestones: Sequence[tuple[str, str, str]] = (),
    cover_letter: str = COVER_LETTER,
    answers: Sequence[str] = (),
    duration: str = "1 to 3 months",
) -> None:
    """From /propose to the preview. ``bid``: the hourly rate or the fixed price; ``milestones``
    (description, amount, due date or "") replace the price on a fixed-price job; one answer per screening
    question of the job."""
    await freelancer.send(f"/propose {job_id}")
    if milestones:
        await freelancer.click("Split into milestones")
        for description, amount, due in milestones:
            await freelancer.submit({"description": description, "amount": amount, "due": due or "-"})
        await freelancer.click("Done")
    else:
        await freelancer.send(bid)
    await freelancer.click("Continue")
    await freelancer.send(cover_letter)
    for answer in answers:
        await freelancer.send(answer)
    await freelancer.click("Skip")
    await freelancer.click(duration)
    assert "Preview" in freelancer.screen.plain, freelancer.screen.plain


async def submit_proposal(freelancer: Harness, job_id: int, **options: object) -> int:
    """Send a proposal (same options as ``reach_preview``) and return its id."""
    await reach_preview(freelancer, job_id, **options)  # type: ignore[arg-type]
    await freelancer.click("Send proposal")
    text = freelancer.screen.plain
    assert "is sent: #" in text, text
    return int(text.split("is sent: #", 1)[1].split(".", 1)[0])


async def ask_questions(client: Harness, job_id: int, *questions: str) -> None:
    """The client adds screening questions to a published job (through /my_job → Edit)."""
    await client.send(f"/my_job {job_id} edit")
    await client.click("Edit a field")
    await client.click("Screening questions")
    for question in questions:
        await client.send(question)
    await client.click("Done")
    await client.click("Save changes")
