"""How long ago something happened, in the page's language ("3 uur geleden"): for queues, where
the age of a waiting item matters more than its date."""

from datetime import datetime

from babel.dates import format_timedelta
from jinja2 import Environment

from buurtnet.core import local_times
from buurtnet.models import utcnow


def time_ago(moment: datetime, now: datetime, locale: str) -> str:
    """`moment` as seen from `now`, rounded to its largest unit: "5 minuten geleden"."""
    age = local_times.utc(moment) - local_times.utc(now)
    return format_timedelta(min(age, -age), add_direction=True, locale=locale)


def install(environment: Environment, locale: str) -> None:
    """The `time_ago` filter, which reads the clock when the page is rendered."""
    environment.filters["time_ago"] = lambda moment: time_ago(moment, utcnow(), locale)
