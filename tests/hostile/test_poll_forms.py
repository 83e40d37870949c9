"""Bad input on the poll forms: the composer's poll part and the vote form, as a person (or a
tampered form) sends it. Each gets a clear message on the form with a 400, and nothing of it is
written: no post, no poll, no vote, no count changed."""

from typing import Any

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.models import Account, Job, Poll, PollOption, PollVote, Post, Visibility
from buurtnet.web.messages import FORM_MESSAGES
from tests.conftest import browser_for, csrf_token, log_in, write_post
from tests.test_polls import counts, end_now, option_ids, write_poll

# Each case: the poll fields sent (answers as the list of boxes), and the message it must get.
COMPOSER_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "one answer": ({"poll_option": ["Ja", "", ""]}, "poll_too_few_options"),
    "eleven answers": (
        {"poll_option": [f"Antwoord {n}" for n in range(11)]},
        "poll_too_many_options",
    ),
    "the same answer twice": ({"poll_option": ["Ja", "Nee", "ja"]}, "poll_options_duplicate"),
    "too long": ({"poll_option": ["Ja", "x" * 101]}, "poll_option_too_long"),
    "an end in the past": (
        {"poll_option": ["Ja", "Nee"], "poll_duration": "-3600"},
        "poll_duration_invalid",
    ),
    "no end at all": (
        {"poll_option": ["Ja", "Nee"], "poll_duration": "0"},
        "poll_duration_invalid",
    ),
    "too far": (
        {"poll_option": ["Ja", "Nee"], "poll_duration": str(31 * 24 * 3600)},
        "poll_duration_invalid",
    ),
    "an end that is no number": (
        {"poll_option": ["Ja", "Nee"], "poll_duration": "morgen"},
        "poll_duration_invalid",
    ),
}


def dutch(app: Starlette, code: str) -> str:
    """A form message as a Dutch page shows it (the message id until its catalog is merged)."""
    return str(app.state.services.translations["nl"].gettext(FORM_MESSAGES[code]))


async def nothing_written(database: Database) -> None:
    async with database.reading() as session:
        for table in (Post, Poll, PollOption, PollVote, Job):
            assert (await session.exec(select(table))).first() is None, table


@pytest.mark.parametrize("case", sorted(COMPOSER_CASES))
async def test_a_bad_poll_comes_back_with_a_dutch_message(
    app: Starlette, database: Database, resident: Account, case: str
) -> None:
    fields, code = COMPOSER_CASES[case]
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        token = await csrf_token(anna, "/")
        data = {"csrf_token": token, "source": "Wanneer ruimen we op?", **fields}
        response = await anna.post("/posts", data=data)
    assert response.status_code == 400
    page = response.text
    assert 'class="error-summary"' in page and 'href="#poll_' in page
    assert dutch(app, code) in page
    assert "Wanneer ruimen we op?" in page  # the text is kept
    assert 'details class="more-options poll-part" open' in page  # the poll part is open
    await nothing_written(database)


async def test_the_message_is_dutch(app: Starlette, database: Database, resident: Account) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        token = await csrf_token(anna, "/")
        data = {"csrf_token": token, "source": "Vraag", "poll_option": ["Ja"]}
        page = (await anna.post("/posts", data=data)).text
    assert '<html lang="nl">' in page and "Kijk dit even na" in page


async def vote(client: httpx.AsyncClient, post_id: int | str, *options: str) -> httpx.Response:
    token = await csrf_token(client, "/")
    return await client.post(
        f"/posts/{post_id}/vote", data={"csrf_token": token, "option": list(options)}
    )


@pytest.mark.parametrize(
    ("choice", "code"),
    [
        ("nothing", "poll_choose"),
        ("an answer that does not exist", "poll_option_unknown"),
        ("an answer of another poll", "poll_option_unknown"),
        ("no number", "poll_option_unknown"),
        ("a number too large", "poll_option_unknown"),
        ("two in a poll of one", "poll_one_choice"),
    ],
)
async def test_a_bad_vote_comes_back_with_a_message(
    app: Starlette,
    database: Database,
    resident: Account,
    neighbour: Account,
    choice: str,
    code: str,
) -> None:
    post = await write_poll(database, resident)
    other = await write_poll(database, resident, ("Koffie", "Thee"))
    saturday, sunday, _ = await option_ids(database, post)
    sent = {
        "nothing": [],
        "an answer that does not exist": ["2000000000"],
        "an answer of another poll": [str((await option_ids(database, other))[0])],
        "no number": ["zaterdag"],
        "a number too large": ["99999999999999999999"],
        "two in a poll of one": [str(saturday), str(sunday)],
    }[choice]
    async with browser_for(app) as bram:
        await log_in(bram, "bram")
        response = await vote(bram, post.id or 0, *sent)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.text and 'href="#vote"' in response.text
    assert 'id="vote"' in response.text  # the message sits at the poll itself
    assert dutch(app, code) in response.text
    assert await counts(database, post) == ([0, 0, 0], 0)
    async with database.reading() as session:
        assert (await session.exec(select(PollVote))).first() is None


async def test_a_late_vote_is_refused_and_changes_nothing(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write_poll(database, resident)
    saturday, sunday, _ = await option_ids(database, post)
    async with browser_for(app) as bram:
        await log_in(bram, "bram")
        assert (await vote(bram, post.id or 0, str(saturday))).status_code == 303
        await end_now(database, post)
        late = await vote(bram, post.id or 0, str(sunday))
    assert late.status_code == 400
    assert await counts(database, post) == ([1, 0, 0], 1)


@pytest.mark.parametrize("target", ["no such post", "a post without a poll", "a hidden post"])
async def test_a_tampered_poll_id(
    app: Starlette, database: Database, resident: Account, neighbour: Account, target: str
) -> None:
    """The post in the form's address changed: one that is not there or that the voter may not
    see is not found (404, as any hidden post); one without a poll says so (400)."""
    post = await write_poll(database, resident)
    saturday, *_ = await option_ids(database, post)
    plain = await write_post(database, resident, "Geen peiling")
    hidden = await write_poll(database, resident, ("Ja", "Nee"), visibility=Visibility.DIRECT)
    post_id = {
        "no such post": "2000000000",
        "a post without a poll": str(plain.id),
        "a hidden post": str(hidden.id),
    }[target]
    async with browser_for(app) as bram:
        await log_in(bram, "bram")
        response = await vote(bram, post_id, str(saturday))
        for odd in ("0", "-1", "1e3", "99999999999999999999"):
            assert (await vote(bram, odd, str(saturday))).status_code == 404
    if target == "a post without a poll":
        assert response.status_code == 400 and 'href="#vote"' not in response.text
        assert dutch(app, "poll_missing") in response.text
    else:
        assert response.status_code == 404
    async with database.reading() as session:
        assert (await session.exec(select(PollVote))).first() is None


async def test_a_vote_without_csrf_is_refused(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write_poll(database, resident)
    saturday, *_ = await option_ids(database, post)
    async with browser_for(app) as bram:
        await log_in(bram, "bram")
        response = await bram.post(f"/posts/{post.id}/vote", data={"option": str(saturday)})
    assert response.status_code == 403
    assert await counts(database, post) == ([0, 0, 0], 0)


async def test_a_visitor_cannot_vote(app: Starlette, database: Database, resident: Account) -> None:
    post = await write_poll(database, resident, visibility=Visibility.PUBLIC)
    saturday, *_ = await option_ids(database, post)
    async with browser_for(app) as visitor:
        token = await csrf_token(visitor, "/login")
        response = await visitor.post(
            f"/posts/{post.id}/vote", data={"csrf_token": token, "option": str(saturday)}
        )
    assert response.status_code in (303, 403)
    assert response.status_code == 403 or response.headers["location"].startswith("/login")
    assert await counts(database, post) == ([0, 0, 0], 0)
