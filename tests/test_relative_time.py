"""How old a post is, as its card says: "zojuist", then how long ago within a week, then its day
on the instance's clock (with the year when it is not this year's)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from buurtnet.web.relative_time import PostAges, time_ago

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def dutch(text: str) -> str:
    return {"just now": "zojuist"}.get(text, text)


AGES = PostAges("nl", AMSTERDAM, dutch)


@pytest.mark.parametrize(
    ("age", "shown"),
    [
        (timedelta(seconds=0), "zojuist"),
        (timedelta(seconds=59), "zojuist"),
        (timedelta(minutes=-5), "zojuist"),  # a clock elsewhere that runs ahead
        (timedelta(minutes=1), "1 minuut geleden"),
        (timedelta(minutes=55), "55 minuten geleden"),  # not rounded up to "1 uur"
        (timedelta(hours=2, minutes=29), "2 uur geleden"),
        (timedelta(hours=2, minutes=31), "3 uur geleden"),  # to the nearest hour
        (timedelta(days=1, hours=3), "1 dag geleden"),
        (timedelta(days=6, hours=23), "7 dagen geleden"),  # not "1 week"
        (timedelta(days=7), "3 maart"),
        (timedelta(days=80), "20 december 2025"),
    ],
)
def test_the_age_or_the_day(age: timedelta, shown: str) -> None:
    assert AGES.age_or_day(NOW - age, NOW) == shown


def test_the_day_is_the_one_on_the_instances_clock() -> None:
    late_evening = datetime(2026, 2, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 February in Amsterdam
    assert AGES.age_or_day(late_evening, NOW) == "2 februari"
    new_years_eve = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # already 2026 in Amsterdam
    assert AGES.age_or_day(new_years_eve, NOW) == "1 januari"


def test_stored_moments_without_a_zone_are_utc() -> None:
    assert AGES.age_or_day(datetime(2026, 3, 10, 9, 0), NOW) == "3 uur geleden"


def test_queues_still_round_to_the_nearest_unit() -> None:
    assert time_ago(NOW - timedelta(minutes=55), NOW, "nl") == "1 uur geleden"
