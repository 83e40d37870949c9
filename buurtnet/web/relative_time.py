"""How long ago something happened, in the page's language ("3 uur geleden"): for queues, where
the age of a waiting item matters more than its date, and for posts of the past week, where
"2 uur geleden" reads faster than a date. Older posts show their day: "5 weken geleden" says less.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_timedelta
from babel.support import NullTranslations
from jinja2 import Environment

from buurtnet.core import local_times
from buurtnet.models import utcnow
from buurtnet.web.messages import N_

JUST_NOW = N_("just now")
A_MINUTE = timedelta(minutes=1)
A_WEEK = timedelta(days=7)
DAY_THIS_YEAR = "d MMMM"
DAY = "d MMMM y"


def time_ago(moment: datetime, now: datetime, locale: str, *, threshold: float = 0.85) -> str:
    """`moment` as seen from `now`, rounded to its largest unit: "5 minuten geleden" (a unit
    from `threshold` of it on: 0.85 makes 55 minutes "1 uur", 1 only a full hour)."""
    age = local_times.utc(moment) - local_times.utc(now)
    return format_timedelta(min(age, -age), threshold=threshold, add_direction=True, locale=locale)


class PostAges:
    """The age of a post as a page in one language on the instance's clock shows it."""

    def __init__(self, locale: str, zone: ZoneInfo, gettext: Callable[[str], str]) -> None:
        self.locale = locale
        self.zone = zone
        self.gettext = gettext

    def age_or_day(self, moment: datetime, now: datetime) -> str:
        """Within a minute "zojuist" (also for a clock elsewhere that runs ahead); within a week
        "2 uur geleden" (a unit once a whole one has passed, so 55 minutes stay minutes and 6
        days and 20 hours are "7 dagen", not "1 week"); then the day on the instance's clock,
        "4 maart", with the year when it is not this year's."""
        age = local_times.utc(now) - local_times.utc(moment)
        if age < A_MINUTE:
            return self.gettext(JUST_NOW)
        if age < A_WEEK:
            return time_ago(moment, now, self.locale, threshold=1)
        day = local_times.utc(moment).astimezone(self.zone).date()
        this_year = local_times.utc(now).astimezone(self.zone).year
        return format_date(day, DAY_THIS_YEAR if day.year == this_year else DAY, locale=self.locale)


def install(
    environment: Environment, locale: str, catalog: NullTranslations, zone: ZoneInfo
) -> None:
    """The filters `time_ago` and `age_or_day`, which read the clock when the page is rendered."""
    ages = PostAges(locale, zone, catalog.gettext)
    environment.filters["time_ago"] = lambda moment: time_ago(moment, utcnow(), locale)
    environment.filters["age_or_day"] = lambda moment: ages.age_or_day(moment, utcnow())
