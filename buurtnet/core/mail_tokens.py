"""Single-use links sent by e-mail: to confirm an address, or to set a new password.

The mail holds a random token; the table keeps only its SHA-256 (as logins do), so a copy of
the database opens no link. A link is used in one UPDATE that also checks it is unused and not
expired, so two clicks at once cannot both use it. Used and expired links are removed by the
housekeeping job (`purge_spent`).
"""

import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.login_sessions import hash_token
from buurtnet.models import Account, AccountStatus, MailToken, MailTokenPurpose, utcnow

TOKEN_BYTES = 32
# Whose mailed links do something: not a deleted or refused account (nothing is left to confirm
# or to log in to); a suspended one does, to read the decision and appeal (`password_reset`).
MAY_USE_LINKS = (AccountStatus.ACTIVE, AccountStatus.PENDING, AccountStatus.SUSPENDED)
# `secrets.token_urlsafe(32)`: 43 characters of the URL-safe base64 alphabet. Anything else is
# not one of ours, and is refused before the database is asked.
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def may_use_links(account: Account) -> bool:
    """Whether a link mailed to this account may confirm its address or set its password."""
    return account.domain is None and account.status in MAY_USE_LINKS


async def issue(
    session: AsyncSession,
    account_id: int,
    purpose: MailTokenPurpose,
    email: str,
    lifetime: timedelta,
) -> str:
    """A new link for `email`, returned once to be put in the mail."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    session.add(
        MailToken(
            token_hash=hash_token(token),
            account_id=account_id,
            purpose=purpose,
            email=email,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    await session.flush()
    return token


async def find_usable(
    session: AsyncSession, token: str, purpose: MailTokenPurpose
) -> MailToken | None:
    """The unused, unexpired link of this purpose, without using it: for the page that shows
    the button (a mail scanner that opens the link uses nothing)."""
    if not TOKEN.fullmatch(token):
        return None
    query = select(MailToken).where(
        col(MailToken.token_hash) == hash_token(token),
        col(MailToken.purpose) == purpose,
        col(MailToken.used_at).is_(None),
        col(MailToken.expires_at) > utcnow(),
    )
    return (await session.exec(query)).first()


async def redeem(session: AsyncSession, token: str, purpose: MailTokenPurpose) -> MailToken | None:
    """Use the link: it is marked used in the same statement that checks it is still usable.
    None for a link that is unknown, of another purpose, used or expired."""
    if not TOKEN.fullmatch(token):
        return None
    token_hash = hash_token(token)
    now = utcnow()
    claim = (
        update(MailToken)
        .where(
            col(MailToken.token_hash) == token_hash,
            col(MailToken.purpose) == purpose,
            col(MailToken.used_at).is_(None),
            col(MailToken.expires_at) > now,
        )
        .values(used_at=now)
    )
    if (await session.exec(claim)).rowcount != 1:
        return None
    used = (await session.exec(select(MailToken).where(MailToken.token_hash == token_hash))).one()
    await session.refresh(used)
    return used


async def void(session: AsyncSession, account_id: int, *purposes: MailTokenPurpose) -> None:
    """Make the account's unused links of these purposes stop working."""
    await session.exec(
        delete(MailToken).where(
            col(MailToken.account_id) == account_id,
            col(MailToken.purpose).in_(purposes),
            col(MailToken.used_at).is_(None),
        )
    )


async def pending_change(session: AsyncSession, account_id: int, current: str) -> MailToken | None:
    """The newest usable confirmation for an address other than the current one: a change of
    address that waits for its link."""
    query = (
        select(MailToken)
        .where(
            col(MailToken.account_id) == account_id,
            col(MailToken.purpose) == MailTokenPurpose.CONFIRM,
            col(MailToken.email) != current,
            col(MailToken.used_at).is_(None),
            col(MailToken.expires_at) > utcnow(),
        )
        .order_by(col(MailToken.id).desc())
    )
    return (await session.exec(query)).first()


async def purge_spent(session: AsyncSession) -> None:
    """Remove links that were used or have expired; they can never open anything again."""
    await session.exec(
        delete(MailToken).where(
            or_(col(MailToken.used_at).is_not(None), col(MailToken.expires_at) <= utcnow())
        )
    )
