"""Getting a client and a freelancer under contract, for tests that need one (offers, milestones, hourly time).

bob = await client_and_freelancer(alice)                       # tests/flows/job_steps.py
contract_id = await hire(alice, bob)                           # hourly, $35/hr, 30 h a week (the job: less than 30)
contract_id = await hire(alice, bob, hourly=False)             # fixed price: one $1,200 milestone
await fund(alice, contract_id)                                 # the first unfunded milestone, confirmed
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.bootstrap import App
from bot.conversations.harness import Harness
from bot.core.events import Outbound
from bot.storage.repositories import Repositories
from tests.flows.job_steps import post_job
from tests.flows.proposal_steps import submit_proposal


async def send_offer(
    client: Harness,
    freelancer: Harness,
    *,
    hourly: bool = True,
    bid: str = "",
    milestones: Sequence[tuple[str, str, str]] = (),
    limit: str = "",
) -> int:
    """Post a job, have the freelancer propose, and send the offer on the proposal's terms (with a weekly
    ``limit`` in hours when given); the contract id."""
    job_id = await post_job(client, hourly=hourly)
    bid = bid or ("35" if hourly else "1200")
    proposal_id = await submit_proposal(freelancer, job_id, bid=bid, milestones=milestones)
    await client.send(f"/offer {proposal_id}")
    if limit:
        await client.click("Weekly limit")
        await client.send(limit)
    await client.click("Send the offer")
    text = client.screen.plain
    assert "Offer sent" in text, text
    return int(text.split("Contract #", 1)[1].split(" ", 1)[0])


async def hire(client: Harness, freelancer: Harness, **options: object) -> int:
    """An accepted offer (same options as ``send_offer``): the active contract's id."""
    contract_id = await send_offer(client, freelancer, **options)  # type: ignore[arg-type]
    await freelancer.send(f"/contract {contract_id} accept")
    assert "the contract has started" in freelancer.screen.plain, freelancer.screen.plain
    return contract_id


async def fund(client: Harness, contract_id: int, label: str = "Fund") -> None:
    """Fund a milestone from the contract screen (the only one offering ``label`` to the client), confirmed."""
    await client.send(f"/contract {contract_id}")
    await client.click(label)
    await client.click("Confirm")
    assert "Funded" in client.screen.plain, client.screen.plain


async def submit_work(freelancer: Harness, contract_id: int, message: str = "Here is the work.") -> None:
    await freelancer.send(f"/contract {contract_id}")
    await freelancer.click("Submit work")
    await freelancer.send(message)
    assert "Submitted" in freelancer.screen.plain, freelancer.screen.plain


async def balances(app: App) -> dict[str, int]:
    """Every ledger account's balance by code, after checking that the books balance."""
    async with app.database.transaction() as session:
        ledger = Repositories.bind(session).ledger
        assert await ledger.unbalanced_transactions() == []
        found = await ledger.balances()
    assert sum(found.values()) == 0
    return found


def told(outbound: list[Outbound], user: str) -> list[str]:
    """What a sweep told ``user`` (the harness user's name is their chat id)."""
    return [message.screen.plain for message in outbound if message.chat.chat_id == user]
