"""The demo: every printed login works, and a moderator finds a sign-up waiting."""

import httpx
from sqlmodel import func, select
from starlette.applications import Starlette

from buurtnet.core import demo
from buurtnet.db import Database
from buurtnet.models import Account, AccountStatus
from tests.conftest import browser_for, log_in


async def test_every_printed_login_works_and_the_demo_can_be_made_twice(
    app: Starlette, database: Database
) -> None:
    for _ in range(2):
        async with database.transaction() as session:
            neighbourhood, logins = await demo.create_demo(session)
    async with database.reading() as session:
        count = (await session.exec(select(func.count()).select_from(Account))).one()
    assert count == len(logins) + 1  # the people, plus one sign-up that waits
    for login in logins:
        async with browser_for(app) as browser:
            await log_in(browser, login.username, login.password)
            assert (await browser.get(f"/n/{neighbourhood.slug}")).status_code == 200


async def test_a_sign_up_waits_for_the_demo_moderator(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.transaction() as session:
        await demo.create_demo(session)
    async with database.reading() as session:
        waiting = (
            await session.exec(select(Account).where(Account.status == AccountStatus.PENDING))
        ).one()
    await log_in(client, "mila", demo.DEMO_PASSWORD)
    page = await client.get("/moderation/sign-ups")
    assert waiting.display_name in page.text
