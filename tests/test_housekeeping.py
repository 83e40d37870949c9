"""The worker's tidying removes expired logins and old rate-limit counts, and nothing else."""

from datetime import timedelta

from sqlmodel import select

from buurtnet.core import housekeeping, login_sessions, ratelimit
from buurtnet.db import Database
from buurtnet.federation import arrivals
from buurtnet.models import (
    Account,
    DeferredActivity,
    LoginSession,
    RateLimitHit,
    ReceivedActivity,
    utcnow,
)


async def test_tidy_removes_only_what_expired(database: Database, resident: Account) -> None:
    async with database.transaction() as session:
        await login_sessions.start_session(session, resident)
        await login_sessions.start_session(session, resident)
        session.add(RateLimitHit(key=ratelimit.rate_key("old"), at=utcnow() - timedelta(days=2)))
        session.add(RateLimitHit(key=ratelimit.rate_key("new")))
    async with database.transaction() as session:
        expired = (await session.exec(select(LoginSession))).first()
        assert expired is not None
        expired.expires_at = utcnow() - timedelta(seconds=1)
    async with database.transaction() as session:
        await housekeeping.tidy(session)
    async with database.reading() as session:
        assert len((await session.exec(select(LoginSession))).all()) == 1
        hits = (await session.exec(select(RateLimitHit))).all()
    assert [hit.key for hit in hits] == [ratelimit.rate_key("new")]


async def test_federation_forgets_activity_ids_after_a_fortnight(database: Database) -> None:
    async with database.transaction() as session:
        old = utcnow() - arrivals.RECEIVED_ACTIVITIES_KEPT - timedelta(minutes=1)
        session.add(ReceivedActivity(uri="https://a.example/old", received_at=old))
        session.add(ReceivedActivity(uri="https://a.example/new"))
        long_ago = utcnow() - arrivals.DEFERRED_ACTIVITIES_KEPT - timedelta(minutes=1)
        for uri, at in (("https://a.example/old", long_ago), ("https://a.example/new", old)):
            document = '{"type": "Move"}'
            session.add(
                DeferredActivity(
                    uri=uri, type="Move", actor_uri=uri, document=document, received_at=at
                )
            )
    async with database.transaction() as session:
        await arrivals.forget_old(session)
    async with database.reading() as session:
        kept = (await session.exec(select(ReceivedActivity.uri))).all()
        deferred = (await session.exec(select(DeferredActivity.uri))).all()
    assert kept == deferred == ["https://a.example/new"]
