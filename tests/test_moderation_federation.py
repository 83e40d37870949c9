"""What other servers hear of moderation: a removed post is deleted there, a post marked
sensitive updated, a suspended person's actor says so, and a limited person's posts are not
passed on by the neighbourhood's group. And what the worker does later: suspensions end, and
the evidence of removals is purged after its time, unless an appeal waits."""

from datetime import timedelta

import httpx
from sqlmodel import select

from buurtnet.db import Database
from buurtnet.federation.context import Federation
from buurtnet.models import (
    Account,
    AccountStatus,
    Appeal,
    BlockSeverity,
    Neighbourhood,
    NeighbourhoodFollower,
    Post,
    Visibility,
    utcnow,
)
from buurtnet.moderation import actions, domain_blocks, upkeep
from tests.conftest import write_post
from tests.kit.federation import worker_for
from tests.kit.network import FakeNetwork
from tests.moderation_kit import moderator
from tests.test_outbox import federation, follows, network, remote, sent  # noqa: F401

REASON = actions.Measure("Dit is reclame.", "spam")


async def test_a_removed_post_is_deleted_elsewhere_and_a_sensitive_one_updated(
    database: Database,
    federation: Federation,  # noqa: F811
    network: FakeNetwork,  # noqa: F811
    resident: Account,
    neighbourhood: Neighbourhood,
) -> None:
    fan = await remote(network, federation, "fan")
    await follows(database, fan, resident)
    removed = await write_post(database, resident, "Koop nu", visibility=Visibility.PUBLIC)
    folded = await write_post(database, resident, "Een foto", visibility=Visibility.PUBLIC)
    await worker_for(federation).run_until_empty()
    network.posted.clear()
    mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.transaction() as session:
        await actions.remove_post(session, mila, roles, removed.id or 0, REASON)
        await actions.mark_sensitive(session, mila, roles, folded.id or 0, REASON)
    await worker_for(federation).run_until_empty()
    [(_, delete)] = sent(network, "Delete")
    assert delete["object"]["id"].endswith(f"/statuses/{removed.id}")
    [(_, update)] = sent(network, "Update")
    assert update["object"]["sensitive"] is True
    async with database.reading() as session:
        kept = await session.get(Post, removed.id)
    assert kept is not None and kept.moderation == "removed"  # the evidence stays


async def test_a_suspended_persons_actor_says_so_and_their_followers_hear_it(
    database: Database,
    federation: Federation,  # noqa: F811
    network: FakeNetwork,  # noqa: F811
    client: httpx.AsyncClient,
    resident: Account,
    neighbourhood: Neighbourhood,
) -> None:
    fan = await remote(network, federation, "fan")
    await follows(database, fan, resident)
    mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.transaction() as session:
        await actions.suspend(session, mila, roles, resident.id or 0, REASON, None)
    await worker_for(federation).run_until_empty()
    [(_, update)] = sent(network, "Update")
    assert update["object"]["suspended"] is True
    assert "icon" not in update["object"]
    served = await client.get("/users/anna", headers={"Accept": "application/activity+json"})
    assert served.status_code == 200 and served.json()["suspended"] is True


async def test_a_limited_persons_posts_are_not_passed_on_by_the_group(
    database: Database,
    federation: Federation,  # noqa: F811
    network: FakeNetwork,  # noqa: F811
    resident: Account,
    neighbourhood: Neighbourhood,
) -> None:
    lemmy = await remote(network, federation, "lemmy", "lemmy.example")
    async with database.transaction() as session:
        session.add(
            NeighbourhoodFollower(
                neighbourhood_id=neighbourhood.id or 0,
                account_id=lemmy.id or 0,
                uri="f",
                accepted=True,
            )
        )
    mila, roles = await moderator(database, "mila", neighbourhood)
    async with database.transaction() as session:
        await actions.limit(session, mila, roles, resident.id or 0, REASON)
    await write_post(database, resident, "Koop nu", visibility=Visibility.PUBLIC)
    await worker_for(federation).run_until_empty()
    assert sent(network, "Announce") == []


async def test_suspensions_end_by_themselves_and_evidence_is_purged_unless_appealed(
    database: Database, resident: Account, neighbour: Account, neighbourhood: Neighbourhood
) -> None:
    mila, roles = await moderator(database, "mila", neighbourhood)
    first = await write_post(database, resident, "Eerste", visibility=Visibility.PUBLIC)
    second = await write_post(database, resident, "Tweede", visibility=Visibility.PUBLIC)
    async with database.transaction() as session:
        until = utcnow() + timedelta(days=1)
        await actions.limit(session, mila, roles, neighbour.id or 0, REASON)
        await actions.suspend(session, mila, roles, neighbour.id or 0, REASON, until)
        await actions.remove_post(session, mila, roles, first.id or 0, REASON)
        appealed = await actions.remove_post(session, mila, roles, second.id or 0, REASON)
        session.add(Appeal(action_id=appealed.id or 0, account_id=resident.id or 0, text="Nee"))
    later = utcnow() + upkeep.EVIDENCE_KEPT + timedelta(days=2)
    async with database.transaction() as session:
        assert await actions.end_suspensions(session, utcnow()) == 0
        assert await actions.end_suspensions(session, until + timedelta(minutes=1)) == 1
        assert await upkeep.purge_evidence(session, utcnow()) == 0
        assert await upkeep.purge_evidence(session, later) == 1
    async with database.reading() as session:
        back = await session.get(Account, neighbour.id)
        left = set((await session.exec(select(Post.id))).all())
    assert back is not None and back.status == AccountStatus.ACTIVE
    assert back.suspended_until is None
    assert back.limited, "the end of a suspension leaves a limit"
    assert left == {second.id}


async def test_lifting_a_measure_leaves_what_a_block_of_the_server_does(
    database: Database,
    federation: Federation,  # noqa: F811
    network: FakeNetwork,  # noqa: F811
    resident: Account,
    neighbourhood: Neighbourhood,
) -> None:
    shouter = await remote(network, federation, "shouter", "loud.example")
    admin, roles = await moderator(database, "beheer", None, admin=True)
    async with database.transaction() as session:
        terms = domain_blocks.BlockTerms("loud.example", severity=BlockSeverity.SILENCE)
        await domain_blocks.set_block(session, admin, terms)
        await actions.suspend(session, admin, roles, shouter.id or 0, REASON, None)
        await actions.lift_measures(session, admin, roles, shouter.id or 0, REASON)
    async with database.reading() as session:
        after = await session.get(Account, shouter.id)
    assert after is not None and after.status == AccountStatus.ACTIVE
    assert after.limited, "the server is still silenced"
