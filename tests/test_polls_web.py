"""Polls through the browser's eyes: the composer's poll part, voting from a feed and from the
post's page, results before and after voting and after the end, for residents and visitors."""

import re

import httpx
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.models import Account, Poll, PollOption, Post
from tests.conftest import browser_for, csrf_token, log_in, post_form
from tests.test_polls import end_now, in_english, option_ids, stored_votes

OPTION_INPUT = re.compile(r'name="option" value="(\d+)"')


async def post_poll(client: httpx.AsyncClient, *answers: str, **fields: str) -> httpx.Response:
    data = {"source": "Wanneer ruimen we op?", "visibility": "public", **fields}
    token = await csrf_token(client, "/")
    form: dict[str, str | list[str]] = {"csrf_token": token, **data, "poll_option": list(answers)}
    return await client.post("/posts", data=form)


async def newest_post(database: Database) -> Post:
    async with database.reading() as session:
        found = (await session.exec(select(Post).order_by(col(Post.id).desc()))).first()
    assert found is not None
    return found


async def test_the_composer_has_a_poll_part_that_makes_a_poll(
    app: Starlette, database: Database, resident: Account
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        composer = (await anna.get("/posts/new")).text
        assert composer.count('name="poll_option"') == 10
        assert 'name="poll_duration"' in composer and 'name="poll_multiple"' in composer
        sent = await post_poll(
            anna, "Zaterdag", "", "Zondag", "", poll_multiple="1", poll_duration="3600"
        )
        assert sent.status_code == 303, sent.text
    post = await newest_post(database)
    async with database.reading() as session:
        poll = await session.get(Poll, post.id)
        names = (
            await session.exec(select(PollOption.name).order_by(col(PollOption.position)))
        ).all()
    assert poll is not None and poll.multiple and names == ["Zaterdag", "Zondag"]


async def test_a_reply_form_has_no_poll_part(
    app: Starlette, database: Database, resident: Account
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        await post_poll(anna, "Ja", "Nee")
        post = await newest_post(database)
        page = (await anna.get(f"/posts/{post.id}")).text
    reply_form = page.split('id="reply"')[1]
    assert 'name="poll_option"' not in reply_form


async def test_a_post_without_answers_is_no_poll(
    app: Starlette, database: Database, resident: Account
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        sent = await post_form(anna, "/", "/posts", {"source": "Gewoon een bericht"})
        assert sent.status_code == 303
    async with database.reading() as session:
        assert (await session.exec(select(Poll))).first() is None


async def test_voting_from_the_feed_then_results_with_bars_and_words(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    await in_english(database, neighbour)
    async with browser_for(app) as anna, browser_for(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        await post_poll(anna, "Zaterdag", "Zondag")
        post = await newest_post(database)
        home = (await bram.get("/")).text
        assert home.count('type="radio" name="option"') == 2 and "<progress" not in home
        _saturday, sunday = await option_ids(database, post)
        token = await csrf_token(bram, "/")
        voted = await bram.post(
            f"/posts/{post.id}/vote",
            data={"csrf_token": token, "option": str(sunday), "next": "/?before=99"},
        )
        assert voted.status_code == 303
        assert voted.headers["location"] == f"/?before=99#post-{post.id}"
        after = (await bram.get(f"/posts/{post.id}")).text
        assert '<progress max="100" value="100" aria-hidden="true">' in after
        assert "100%" in after and "0%" in after and "(your choice)" in after
        assert "1 person voted" in after
        assert "Change my vote" in after  # still open: the vote can change
        author_view = (await anna.get(f"/posts/{post.id}")).text
        assert "<progress" in author_view and 'name="option"' not in author_view
    assert await stored_votes(database, post) == [(neighbour.id, sunday)]


async def test_visitors_see_the_answers_and_the_result_once_ended(
    app: Starlette, database: Database, resident: Account
) -> None:
    async with browser_for(app) as anna, browser_for(app) as visitor:
        await log_in(anna, "anna")
        await post_poll(anna, "Zaterdag", "Zondag")
        post = await newest_post(database)
        page = (await visitor.get(f"/posts/{post.id}")).text
        assert "Zaterdag" in page and 'name="option"' not in page and "<progress" not in page
        assert f'href="/login?next=/posts/{post.id}"' in page
        await end_now(database, post)
        ended = (await visitor.get(f"/posts/{post.id}")).text
        assert "<progress" in ended and 'href="/login?next' not in ended.split("post-actions")[0]


async def test_an_ended_poll_takes_no_vote_and_says_so(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    await in_english(database, neighbour)
    async with browser_for(app) as anna, browser_for(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        await post_poll(anna, "Zaterdag", "Zondag")
        post = await newest_post(database)
        token = await csrf_token(bram, f"/posts/{post.id}")
        saturday, _ = await option_ids(database, post)
        await end_now(database, post)
        late = await bram.post(
            f"/posts/{post.id}/vote", data={"csrf_token": token, "option": str(saturday)}
        )
        assert late.status_code == 400
        assert "This poll has ended. You can no longer vote." in late.text
        assert "Ended on" in late.text and 'name="option"' not in late.text
    assert await stored_votes(database, post) == []
