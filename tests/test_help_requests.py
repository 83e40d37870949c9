"""A question for help marked "geholpen" by its author (core/help_requests), and the button and
badge under the post (web/help_requests, templates/_help_request.html)."""

import re

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.core import help_requests
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.db import Database
from buurtnet.models import Account, Job, Neighbourhood, Post, PostKind, Visibility
from tests.conftest import browser_for, csrf_token, log_in, make_account
from tests.conftest import write_post as write
from tests.moderation_kit import second_neighbourhood

QUESTION = "Wie leent mij een ladder?"


async def ask(database: Database, author: Account, **choices: object) -> Post:
    return await write(database, author, QUESTION, kind=PostKind.HELP_REQUEST, **choices)


async def open_requests(database: Database) -> list[int]:
    async with database.reading() as session:
        query = select(Post.id).where(help_requests.still_open()).order_by(col(Post.id))
        return [found for found in (await session.exec(query)).all() if found]


async def test_the_author_marks_it_helped_and_open_again(
    database: Database, resident: Account
) -> None:
    request = await ask(database, resident)
    assert request.id is not None
    await write(database, resident, "Een gewoon bericht")
    assert await open_requests(database) == [request.id]

    async with database.transaction() as session:
        await help_requests.mark_helped(session, resident, request.id)
    async with database.reading() as session:
        helped = await session.get(Post, request.id)
    assert helped is not None and helped.helped_at is not None
    assert await open_requests(database) == []

    async with database.transaction() as session:
        await help_requests.mark_helped(session, resident, request.id)  # again: the first time
    async with database.reading() as session:
        again = await session.get(Post, request.id)
        jobs = (await session.exec(select(Job))).all()
    assert again is not None and again.helped_at == helped.helped_at
    assert jobs == []  # our own state: nothing goes to other servers

    async with database.transaction() as session:
        await help_requests.mark_open(session, resident, request.id)
    assert await open_requests(database) == [request.id]


async def test_only_the_author_and_only_a_request_for_help(
    database: Database, neighbourhood: Neighbourhood, resident: Account, neighbour: Account
) -> None:
    request = await ask(database, resident)
    message = await write(database, resident, "Een gewoon bericht")
    elsewhere = await second_neighbourhood(database)
    rivka = await make_account(database, "rivka", neighbourhood=elsewhere)
    assert request.id is not None and message.id is not None
    async with database.transaction() as session:
        with pytest.raises(NotAllowed):
            await help_requests.mark_helped(session, neighbour, request.id)
        with pytest.raises(NotFound):  # for the neighbourhood: rivka may not see it
            await help_requests.mark_helped(session, rivka, request.id)
        with pytest.raises(NotFound):
            await help_requests.mark_helped(session, resident, message.id)
    assert await open_requests(database) == [request.id]


async def mark(client: httpx.AsyncClient, post_id: int, action: str = "helped") -> httpx.Response:
    token = await csrf_token(client, "/settings")
    data = {"csrf_token": token, "next": "/"}
    return await client.post(f"/posts/{post_id}/{action}", data=data)


def badges(page: str) -> int:
    return len(re.findall(r'class="post-kind post-helped">.*?Geholpen</p>', page))


async def test_the_author_uses_the_button_and_everyone_sees_the_badge(
    app: Starlette, client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    request = await ask(database, resident, visibility=Visibility.PUBLIC)
    assert request.id is not None
    await log_in(client, "anna")
    home = (await client.get("/")).text
    assert f'action="/posts/{request.id}/helped"' in home and "Ik ben geholpen" in home
    assert badges(home) == 0

    answer = await mark(client, request.id)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/#post-{request.id}"
    home = (await client.get("/")).text
    assert badges(home) == 1
    assert f'action="/posts/{request.id}/not-helped"' in home and "Ik zoek nog hulp" in home

    async with browser_for(app) as visitor:
        public = (await visitor.get(f"/posts/{request.id}")).text
    assert badges(public) == 1
    assert "/helped" not in public

    assert (await mark(client, request.id, "not-helped")).status_code == 303
    assert badges((await client.get("/")).text) == 0


async def test_others_get_403_and_strangers_404(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    neighbour: Account,
) -> None:
    request = await ask(database, resident)
    assert request.id is not None
    await log_in(client, "bram")
    page = (await client.get(f"/posts/{request.id}")).text
    assert "/helped" not in page and badges(page) == 0
    assert (await mark(client, request.id)).status_code == 403

    elsewhere = await second_neighbourhood(database)
    await make_account(database, "rivka", neighbourhood=elsewhere)
    async with browser_for(app) as rivka:
        await log_in(rivka, "rivka")
        assert (await mark(rivka, request.id)).status_code == 404
        assert (await mark(rivka, 999_999)).status_code == 404
    assert await open_requests(database) == [request.id]


async def test_the_button_needs_a_csrf_token(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    request = await ask(database, resident)
    await log_in(client, "anna")
    answer = await client.post(f"/posts/{request.id}/helped", data={"next": "/"})
    assert answer.status_code == 403
    assert await open_requests(database) == [request.id]
