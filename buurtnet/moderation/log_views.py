"""Reading the moderation logs for pages: who may read a neighbourhood's public log, whom an
admin's filter by name means, and the names that audit entries point to."""

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import names, permissions
from buurtnet.core.permissions import Roles
from buurtnet.models import Account, ModerationAction


def may_read_public_log(account: Account, roles: Roles, neighbourhood_id: int) -> bool:
    """A neighbourhood's residents, its moderators and directors, and admins."""
    return (
        account.neighbourhood_id == neighbourhood_id
        or permissions.can_moderate(roles, neighbourhood_id)
        or permissions.can_direct(roles, neighbourhood_id)
    )


async def account_id_by_handle(session: AsyncSession, handle: str) -> int | None:
    """The account a handle names (`anna`, `@anna`, `bob@elders.example`), here or elsewhere."""
    key = names.name_key(handle.strip().removeprefix("@"))
    if not key or not names.may_be_stored(key):
        return None
    found = await session.exec(select(Account.id).where(col(Account.username_key) == key))
    return found.first()


async def handles_of(session: AsyncSession, entries: Sequence[ModerationAction]) -> dict[int, str]:
    """The handles of the people the entries are about, by account id, in one query."""
    wanted = {e.target_account_id for e in entries if e.target_account_id is not None}
    if not wanted:
        return {}
    found = await session.exec(select(Account).where(col(Account.id).in_(sorted(wanted))))
    return {account.id: account.handle for account in found.all() if account.id is not None}
