"""The iCalendar builder on its own (`web/ical`): times around the changes of summer time, the
zone calendar apps need, escaping and line folding; every file parsed back with `icalendar`."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, vGeo
from icalendar import Event as CalendarEvent

from buurtnet.web import ical

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The last Sundays of October and March: summer time ends, and starts.
DST_SUNDAYS = [date(2026, 10, 25), date(2026, 3, 29), date(2027, 10, 31), date(2027, 3, 28)]


def entry(**changes: object) -> ical.Entry:
    starts_at = datetime(2027, 6, 12, 8, 0, tzinfo=UTC)
    made = ical.Entry(
        uid="https://buurt.example/users/anna/statuses/7",
        sequence=0,
        stamp=datetime(2027, 6, 1, 9, 0, tzinfo=UTC),
        created=datetime(2027, 6, 1, 9, 0, tzinfo=UTC),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        zone=AMSTERDAM,
        summary="Opruimen",
        description="Samen het park op.",
        location="Speeltuin",
        geo=None,
        url="https://buurt.example/posts/7",
        cancelled=False,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def round_trip(*entries: ical.Entry, feed: ical.Feed | None = None) -> tuple[bytes, Calendar]:
    raw = ical.calendar_file(entries, feed)
    return raw, Calendar.from_ical(raw)


def moment(event: CalendarEvent, name: str) -> datetime:
    value = event.decoded(name)
    assert isinstance(value, datetime) and value.tzinfo is not None
    return value.astimezone(UTC)  # across zones, `==` is False for a repeated hour: compare in UTC


def geo_of(event: CalendarEvent) -> tuple[float, float]:
    geo = event["GEO"]
    assert isinstance(geo, vGeo)
    return (geo.latitude, geo.longitude)


@pytest.mark.parametrize("day", DST_SUNDAYS, ids=str)
def test_the_night_summer_time_changes_reads_back_the_same(day: date) -> None:
    """01:30 to 03:30 on the night the clocks change: stored in UTC, written in local time."""
    local_start = datetime.combine(day, datetime.min.time(), AMSTERDAM).replace(hour=1, minute=30)
    local_end = local_start.replace(hour=3)
    starts_at, ends_at = local_start.astimezone(UTC), local_end.astimezone(UTC)
    raw, calendar = round_trip(entry(starts_at=starts_at, ends_at=ends_at))
    text = raw.decode()
    stamp = day.strftime("%Y%m%d")
    assert f"DTSTART;TZID=Europe/Amsterdam:{stamp}T013000\r\n" in text
    assert f"DTEND;TZID=Europe/Amsterdam:{stamp}T033000\r\n" in text
    [event] = calendar.events
    assert moment(event, "DTSTART") == starts_at and moment(event, "DTEND") == ends_at
    # The VTIMEZONE itself, read as its own rules, gives both times the offsets of that night.
    [zone] = calendar.timezones
    rules = zone.to_tz(lookup_tzid=False)  # its own rules, not those of its name
    start_read = datetime.combine(day, datetime.min.time(), rules).replace(hour=1, minute=30)
    end_read = start_read.replace(hour=3)
    assert start_read.astimezone(UTC) == starts_at and end_read.astimezone(UTC) == ends_at


def test_the_hour_that_repeats_is_written_so_that_it_reads_back_as_itself() -> None:
    """02:30 comes twice on 25 October 2026; a time with a zone means the first (RFC 5545)."""
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 summer time
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 winter time
    raw, calendar = round_trip(entry(starts_at=first, ends_at=second))
    assert "DTSTART;TZID=Europe/Amsterdam:20261025T023000\r\n" in raw.decode()
    assert "DTEND:20261025T013000Z\r\n" in raw.decode()
    [event] = calendar.events
    assert moment(event, "DTSTART") == first and moment(event, "DTEND") == second


def test_times_from_sqlite_without_a_zone_are_utc() -> None:
    naive = datetime(2027, 1, 5, 18, 0)
    _raw, calendar = round_trip(entry(starts_at=naive, ends_at=None, stamp=naive, created=naive))
    [event] = calendar.events
    assert moment(event, "DTSTART") == naive.replace(tzinfo=UTC)
    assert "DTEND" not in event


def test_an_unknown_zone_falls_back_and_utc_needs_no_vtimezone() -> None:
    assert ical.zone_named("Mars/Olympus_Mons", "Europe/Amsterdam") == AMSTERDAM
    assert ical.zone_named("../../etc/passwd", "Europe/Amsterdam") == AMSTERDAM
    assert ical.zone_named("", "Europe/Amsterdam") == AMSTERDAM
    assert ical.zone_named("Europe", "Europe/Amsterdam") == AMSTERDAM  # a folder of zones
    assert ical.zone_named("Mars/Olympus_Mons", "Etc/UTC") is None
    assert ical.zone_named("America/New_York", "Europe/Amsterdam") == ZoneInfo("America/New_York")
    assert ical.zone_named("Etc/UTC", "Europe/Amsterdam") is None
    raw, calendar = round_trip(entry(zone=None))
    assert "DTSTART:20270612T080000Z\r\n" in raw.decode()
    assert calendar.timezones == []


def test_an_activity_elsewhere_keeps_its_own_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    # Five past midnight on 1 January in UTC is still the year before in New York.
    starts_at = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
    raw, calendar = round_trip(entry(zone=new_york, starts_at=starts_at, ends_at=None))
    assert "DTSTART;TZID=America/New_York:20261231T190500\r\n" in raw.decode()
    [event] = calendar.events
    assert moment(event, "DTSTART") == starts_at
    [zone] = calendar.timezones
    assert str(zone["TZID"]) == "America/New_York"
    # Its rules begin before the activity's local time, not at the first of January in UTC.
    begins = min(rule.decoded("DTSTART") for rule in zone.subcomponents)
    assert begins <= datetime(2026, 12, 31, 19, 5)
    assert (
        datetime(2026, 12, 31, 19, 5, tzinfo=zone.to_tz(lookup_tzid=False)).astimezone(UTC)
        == starts_at
    )


def test_every_field_reads_back() -> None:
    cancelled = entry(
        sequence=3,
        cancelled=True,
        geo=(52.0907, 5.1214),
        categories=("Opruimactie",),
    )
    _raw, calendar = round_trip(cancelled)
    [event] = calendar.events
    assert str(event["UID"]) == cancelled.uid
    assert event.decoded("SEQUENCE") == 3
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Opruimen"
    assert str(event["LOCATION"]) == "Speeltuin"
    assert str(event["DESCRIPTION"]) == "Samen het park op."
    assert str(event["URL"]) == cancelled.url
    assert geo_of(event) == (52.0907, 5.1214)
    assert [str(name) for name in event.categories] == ["Opruimactie"]
    assert moment(event, "DTSTAMP") == cancelled.stamp
    assert moment(event, "CREATED") == cancelled.created
    _raw, plain = round_trip(entry(location="", description=""))
    [event] = plain.events
    assert str(event["STATUS"]) == "CONFIRMED"
    assert not {"LOCATION", "DESCRIPTION", "GEO", "CATEGORIES"} & set(event)


def test_commas_semicolons_backslashes_and_newlines_are_escaped() -> None:
    tricky = entry(
        summary="Koffie, thee; taart\nen \\ meer",
        location="Buurthuis, zaal 2;\nachterom",
        description="Eén, twee;\r\ndrie\\n",
        categories=("Eten, drinken", "Spel; sport"),
    )
    raw, calendar = round_trip(tricky)
    assert "SUMMARY:Koffie\\, thee\\; taart\\nen \\\\ meer\r\n" in raw.decode()
    [event] = calendar.events
    assert str(event["SUMMARY"]) == tricky.summary
    assert str(event["LOCATION"]) == tricky.location
    assert str(event["DESCRIPTION"]) == "Eén, twee;\ndrie\\n"
    assert [str(name) for name in event.categories] == ["Eten, drinken", "Spel; sport"]


def test_long_lines_are_folded_at_75_octets_without_breaking_a_character() -> None:
    description = "Een lange uitleg met é, ß en 🌳 erin. " * 150
    raw, calendar = round_trip(entry(description=description, summary="ü" * 200))
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode()  # each line is whole UTF-8 by itself: no character cut in two
    [event] = calendar.events
    assert str(event["DESCRIPTION"]) == description and str(event["SUMMARY"]) == "ü" * 200


def test_a_feed_names_itself_and_says_how_often_to_fetch() -> None:
    feed = ical.Feed(name="Activiteiten in Vogelwijk", zone=AMSTERDAM, refresh=timedelta(hours=1))
    raw, calendar = round_trip(feed=feed)
    assert calendar.events == []
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"]) == feed.name
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Amsterdam"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in raw.decode()
    assert "X-PUBLISHED-TTL:PT60M\r\n" in raw.decode()
    assert [str(zone["TZID"]) for zone in calendar.timezones] == ["Europe/Amsterdam"]
    _raw, with_events = round_trip(entry(), entry(uid="other"), feed=feed)
    assert len(with_events.timezones) == 1 and len(with_events.events) == 2
