"""Admins appoint moderators and directors per neighbourhood, and take the duty back.

`core/permissions` keeps the grants and the checks; this is the admin's decision around them:
who may decide, whom a duty can go to (someone with an active account here), and the audit log.
Instance admins are made on the command line only (`buurtnet user create --role admin`)."""

from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import names, neighbourhoods, permissions, pins
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.core.permissions import Roles
from buurtnet.models import (
    Account,
    AccountStatus,
    ActionKind,
    Duty,
    Neighbourhood,
    RoleGrant,
)
from buurtnet.moderation import audit

# Whoever runs `buurtnet` on the server holds it: the command line acts as an admin.
COMMAND_LINE = Roles(admin=True)


@dataclass(frozen=True)
class Appointment:
    """Who, where and which duty, as an admin fills it in (None: not chosen, or not valid)."""

    username: str
    neighbourhood_id: int | None
    duty: Duty | None


@dataclass
class NeighbourhoodDuties:
    """A neighbourhood with the people who hold each duty in it, ordered by username."""

    neighbourhood: Neighbourhood
    moderators: list[Account] = field(default_factory=list)
    directors: list[Account] = field(default_factory=list)


def duty_named(value: str) -> Duty | None:
    return Duty(value) if value in set(Duty) else None


async def appoint(
    session: AsyncSession, admin: Account | None, roles: Roles, wanted: Appointment
) -> bool:
    """Give the duty to someone with an active account here; False when they held it already
    (nothing is logged then). `admin` is None for the command line."""
    return await _change(session, admin, roles, wanted, giving=True)


async def take_back(
    session: AsyncSession, admin: Account | None, roles: Roles, wanted: Appointment
) -> bool:
    """End the duty, whatever the state of the account now; False when it was not held."""
    return await _change(session, admin, roles, wanted, giving=False)


async def duties_by_neighbourhood(session: AsyncSession) -> list[NeighbourhoodDuties]:
    """Every neighbourhood (by name) with its moderators and directors (by username)."""
    listed = [NeighbourhoodDuties(found) for found in await neighbourhoods.list_all(session)]
    by_id = {entry.neighbourhood.id: entry for entry in listed}
    query = (
        select(RoleGrant.neighbourhood_id, RoleGrant.duty, Account)
        .join(Account, col(Account.id) == RoleGrant.account_id)
        .order_by(col(Account.username_key))
    )
    for neighbourhood_id, duty, account in await session.exec(query):
        entry = by_id[neighbourhood_id]
        (entry.moderators if duty == Duty.MODERATOR else entry.directors).append(account)
    return listed


async def _checked(
    session: AsyncSession, roles: Roles, wanted: Appointment, *, active_only: bool
) -> tuple[Account, int, Duty]:
    """The person, neighbourhood and duty of the appointment, or every problem at once."""
    if not permissions.is_admin(roles):
        raise NotAllowed
    errors: dict[str, str] = {}
    person: Account | None = None
    if problem := _username_problem(wanted.username):
        errors["username"] = problem
    else:
        person = await _local_account(session, wanted.username)
        if problem := _person_problem(person, active_only=active_only):
            errors["username"] = problem
    neighbourhood_id = wanted.neighbourhood_id
    if neighbourhood_id is None or await session.get(Neighbourhood, neighbourhood_id) is None:
        errors["neighbourhood"] = "role_neighbourhood_missing"
    if wanted.duty is None:
        errors["duty"] = "role_duty_missing"
    if errors:
        raise InvalidInput(errors)
    assert person is not None and neighbourhood_id is not None and wanted.duty is not None
    return person, neighbourhood_id, wanted.duty


def _username_problem(username: str) -> str | None:
    if not username.strip():
        return "role_username_missing"
    if "@" in username.strip().removeprefix("@"):
        return "role_person_elsewhere"
    return None


async def _local_account(session: AsyncSession, username: str) -> Account | None:
    username = username.strip().removeprefix("@")
    if not names.may_be_stored(username):
        return None
    query = select(Account).where(
        col(Account.username_key) == names.name_key(username), col(Account.domain).is_(None)
    )
    return (await session.exec(query)).first()


def _person_problem(person: Account | None, *, active_only: bool) -> str | None:
    if person is None:
        return "role_person_unknown"
    if active_only and person.status != AccountStatus.ACTIVE:
        return "role_person_not_active"
    return None


async def _change(
    session: AsyncSession, admin: Account | None, roles: Roles, wanted: Appointment, *, giving: bool
) -> bool:
    person, neighbourhood_id, duty = await _checked(session, roles, wanted, active_only=giving)
    assert person.id is not None
    change = permissions.grant if giving else permissions.revoke
    if not await change(session, person.id, neighbourhood_id, duty):
        return False
    if not giving and duty == Duty.DIRECTOR:  # their announcements were the duty's voice
        await pins.unpin_all_of(session, person.id, neighbourhood_id)
    await audit.record(
        session,
        ActionKind.GRANT_ROLE if giving else ActionKind.REVOKE_ROLE,
        admin,
        target_account_id=person.id,
        neighbourhood_id=neighbourhood_id,
        reason=duty.value,
    )
    return True
