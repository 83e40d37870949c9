"""Official voices: the duty an author holds where they write, shown as a badge by their name.

A post's badge is the duty (director, moderator) its author holds in the post's own
neighbourhood: a moderator of Vogelwijk who answers in Bomenbuurt writes there as a neighbour.
Instance admins carry no badge: running the server is not a duty in a neighbourhood, and an
admin's posts are a resident's posts unless an admin gives them a duty there too.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.models import Account, Duty, Neighbourhood, Post, RoleGrant

# The order badges are shown in when someone holds both duties.
BADGE_ORDER = (Duty.DIRECTOR, Duty.MODERATOR)

Duties = tuple[Duty, ...]


@dataclass(frozen=True)
class HeldDuty:
    """A duty someone holds, and where: what their profile says about them."""

    duty: Duty
    neighbourhood: Neighbourhood


def in_order(duties: Iterable[str]) -> Duties:
    held = set(duties)
    return tuple(duty for duty in BADGE_ORDER if duty in held)


async def duties_of_authors(session: AsyncSession, posts: Sequence[Post]) -> dict[int, Duties]:
    """By post id: the duties each author holds in the post's neighbourhood, in one statement
    for all of them (none when no post has a neighbourhood). Posts without any are left out."""
    authors = {post.author_id for post in posts if post.neighbourhood_id is not None}
    places = {post.neighbourhood_id for post in posts if post.neighbourhood_id is not None}
    if not authors:
        return {}
    found = await session.exec(
        _GRANTS_OF_AUTHORS, params={"authors": sorted(authors), "places": sorted(places)}
    )
    held: dict[tuple[int, int], set[str]] = defaultdict(set)
    for account_id, neighbourhood_id, duty in found.all():
        held[account_id, neighbourhood_id].add(duty)
    badges = {
        post.id: in_order(held[post.author_id, post.neighbourhood_id])
        for post in posts
        if post.id is not None and post.neighbourhood_id is not None
    }
    return {post_id: duties for post_id, duties in badges.items() if duties}


# Every grant of these authors in these neighbourhoods: a few rows more than the pairs asked
# for at most, and one statement that the database plans once.
_GRANTS_OF_AUTHORS = select(RoleGrant.account_id, RoleGrant.neighbourhood_id, RoleGrant.duty).where(
    col(RoleGrant.account_id).in_(bindparam("authors", expanding=True)),
    col(RoleGrant.neighbourhood_id).in_(bindparam("places", expanding=True)),
)


async def duties_held(session: AsyncSession, account: Account) -> list[HeldDuty]:
    """Every duty someone holds, directors' first, then by neighbourhood name."""
    if account.id is None or account.is_remote:
        return []
    found = await session.exec(
        select(RoleGrant.duty, Neighbourhood)
        .join(Neighbourhood, col(Neighbourhood.id) == col(RoleGrant.neighbourhood_id))
        .where(col(RoleGrant.account_id) == account.id)
        .order_by(col(Neighbourhood.name))
    )
    held = [HeldDuty(Duty(duty), place) for duty, place in found.all()]
    return sorted(held, key=lambda entry: BADGE_ORDER.index(entry.duty))
