"""`gigbot demo`: realistic demo people, signed up as console users so `/as NAME` becomes them."""

from __future__ import annotations

from bot.bootstrap import build_app
from bot.config import Settings
from bot.core.accounts import NewAccount
from bot.core.services import Services
from bot.storage.repositories import Repositories

DEMO_PEOPLE = [
    NewAccount("amelie", "Amélie Laurent", True, False, "fr", "FR", "Europe/Paris"),
    NewAccount("chen", "Chen Wei", True, False, "en", "SG", "Asia/Singapore"),
    NewAccount("omar", "Omar Haddad", True, True, "en", "AE", "Asia/Dubai"),
    NewAccount("priya", "Priya Raman", True, False, "en", "IN", "Asia/Kolkata"),
    NewAccount("ben", "Ben Carter", False, True, "en", "US", "America/New_York"),
    NewAccount("dana", "Dana Whitfield", False, True, "en", "GB", "Europe/London"),
    NewAccount("lucas", "Lucas Moreau", False, True, "fr", "CA", "America/Toronto"),
]


async def seed_demo(settings: Settings) -> None:
    app = await build_app(settings)
    try:
        for person in DEMO_PEOPLE:
            async with app.database.transaction() as session:
                repos = Repositories.bind(session)
                if await repos.accounts.by_username(person.username):
                    print(f"@{person.username} is already there")
                    continue
                await Services.bind(repos, app.engine.clock.now()).accounts.create("console", person.username, person)
                print(f"@{person.username}: {person.full_name}")
    finally:
        await app.close()
    print("Demo people are signed up as console users: run `gigbot console` and type `/as amelie` to be one.")
