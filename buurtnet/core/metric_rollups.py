"""The liveability figures of every neighbourhood per week and per month, kept in `metric_rollup`
so that the dashboard, the exports and the public summary read a small table
(docs/liveability.md, "Indicators"; what each indicator counts: `core/metric_queries`).

A scheduled job refreshes, every hour, the week and month in progress of every neighbourhood,
and the previous ones during their grace day, so that late changes (a like on the last evening,
an attendance recorded the day after) land; once a period is published
(`metric_periods.is_published`) the job never touches it again, so its figures stay as shown
and exported. `rebuild` recomputes any stretch of history on an admin's command (`buurtnet
metrics rebuild`), published periods included. Values are stored as computed: disclosure
control happens on the way out (`core/metric_figures`).
"""

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import metric_queries
from buurtnet.core.indicators import STORED
from buurtnet.core.local_times import local_day, utc
from buurtnet.core.metric_periods import (
    is_published,
    period_start,
    previous_start,
    starts_between,
)
from buurtnet.db import Database, is_postgresql
from buurtnet.job_queue import Registry
from buurtnet.models import Account, MetricRollup, Neighbourhood, PeriodKind, Post, utcnow

REFRESH_INTERVAL = timedelta(hours=1)
PERIODS = (PeriodKind.WEEK, PeriodKind.MONTH)
ROLLUP_KEY = ["neighbourhood_id", "period", "starts_on", "indicator"]

Progress = Callable[[int, int], None]  # (periods done, periods in all)
Work = tuple[int, PeriodKind, date]  # a neighbourhood's period, by its first day


async def refresh(
    session: AsyncSession,
    neighbourhood_id: int,
    period: PeriodKind,
    starts_on: date,
    zone: ZoneInfo,
    *,
    now: datetime | None = None,
) -> dict[str, float | None]:
    """Compute one neighbourhood's figures for one period and store them; returns them."""
    span = metric_queries.span_of(neighbourhood_id, period, starts_on, zone)
    values = await metric_queries.indicator_values(session, span)
    await store(session, (neighbourhood_id, period, starts_on), values, now or utcnow())
    return values


async def store(
    session: AsyncSession, work: Work, values: Mapping[str, float | None], computed_at: datetime
) -> None:
    """Put the values in place of the period's earlier ones: an upsert, so that two workers
    refreshing the same period at once both succeed; an indicator no longer stored goes."""
    neighbourhood_id, period, starts_on = work
    rows = [
        {
            "neighbourhood_id": neighbourhood_id,
            "period": period.value,
            "starts_on": starts_on,
            "indicator": key,
            "value": values[key],
            "computed_at": computed_at,
        }
        for key in STORED
    ]
    insert = postgresql_insert if await is_postgresql(session) else sqlite_insert
    statement = insert(MetricRollup).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=ROLLUP_KEY,
        set_={"value": statement.excluded.value, "computed_at": statement.excluded.computed_at},
    )
    await session.exec(statement)
    await session.exec(
        delete(MetricRollup).where(
            col(MetricRollup.neighbourhood_id) == neighbourhood_id,
            col(MetricRollup.period) == period.value,
            col(MetricRollup.starts_on) == starts_on,
            col(MetricRollup.indicator).not_in(STORED),
        )
    )


async def refresh_recent(session: AsyncSession, now: datetime, zone: ZoneInfo) -> int:
    """The scheduled job: the week and month in progress of every neighbourhood, and the
    previous ones while they are not yet published, in the worker's transaction. Returns how
    many periods were computed."""
    today = local_day(now, zone)
    work = [
        (neighbourhood_id, period, starts_on)
        for neighbourhood_id in await neighbourhood_ids(session)
        for period in PERIODS
        for starts_on in periods_to_refresh(today, period)
    ]
    for neighbourhood_id, period, starts_on in work:
        await refresh(session, neighbourhood_id, period, starts_on, zone, now=now)
    return len(work)


def periods_to_refresh(today: date, period: PeriodKind) -> tuple[date, ...]:
    """The period in progress (not shown, but ready the moment it is published), and the one
    before during its grace day; a published period is final and never touched again."""
    current = period_start(today, period)
    previous = previous_start(current, period)
    return (current,) if is_published(previous, period, today) else (previous, current)


async def rebuild(
    session: AsyncSession,
    first: date,
    last: date,
    zone: ZoneInfo,
    progress: Progress | None = None,
) -> int:
    """Recompute every neighbourhood's weeks and months that overlap `first` to `last`, in the
    caller's transaction (the demo's, a test's); returns how many periods were computed. For
    a long history on a running site use `rebuild_in_steps`, which commits as it goes."""
    work = await rebuild_work(session, first, last)
    for done, (neighbourhood_id, period, starts_on) in enumerate(work, start=1):
        await refresh(session, neighbourhood_id, period, starts_on, zone)
        if progress is not None:
            progress(done, len(work))
    return len(work)


async def rebuild_in_steps(
    database: Database,
    first: date,
    last: date,
    zone: ZoneInfo,
    progress: Progress | None = None,
) -> int:
    """`rebuild`, one transaction per period: the site's other writers wait at most for one
    period's figures, and what is done stays done when it is interrupted."""
    async with database.reading() as session:
        work = await rebuild_work(session, first, last)
    for done, (neighbourhood_id, period, starts_on) in enumerate(work, start=1):
        async with database.transaction() as session:
            await refresh(session, neighbourhood_id, period, starts_on, zone)
        if progress is not None:
            progress(done, len(work))
    return len(work)


async def rebuild_work(session: AsyncSession, first: date, last: date) -> list[Work]:
    return [
        (neighbourhood_id, period, starts_on)
        for neighbourhood_id in await neighbourhood_ids(session)
        for period in PERIODS
        for starts_on in starts_between(first, last, period)
    ]


async def neighbourhood_ids(session: AsyncSession) -> list[int]:
    found = await session.exec(select(Neighbourhood.id).order_by(col(Neighbourhood.id)))
    return [neighbourhood_id for neighbourhood_id in found.all() if neighbourhood_id is not None]


async def first_day(session: AsyncSession, zone: ZoneInfo) -> date | None:
    """The day the oldest local account or post was made: where a rebuild of all history
    starts. Posts from elsewhere are left out, since a server may date them at will."""
    oldest_account = select(func.min(Account.created_at)).where(col(Account.domain).is_(None))
    oldest_post = (
        select(func.min(Post.created_at))
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(col(Account.domain).is_(None))
    )
    moments = [(await session.exec(query)).one() for query in (oldest_account, oldest_post)]
    known = [utc(moment) for moment in moments if moment is not None]
    return local_day(min(known), zone) if known else None


def register(registry: Registry, zone: ZoneInfo) -> None:
    async def refresh_now(session: AsyncSession) -> None:
        await refresh_recent(session, utcnow(), zone)

    registry.every(REFRESH_INTERVAL, refresh_now)
