"""New-build neighbourhoods (seed 004): people who will live there meet before the keys are
handed over. Until that date its residents are future residents (toekomstige bewoners); on that
date they become residents like everyone else, by themselves: nothing is stored about it.

A future resident is a resident in every other way: they join with an invite code from the
neighbourhood's director, read, post, vote and sign up for the first meet-ups.
"""

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import permissions
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.models import Account, Neighbourhood

HANDOVER_INVALID = "handover_invalid"
EARLIEST = date(2000, 1, 1)
LATEST_YEARS_AHEAD = 15


def awaits_handover(neighbourhood: Neighbourhood | None, today: date) -> bool:
    """Whether a neighbourhood's keys are still to be handed over."""
    return (
        neighbourhood is not None
        and neighbourhood.new_build
        and neighbourhood.handover_on is not None
        and today < neighbourhood.handover_on
    )


def is_future_resident(account: Account, neighbourhood: Neighbourhood | None, today: date) -> bool:
    """A resident here of a neighbourhood whose keys are still to be handed over."""
    return (
        account.domain is None
        and neighbourhood is not None
        and account.neighbourhood_id == neighbourhood.id
        and awaits_handover(neighbourhood, today)
    )


def handover_problem(handover_on: date | None, today: date) -> str | None:
    if handover_on is None:
        return None
    if not EARLIEST <= handover_on <= date(today.year + LATEST_YEARS_AHEAD, 12, 31):
        return HANDOVER_INVALID
    return None


async def set_handover(
    session: AsyncSession,
    actor: Account,
    neighbourhood_id: int,
    handover_on: date | None,
    today: date,
) -> Neighbourhood:
    """Mark a neighbourhood as new-build with the date of its key hand-over (None: it is not,
    or no longer, a new-build neighbourhood). For its director, or an admin."""
    roles = await permissions.roles_of(session, actor)
    if not permissions.can_manage_invites(roles, neighbourhood_id):
        raise NotAllowed
    if problem := handover_problem(handover_on, today):
        raise InvalidInput.single("handover_on", problem)
    neighbourhood = await session.get(Neighbourhood, neighbourhood_id, with_for_update=True)
    if neighbourhood is None:
        raise NotFound(neighbourhood_id)
    neighbourhood.new_build = handover_on is not None
    neighbourhood.handover_on = handover_on
    return neighbourhood
