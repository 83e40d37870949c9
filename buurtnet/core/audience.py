"""Who a post is for, beyond who may see it here: one answer, that both its delivery and the
document served at its URL follow, and the Delete too once the post is gone (from the facts kept
in its job, as the post and its mentions go with it).

- A public or unlisted post is for everyone; it is delivered to the author's followers, and a
  public one written in a neighbourhood is also passed on by the neighbourhood's group
  (FEP-1b12), to the group's followers.
- A followers-only post goes to the author's followers.
- A direct post goes only to the people it names.
- A post for the neighbourhood goes nowhere: it never leaves the instance.

Everyone a post names (or answers) is addressed, here or elsewhere.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, or_
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.models import Account, Follow, Mention, NeighbourhoodFollower, Post, Visibility

TO_FOLLOWERS = (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.FOLLOWERS)


@dataclass(frozen=True)
class Audience:
    visibility: Visibility
    author_id: int
    named_ids: tuple[int, ...]  # the people it names or answers
    # Where it was written; None when its author is limited: no group passes their posts on.
    neighbourhood_id: int | None

    @property
    def leaves_the_instance(self) -> bool:
        return self.visibility != Visibility.NEIGHBOURHOOD

    @property
    def for_followers(self) -> bool:
        return self.visibility in TO_FOLLOWERS

    @property
    def group_id(self) -> int | None:
        """The neighbourhood whose group passes the post on to its followers, if any."""
        return self.neighbourhood_id if self.visibility == Visibility.PUBLIC else None

    def payload(self) -> dict[str, Any]:
        """As plain values, for a job."""
        return {
            "visibility": self.visibility.value,
            "author_id": self.author_id,
            "named_ids": list(self.named_ids),
            "neighbourhood_id": self.neighbourhood_id,
        }

    @classmethod
    def from_payload(cls, payload: Any) -> "Audience":
        """The audience a job holds; ValueError when it is not one."""
        if not isinstance(payload, dict):
            raise ValueError("an audience must be an object")
        named, place = payload.get("named_ids"), payload.get("neighbourhood_id")
        if not isinstance(named, list) or not all(_is_id(item) for item in named):
            raise ValueError("named_ids must be a list of ids")
        if not _is_id(payload.get("author_id")) or not (place is None or _is_id(place)):
            raise ValueError("author_id and neighbourhood_id must be ids")
        visibility = Visibility(str(payload.get("visibility")))
        return cls(visibility, payload["author_id"], tuple(named), place)


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def audience_of(post: Post, author: Account, named: Iterable[Account]) -> Audience:
    assert post.id is not None
    ids = sorted({account.id for account in named if account.id is not None})
    place = None if author.limited else post.neighbourhood_id
    return Audience(Visibility(post.visibility), post.author_id, tuple(ids), place)


async def audience_for(session: AsyncSession, post: Post) -> Audience:
    """The audience of a post as stored now (its author and mentions read afresh)."""
    author = await session.get(Account, post.author_id)
    assert author is not None
    named = await session.exec(select(Account).join(Mention).where(Mention.post_id == post.id))
    return audience_of(post, author, named.all())


async def reaches_elsewhere(session: AsyncSession, audience: Audience) -> bool:
    """Whether anyone elsewhere is in the audience: someone it names, a follower of its author
    (unless it is direct), or a follower of the group that passes it on."""
    if not audience.leaves_the_instance:
        return False
    conditions: list[ColumnElement[bool]] = []
    if audience.named_ids:
        named = col(Account.id).in_(audience.named_ids)
        conditions.append(exists().where(named, col(Account.domain).is_not(None)))
    if audience.for_followers:
        conditions.append(followed_from_elsewhere(audience.author_id))
    if audience.group_id is not None:
        conditions.append(
            exists().where(
                col(NeighbourhoodFollower.neighbourhood_id) == audience.group_id,
                col(NeighbourhoodFollower.accepted),
            )
        )
    if not conditions:
        return False
    return bool((await session.exec(select(or_(*conditions)))).one())


def elsewhere(account_id: Mapped[int] | int) -> ColumnElement[bool]:
    return exists().where(col(Account.id) == account_id, col(Account.domain).is_not(None))


def followed_from_elsewhere(account_id: int | None) -> ColumnElement[bool]:
    return exists().where(col(Follow.followed_id) == account_id, elsewhere(col(Follow.follower_id)))
