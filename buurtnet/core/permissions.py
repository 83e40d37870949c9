"""Who may manage what: directors and moderators their own neighbourhood, admins all of them."""

from buurtnet.models import Account, Role


def can_manage_invites(account: Account, neighbourhood_id: int) -> bool:
    """Directors hand out invite codes for their own neighbourhood only."""
    if account.role == Role.ADMIN:
        return True
    return account.role == Role.DIRECTOR and account.neighbourhood_id == neighbourhood_id


def can_moderate(account: Account, neighbourhood_id: int | None) -> bool:
    """Moderators act in their own neighbourhood only; without one (on either side) only admins.

    Otherwise a moderator without a neighbourhood would "match" everyone without one.
    """
    if account.role == Role.ADMIN:
        return True
    return (
        account.role == Role.MODERATOR
        and neighbourhood_id is not None
        and account.neighbourhood_id == neighbourhood_id
    )


def reviews_sign_ups(account: Account) -> bool:
    """Moderators (and admins) see the sign-ups waiting for approval."""
    return account.role in (Role.MODERATOR, Role.ADMIN)


def is_admin(account: Account) -> bool:
    return account.role == Role.ADMIN
