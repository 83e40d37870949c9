"""Suspending a server ends the follows with its people, both ways."""

from sqlmodel import select

from buurtnet.db import Database
from buurtnet.models import Account, Follow, FollowRequest, Neighbourhood, NeighbourhoodFollower
from buurtnet.moderation import domains


async def test_suspending_ends_every_follow_with_that_server(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    async with database.transaction() as session:
        spam = Account(username="x", username_key="x@spam.example", domain="spam.example")
        other = Account(username="y", username_key="y@ok.example", domain="ok.example")
        session.add_all([spam, other])
        await session.flush()
        assert spam.id and other.id and resident.id and neighbourhood.id
        session.add_all(
            [
                Follow(follower_id=spam.id, followed_id=resident.id),
                Follow(follower_id=other.id, followed_id=resident.id),
                FollowRequest(follower_id=resident.id, followed_id=spam.id, uri="urn:x"),
                NeighbourhoodFollower(
                    neighbourhood_id=neighbourhood.id, account_id=spam.id, uri="u"
                ),
            ]
        )
    async with database.transaction() as session:
        await domains.suspend(session, "SPAM.example")
    async with database.reading() as session:
        follows = (await session.exec(select(Follow.follower_id))).all()
        requests = (await session.exec(select(FollowRequest))).all()
        group = (await session.exec(select(NeighbourhoodFollower))).all()
        listed = await domains.suspended_domains(session)
    assert follows == [other.id]
    assert requests == [] and group == []
    assert listed == ["spam.example"]
