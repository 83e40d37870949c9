"""iCalendar files (RFC 5545) of activities: a pure builder, as `federation/as2` is for AS2.

It takes plain values and returns the bytes of a file; no session, no request. Times are stored
in UTC and written as wall-clock times in the activity's own time zone, with the `VTIMEZONE`
that calendar apps need to read them. A wall-clock time with a zone means its first occurrence
(RFC 5545, 3.3.5): a moment in the hour that repeats when summer time ends is written in UTC
instead, so that every moment reads back as itself.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone
from icalendar import Event as CalendarEvent

from buurtnet.core.local_times import utc, zone_or_none

PRODUCT_ID = "-//Buurtnet//Buurtnet//NL"
# Zones that are UTC by another name: written with `Z`, needing no VTIMEZONE.
UTC_NAMES = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"}
YEARS_AHEAD = 2  # a VTIMEZONE describes its zone until this many years after the last activity


@dataclass(frozen=True)
class Entry:
    """One activity as a `VEVENT`."""

    uid: str
    sequence: int
    stamp: datetime  # when its information last changed
    created: datetime
    starts_at: datetime
    ends_at: datetime | None  # None: no end given
    zone: ZoneInfo | None  # the zone its times are written in; None: UTC
    summary: str
    description: str
    location: str
    geo: tuple[float, float] | None
    url: str
    cancelled: bool
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    """What makes a file a subscribable calendar: its name, its zone, how often to fetch it."""

    name: str
    zone: ZoneInfo
    refresh: timedelta


def zone_named(name: str, fallback: str) -> ZoneInfo | None:
    """The zone to write times in: the named one if it exists (an activity from elsewhere may
    name anything), else the fallback; None for UTC."""
    zone = zone_or_none(name) or zone_or_none(fallback)
    return None if zone is None or zone.key in UTC_NAMES else zone


def to_the_second(moment: datetime) -> datetime:
    """The moment in UTC, to the second (iCalendar has no smaller unit)."""
    return utc(moment).astimezone(UTC).replace(microsecond=0)


def written_time(moment: datetime, zone: ZoneInfo | None) -> datetime:
    """The moment in `zone`, unless that wall-clock time would read back as another moment."""
    moment = to_the_second(moment)
    if zone is None:
        return moment
    local = moment.astimezone(zone)
    if local.replace(fold=0).astimezone(UTC) != moment:
        return moment
    return local


def calendar_file(entries: Sequence[Entry], feed: Feed | None = None) -> bytes:
    """A `VCALENDAR` of the entries; with `feed`, one that calendar apps can subscribe to."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    first, last = _years_covered(entries)
    if feed is not None:
        calendar.add("name", feed.name)
        calendar.add("x-wr-calname", feed.name)
        calendar.add("x-wr-timezone", feed.zone.key)
        calendar.add("refresh-interval", feed.refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", _duration(feed.refresh))
        # Even an empty feed holds a component, as RFC 5545 wants: its own zone.
        calendar.add_component(Timezone.from_tzid(feed.zone.key, first_date=first, last_date=last))
    for entry in entries:
        calendar.add_component(_event(entry))
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def _event(entry: Entry) -> CalendarEvent:
    event = CalendarEvent()
    event.add("uid", entry.uid)
    event.add("sequence", max(entry.sequence, 0))
    event.add("dtstamp", to_the_second(entry.stamp))
    event.add("created", to_the_second(entry.created))
    event.add("dtstart", written_time(entry.starts_at, entry.zone))
    if entry.ends_at is not None:
        event.add("dtend", written_time(entry.ends_at, entry.zone))
    event.add("summary", entry.summary)
    if entry.description:
        event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.geo is not None:
        event.add("geo", entry.geo)
    event.add("url", entry.url)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    if entry.categories:
        event.add("categories", list(entry.categories))
    return event


def _years_covered(entries: Sequence[Entry]) -> tuple[date, date]:
    """From the first of January of the earliest activity's year, to some years after the last."""
    moments = [to_the_second(entry.starts_at) for entry in entries]
    moments += [to_the_second(entry.ends_at) for entry in entries if entry.ends_at is not None]
    if not moments:
        moments = [datetime.now(UTC)]
    first = min(moments) - timedelta(days=1)  # the local date may be a day before UTC's
    return date(first.year, 1, 1), date(max(moments).year + YEARS_AHEAD, 1, 1)


def _duration(length: timedelta) -> str:
    """An RFC 5545 duration of whole minutes (X-PUBLISHED-TTL is not typed by the library)."""
    return f"PT{int(length.total_seconds()) // 60}M"
