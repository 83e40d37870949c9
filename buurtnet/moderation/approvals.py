"""Approving sign-ups, when the instance lets anyone sign up and a moderator decides; each
decision goes into the audit log."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import welcome
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.core.permissions import Roles, can_moderate, moderated
from buurtnet.models import Account, AccountStatus, ActionKind, Neighbourhood
from buurtnet.moderation import audit


async def pending_sign_ups(
    session: AsyncSession, roles: Roles
) -> list[tuple[Account, Neighbourhood | None]]:
    """The sign-ups this moderator may decide on, oldest first."""
    query = (
        select(Account, Neighbourhood)
        .join(Neighbourhood, col(Neighbourhood.id) == Account.neighbourhood_id, isouter=True)
        .where(
            Account.status == AccountStatus.PENDING,
            moderated(roles, col(Account.neighbourhood_id)),
        )
        .order_by(col(Account.id))
    )
    return [(account, neighbourhood) for account, neighbourhood in (await session.exec(query))]


async def pending_sign_up(
    session: AsyncSession, roles: Roles, account_id: int
) -> tuple[Account, Neighbourhood | None]:
    """One sign-up this moderator may decide on, to ask "are you sure?" before refusing it."""
    account = await _decidable(session, roles, account_id)
    if account.neighbourhood_id is None:
        return account, None
    return account, await session.get(Neighbourhood, account.neighbourhood_id)


async def approve_sign_up(
    session: AsyncSession, moderator: Account, roles: Roles, account_id: int
) -> Account:
    """Let the person in: from now on they can log in, and their neighbours hear of them."""
    account = await _decidable(session, roles, account_id)
    account.status = AccountStatus.ACTIVE
    await _log(session, ActionKind.APPROVE_SIGN_UP, moderator, account)
    await welcome.announce_newcomer(session, account)
    return account


async def refuse_sign_up(
    session: AsyncSession, moderator: Account, roles: Roles, account_id: int
) -> None:
    """Delete the pending account: it has no content yet, and its username and e-mail address
    become free again, for a new sign-up or for someone else."""
    account = await _decidable(session, roles, account_id)
    await _log(session, ActionKind.REFUSE_SIGN_UP, moderator, account)
    await session.delete(account)


async def _log(
    session: AsyncSession, kind: ActionKind, moderator: Account, account: Account
) -> None:
    # The name too: a refused account is deleted, and the entry's link to it with it.
    await audit.record(
        session,
        kind,
        moderator,
        target_account_id=account.id,
        neighbourhood_id=account.neighbourhood_id,
        reason=account.username,
    )


async def _decidable(session: AsyncSession, roles: Roles, account_id: int) -> Account:
    account = await session.get(Account, account_id)
    if account is None or account.status != AccountStatus.PENDING:
        raise NotFound(str(account_id))
    if not can_moderate(roles, account.neighbourhood_id):
        raise NotAllowed
    return account
