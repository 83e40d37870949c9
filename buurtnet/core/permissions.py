"""Who may manage what: directors and moderators their own neighbourhood, admins all of them."""

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Mapped
from sqlmodel import col

from buurtnet.models import Account, Role


def can_manage_invites(account: Account, neighbourhood_id: int) -> bool:
    """Directors hand out invite codes for their own neighbourhood only."""
    if account.role == Role.ADMIN:
        return True
    return account.role == Role.DIRECTOR and account.neighbourhood_id == neighbourhood_id


def moderation_scope(account: Account) -> frozenset[int] | None:
    """The neighbourhoods someone moderates: None for all of them (an admin), their own for a
    moderator, none for anyone else. The one rule that `can_moderate` and `moderated` apply."""
    if account.role == Role.ADMIN:
        return None
    if account.role == Role.MODERATOR and account.neighbourhood_id is not None:
        return frozenset({account.neighbourhood_id})
    return frozenset()


def can_moderate(account: Account, neighbourhood_id: int | None) -> bool:
    """Moderators act in their own neighbourhood only; without one (on either side) only admins.

    Otherwise a moderator without a neighbourhood would "match" everyone without one.
    """
    scope = moderation_scope(account)
    return scope is None or (neighbourhood_id is not None and neighbourhood_id in scope)


def moderated(
    account: Account, neighbourhood_id: Mapped[int] | Mapped[int | None]
) -> ColumnElement[bool]:
    """`can_moderate`, as a condition on a column that holds a neighbourhood's id."""
    scope = moderation_scope(account)
    return true() if scope is None else col(neighbourhood_id).in_(sorted(scope))


def reviews_sign_ups(account: Account) -> bool:
    """Moderators (and admins) see the sign-ups waiting for approval."""
    return account.role in (Role.MODERATOR, Role.ADMIN)


def is_admin(account: Account) -> bool:
    return account.role == Role.ADMIN
