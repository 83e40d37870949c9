"""Clock times as people on the instance read them, and the moments (UTC) they stand for.

Twice a year a wall clock does not name one moment. On the last Sunday of October 02:00-03:00
happens twice: such a time means its first occurrence, still in summer time (as a calendar does
when one types it in). On the last Sunday of March 02:00-03:00 does not happen at all: such a
time is refused (`NonexistentTime`), so that nobody's activity quietly moves by an hour.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A date as a date field sends it (2026-12-31), or as people type it where a browser shows a text
# field (31-12-2026, 31/12/2026, 31.12.2026); a time as 14:30, 14.30 or 9:05.
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DUTCH_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
CLOCK_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


class NonexistentTime(ValueError):
    """The clock skips this time on that day (the change to summer time)."""


def parse_day(text: str) -> date | None:
    """A calendar date as typed, or None when it is not one."""
    text = text.strip()
    if found := ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in found.groups())
    elif found := DUTCH_DATE.fullmatch(text):
        day, month, year = (int(part) for part in found.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_clock(text: str) -> time | None:
    """A time of day as typed (hours and minutes), or None when it is not one."""
    found = CLOCK_TIME.fullmatch(text.strip())
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def utc(moment: datetime) -> datetime:
    """A stored moment, aware: SQLite hands back UTC without its zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def zone_or_none(name: str) -> ZoneInfo | None:
    """The IANA time zone of this name, or None when there is none: a setting or a server
    elsewhere may name anything ("Europe" is a folder, "../x" a path, a long name too long)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The moment a local date and time stand for: the first of two, none for a skipped time."""
    local = datetime.combine(day, clock, tzinfo=zone)  # fold=0: the first occurrence
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentTime(f"{day} {clock} does not exist in {zone.key}")
    return moment


def happens_twice(moment: datetime, zone: ZoneInfo) -> bool:
    """Whether the clock shows this moment's local time twice that day (the end of summer time),
    so that a page should say which of the two it is."""
    local = utc(moment).astimezone(zone).replace(tzinfo=None)
    first, second = (local.replace(tzinfo=zone, fold=fold).utcoffset() for fold in (0, 1))
    return first != second


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The date it is at that moment on the zone's calendar."""
    return utc(moment).astimezone(zone).date()


def day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of `first` to the start of the day after `last`, local days, in UTC."""
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end
