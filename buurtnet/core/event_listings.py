"""Where activities are listed: a neighbourhood's upcoming and past ones, a month of them, and
the next few at the top of the home and neighbourhood pages.

Only what the viewer may see (`visibility.visible_to`), and of that what a neighbourhood's page
lists (`feeds.ON_NEIGHBOURHOOD_PAGE`: public and neighbourhood activities of the neighbourhood;
not those of people the viewer muted). A cancelled activity stays listed, marked as cancelled.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import event_summaries, feeds, local_times, visibility
from buurtnet.core.errors import InvalidInput
from buurtnet.core.event_input import LONGEST
from buurtnet.core.event_summaries import EventView
from buurtnet.models import Account, Event, Post, PostKind, utcnow

UPCOMING_SHORT = 3  # on the home and neighbourhood pages
UPCOMING_LONG = 50
PAST = 20
MONTH_MOST = 300
MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
EARLIEST_YEAR = 2000
YEARS_AHEAD = 3


@dataclass(frozen=True)
class Listed:
    """An activity in a list: its post, its organiser and its details as the viewer sees them."""

    post: Post
    organiser: Account
    view: EventView


@dataclass(frozen=True)
class Month:
    first: date  # its first day

    @property
    def last(self) -> date:
        return self.next.first - timedelta(days=1)

    @property
    def previous(self) -> "Month":
        return Month((self.first - timedelta(days=1)).replace(day=1))

    @property
    def next(self) -> "Month":
        return Month((self.first + timedelta(days=32)).replace(day=1))

    @property
    def key(self) -> str:
        return f"{self.first.year:04d}-{self.first.month:02d}"


def parse_month(text: str, today: date) -> Month:
    """A month as `2026-12`, from 2000 up to a few years ahead."""
    found = MONTH.fullmatch(text.strip())
    if found is None:
        raise InvalidInput.single("month", "month_invalid")
    year, month = int(found.group(1)), int(found.group(2))
    if not (1 <= month <= 12 and EARLIEST_YEAR <= year <= today.year + YEARS_AHEAD):
        raise InvalidInput.single("month", "month_invalid")
    return Month(date(year, month, 1))


async def upcoming(
    session: AsyncSession,
    viewer: Account | None,
    neighbourhood_id: int | None,
    *,
    limit: int = UPCOMING_LONG,
    now: datetime | None = None,
) -> list[Listed]:
    """What has not ended yet, soonest first."""
    now = now or utcnow()
    # The bound on the start lets the index on it do the work: nothing lasts longer.
    condition = and_(
        col(Event.ends_at) > now,
        col(Event.starts_at) > now - LONGEST,
    )
    return await _listed(session, viewer, neighbourhood_id, condition, limit, now, soonest=True)


async def past(
    session: AsyncSession,
    viewer: Account | None,
    neighbourhood_id: int | None,
    *,
    now: datetime | None = None,
) -> list[Listed]:
    """What has ended, the most recent first."""
    now = now or utcnow()
    condition = col(Event.ends_at) <= now
    return await _listed(session, viewer, neighbourhood_id, condition, PAST, now, soonest=False)


async def in_month(
    session: AsyncSession,
    viewer: Account | None,
    neighbourhood_id: int | None,
    month: Month,
    zone: ZoneInfo,
    *,
    now: datetime | None = None,
) -> dict[date, list[Listed]]:
    """The month's activities by local day: each on every day of the month it takes place."""
    start, end = local_times.day_bounds(month.first, month.last, zone)
    condition = and_(
        col(Event.starts_at) < end,
        col(Event.ends_at) > start,
        col(Event.starts_at) > start - LONGEST,
    )
    found = await _listed(
        session, viewer, neighbourhood_id, condition, MONTH_MOST, now or utcnow(), soonest=True
    )
    days: dict[date, list[Listed]] = {}
    for item in found:
        first = max(local_times.local_day(item.view.event.starts_at, zone), month.first)
        # An activity that ends at midnight does not take place on the day after.
        end_moment = local_times.utc(item.view.event.ends_at) - timedelta(microseconds=1)
        last = min(local_times.local_day(end_moment, zone), month.last)
        day = first
        while day <= last:
            days.setdefault(day, []).append(item)
            day += timedelta(days=1)
    return days


async def _listed(
    session: AsyncSession,
    viewer: Account | None,
    neighbourhood_id: int | None,
    condition: ColumnElement[bool],
    limit: int,
    now: datetime,
    *,
    soonest: bool,
) -> list[Listed]:
    if neighbourhood_id is None:
        return []
    order = col(Event.starts_at) if soonest else col(Event.starts_at).desc()
    query = (
        select(Post, Account)
        .join(Event, col(Event.post_id) == col(Post.id))
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(
            condition,
            col(Post.kind) == PostKind.EVENT,
            col(Post.neighbourhood_id) == neighbourhood_id,
            col(Post.in_reply_to_id).is_(None),
            feeds.ON_NEIGHBOURHOOD_PAGE,
            visibility.visible_to(viewer),
            visibility.not_muted_by(viewer),
        )
        .order_by(order, col(Post.id))
        .limit(limit)
    )
    rows = (await session.exec(query)).all()
    views = await event_summaries.events_of(
        session, [post for post, _organiser in rows], viewer.id if viewer else None, now=now
    )
    return [
        Listed(post, organiser, views[post.id])
        for post, organiser in rows
        if post.id is not None and post.id in views
    ]
