"""The limits of an account in its first days: the admin's settings, counting posts and links over
the last 24 hours, who is exempt, and the composer's message when the limit is reached."""

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col
from starlette.applications import Starlette

from buurtnet.core.errors import InvalidInput
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    ActionKind,
    Duty,
    ModerationAction,
    Neighbourhood,
    Post,
    Role,
    utcnow,
)
from buurtnet.moderation import posting_limits
from buurtnet.moderation.posting_limits import NewAccountLimits
from tests.conftest import browser_for, log_in, make_account, post_form, write_post
from tests.moderation_kit import rows

LINK = "https://example.org/koop"


async def save(database: Database, admin: Account, **values: str) -> NewAccountLimits:
    async with database.transaction() as session:
        return await posting_limits.set_new_account_limits(session, admin, values)


async def limits(database: Database) -> NewAccountLimits:
    async with database.reading() as session:
        return await posting_limits.new_account_limits(session)


async def check(database: Database, author: Account, source: str) -> str | None:
    """The message code that refuses this post now, or None."""
    async with database.reading() as session:
        try:
            await posting_limits.check_new_account(session, author, source)
        except InvalidInput as error:
            return error.errors["source"]
    return None


async def made_days_ago(database: Database, account: Account, days: float) -> None:
    async with database.transaction() as session:
        await session.exec(
            update(Account)
            .where(col(Account.id) == account.id)
            .values(created_at=utcnow() - timedelta(days=days))
        )
    account.created_at = utcnow() - timedelta(days=days)


def test_links_are_the_web_addresses_that_become_links() -> None:
    text = f"Zie {LINK} en http://example.org/b, niet example.org of mailto:a@b.nl"
    assert posting_limits.count_links(text) == 2


async def test_the_admin_sets_the_limits_and_the_change_is_logged(database: Database) -> None:
    assert await limits(database) == NewAccountLimits(days=3, posts_per_day=10, links_per_day=5)
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    saved = await save(database, admin, days="7", posts_per_day="4", links_per_day="0")
    assert saved == await limits(database) == NewAccountLimits(7, 4, 0)
    logged = await rows(database, ModerationAction)
    assert [(a.kind, a.moderator_id, a.reason) for a in logged] == [
        (
            ActionKind.CHANGE_SETTING,
            admin.id,
            "new_account_days=7, new_account_posts_per_day=4, new_account_links_per_day=0",
        )
    ]


@pytest.mark.parametrize(
    ("values", "wrong"),
    [
        ({"days": "91", "posts_per_day": "10", "links_per_day": "5"}, "days"),
        ({"days": "3", "posts_per_day": "0", "links_per_day": "5"}, "posts_per_day"),
        ({"days": "3", "posts_per_day": "10", "links_per_day": "-1"}, "links_per_day"),
        ({"days": "drie", "posts_per_day": "10", "links_per_day": "5"}, "days"),
        ({"days": "3", "posts_per_day": "\u0661\u0660", "links_per_day": "5"}, "posts_per_day"),
        ({"days": "3", "posts_per_day": "10"}, "links_per_day"),
    ],
)
async def test_values_out_of_bounds_are_refused_and_nothing_changes(
    database: Database, values: dict[str, str], wrong: str
) -> None:
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    with pytest.raises(InvalidInput) as refused:
        await save(database, admin, **values)
    assert refused.value.errors == {wrong: f"new_account_{wrong}_invalid"}
    assert await limits(database) == NewAccountLimits()


async def test_a_new_account_writes_its_posts_of_the_day_and_then_waits(
    database: Database, resident: Account
) -> None:
    for number in range(10):
        assert await check(database, resident, "Hallo") is None
        await write_post(database, resident, f"Bericht {number}")
    assert await check(database, resident, "Nog een") == "new_account_post_limit"
    async with database.transaction() as session:  # yesterday's posts do not count
        await session.exec(update(Post).values(created_at=utcnow() - timedelta(hours=25)))
    assert await check(database, resident, "Nog een") is None


async def test_a_new_account_shares_its_links_of_the_day_and_can_still_write(
    database: Database, resident: Account
) -> None:
    await write_post(database, resident, f"{LINK}/1 {LINK}/2 {LINK}/3")
    assert await check(database, resident, f"{LINK}/4 {LINK}/5") is None
    assert await check(database, resident, f"{LINK}/4 {LINK}/5 {LINK}/6") == (
        "new_account_link_limit"
    )
    await write_post(database, resident, f"{LINK}/4 {LINK}/5")
    assert await check(database, resident, f"Nog één: {LINK}/6") == "new_account_link_limit"
    assert await check(database, resident, "Zonder link mag het wel") is None


async def test_older_accounts_people_with_a_duty_and_days_zero_have_no_limits(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    mila = await make_account(database, "mila", neighbourhood=neighbourhood, duty=Duty.MODERATOR)
    many_links = " ".join(f"{LINK}/{n}" for n in range(6))
    await made_days_ago(database, neighbour, 3.01)
    await made_days_ago(database, resident, 2.99)
    assert await check(database, neighbour, many_links) is None
    assert await check(database, resident, many_links) == "new_account_link_limit"
    for trusted in (admin, mila):
        assert await check(database, trusted, many_links) is None
    await save(database, admin, days="0", posts_per_day="10", links_per_day="5")
    assert await check(database, resident, many_links) is None


# ------------------------------------------------------------------ through the browser


async def test_the_composer_says_why_a_new_account_may_not_post_and_keeps_the_text(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    await made_days_ago(database, neighbour, 30)
    for author in (resident, neighbour):
        for number in range(10):
            await write_post(database, author, f"Bericht {number}")
    async with browser_for(app) as anna, browser_for(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        refused = await post_form(anna, "/", "/posts", {"source": "Nummer elf"})
        assert refused.status_code == 400
        assert "Nieuwe accounts kunnen de eerste dagen maar een beperkt aantal" in refused.text
        assert "Nummer elf</textarea>" in refused.text
        accepted = await post_form(bram, "/", "/posts", {"source": "Nummer elf"})
        assert accepted.status_code == 303
    assert len(await rows(database, Post, col(Post.author_id) == resident.id)) == 10


async def test_the_admin_changes_the_limits_on_the_admin_page(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await make_account(database, "beheer", role=Role.ADMIN)
    await log_in(client, "beheer")
    page = (await client.get("/admin")).text
    assert "Grenzen voor nieuwe accounts" in page and 'name="posts_per_day"' in page
    values = {"days": "5", "posts_per_day": "3", "links_per_day": "1"}
    saved = await post_form(client, "/admin", "/admin/new-accounts", values)
    assert saved.status_code == 303
    assert await limits(database) == NewAccountLimits(5, 3, 1)
    assert 'value="3"' in (await client.get("/admin")).text
    wrong = await post_form(client, "/admin", "/admin/new-accounts", values | {"days": "365"})
    assert wrong.status_code == 400
    assert "Kies van 0 tot 90 dagen." in wrong.text and 'value="365"' in wrong.text
    assert await limits(database) == NewAccountLimits(5, 3, 1)


async def test_only_admins_change_the_limits(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    values = {"days": "0", "posts_per_day": "3", "links_per_day": "1"}
    refused = await post_form(client, "/", "/admin/new-accounts", values)
    assert refused.status_code == 403
    assert await limits(database) == NewAccountLimits()
