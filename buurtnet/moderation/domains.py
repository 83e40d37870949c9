"""Suspending a whole server: nothing it sends is taken in, nothing is sent to it, and the follows
between its people and ours end (so that nothing keeps flowing either way). Lifting it lets new
follows start; old ones do not come back by themselves."""

from sqlalchemy import delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import remote_accounts
from buurtnet.core.remote_accounts import domain_of
from buurtnet.db import insert_new
from buurtnet.models import (
    BlockSeverity,
    DomainBlock,
    Follow,
    FollowRequest,
    NeighbourhoodFollower,
)


def clean_domain(domain: str) -> str:
    """The server's name as accounts carry it, however it was typed (a URL, a trailing dot)."""
    text = domain.strip()
    return domain_of(text if "://" in text else f"https://{text}")


async def suspend(session: AsyncSession, domain: str) -> None:
    name = clean_domain(domain)
    await insert_new(session, DomainBlock, [{"domain": name}], unique=["domain"])
    stored = await session.get(DomainBlock, name, populate_existing=True)
    assert stored is not None
    stored.severity = BlockSeverity.SUSPEND
    # Its subdomains too, and the server on any port (`remote_accounts.covers`).
    people = await remote_accounts.accounts_covered(session, name)
    for table in (Follow, FollowRequest):
        await session.exec(
            delete(table).where(
                or_(col(table.follower_id).in_(people), col(table.followed_id).in_(people))
            )
        )
    await session.exec(
        delete(NeighbourhoodFollower).where(col(NeighbourhoodFollower.account_id).in_(people))
    )


async def lift_suspension(session: AsyncSession, domain: str) -> bool:
    """False when the server was not suspended."""
    stored = await session.get(DomainBlock, clean_domain(domain))
    if stored is None or stored.severity != BlockSeverity.SUSPEND:
        return False
    await session.delete(stored)
    return True


async def suspended_domains(session: AsyncSession) -> list[str]:
    found = await session.exec(
        select(DomainBlock.domain)
        .where(col(DomainBlock.severity) == BlockSeverity.SUSPEND)
        .order_by(DomainBlock.domain)
    )
    return list(found.all())
