"""Server-side logins: they survive a restart, and logging out (or a new password) ends them."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, exists
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import notifications
from buurtnet.models import Account, AccountStatus, LoginSession, Neighbourhood, RoleGrant, utcnow

LIFETIME = timedelta(days=30)
REFRESH_AFTER = timedelta(hours=12)  # extend a session at most this often, not on every request


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(session: AsyncSession, account: Account) -> str:
    """Create a login and return the token for the cookie; only its hash is stored."""
    assert account.id is not None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        LoginSession(
            token_hash=hash_token(token),
            account_id=account.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + LIFETIME,
        )
    )
    return token


@dataclass(frozen=True)
class LiveLogin:
    login: LoginSession
    account: Account
    neighbourhood: Neighbourhood | None  # the account's own, which the start page shows
    unread_notifications: int  # for the count in the menu of every page
    has_duties: bool  # holds a duty in some neighbourhood: `permissions.roles_of` tells which


# Built once: every request of a logged-in person starts with this look-up.
_LIVE_LOGIN = (
    select(
        LoginSession,
        Account,
        Neighbourhood,
        notifications.unread_count_of(col(Account.id), col(Account.neighbourhood_id)),
    )
    .add_columns(exists().where(col(RoleGrant.account_id) == col(Account.id)).correlate(Account))
    .join(Account, col(Account.id) == col(LoginSession.account_id))
    .outerjoin(Neighbourhood, col(Neighbourhood.id) == col(Account.neighbourhood_id))
    .where(
        col(LoginSession.token_hash) == bindparam("token_hash"),
        col(LoginSession.expires_at) > bindparam("now"),
        col(Account.status) == AccountStatus.ACTIVE,
    )
)


async def find_login(session: AsyncSession, token: str) -> LiveLogin | None:
    """The live login and its active account for a cookie token, if any."""
    parameters = {"token_hash": hash_token(token), "now": utcnow()}
    row = (await session.exec(_LIVE_LOGIN, params=parameters)).first()  # type: ignore[call-overload]
    return None if row is None else LiveLogin(*row)


def needs_refresh(login: LoginSession) -> bool:
    return utcnow() - login.last_seen_at > REFRESH_AFTER


async def refresh(session: AsyncSession, login_id: int) -> None:
    stored = await session.get(LoginSession, login_id)
    if stored is not None:
        stored.last_seen_at = utcnow()
        stored.expires_at = stored.last_seen_at + LIFETIME


async def end_session(session: AsyncSession, token: str) -> None:
    await session.exec(
        delete(LoginSession).where(col(LoginSession.token_hash) == hash_token(token))
    )


async def end_all_sessions(session: AsyncSession, account_id: int) -> None:
    """Every login of the account ends: a password set by a reset link."""
    await session.exec(delete(LoginSession).where(col(LoginSession.account_id) == account_id))


async def end_other_sessions(session: AsyncSession, account_id: int, keep_token: str) -> None:
    await session.exec(
        delete(LoginSession).where(
            col(LoginSession.account_id) == account_id,
            col(LoginSession.token_hash) != hash_token(keep_token),
        )
    )


async def purge_expired(session: AsyncSession) -> None:
    await session.exec(delete(LoginSession).where(col(LoginSession.expires_at) <= utcnow()))
