"""Setting a neighbourhood's CBS buurt code and number of homes: typed in by an admin (any
neighbourhood) or its director, or imported from a CBS file (admins and the command line).

Every change goes into the audit log as a changed setting: the number of homes decides the
share of households reached that partners read, so who changed it, and when, must be known.
The rules for the values are `core/neighbourhood_figures`; reading the file is `core/cbs_import`.
"""

from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import neighbourhood_figures, permissions
from buurtnet.core.cbs_import import ReadFile
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.core.permissions import Roles
from buurtnet.models import Account, ActionKind, Neighbourhood
from buurtnet.moderation import audit


def may_set(roles: Roles, neighbourhood_id: int) -> bool:
    """Admins for every neighbourhood, a director for their own."""
    return permissions.is_admin(roles) or permissions.can_direct(roles, neighbourhood_id)


async def set_figures(
    session: AsyncSession,
    actor: Account,
    roles: Roles,
    neighbourhood_id: int,
    cbs_code: str,
    homes: str,
) -> Neighbourhood:
    """Save the code and number as typed (empty clears them); `InvalidInput` when wrong."""
    if not may_set(roles, neighbourhood_id):
        raise NotAllowed
    figures = neighbourhood_figures.checked(cbs_code, homes)
    neighbourhood = await session.get(Neighbourhood, neighbourhood_id, with_for_update=True)
    if neighbourhood is None:
        raise NotFound(neighbourhood_id)
    if (neighbourhood.cbs_code, neighbourhood.homes) == (figures.cbs_code, figures.homes):
        return neighbourhood  # nothing changed, nothing to log
    neighbourhood.cbs_code = figures.cbs_code
    neighbourhood.homes = figures.homes
    reason = f"cbs_code={figures.cbs_code or ''}, homes={figures.homes or ''}"
    await audit.record(
        session, ActionKind.CHANGE_SETTING, actor, neighbourhood_id=neighbourhood_id, reason=reason
    )
    return neighbourhood


@dataclass(frozen=True)
class Change:
    name: str
    cbs_code: str
    before: int | None
    after: int


@dataclass
class ImportReport:
    """What an import did to the neighbourhoods that carry a CBS code."""

    updated: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # names: the file gives the same number
    unknown: list[str] = field(default_factory=list)  # the file has the buurt, without homes
    refused: list[Change] = field(default_factory=list)  # a number out of range (0 homes)
    missing: list[str] = field(default_factory=list)  # the file does not have the buurt


async def import_homes(
    session: AsyncSession, actor: Account | None, read: ReadFile
) -> ImportReport:
    """Give each neighbourhood with a CBS code the number of homes the file has for it, all in
    the caller's transaction. `actor` None: the command line."""
    report = ImportReport()
    query = (
        select(Neighbourhood)
        .where(col(Neighbourhood.cbs_code).is_not(None))
        .order_by(col(Neighbourhood.name), col(Neighbourhood.id))
        .with_for_update()
    )
    for neighbourhood in (await session.exec(query)).all():
        code = neighbourhood.cbs_code or ""
        homes = read.homes.get(code)
        if homes is None:
            (report.unknown if code in read.unknown else report.missing).append(neighbourhood.name)
            continue
        change = Change(neighbourhood.name, code, neighbourhood.homes, homes)
        if not neighbourhood_figures.homes_in_range(homes):
            report.refused.append(change)
        elif homes == neighbourhood.homes:
            report.unchanged.append(neighbourhood.name)
        else:
            neighbourhood.homes = homes
            report.updated.append(change)
            await audit.record(
                session,
                ActionKind.CHANGE_SETTING,
                actor,
                neighbourhood_id=neighbourhood.id,
                reason=f"homes={homes} (CBS import, {code})",
            )
    return report
