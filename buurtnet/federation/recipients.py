"""Whose inboxes an activity goes to: people elsewhere, each by their server's shared inbox when
it has one (one request per server, however many of its people follow), else their own.

Accounts whose domain is suspended or unavailable are left out here already, and deleted
accounts too; `delivery` checks the domains again when it sends, as that may be days later.
"""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.audience import Audience
from buurtnet.core.remote_accounts import shut_domains
from buurtnet.models import (
    Account,
    AccountStatus,
    Follow,
    NeighbourhoodFollower,
)

INBOX = func.coalesce(col(Account.shared_inbox_url), col(Account.inbox_url))


async def _inboxes(session: AsyncSession, *conditions: ColumnElement[bool]) -> set[str]:
    """The inboxes of the accounts elsewhere that meet the conditions and are still there, on
    servers we deliver to (`remote_accounts.shut_domains`)."""
    found = await session.exec(
        select(INBOX, Account.domain).where(
            col(Account.domain).is_not(None),
            col(Account.status) != AccountStatus.DELETED,
            INBOX.is_not(None),
            *conditions,
        )
    )
    rows = [(inbox, domain) for inbox, domain in found.all() if inbox and domain]
    shut = await shut_domains(session, {domain for _inbox, domain in rows})
    return {inbox for inbox, domain in rows if domain not in shut}


async def follower_inboxes(session: AsyncSession, account_id: int) -> set[str]:
    """The inboxes of someone's followers elsewhere."""
    followers = select(Follow.follower_id).where(Follow.followed_id == account_id)
    return await _inboxes(session, col(Account.id).in_(followers))


async def account_inboxes(session: AsyncSession, account_ids: Sequence[int]) -> set[str]:
    """The inboxes of these accounts, those that are elsewhere."""
    if not account_ids:
        return set()
    return await _inboxes(session, col(Account.id).in_(account_ids))


async def audience_inboxes(session: AsyncSession, audience: Audience) -> set[str]:
    """Where a post (or its edit, or its deletion) goes: to the people elsewhere it names, and to
    the author's followers elsewhere unless it is direct. Its group passes it on by itself."""
    if not audience.leaves_the_instance:
        return set()
    inboxes = await account_inboxes(session, audience.named_ids)
    if audience.for_followers:
        inboxes |= await follower_inboxes(session, audience.author_id)
    return inboxes


async def group_inboxes(session: AsyncSession, neighbourhood_id: int) -> set[str]:
    """The inboxes of a neighbourhood's accepted followers elsewhere."""
    followers = select(NeighbourhoodFollower.account_id).where(
        NeighbourhoodFollower.neighbourhood_id == neighbourhood_id,
        col(NeighbourhoodFollower.accepted),
    )
    return await _inboxes(session, col(Account.id).in_(followers))
