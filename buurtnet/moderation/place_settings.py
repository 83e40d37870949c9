"""Setting the streets or housing complexes of a neighbourhood that residents choose from on
the welcome page: by whoever may set its figures (an admin, or the neighbourhood's director).

A change goes into the audit log as a changed setting. Residents keep the place they chose when
it leaves the list (a street renamed): the list is what is offered, not a check on the past.
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import places
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.core.permissions import Roles
from buurtnet.models import Account, ActionKind, Neighbourhood
from buurtnet.moderation import audit
from buurtnet.moderation.figure_settings import may_set


async def set_places(
    session: AsyncSession, actor: Account, roles: Roles, neighbourhood_id: int, typed: str
) -> Neighbourhood:
    """Save the list as typed, one place per line (empty: no list, the question is not asked);
    `InvalidInput` for too many or too long ones."""
    if not may_set(roles, neighbourhood_id):
        raise NotAllowed
    checked = places.checked_list(typed)
    neighbourhood = await session.get(Neighbourhood, neighbourhood_id, with_for_update=True)
    if neighbourhood is None:
        raise NotFound(neighbourhood_id)
    if neighbourhood.places == checked:
        return neighbourhood  # nothing changed, nothing to log
    neighbourhood.places = checked
    reason = f"places={len(places.listed(checked))}"
    await audit.record(
        session, ActionKind.CHANGE_SETTING, actor, neighbourhood_id=neighbourhood_id, reason=reason
    )
    return neighbourhood
