"""Who counts as a member of a neighbourhood, and a member leaving it: kept as a count for the
liveability figures (members who left, and members at the end of earlier periods), never as a
person (docs/liveability.md, "Indicators")."""

from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.local_times import local_day
from buurtnet.models import Account, AccountStatus, NeighbourhoodDeparture, utcnow

# A member: a local account of the neighbourhood that has been let in. Suspended people still
# live there; pending and refused sign-ups never were members.
MEMBER_STATUSES = (AccountStatus.ACTIVE, AccountStatus.SUSPENDED)


def was_member(account: Account) -> bool:
    return (
        account.domain is None
        and account.neighbourhood_id is not None
        and account.status in MEMBER_STATUSES
    )


def record(session: AsyncSession, account: Account, zone: ZoneInfo) -> None:
    """Count that this account leaves its neighbourhood today (on `zone`'s calendar, the
    instance's), if it was a member; called before the account loses its neighbourhood. The day
    it joined is kept too, so that rebuilt figures of earlier periods count it only where it was
    a member."""
    if was_member(account):
        assert account.neighbourhood_id is not None
        departure = NeighbourhoodDeparture(
            neighbourhood_id=account.neighbourhood_id,
            joined_on=local_day(account.created_at, zone),
            left_on=local_day(utcnow(), zone),
        )
        session.add(departure)
