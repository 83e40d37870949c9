"""Polls between buurtnet and Fedify, an independent ActivityPub server, on loopback: Fedify gets
our Question, votes in it as Mastodon votes, and gets the Update with the new count; a resident
votes in Fedify's poll, and Fedify's Update brings its counts here. Both sides then agree."""

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from buurtnet.core import poll_news, polls
from buurtnet.models import Account, Job, Poll, Post, Visibility, utcnow
from tests.conftest import csrf_token, write_post
from tests.federation.fedify import FedifyPeer, ReceivedActivity
from tests.federation.instances import (
    Instance,
    logged_in,
    post_by_uri,
)
from tests.federation.test_with_fedify import followed_by_fedify
from tests.kit.waiting import wait_until


async def counts_here(buurtnet: Instance, post_id: int) -> tuple[list[int], int]:
    async with buurtnet.database.reading() as session:
        options = await polls.options_of(session, post_id)
        poll = await session.get(Poll, post_id)
        assert poll is not None
        return [option.votes for option in options], poll.voters_count


def answer_counts(question: dict[str, Any]) -> dict[str, int]:
    answers = question.get("oneOf") or question.get("anyOf") or []
    return {answer["name"]: answer["replies"]["totalItems"] for answer in answers}


async def test_fedify_votes_in_our_poll_and_hears_the_new_count(
    buurtnet: Instance, peer: FedifyPeer, anna: Account
) -> None:
    anna_url = buurtnet.actor_url("anna")
    await followed_by_fedify(buurtnet, peer, anna_url)
    draft = polls.PollDraft(("Zaterdag", "Zondag", "Maandag"), duration=timedelta(days=1))
    post = await write_post(
        buurtnet.database, anna, "Wanneer ruimen we op?", visibility=Visibility.PUBLIC, poll=draft
    )
    question_url = buurtnet.post_url("anna", post)
    create = await peer.wait_for("Create", object_id=question_url)
    assert create["objectType"] == "Question"
    assert answer_counts(create["raw"]["object"]) == {"Zaterdag": 0, "Zondag": 0, "Maandag": 0}

    [vote] = await peer.vote(question_url, ["Zondag"])
    assert vote["delivered"], vote["error"]

    async def counted() -> bool:
        return await counts_here(buurtnet, post.id or 0) == ([0, 1, 0], 1)

    await wait_until(counted)
    async with buurtnet.database.reading() as session:
        assert await post_by_uri(buurtnet, vote["id"]) is None  # a vote, not a post
        assert (await session.get(Post, post.id)) is not None
    # The Update waits a few minutes after a vote, to carry the votes that follow: not here.
    async with buurtnet.database.transaction() as session:
        await session.exec(
            update(Job).where(col(Job.name) == poll_news.COUNTS_CHANGED).values(run_after=utcnow())
        )
    changed: ReceivedActivity = await peer.wait_for("Update", object_id=question_url)
    assert changed["actor"] == anna_url
    sent_counts = answer_counts(changed["raw"]["object"])
    assert sent_counts == {"Zaterdag": 0, "Zondag": 1, "Maandag": 0}
    assert changed["raw"]["object"]["votersCount"] == 1
    # Fedify reads the Question as we serve it now (signed: not from the cache it keeps of
    # unsigned fetches): the same counts on both sides.
    seen = await peer.lookup(question_url, signed=True)  # not from its cache
    assert seen["found"] and seen["type"] == "Question" and seen["json"] is not None
    assert answer_counts(seen["json"]) == sent_counts
    assert list(sent_counts.values()) == (await counts_here(buurtnet, post.id or 0))[0]


async def test_a_resident_votes_in_a_fedify_poll_and_its_update_brings_the_counts(
    buurtnet: Instance, peer: FedifyPeer, anna: Account
) -> None:
    anna_url = buurtnet.actor_url("anna")
    asked = await peer.question(
        [anna_url], "<p>Koffie of thee bij de borrel?</p>", ["Koffie", "Thee"]
    )
    assert asked["delivered"], asked["error"]
    question_url = asked["question"]
    stored = await wait_until(lambda: post_by_uri(buurtnet, question_url))
    assert stored.id is not None
    assert await counts_here(buurtnet, stored.id) == ([0, 0], 0)
    await peer.tally(question_url, "Koffie", 3)  # three of alice's neighbours, at her server

    async with logged_in(buurtnet, "anna") as browser:
        page = await browser.get(f"/posts/{stored.id}")
        assert page.status_code == 200 and "Koffie" in page.text
        async with buurtnet.database.reading() as session:
            tea = (await polls.options_of(session, stored.id))[1]
        token = await csrf_token(browser, f"/posts/{stored.id}")
        voted = await browser.post(
            f"/posts/{stored.id}/vote", data={"csrf_token": token, "option": str(tea.id)}
        )
        assert voted.status_code == 303

    async def vote_arrived() -> ReceivedActivity | None:
        for heard in await peer.received():
            if heard["type"] == "Create" and heard["actor"] == anna_url:
                return heard
        return None

    heard = await wait_until(vote_arrived)
    note = heard["raw"]["object"]
    assert (note["type"], note["name"], note["inReplyTo"]) == ("Note", "Thee", question_url)
    assert heard["signature"] is not None and heard["signature"]["spec"] == "draft-cavage"
    at_fedify = await peer.poll_counts(question_url)
    assert at_fedify == {"counts": {"Koffie": 3, "Thee": 1}, "voters": 4}

    async def brought_here() -> bool:  # Fedify's Update overrules what we counted ourselves
        return await counts_here(buurtnet, stored.id or 0) == ([3, 1], 4)

    await wait_until(brought_here)
    async with buurtnet.database.reading() as session:
        post = await session.get(Post, stored.id)
    assert post is not None and post.edited_at is None  # new counts are no edit
