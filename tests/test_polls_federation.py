"""Polls between servers: our poll goes out as a Question and its new counts as Update(Question)
(a few minutes after a vote, at once at the end); a vote from elsewhere is counted, never a post,
and a bad one dropped without an error; a Question from elsewhere is kept with its poll, its
Updates bring counts without being edits, and a resident's vote in it goes to its author."""

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, func, select
from starlette.applications import Starlette

from buurtnet.core import poll_ends, poll_news
from buurtnet.core.errors import InvalidInput
from buurtnet.db import Database
from buurtnet.federation.remote_actors import actor_by_uri
from buurtnet.models import (
    Account,
    Job,
    JobStatus,
    Notification,
    NotificationKind,
    Poll,
    PollOption,
    Post,
    PostEdit,
    Visibility,
    utcnow,
)
from tests.conftest import BASE_URL, add_follow, make_account
from tests.kit.as2 import create
from tests.kit.federation import deliver, meet, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB, RemoteActor
from tests.test_polls import cast, counts, end_now, option_ids, stored_votes, write_poll

CAROL = RemoteActor("carol", domain="other.example", key_number=1)
FIXTURES = Path(__file__).parent / "data" / "federation" / "mastodon"
ALICE = RemoteActor("alice", domain="mastodon.example", key_number=2)


def vote_of(actor: RemoteActor, question: str, name: str, number: int = 1) -> dict[str, Any]:
    """A vote as Mastodon sends it: the Create of a Note with a name, to the poll's author."""
    note = {
        "id": f"{actor.id}#votes/{number}",
        "type": "Note",
        "name": name,
        "attributedTo": actor.id,
        "inReplyTo": question,
        "to": f"{BASE_URL}/users/anna",
    }
    return create(actor, note) | {"to": note["to"]}


async def poll_of_anna(
    database: Database, anna: Account, *, multiple: bool = False, **choices: Any
) -> tuple[Post, str]:
    choices.setdefault("visibility", Visibility.PUBLIC)
    post = await write_poll(database, anna, multiple=multiple, **choices)
    return post, f"{BASE_URL}/users/anna/statuses/{post.id}"


async def jobs_named(database: Database, name: str) -> list[Job]:
    async with database.reading() as session:
        return list((await session.exec(select(Job).where(col(Job.name) == name))).all())


async def bring_forward(database: Database) -> None:
    """The Update waits a few minutes after a vote; a test need not."""
    async with database.transaction() as session:
        await session.exec(
            update(Job).where(col(Job.name) == poll_news.COUNTS_CHANGED).values(run_after=utcnow())
        )


async def post_count(database: Database) -> int:
    async with database.reading() as session:
        return (await session.exec(select(func.count()).select_from(Post))).one()


async def failed_jobs(database: Database) -> list[str]:
    async with database.reading() as session:
        failed = await session.exec(
            select(Job).where((col(Job.status) == JobStatus.FAILED) | (col(Job.last_error) != ""))
        )
        return [f"{job.name}: {job.last_error}" for job in failed.all()]


def updates_to(network: FakeNetwork, inbox: str) -> list[dict[str, Any]]:
    return [
        posted.body
        for posted in network.posted
        if posted.url == inbox and posted.body["type"] == "Update"
    ]


@pytest.fixture
async def anna(database: Database, neighbourhood: Any) -> Account:
    return await make_account(database, "anna", neighbourhood=neighbourhood)


# ---------------------------------------------------------------- votes from elsewhere


@pytest.mark.parametrize("embedded", [True, False])
async def test_a_vote_from_elsewhere_is_counted_and_never_a_post(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
    embedded: bool,
) -> None:
    """Embedded, the inbox takes it at once; by its id, a job fetches it: both count it."""
    post, question = await poll_of_anna(database, anna)
    activity = vote_of(BOB, question, "Zondag")
    if not embedded:
        network.serve(activity["object"] | {"@context": "https://www.w3.org/ns/activitystreams"})
        activity = activity | {"object": activity["object"]["id"]}
    before = await post_count(database)
    response = await deliver(client, BOB, activity)
    assert response.status_code == 202, response.text
    if embedded:  # counted in the inbox's own transaction, no job needed
        assert await counts(database, post) == ([0, 1, 0], 1)
        assert await jobs_named(database, "inbox.process") == []
    await run_queue(app)
    assert await counts(database, post) == ([0, 1, 0], 1)
    assert await post_count(database) == before
    bob = await actor_by_uri(app.state.federation, BOB.id)
    _saturday, sunday, _ = await option_ids(database, post)
    assert await stored_votes(database, post) == [(bob.id, sunday)]
    assert await failed_jobs(database) == []


async def test_votes_in_a_poll_of_several_come_one_answer_at_a_time(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
) -> None:
    post, question = await poll_of_anna(database, anna, multiple=True)
    for number, name in enumerate(("Zaterdag", "Maandag"), start=1):
        assert (await deliver(client, BOB, vote_of(BOB, question, name, number))).status_code == 202
    await run_queue(app)
    assert await counts(database, post) == ([1, 0, 1], 1)


@pytest.mark.parametrize("case", ["unknown answer", "after the end", "twice", "another answer"])
async def test_bad_votes_are_dropped_without_an_error(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    caplog.set_level(logging.INFO)
    post, question = await poll_of_anna(database, anna)
    await deliver(client, BOB, vote_of(BOB, question, "Zaterdag", 1))
    await run_queue(app)
    if case == "after the end":
        await end_now(database, post)
    name = {"unknown answer": "Dinsdag", "twice": "Zaterdag"}.get(case, "Zondag")
    before = await post_count(database)
    response = await deliver(client, BOB, vote_of(BOB, question, name, 2))
    assert response.status_code == 202
    await run_queue(app)
    assert await counts(database, post) == ([1, 0, 0], 1)
    assert await post_count(database) == before
    assert await failed_jobs(database) == []
    assert any("dropped the vote" in record.getMessage() for record in caplog.records)
    assert not [record for record in caplog.records if record.exc_info]


async def test_a_vote_in_a_neighbourhood_poll_is_dropped(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
) -> None:
    post, question = await poll_of_anna(database, anna, visibility=Visibility.NEIGHBOURHOOD)
    await meet(client, BOB)
    before = await post_count(database)
    assert (await deliver(client, BOB, vote_of(BOB, question, "Zondag"))).status_code == 202
    await run_queue(app)
    assert await counts(database, post) == ([0, 0, 0], 0)
    assert await post_count(database) == before
    assert await jobs_named(database, poll_news.COUNTS_CHANGED) == []


# ---------------------------------------------------------------- counts going out


async def test_new_counts_go_out_once_a_few_minutes_after_the_votes(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
) -> None:
    """Bob follows Anna; Carol only voted. Three votes, one Update, to both, with the counts."""
    network.add(CAROL)
    bob = await actor_by_uri(app.state.federation, BOB.id)
    await add_follow(database, bob, anna)
    _post, question = await poll_of_anna(database, anna)
    await run_queue(app)  # the Create, to Bob
    await deliver(client, BOB, vote_of(BOB, question, "Zaterdag"))
    await deliver(client, CAROL, vote_of(CAROL, question, "Zondag"))
    await run_queue(app)
    [waiting] = await jobs_named(database, poll_news.COUNTS_CHANGED)
    assert poll_news.COUNTS_DELAY.total_seconds() - 10 < (
        waiting.run_after.timestamp() - utcnow().timestamp()
    )
    assert updates_to(network, "https://social.example/inbox") == []  # not yet
    await bring_forward(database)
    await run_queue(app)
    for inbox in ("https://social.example/inbox", "https://other.example/inbox"):
        [sent] = updates_to(network, inbox)
        question_sent = sent["object"]
        assert sent["actor"] == f"{BASE_URL}/users/anna" and question_sent["id"] == question
        assert question_sent["type"] == "Question" and "closed" not in question_sent
        assert [answer["replies"]["totalItems"] for answer in question_sent["oneOf"]] == [1, 1, 0]
        assert question_sent["votersCount"] == 2


async def test_the_end_sends_the_final_counts_at_once(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
) -> None:
    bob = await actor_by_uri(app.state.federation, BOB.id)
    await add_follow(database, bob, anna)
    post, question = await poll_of_anna(database, anna)
    await deliver(client, BOB, vote_of(BOB, question, "Maandag"))
    await run_queue(app)
    await end_now(database, post)
    async with database.transaction() as session:
        await poll_ends.end_polls(session)
    await run_queue(app)  # the waiting Update was brought forward: one, now
    [final] = updates_to(network, "https://social.example/inbox")
    assert final["object"]["closed"] == final["object"]["endTime"]
    assert [answer["replies"]["totalItems"] for answer in final["object"]["oneOf"]] == [0, 0, 1]
    assert await jobs_named(database, poll_news.COUNTS_CHANGED) == []


async def test_local_votes_in_a_poll_that_stays_here_send_nothing(
    app: Starlette, database: Database, network: FakeNetwork, anna: Account
) -> None:
    neighbour = await make_account(database, "bram", neighbourhood=None)
    post, _ = await poll_of_anna(database, anna)  # public, but nobody elsewhere follows Anna
    await cast(database, neighbour, post, (await option_ids(database, post))[0])
    await run_queue(app)
    assert await jobs_named(database, poll_news.COUNTS_CHANGED) == [] and network.posted == []


# ---------------------------------------------------------------- polls from elsewhere


def fixture(name: str) -> dict[str, Any]:
    """A recorded Mastodon activity, from Alice on our fake network, naming Anna here."""
    text = (FIXTURES / f"{name}.json").read_text().replace("https://buurt.example", BASE_URL)
    found: dict[str, Any] = json.loads(text.replace("/users/bram", "/users/anna"))
    return found


async def question_from_alice(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
) -> Post:
    network.add(ALICE)
    alice = await actor_by_uri(app.state.federation, ALICE.id)
    await add_follow(database, anna, alice)
    response = await deliver(client, ALICE, fixture("create_question_one"))
    assert response.status_code == 202, response.text
    await run_queue(app)
    async with database.reading() as session:
        stored = (await session.exec(select(Post).where(col(Post.author_id) == alice.id))).one()
    return stored


async def test_a_question_from_elsewhere_is_a_post_with_its_poll(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
) -> None:
    post = await question_from_alice(app, client, database, network, anna)
    assert "opruimactie" in post.content_html
    async with database.reading() as session:
        poll = await session.get(Poll, post.id)
        names = (
            await session.exec(
                select(PollOption.name)
                .where(col(PollOption.post_id) == post.id)
                .order_by(col(PollOption.position))
            )
        ).all()
    assert poll is not None and not poll.multiple and poll.voters_count == 5
    assert names == ["Zaterdagochtend", "Zondagmiddag", "Woensdagavond"]
    assert await counts(database, post) == ([3, 2, 0], 5)


async def test_an_update_of_the_counts_is_no_edit_and_an_edit_keeps_its_poll(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
) -> None:
    post = await question_from_alice(app, client, database, network, anna)
    response = await deliver(client, ALICE, fixture("update_question"))
    assert response.status_code == 202
    await run_queue(app)
    assert await counts(database, post) == ([4, 3, 0], 7)
    async with database.reading() as session:
        stored = await session.get(Post, post.id)
        poll = await session.get(Poll, post.id)
        assert (await session.exec(select(PostEdit))).first() is None
    assert stored is not None and stored.edited_at is None
    assert poll is not None and polls_ended(poll)
    edited = fixture("update_question")
    edited["id"] += "-2"
    edited["object"]["content"] = "<p>Wanneer ruimen we op? (verzet)</p>"
    edited["object"]["oneOf"][0]["replies"]["totalItems"] = 5
    assert (await deliver(client, ALICE, edited)).status_code == 202
    await run_queue(app)
    async with database.reading() as session:
        stored = await session.get(Post, post.id)
        assert len((await session.exec(select(PostEdit))).all()) == 1
    assert stored is not None and "(verzet)" in stored.content_html
    assert await counts(database, post) == ([5, 3, 0], 7)


def polls_ended(poll: Poll) -> bool:
    return poll.ends_at.isoformat().startswith("2026-12-04T08:00")


async def test_a_resident_votes_in_a_poll_from_elsewhere_once(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
) -> None:
    post = await question_from_alice(app, client, database, network, anna)
    async with database.transaction() as session:
        await session.exec(  # the recorded poll ended long ago; this one is still open
            update(Poll)
            .where(col(Poll.post_id) == post.id)
            .values(ends_at=utcnow().replace(year=2099))
        )
    first, second, _ = await option_ids(database, post)
    await cast(database, anna, post, second)
    assert await counts(database, post) == ([3, 3, 0], 6)  # counted here until Alice says more
    await run_queue(app)
    [vote] = [posted for posted in network.posted if posted.body["type"] == "Create"]
    assert vote.url == "https://mastodon.example/inbox"
    note = vote.body["object"]
    assert note == {
        "id": f"{BASE_URL}/users/anna#votes/{post.id}-{second}",
        "type": "Note",
        "name": "Zondagmiddag",
        "attributedTo": f"{BASE_URL}/users/anna",
        "inReplyTo": post.uri,
        "to": [ALICE.id],
    }
    assert vote.body["to"] == [ALICE.id] and "content" not in note
    with pytest.raises(InvalidInput) as again:
        await cast(database, anna, post, first)
    assert again.value.errors == {"vote": "poll_vote_final"}


async def test_the_end_of_a_poll_from_elsewhere_tells_the_voters_here(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna: Account,
) -> None:
    post = await question_from_alice(app, client, database, network, anna)
    async with database.transaction() as session:
        await session.exec(
            update(Poll)
            .where(col(Poll.post_id) == post.id)
            .values(ends_at=utcnow().replace(year=2099))
        )
    await cast(database, anna, post, (await option_ids(database, post))[0])
    await run_queue(app)
    sent = len(network.posted)
    await end_now(database, post)
    async with database.transaction() as session:
        await poll_ends.end_polls(session)
    await run_queue(app)
    assert len(network.posted) == sent  # its own server tells the others
    async with database.reading() as session:
        told = (
            await session.exec(
                select(Notification).where(col(Notification.kind) == NotificationKind.POLL_ENDED)
            )
        ).all()
    assert [(n.recipient_id, n.post_id) for n in told] == [(anna.id, post.id)]
