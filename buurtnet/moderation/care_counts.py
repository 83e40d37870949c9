"""The only thing about care signals that may leave the director's view: how many there are per
neighbourhood, counted in SQL and shown under the disclosure rule (`core.disclosure`)."""

from dataclasses import dataclass

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import disclosure
from buurtnet.core.errors import NotAllowed
from buurtnet.core.permissions import Roles
from buurtnet.models import CareSignal, Neighbourhood
from buurtnet.moderation.care_signals import is_director


@dataclass(frozen=True)
class CareCounts:
    """Counts of one neighbourhood's signals as they may be shown; None reads "< k"."""

    neighbourhood: Neighbourhood
    open: int | None
    closed: int | None
    total: int | None
    threshold: int


async def counts_for_director(
    session: AsyncSession, roles: Roles, k: int = disclosure.DEFAULT_THRESHOLD
) -> list[CareCounts]:
    """Per neighbourhood this person directs (each one, also without signals): open, closed and
    all signals still kept, each below the threshold hidden and above it rounded to five."""
    if not is_director(roles):
        raise NotAllowed
    directed = sorted(roles.directs)
    is_open = col(CareSignal.closed_at).is_(None)
    found = await session.exec(
        select(
            CareSignal.neighbourhood_id,
            func.sum(case((is_open, 1), else_=0)),
            func.count(),
        )
        .where(col(CareSignal.neighbourhood_id).in_(directed))
        .group_by(col(CareSignal.neighbourhood_id))
    )
    tallies = {neighbourhood_id: (int(open_), total) for neighbourhood_id, open_, total in found}
    neighbourhoods = await session.exec(
        select(Neighbourhood)
        .where(col(Neighbourhood.id).in_(directed))
        .order_by(col(Neighbourhood.name))
    )
    shown = []
    for neighbourhood in neighbourhoods.all():
        assert neighbourhood.id is not None
        open_count, total = tallies.get(neighbourhood.id, (0, 0))
        shown.append(
            CareCounts(
                neighbourhood,
                open=disclosure.suppress(open_count, k),
                closed=disclosure.suppress(total - open_count, k),
                total=disclosure.suppress(total, k),
                threshold=disclosure.threshold(k),
            )
        )
    return shown
