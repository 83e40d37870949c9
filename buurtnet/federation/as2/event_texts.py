"""An activity of ours in words for other servers: when and where, in the language of its post,
and its category in Mobilizon's terms. Pure functions, for `objects.event_fields`.
"""

from datetime import UTC

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

from buurtnet.core.local_times import utc, zone_or_none
from buurtnet.models import Event, EventCategory

DEFAULT_LANGUAGE = "nl"
# Our categories as Mobilizon's (its `category` values); the rest of theirs read as `other`.
MOBILIZON_CATEGORIES: dict[str, str] = {
    EventCategory.CLEAN_UP: "CAUSES",
    EventCategory.STREET_PARTY: "PARTY",
    EventCategory.REPAIR_CAFE: "CRAFTS",
    EventCategory.MEETING: "MEETING",
    EventCategory.SPORT_AND_GAMES: "SPORTS",
    EventCategory.OTHER: "COMMUNITY",
}
FROM_MOBILIZON: dict[str, str] = {name: ours for ours, name in MOBILIZON_CATEGORIES.items()}


def when_and_where(event: Event, language: str | None) -> tuple[str, str]:
    """When ("zaterdag 12 december 2026, 10:00 to 12:00", with a dash) and where, as the
    post's readers read it: in the activity's own time zone, naming a later day it ends on."""
    locale = _locale(language)
    zone = zone_or_none(event.time_zone) or UTC
    start, end = utc(event.starts_at).astimezone(zone), utc(event.ends_at).astimezone(zone)
    day = format_date(start.date(), "full", locale=locale)
    ends = format_time(end, "HH:mm", locale=locale)
    if end.date() != start.date():
        ends = f"{format_date(end.date(), 'long', locale=locale)} {ends}"
    times = f"{format_time(start, 'HH:mm', locale=locale)}\N{EN DASH}{ends}"
    return f"{day}, {times}", event.place


def _locale(language: str | None) -> Locale:
    try:
        return Locale.parse(language or DEFAULT_LANGUAGE)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LANGUAGE)
