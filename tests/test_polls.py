"""Polls on posts: made with the post, voted in by who may see it, counted in step, ended once
with its voters and author told; the rules of core/polls.py on a real database."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.core import local_times, poll_ends, poll_views, polls, posts, relations
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.polls import PollDraft
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    Neighbourhood,
    Notification,
    NotificationKind,
    Poll,
    PollOption,
    PollVote,
    Post,
    Visibility,
    utcnow,
)
from tests.conftest import browser_for, csrf_token, log_in, make_account, write_post

DAY = timedelta(days=1)


async def write_poll(
    database: Database,
    author: Account,
    options: tuple[str, ...] = ("Zaterdag", "Zondag", "Maandag"),
    *,
    multiple: bool = False,
    **choices: Any,
) -> Post:
    poll = PollDraft(options, multiple=multiple, duration=DAY)
    return await write_post(database, author, "Wanneer ruimen we op?", poll=poll, **choices)


async def option_ids(database: Database, post: Post) -> list[int]:
    async with database.reading() as session:
        return [option.id or 0 for option in await polls.options_of(session, post.id or 0)]


async def cast(database: Database, voter: Account, post: Post, *chosen: int) -> None:
    async with database.transaction() as session:
        await polls.vote(session, voter, post.id or 0, list(chosen))


async def counts(database: Database, post: Post) -> tuple[list[int], int]:
    """Each answer's count and the number of voters, as stored."""
    async with database.reading() as session:
        options = await polls.options_of(session, post.id or 0)
        poll = await session.get(Poll, post.id)
        assert poll is not None
        return [option.votes for option in options], poll.voters_count


async def stored_votes(database: Database, post: Post) -> list[tuple[int, int]]:
    async with database.reading() as session:
        found = await session.exec(
            select(PollVote.account_id, PollVote.option_id).where(PollVote.post_id == post.id)
        )
        return sorted(found.all())


async def in_english(database: Database, *people: Account) -> None:
    """New texts are translated when their catalog is merged: tests read them in English."""
    async with database.transaction() as session:
        await session.exec(
            update(Account)
            .where(col(Account.id).in_([person.id for person in people]))
            .values(locale="en")
        )


async def end_now(database: Database, post: Post) -> None:
    async with database.transaction() as session:
        await session.exec(
            update(Poll)
            .where(col(Poll.post_id) == post.id)
            .values(ends_at=utcnow() - timedelta(seconds=1))
        )


# ---------------------------------------------------------------- drafts


@pytest.mark.parametrize(
    ("options", "duration", "errors"),
    [
        (("Ja",), DAY, {"poll_options": "poll_too_few_options"}),
        (("Ja", "", "  "), DAY, {"poll_options": "poll_too_few_options"}),
        (tuple(f"Keuze {n}" for n in range(11)), DAY, {"poll_options": "poll_too_many_options"}),
        (("Ja", "x" * 101), DAY, {"poll_options": "poll_option_too_long"}),
        (("Ja", "ja "), DAY, {"poll_options": "poll_options_duplicate"}),
        (("Ja", "Nee"), timedelta(minutes=4), {"poll_duration": "poll_duration_invalid"}),
        (("Ja", "Nee"), timedelta(days=31), {"poll_duration": "poll_duration_invalid"}),
        (("Ja", "Nee"), -DAY, {"poll_duration": "poll_duration_invalid"}),
        (("Ja", "Nee", "", "x" * 100), timedelta(minutes=5), {}),
        (tuple(f"Keuze {n}" for n in range(10)), timedelta(days=30), {}),
    ],
)
def test_what_a_poll_may_be(
    options: tuple[str, ...], duration: timedelta, errors: dict[str, str]
) -> None:
    assert polls.draft_problems(PollDraft(options, duration=duration)) == errors


async def test_a_poll_is_made_with_its_post(database: Database, resident: Account) -> None:
    post = await write_poll(database, resident, ("Zaterdag", "", " Zondag  "), multiple=True)
    async with database.reading() as session:
        poll = await session.get(Poll, post.id)
        options = await polls.options_of(session, post.id or 0)
    assert poll is not None and poll.multiple and poll.voters_count == 0
    assert [option.name for option in options] == ["Zaterdag", "Zondag"]
    assert timedelta(hours=23) < local_times.utc(poll.ends_at) - utcnow() <= DAY


async def test_a_bad_poll_writes_no_post(database: Database, resident: Account) -> None:
    with pytest.raises(InvalidInput) as refused:
        await write_poll(database, resident, ("Alleen dit",))
    assert refused.value.errors == {"poll_options": "poll_too_few_options"}
    async with database.reading() as session:
        assert (await session.exec(select(Post))).first() is None
        assert (await session.exec(select(PollOption))).first() is None


# ---------------------------------------------------------------- voting


async def test_one_vote_per_person_changeable_with_counts_in_step(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    post = await write_poll(database, resident)
    saturday, sunday, _monday = await option_ids(database, post)
    carla = await make_account(database, "carla", neighbourhood=neighbourhood)
    await cast(database, neighbour, post, saturday)
    await cast(database, carla, post, saturday)
    assert await counts(database, post) == ([2, 0, 0], 2)
    await cast(database, neighbour, post, sunday)  # changed her mind
    assert await counts(database, post) == ([1, 1, 0], 2)
    assert await stored_votes(database, post) == sorted(
        [(neighbour.id, sunday), (carla.id, saturday)]
    )


async def test_several_answers_in_a_poll_of_several(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write_poll(database, resident, multiple=True)
    saturday, sunday, monday = await option_ids(database, post)
    await cast(database, neighbour, post, saturday, sunday)
    assert await counts(database, post) == ([1, 1, 0], 1)
    await cast(database, neighbour, post, sunday, monday)
    assert await counts(database, post) == ([0, 1, 1], 1)


@pytest.mark.parametrize(
    ("choice", "code"),
    [("none", "poll_choose"), ("two", "poll_one_choice"), ("other_poll", "poll_option_unknown"),
     ("missing", "poll_option_unknown")],
)  # fmt: skip
async def test_votes_that_are_refused(
    database: Database, resident: Account, neighbour: Account, choice: str, code: str
) -> None:
    post = await write_poll(database, resident)
    other = await write_poll(database, resident, ("Koffie", "Thee"))
    saturday, sunday, _ = await option_ids(database, post)
    chosen = {
        "none": [],
        "two": [saturday, sunday],
        "other_poll": [(await option_ids(database, other))[0]],
        "missing": [2_000_000_000],
    }[choice]
    with pytest.raises(InvalidInput) as refused:
        await cast(database, neighbour, post, *chosen)
    assert refused.value.errors == {"vote": code}
    assert await stored_votes(database, post) == []
    assert await counts(database, post) == ([0, 0, 0], 0)


async def test_no_vote_after_the_end_nor_in_ones_own_poll(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write_poll(database, resident)
    saturday, *_ = await option_ids(database, post)
    with pytest.raises(InvalidInput) as own:
        await cast(database, resident, post, saturday)
    assert own.value.errors == {"vote": "poll_own"}
    await end_now(database, post)
    with pytest.raises(InvalidInput) as late:
        await cast(database, neighbour, post, saturday)
    assert late.value.errors == {"vote": "poll_ended"}
    assert await stored_votes(database, post) == []


async def test_who_may_not_see_the_post_may_not_vote(
    database: Database, resident: Account, neighbour: Account
) -> None:
    elsewhere = await make_account(database, "dirk")  # of no neighbourhood
    post = await write_poll(database, resident)  # for the neighbourhood
    saturday, *_ = await option_ids(database, post)
    with pytest.raises(NotFound):
        await cast(database, elsewhere, post, saturday)
    assert neighbour.id is not None and resident.id is not None
    async with database.transaction() as session:
        await relations.block(session, resident, neighbour.id)
    with pytest.raises(NotFound):
        await cast(database, neighbour, post, saturday)
    assert await stored_votes(database, post) == []


async def test_a_post_without_a_poll_takes_no_vote(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write_post(database, resident, "Geen peiling")
    with pytest.raises(InvalidInput) as refused:
        await cast(database, neighbour, post, 1)
    assert refused.value.errors == {"vote": "poll_missing"}


# ---------------------------------------------------------------- what each sees


async def view_of(database: Database, viewer: Account | None, post: Post) -> poll_views.PollView:
    async with database.reading() as session:
        found = await poll_views.polls_of(session, [post], viewer.id if viewer else None)
    return found[post.id or 0]


async def test_results_after_voting_once_ended_and_always_for_the_author(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    carla = await make_account(database, "carla", neighbourhood=neighbourhood)
    post = await write_poll(database, resident, ("Ja", "Nee", "Weet niet"))
    yes, no, _ = await option_ids(database, post)
    assert (await view_of(database, resident, post)).shows_results
    assert not (await view_of(database, neighbour, post)).shows_results
    await cast(database, neighbour, post, yes)
    await cast(database, carla, post, no)
    mine = await view_of(database, neighbour, post)
    assert mine.shows_results and mine.takes_votes and mine.voted
    assert [(o.percent, o.chosen) for o in mine.options] == [(50, True), (50, False), (0, False)]
    visitor = await view_of(database, None, post)
    assert not visitor.shows_results
    await end_now(database, post)
    ended = await view_of(database, None, post)
    assert ended.shows_results and ended.ended and not ended.takes_votes
    assert [o.leading for o in ended.options] == [True, True, False]


async def test_percentages_of_several_choices_are_of_the_voters(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    carla = await make_account(database, "carla", neighbourhood=neighbourhood)
    post = await write_poll(database, resident, multiple=True)
    saturday, sunday, _monday = await option_ids(database, post)
    await cast(database, neighbour, post, saturday, sunday)
    await cast(database, carla, post, saturday)
    view = await view_of(database, resident, post)
    assert [o.percent for o in view.options] == [100, 50, 0] and view.voters_count == 2


# ---------------------------------------------------------------- the end


async def poll_notifications(database: Database) -> list[tuple[int, int, int | None]]:
    async with database.reading() as session:
        found = await session.exec(
            select(Notification.recipient_id, Notification.actor_id, Notification.post_id).where(
                Notification.kind == NotificationKind.POLL_ENDED
            )
        )
        return sorted(found.all())


async def test_the_end_tells_voters_and_author_once(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    carla = await make_account(database, "carla", neighbourhood=neighbourhood)  # did not vote
    post = await write_poll(database, resident, multiple=True)
    saturday, sunday, _ = await option_ids(database, post)
    await cast(database, neighbour, post, saturday, sunday)
    async with database.transaction() as session:
        await poll_ends.end_polls(session)
    assert await poll_notifications(database) == []  # not yet
    await end_now(database, post)
    for _turn in range(2):
        async with database.transaction() as session:
            await poll_ends.end_polls(session)
    told = await poll_notifications(database)
    assert told == sorted(
        [(neighbour.id, resident.id, post.id), (resident.id, resident.id, post.id)]
    )
    assert carla.id not in {recipient for recipient, _actor, _post in told}
    async with database.reading() as session:
        poll = await session.get(Poll, post.id)
    assert poll is not None and poll.ended_at is not None


async def test_notifications_page_shows_an_ended_poll(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write_poll(database, resident)
    saturday, *_ = await option_ids(database, post)
    await cast(database, neighbour, post, saturday)
    await end_now(database, post)
    async with database.transaction() as session:
        await poll_ends.end_polls(session)
    await in_english(database, resident, neighbour)
    async with browser_for(app) as anna, browser_for(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")
        assert "Your poll has ended" in (await anna.get("/notifications")).text
        page = (await bram.get("/notifications")).text
        assert "The poll of anna has ended" in page
        assert f'href="/posts/{post.id}"' in page


# ---------------------------------------------------------------- at the same moment


async def test_two_votes_of_one_person_at_once_leave_one(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    """Two requests of one person side by side, each for another answer of a poll of one
    choice: the poll's row is locked, so the second sees the first vote and replaces it."""
    post = await write_poll(database, resident, ("A", "B", "C", "D"), visibility=Visibility.PUBLIC)
    options = await option_ids(database, post)
    async with browser_for(app) as bram:
        await log_in(bram, "bram")
        token = await csrf_token(bram, f"/posts/{post.id}")

        async def vote(option_id: int) -> httpx.Response:
            data = {"csrf_token": token, "option": str(option_id), "next": "/"}
            return await bram.post(f"/posts/{post.id}/vote", data=data)

        for first, second in [(0, 1), (2, 3), (1, 0), (3, 2), (0, 3)]:
            answers = await asyncio.gather(vote(options[first]), vote(options[second]))
            assert [answer.status_code for answer in answers] == [303, 303]
            votes = await stored_votes(database, post)
            assert len(votes) == 1 and votes[0][1] in (options[first], options[second])
            assert await counts(database, post) == (
                [1 if option == votes[0][1] else 0 for option in options],
                1,
            )


async def test_deleting_the_post_takes_the_poll(
    database: Database, resident: Account, neighbour: Account
) -> None:
    post = await write_poll(database, resident)
    saturday, *_ = await option_ids(database, post)
    await cast(database, neighbour, post, saturday)
    async with database.transaction() as session:
        await posts.delete_post(session, resident, post.id or 0)
    async with database.reading() as session:
        for table in (Poll, PollOption, PollVote):
            assert (await session.exec(select(table))).first() is None
