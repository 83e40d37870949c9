"""Who may manage what. Admins act everywhere; moderators and directors hold their duty per
neighbourhood (`RoleGrant`), one person possibly in several. `Roles` is what someone holds, read
once per request with their login; every check here takes it, so that no page decides alone."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, false, true
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.db import insert_new
from buurtnet.models import Account, Duty, Post, Role, RoleGrant


@dataclass(frozen=True)
class Roles:
    account_id: int | None = None  # whose roles: nobody judges themselves
    admin: bool = False
    moderates: frozenset[int] = frozenset()  # neighbourhood ids
    directs: frozenset[int] = frozenset()

    @property
    def any_duty(self) -> bool:
        return self.admin or bool(self.moderates or self.directs)


NO_ROLES = Roles()


async def roles_of(session: AsyncSession, account: Account | None) -> Roles:
    if account is None or account.id is None or account.is_remote:
        return NO_ROLES
    found = await session.exec(
        select(RoleGrant.neighbourhood_id, RoleGrant.duty).where(
            col(RoleGrant.account_id) == account.id
        )
    )
    grants = list(found.all())
    return Roles(
        account_id=account.id,
        admin=account.role == Role.ADMIN,
        moderates=frozenset(n for n, duty in grants if duty == Duty.MODERATOR),
        directs=frozenset(n for n, duty in grants if duty == Duty.DIRECTOR),
    )


async def grant(session: AsyncSession, account_id: int, neighbourhood_id: int, duty: Duty) -> bool:
    """Give a duty; False when it was held already."""
    added = await insert_new(
        session,
        RoleGrant,
        [{"account_id": account_id, "neighbourhood_id": neighbourhood_id, "duty": duty.value}],
        unique=["account_id", "neighbourhood_id", "duty"],
    )
    return bool(added)


async def revoke(session: AsyncSession, account_id: int, neighbourhood_id: int, duty: Duty) -> bool:
    """Take a duty back; False when it was not held."""
    result = await session.exec(
        delete(RoleGrant).where(
            col(RoleGrant.account_id) == account_id,
            col(RoleGrant.neighbourhood_id) == neighbourhood_id,
            col(RoleGrant.duty) == duty,
        )
    )
    return bool(result.rowcount)


def moderation_scope(roles: Roles) -> frozenset[int] | None:
    """The neighbourhoods someone moderates: None for all of them (an admin). The one rule that
    `can_moderate` and `moderated` apply."""
    return None if roles.admin else roles.moderates


def can_moderate(roles: Roles, neighbourhood_id: int | None) -> bool:
    """Moderators act in their own neighbourhoods; for what has none (someone elsewhere, not
    reported by a resident), only admins."""
    scope = moderation_scope(roles)
    return scope is None or (neighbourhood_id is not None and neighbourhood_id in scope)


def moderated(
    roles: Roles, neighbourhood_id: Mapped[int] | Mapped[int | None]
) -> ColumnElement[bool]:
    """`can_moderate`, as a condition on a column that holds a neighbourhood's id."""
    scope = moderation_scope(roles)
    if scope is None:
        return true()
    return col(neighbourhood_id).in_(sorted(scope)) if scope else false()


def is_moderator(roles: Roles) -> bool:
    """Moderators (of any neighbourhood) and admins see the moderation pages."""
    return roles.admin or bool(roles.moderates)


def can_direct(roles: Roles, neighbourhood_id: int) -> bool:
    """The neighbourhood's director: invite codes, and the care signals that only they read.

    Admins hand out invite codes everywhere (`can_manage_invites`) but never read care signals."""
    return neighbourhood_id in roles.directs


def can_manage_invites(roles: Roles, neighbourhood_id: int) -> bool:
    return roles.admin or can_direct(roles, neighbourhood_id)


def can_pin(roles: Roles, post: Post) -> bool:
    """A neighbourhood's director (or an admin) pins their own post there as an announcement:
    never someone else's, which would put words in the neighbourhood's mouth."""
    place = post.neighbourhood_id
    own = roles.account_id is not None and post.author_id == roles.account_id
    return own and place is not None and (roles.admin or can_direct(roles, place))


def can_unpin(roles: Roles, post: Post) -> bool:
    """Its author takes a pin down (also once their duty ended), and so do the neighbourhood's
    directors and admins: a full row of announcements must not wait for its dates."""
    place = post.neighbourhood_id
    own = roles.account_id is not None and post.author_id == roles.account_id
    return own or roles.admin or (place is not None and can_direct(roles, place))


def is_admin(roles: Roles) -> bool:
    return roles.admin
