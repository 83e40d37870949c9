"""What a neighbourhood's week holds for its digest (`digests`): the candidates, read once per
neighbourhood, before each resident's view of them is applied.

What its page lists (public and neighbourhood posts that start a conversation,
`feeds.ON_NEIGHBOURHOOD_PAGE`), published, written in the week: open questions for help,
offers, and the posts with the most replies; the activities of the coming two weeks that are not
cancelled; and the active residents who joined in the week. Twice as many of each as a digest
shows, so that a resident who may not see some still gets a full part.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import feeds, help_requests
from buurtnet.core.excerpts import excerpt
from buurtnet.models import Account, AccountStatus, Event, Post, PostKind

AHEAD = timedelta(days=14)  # the activities coming up
SHOWN = 5  # at most, per part of the digest
CANDIDATES = 2 * SHOWN  # per part, before each resident's view leaves some out


@dataclass(frozen=True)
class Week:
    """The days a digest tells of: up to its send moment (what happens after it, while the
    digests go out, is next week's news)."""

    start: datetime
    end: datetime

    def holds(self, moment: Mapped[datetime]) -> ColumnElement[bool]:
        return and_(moment >= self.start, moment < self.end)


@dataclass(frozen=True)
class Item:
    """A post in the digest: who wrote it and its first line (`excerpts`)."""

    post: Post
    author: Account
    text: str


@dataclass(frozen=True)
class Activity:
    post: Post
    event: Event


@dataclass(frozen=True)
class News:
    """A neighbourhood's week: its candidates, or in a `Digest` what one resident may see."""

    newcomers: list[Account] = field(default_factory=list)
    help_asked: list[Item] = field(default_factory=list)
    help_offered: list[Item] = field(default_factory=list)
    most_replied: list[Item] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        parts = (self.newcomers, self.help_asked, self.help_offered, self.most_replied)
        return not any(parts) and not self.activities

    def post_ids(self) -> list[int]:
        posts = [item.post for item in (*self.help_asked, *self.help_offered, *self.most_replied)]
        posts += [activity.post for activity in self.activities]
        return sorted({post.id for post in posts if post.id is not None})


async def neighbourhood_news(
    session: AsyncSession, neighbourhood_id: int, week: Week, *, now: datetime
) -> News:
    """The week's candidates: what the neighbourhood's page lists (public and neighbourhood
    posts that start a conversation), published, written in the week; the activities of the
    coming two weeks; and the residents who joined in the week."""
    listed = and_(
        col(Post.neighbourhood_id) == neighbourhood_id,
        col(Post.in_reply_to_id).is_(None),
        feeds.ON_NEIGHBOURHOOD_PAGE,
        col(Post.moderation).is_(None),
    )
    recent = and_(listed, week.holds(col(Post.created_at)))
    newest = col(Post.id).desc()
    asked = await _items(session, and_(recent, help_requests.still_open()), newest)
    offered = await _items(session, and_(recent, col(Post.kind) == PostKind.OFFER), newest)
    talked = and_(recent, col(Post.reply_count) > 0)
    most_replied = await _items(session, talked, col(Post.reply_count).desc(), newest)
    return News(
        newcomers=await _newcomers(session, neighbourhood_id, week),
        help_asked=asked,
        help_offered=offered,
        most_replied=most_replied,
        activities=await _activities(session, listed, now),
    )


async def _items(
    session: AsyncSession, condition: ColumnElement[bool], *order: UnaryExpression[Any]
) -> list[Item]:
    query = (
        select(Post, Account)
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(condition)
        .order_by(*order)
        .limit(CANDIDATES)
    )
    return [Item(post, author, excerpt(post)) for post, author in (await session.exec(query)).all()]


async def _activities(
    session: AsyncSession, listed: ColumnElement[bool], now: datetime
) -> list[Activity]:
    query = (
        select(Post, Event)
        .join(Event, col(Event.post_id) == col(Post.id))
        .where(
            listed,
            col(Post.kind) == PostKind.EVENT,
            col(Event.starts_at) > now,
            col(Event.starts_at) <= now + AHEAD,
            col(Event.cancelled_at).is_(None),
        )
        .order_by(col(Event.starts_at), col(Post.id))
        .limit(CANDIDATES)
    )
    return [Activity(post, event) for post, event in (await session.exec(query)).all()]


async def _newcomers(session: AsyncSession, neighbourhood_id: int, week: Week) -> list[Account]:
    query = (
        select(Account)
        .where(
            col(Account.neighbourhood_id) == neighbourhood_id,
            col(Account.domain).is_(None),
            col(Account.status) == AccountStatus.ACTIVE,
            week.holds(col(Account.created_at)),
        )
        .order_by(col(Account.id))
        .limit(CANDIDATES)
    )
    return list((await session.exec(query)).all())
