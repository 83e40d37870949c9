"""How pages write an activity's days and times: on the instance's clock, in the page's language,
with the day's name ("zaterdag 12 december 2026, 10:00 - 12:00"). A time that the clock shows
twice that day (the end of summer time) says which of the two it is.
"""

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names
from babel.support import NullTranslations
from jinja2 import Environment

from buurtnet.core import local_times
from buurtnet.models import Event, utcnow
from buurtnet.web.messages import N_

DAY = "EEEE d MMMM y"
DAY_THIS_YEAR = "EEEE d MMMM"
SUMMER_TIME = N_("summer time")
WINTER_TIME = N_("winter time")
DASH = "\N{EN DASH}"


class EventClock:
    """The filters of one page language."""

    def __init__(self, zone: ZoneInfo, locale: str, gettext: Callable[[str], str]) -> None:
        self.zone = zone
        self.locale = locale
        self.gettext = gettext

    def day(self, moment: datetime | date, *, with_year: bool = True) -> str:
        """The local day with its name: "zaterdag 12 december 2026"."""
        local = (
            local_times.utc(moment).astimezone(self.zone).date()
            if isinstance(moment, datetime)
            else moment
        )
        return format_date(local, DAY if with_year else DAY_THIS_YEAR, locale=self.locale)

    def clock(self, moment: datetime) -> str:
        """The local time, "14:30", and which one when the clock shows it twice that day."""
        local = local_times.utc(moment).astimezone(self.zone)
        shown = local.strftime("%H:%M")
        if local_times.happens_twice(moment, self.zone):
            season = SUMMER_TIME if local.dst() else WINTER_TIME
            shown = f"{shown} ({self.gettext(season)})"
        return shown

    def when(self, event: Event, *, with_year: bool | None = None) -> str:
        """From start to end: one day and two times, or two days and their times (only the start
        when there is no end). The year is left out for this year's, unless asked for."""
        start, end = event.starts_at, event.ends_at
        if with_year is None:
            this_year = utcnow().astimezone(self.zone).year
            with_year = local_times.local_day(start, self.zone).year != this_year
        first = self.day(start, with_year=with_year)
        if start == end:  # from elsewhere, without an end
            return f"{first}, {self.clock(start)}"
        if local_times.local_day(start, self.zone) == local_times.local_day(end, self.zone):
            return f"{first}, {self.clock(start)} {DASH} {self.clock(end)}"
        last = self.day(end, with_year=with_year)
        return f"{first}, {self.clock(start)} {DASH} {last}, {self.clock(end)}"

    def month(self, first: date) -> str:
        return format_date(first, "LLLL y", locale=self.locale)

    def weekdays(self) -> list[str]:
        """Monday to Sunday, short (for a month's columns)."""
        names = get_day_names("abbreviated", locale=self.locale)
        return [names[number] for number in range(7)]

    @staticmethod
    def iso(moment: datetime) -> str:
        """For `<time datetime>`: the moment with its offset."""
        return local_times.utc(moment).isoformat()


def install(
    environment: Environment, locale: str, catalog: NullTranslations, zone: ZoneInfo
) -> None:
    """Add the filters `event_when`, `event_day`, `event_clock`, `month_name`, `iso_moment` and
    the global `weekday_names` to a page language's environment."""
    clock = EventClock(zone, locale, catalog.gettext)
    environment.filters["event_when"] = clock.when
    environment.filters["event_day"] = clock.day
    environment.filters["event_clock"] = clock.clock
    environment.filters["month_name"] = clock.month
    environment.filters["iso_moment"] = clock.iso
    environment.globals["weekday_names"] = clock.weekdays()
