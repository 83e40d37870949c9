"""A login lasts while it is used: the server extends it and the browser is told to keep it."""

from datetime import timedelta

import httpx
from sqlmodel import select

from buurtnet.core import login_sessions
from buurtnet.db import Database
from buurtnet.models import Account, LoginSession, utcnow
from buurtnet.web.auth import SESSION_COOKIE
from tests.conftest import log_in


async def age_the_login(database: Database, by: timedelta) -> LoginSession:
    async with database.transaction() as session:
        login = (await session.exec(select(LoginSession))).one()
        login.last_seen_at -= by
        login.expires_at -= by
    return login


async def test_an_active_login_is_extended_and_its_cookie_sent_again(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    aged = await age_the_login(database, timedelta(days=3))
    page = await client.get("/settings")
    assert page.status_code == 200
    renewed = [c for c in page.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)]
    assert len(renewed) == 1
    assert f"Max-Age={int(login_sessions.LIFETIME.total_seconds())}" in renewed[0]
    async with database.reading() as session:
        login = (await session.exec(select(LoginSession))).one()
    assert login.expires_at > aged.expires_at + timedelta(days=2)
    assert login.expires_at > utcnow() + login_sessions.LIFETIME - timedelta(minutes=1)


async def test_a_fresh_login_is_not_sent_again_on_every_page(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    page = await client.get("/settings")
    assert not any(c.startswith(SESSION_COOKIE) for c in page.headers.get_list("set-cookie"))
