"""Invite codes: a director hands them out; each brings new residents into one neighbourhood."""

import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.models import Account, InviteCode, Neighbourhood, utcnow

DEFAULT_MAX_USES = 50
DEFAULT_VALID_DAYS = 30
MAX_USES_LIMIT = 1000
MAX_VALID_DAYS = 365
# Without look-alike characters (0/O, 1/I/L), so a code on paper can be typed over.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


async def create_invite(
    session: AsyncSession,
    neighbourhood: Neighbourhood,
    created_by: Account,
    *,
    max_uses: int = DEFAULT_MAX_USES,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> InviteCode:
    errors: dict[str, str] = {}
    if not 1 <= max_uses <= MAX_USES_LIMIT:
        errors["max_uses"] = "invite_uses_invalid"
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        errors["valid_days"] = "invite_days_invalid"
    if errors:
        raise InvalidInput(errors)
    assert neighbourhood.id is not None
    invite = InviteCode(
        code=new_code(),
        neighbourhood_id=neighbourhood.id,
        created_by_id=created_by.id,
        expires_at=utcnow() + timedelta(days=valid_days),
        max_uses=max_uses,
    )
    session.add(invite)
    await session.flush()
    return invite


async def list_invites(session: AsyncSession, neighbourhood_id: int) -> list[InviteCode]:
    query = (
        select(InviteCode)
        .where(InviteCode.neighbourhood_id == neighbourhood_id)
        .order_by(col(InviteCode.id).desc())
    )
    return list((await session.exec(query)).all())


def is_usable(invite: InviteCode) -> bool:
    return (
        invite.revoked_at is None
        and invite.expires_at > utcnow()
        and invite.use_count < invite.max_uses
    )


async def revoke_invite(session: AsyncSession, neighbourhood_id: int, invite_id: int) -> None:
    invite = await session.get(InviteCode, invite_id)
    if invite is None or invite.neighbourhood_id != neighbourhood_id:
        raise NotFound(str(invite_id))
    invite.revoked_at = invite.revoked_at or utcnow()


async def usable_invite(session: AsyncSession, code: str) -> InviteCode:
    """The invite for a code that can still be used, without claiming it (`use_invite` does that);
    raises InvalidInput with the same message codes as `use_invite`."""
    code = normalise_code(code)
    if not code:
        raise InvalidInput.single("invite_code", "invite_missing")
    invite = (await session.exec(select(InviteCode).where(InviteCode.code == code))).first()
    if invite is None or not is_usable(invite):
        raise InvalidInput.single("invite_code", "invite_unusable")
    return invite


async def use_invite(session: AsyncSession, code: str) -> InviteCode:
    """Count one use of a code, or raise InvalidInput when it cannot be used (any more).

    The update itself checks the limits, so two people using the last place cannot both get it.
    """
    code = normalise_code(code)
    if not code:
        raise InvalidInput.single("invite_code", "invite_missing")
    claim = (
        update(InviteCode)
        .where(
            col(InviteCode.code) == code,
            col(InviteCode.revoked_at).is_(None),
            col(InviteCode.expires_at) > utcnow(),
            col(InviteCode.use_count) < col(InviteCode.max_uses),
        )
        .values(use_count=col(InviteCode.use_count) + 1)
    )
    if (await session.exec(claim)).rowcount != 1:
        raise InvalidInput.single("invite_code", "invite_unusable")
    invite = (await session.exec(select(InviteCode).where(InviteCode.code == code))).one()
    await session.refresh(invite)
    return invite
