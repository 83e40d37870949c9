"""Where activities are listed: a neighbourhood's upcoming and past ones, a month of them, and
the next few at the top of the home and neighbourhood pages.

Only what the viewer may see (`visibility.visible_to`), and of that what a neighbourhood's page
lists (`feeds.ON_NEIGHBOURHOOD_PAGE`: public and neighbourhood activities of the neighbourhood;
not those of people the viewer muted, nor a limited organiser's unless the viewer follows them:
`feeds.listed_in_neighbourhood`). A cancelled activity stays listed, marked as cancelled.
"""

import functools
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, bindparam, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

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
FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)  # the bounds of a `Window` that has none
FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)


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


@dataclass(frozen=True)
class Window:
    """Which activities by their times: starting after and before, ending after and by."""

    starts_after: datetime = FAR_PAST
    starts_before: datetime = FAR_FUTURE
    ends_after: datetime = FAR_PAST
    ends_by: datetime = FAR_FUTURE


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
    window = Window(starts_after=now - LONGEST, ends_after=now)
    return await _listed(session, viewer, neighbourhood_id, window, limit, now, soonest=True)


async def past(
    session: AsyncSession,
    viewer: Account | None,
    neighbourhood_id: int | None,
    *,
    now: datetime | None = None,
) -> list[Listed]:
    """What has ended, the most recent first."""
    now = now or utcnow()
    window = Window(ends_by=now)
    return await _listed(session, viewer, neighbourhood_id, window, PAST, now, soonest=False)


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
    window = Window(starts_after=start - LONGEST, starts_before=end, ends_after=start)
    found = await _listed(
        session, viewer, neighbourhood_id, window, MONTH_MOST, now or utcnow(), soonest=True
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
    window: Window,
    limit: int,
    now: datetime,
    *,
    soonest: bool,
) -> list[Listed]:
    if neighbourhood_id is None:
        return []
    viewer_kind = "visitor" if viewer is None else "elsewhere" if viewer.domain else "resident"
    parameters = {
        **asdict(window),
        "neighbourhood_id": neighbourhood_id,
        "viewer_id": viewer.id if viewer else None,
        "viewer_neighbourhood_id": viewer.neighbourhood_id if viewer else None,
        "limit": limit,
    }
    rows = (await session.exec(_statement(viewer_kind, soonest), params=parameters)).all()
    views = await event_summaries.events_of(
        session, [post for post, _organiser in rows], viewer.id if viewer else None, now=now
    )
    return [
        Listed(post, organiser, views[post.id])
        for post, organiser in rows
        if post.id is not None and post.id in views
    ]


@functools.cache
def _statement(viewer_kind: str, soonest: bool) -> Select[Post, Account]:
    """A list's statement, built once per kind of viewer and order and run with parameters: the
    visibility policy is a large expression, costly to build and compile on every page."""
    viewer_id = bindparam("viewer_id", type_=Integer)
    not_muted: ColumnElement[bool] = true()
    listed = feeds.listed_in_neighbourhood(None if viewer_kind == "visitor" else viewer_id)
    if viewer_kind == "visitor":
        visible = visibility.visible_to_viewer(None, None)
    else:
        home = bindparam("viewer_neighbourhood_id", type_=Integer)
        elsewhere = viewer_kind == "elsewhere"
        visible = visibility.visible_to_viewer(
            viewer_id, None if elsewhere else home, elsewhere=elsewhere
        )
        not_muted = visibility.not_muted_by_id(viewer_id)
    moment = Event.__table__.c.starts_at.type  # type: ignore[attr-defined]
    in_window = select(Event.post_id).where(
        col(Event.starts_at) > bindparam("starts_after", type_=moment),
        col(Event.starts_at) < bindparam("starts_before", type_=moment),
        col(Event.ends_at) > bindparam("ends_after", type_=moment),
        col(Event.ends_at) <= bindparam("ends_by", type_=moment),
    )
    order = col(Event.starts_at) if soonest else col(Event.starts_at).desc()
    return (
        select(Post, Account)
        .join(Event, col(Event.post_id) == col(Post.id))
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(
            # The activities first, by the index on their times: a neighbourhood has many posts
            # and few activities, and a planner left to itself may walk all of its posts.
            col(Post.id).in_(in_window),
            col(Post.kind) == PostKind.EVENT,
            col(Post.neighbourhood_id) == bindparam("neighbourhood_id", type_=Integer),
            col(Post.in_reply_to_id).is_(None),
            feeds.ON_NEIGHBOURHOOD_PAGE,
            listed,
            visible,
            not_muted,
        )
        .order_by(order, col(Post.id))
        .limit(bindparam("limit", type_=Integer))
    )
