"""The worker's tidying removes expired logins and old rate-limit counts, and nothing else."""

from datetime import timedelta

from sqlmodel import select

from buurtnet.core import housekeeping, login_sessions, ratelimit
from buurtnet.db import Database
from buurtnet.models import Account, LoginSession, RateLimitHit, ReceivedActivity, utcnow


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


async def test_tidy_forgets_activity_ids_after_a_fortnight(database: Database) -> None:
    async with database.transaction() as session:
        old = utcnow() - housekeeping.RECEIVED_ACTIVITIES_KEPT - timedelta(minutes=1)
        session.add(ReceivedActivity(uri="https://a.example/old", received_at=old))
        session.add(ReceivedActivity(uri="https://a.example/new"))
    async with database.transaction() as session:
        await housekeeping.tidy(session)
    async with database.reading() as session:
        kept = (await session.exec(select(ReceivedActivity.uri))).all()
    assert kept == ["https://a.example/new"]
