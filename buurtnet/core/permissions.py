"""Who may manage what: directors and moderators their own neighbourhood, admins all of them."""

from buurtnet.models import Account, Role


def can_manage_invites(account: Account, neighbourhood_id: int) -> bool:
    if account.role == Role.ADMIN:
        return True
    return account.role == Role.DIRECTOR and account.neighbourhood_id == neighbourhood_id


def can_moderate(account: Account, neighbourhood_id: int | None) -> bool:
    if account.role == Role.ADMIN:
        return True
    return account.role == Role.MODERATOR and account.neighbourhood_id == neighbourhood_id


def is_admin(account: Account) -> bool:
    return account.role == Role.ADMIN
