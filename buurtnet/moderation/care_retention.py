"""How long care signals are kept, and the daily job that deletes older ones with their notes.

The admin chooses the period (a site setting, default six months) but never reads a signal: the
job deletes by age alone, open or closed, so a worry about a neighbour is not kept for ever.
"""

import calendar
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.errors import InvalidInput
from buurtnet.job_queue import Registry
from buurtnet.models import (
    Account,
    ActionKind,
    CareSignal,
    CareSignalNote,
    SiteSetting,
    utcnow,
)
from buurtnet.moderation import audit

RETENTION_SETTING = "care_signal_retention_months"
DEFAULT_MONTHS = 6
MIN_MONTHS = 1
MAX_MONTHS = 24
PURGE_INTERVAL = timedelta(days=1)


async def retention_months(session: AsyncSession) -> int:
    setting = await session.get(SiteSetting, RETENTION_SETTING)
    if setting is None or not setting.value.isdecimal():
        return DEFAULT_MONTHS
    months = int(setting.value)
    return months if MIN_MONTHS <= months <= MAX_MONTHS else DEFAULT_MONTHS


async def set_retention_months(session: AsyncSession, admin: Account, months: int) -> None:
    """The admin's choice, written in the audit log (a number, nothing about any signal)."""
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise InvalidInput.single("months", "care_retention_invalid")
    setting = await session.get(SiteSetting, RETENTION_SETTING)
    if setting is None:
        session.add(SiteSetting(key=RETENTION_SETTING, value=str(months)))
    else:
        setting.value = str(months)
    reason = f"{RETENTION_SETTING}={months}"
    await audit.record(session, ActionKind.CHANGE_SETTING, admin, reason=reason)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's
    last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


async def purge_expired(session: AsyncSession, now: datetime | None = None) -> int:
    """Delete the signals raised before the retention period, and their notes; how many went."""
    cutoff = months_before(now or utcnow(), await retention_months(session))
    expired = select(CareSignal.id).where(col(CareSignal.created_at) < cutoff)
    await session.exec(delete(CareSignalNote).where(col(CareSignalNote.signal_id).in_(expired)))
    result = await session.exec(delete(CareSignal).where(col(CareSignal.created_at) < cutoff))
    return int(result.rowcount)


async def purge(session: AsyncSession) -> None:
    """`purge_expired` as the worker's periodic task."""
    await purge_expired(session)


def register(registry: Registry) -> None:
    """Daily is enough: a signal lives a day longer at most. A worker runs it when it starts."""
    registry.every(PURGE_INTERVAL, purge)
