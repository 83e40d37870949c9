"""Neighbourhoods and their members."""

from datetime import date

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import names, new_build
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.text import clean_line
from buurtnet.models import Account, AccountStatus, Neighbourhood, utcnow

NAME_LENGTH = 100
DESCRIPTION_LENGTH = 2000


async def create_neighbourhood(
    session: AsyncSession,
    slug: str,
    name: str,
    description: str = "",
    *,
    handover_on: date | None = None,
) -> Neighbourhood:
    """A new neighbourhood; with `handover_on`, a new-build one (`new_build`)."""
    slug = slug.strip().lower()
    name = clean_line(name, NAME_LENGTH)
    errors: dict[str, str] = {}
    if problem := names.slug_problem(slug):
        errors["slug"] = problem
    elif await names.name_is_taken(session, slug):
        errors["slug"] = "slug_taken"
    if not name:
        errors["name"] = "name_missing"
    if problem := new_build.handover_problem(handover_on, utcnow().date()):
        errors["handover_on"] = problem
    if errors:
        raise InvalidInput(errors)
    neighbourhood = Neighbourhood(
        slug=slug,
        name=name,
        description=description.strip()[:DESCRIPTION_LENGTH],
        new_build=handover_on is not None,
        handover_on=handover_on,
    )
    session.add(neighbourhood)
    await session.flush()
    return neighbourhood


async def get_by_slug(session: AsyncSession, slug: str) -> Neighbourhood:
    """A neighbourhood by its slug (any case); NotFound, also for what no slug can be."""
    if not names.may_be_stored(slug):
        raise NotFound(slug)
    query = select(Neighbourhood).where(Neighbourhood.slug == slug.lower())
    neighbourhood = (await session.exec(query)).first()
    if neighbourhood is None:
        raise NotFound(slug)
    return neighbourhood


async def list_all(session: AsyncSession) -> list[Neighbourhood]:
    return list((await session.exec(select(Neighbourhood).order_by(Neighbourhood.name))).all())


def _is_member_of(neighbourhood_id: int) -> ColumnElement[bool]:
    return and_(
        col(Account.neighbourhood_id) == neighbourhood_id,
        col(Account.status) == AccountStatus.ACTIVE,
    )


async def newest_members(
    session: AsyncSession, neighbourhood_id: int, limit: int = 12
) -> list[Account]:
    query = (
        select(Account)
        .where(_is_member_of(neighbourhood_id))
        .order_by(col(Account.id).desc())
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def member_ids(session: AsyncSession, neighbourhood_id: int) -> list[int]:
    """The ids of the neighbourhood's active members."""
    query = select(col(Account.id)).where(_is_member_of(neighbourhood_id))
    found = await session.exec(query.order_by(col(Account.id)))
    return [account_id for account_id in found.all() if account_id is not None]


async def member_count(session: AsyncSession, neighbourhood_id: int) -> int:
    query = select(func.count()).where(_is_member_of(neighbourhood_id))
    return (await session.exec(query)).one()
