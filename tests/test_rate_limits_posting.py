"""Budgets for everyone: posts, replies and reports an hour. A used-up budget answers 429 with a
Dutch page and `Retry-After`; a refused post spends nothing."""

from datetime import timedelta

import httpx
import pytest
from sqlmodel import col

from buurtnet.core import posting_budgets
from buurtnet.core.errors import TooMany
from buurtnet.core.posting_budgets import POSTS, REPLIES, REPORTS
from buurtnet.db import Database
from buurtnet.models import Account, Post, RateLimitHit, utcnow
from tests.conftest import log_in, post_form, write_post
from tests.moderation_kit import rows
from tests.test_events_web import form_for
from tests.test_posting_limits import made_days_ago


async def spent(database: Database, what: str, account: Account, minutes_ago: int = 10) -> None:
    """Use up the account's budget with hits from `minutes_ago`."""
    found = posting_budgets.budget(what, account.id or 0)
    at = utcnow() - timedelta(minutes=minutes_ago)
    async with database.transaction() as session:
        session.add_all(RateLimitHit(key=found.key, at=at) for _ in range(found.limit))


async def posts_of(database: Database, author: Account) -> list[str]:
    return [post.source for post in await rows(database, Post, col(Post.author_id) == author.id)]


@pytest.fixture
async def anna(client: httpx.AsyncClient, database: Database, resident: Account) -> Account:
    """Logged in, and old enough that only the budgets for everyone apply."""
    await made_days_ago(database, resident, 30)
    await log_in(client, "anna")
    return resident


async def test_posting_too_fast_gets_a_dutch_page_with_retry_after(
    client: httpx.AsyncClient, database: Database, anna: Account
) -> None:
    await spent(database, POSTS, anna)
    refused = await post_form(client, "/", "/posts", {"source": "Nog een bericht"})
    assert refused.status_code == 429
    assert 50 * 60 - 5 <= int(refused.headers["retry-after"]) <= 50 * 60
    page = refused.text
    assert '<html lang="nl">' in page and "U plaatst erg snel berichten" in page
    assert (
        "Uw bericht is niet geplaatst." in page and "Probeer het over 50 minuten opnieuw." in page
    )
    assert await posts_of(database, anna) == []


async def test_replies_have_a_budget_of_their_own(
    client: httpx.AsyncClient, database: Database, anna: Account, neighbour: Account
) -> None:
    question = await write_post(database, neighbour, "Wie heeft er een ladder?")
    await spent(database, REPLIES, anna, minutes_ago=59)
    reply = {"source": "Ik!", "in_reply_to": str(question.id)}
    refused = await post_form(client, f"/posts/{question.id}", "/posts", reply)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "U reageert erg snel" in refused.text and "over 1 minuut" in refused.text
    posted = await post_form(client, "/", "/posts", {"source": "Een nieuw bericht"})
    assert posted.status_code == 303
    await spent(database, POSTS, anna)
    assert (await post_form(client, "/", "/posts", {"source": "Nog een"})).status_code == 429
    assert await posts_of(database, anna) == ["Een nieuw bericht"]


async def test_the_budget_counts_each_post_and_refuses_the_one_too_many(
    client: httpx.AsyncClient,
    database: Database,
    anna: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(posting_budgets.LIMITS, POSTS, 2)
    statuses = [
        (await post_form(client, "/", "/posts", {"source": f"Bericht {n}"})).status_code
        for n in range(3)
    ]
    assert statuses == [303, 303, 429]
    assert await posts_of(database, anna) == ["Bericht 0", "Bericht 1"]


async def test_a_refused_post_spends_nothing(
    client: httpx.AsyncClient, database: Database, anna: Account
) -> None:
    assert (await post_form(client, "/", "/posts", {"source": " "})).status_code == 400
    assert await rows(database, RateLimitHit) == []
    assert (await post_form(client, "/", "/posts", {"source": "Hallo"})).status_code == 303
    assert len(await rows(database, RateLimitHit)) == 1


async def test_organising_an_activity_spends_the_posting_budget(
    client: httpx.AsyncClient, database: Database, anna: Account
) -> None:
    await spent(database, POSTS, anna)
    refused = await post_form(client, "/events/new", "/events", form_for())
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert "U plaatst erg snel berichten" in refused.text
    assert await posts_of(database, anna) == []


async def test_reports_have_a_budget_of_ten_an_hour_per_person(
    database: Database, resident: Account, neighbour: Account
) -> None:
    async def report(account: Account) -> bool:
        try:
            async with database.transaction() as session:
                await posting_budgets.spend(session, REPORTS, account.id or 0)
        except TooMany:
            return False
        return True

    assert [await report(resident) for _ in range(11)] == [True] * 10 + [False]
    assert await report(neighbour)
    assert posting_budgets.budget(REPORTS, 1).window == timedelta(hours=1)
