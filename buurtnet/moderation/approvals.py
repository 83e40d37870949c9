"""Approving sign-ups, when the instance lets anyone sign up and a moderator decides."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.core.permissions import can_moderate, is_admin
from buurtnet.models import Account, AccountStatus, Neighbourhood


async def pending_sign_ups(
    session: AsyncSession, moderator: Account
) -> list[tuple[Account, Neighbourhood | None]]:
    """The sign-ups this moderator may decide on, oldest first."""
    query = (
        select(Account, Neighbourhood)
        .join(Neighbourhood, col(Neighbourhood.id) == Account.neighbourhood_id, isouter=True)
        .where(Account.status == AccountStatus.PENDING)
        .order_by(col(Account.id))
    )
    if not is_admin(moderator):
        query = query.where(Account.neighbourhood_id == moderator.neighbourhood_id)
    return [(account, neighbourhood) for account, neighbourhood in (await session.exec(query))]


async def decide_sign_up(
    session: AsyncSession, moderator: Account, account_id: int, *, approve: bool
) -> Account:
    account = await session.get(Account, account_id)
    if account is None or account.status != AccountStatus.PENDING:
        raise NotFound(str(account_id))
    if not can_moderate(moderator, account.neighbourhood_id):
        raise NotAllowed
    account.status = AccountStatus.ACTIVE if approve else AccountStatus.REJECTED
    return account
