"""Typing an activity's days and times: the clock here, stored in UTC, across the changes to and
from summer time; and the bounds of every field of the form. Pure: no database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from buurtnet.core import event_input, local_times, posts
from buurtnet.core.errors import InvalidInput
from buurtnet.core.event_input import EventInput, TaskForm
from buurtnet.models import EventCategory, utcnow
from tests.events_kit import ZONE, last_sunday, typed

NEXT_YEAR = utcnow().year + 1
FALL_BACK = last_sunday(NEXT_YEAR, 10)  # 02:00-03:00 happens twice
SPRING_FORWARD = last_sunday(NEXT_YEAR, 3)  # 02:00-03:00 does not happen
DRAFT = posts.Draft(source="Kom ook!")


def read(**fields: str) -> EventInput:
    return event_input.read(typed(**fields), DRAFT, ZONE, utcnow())


def problems(**fields: str) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        read(**fields)
    return refused.value.errors


def test_the_change_days_are_sundays_at_the_end_of_the_month() -> None:
    for day in (FALL_BACK, SPRING_FORWARD):
        assert day.weekday() == 6 and (day + timedelta(days=7)).month != day.month


def test_dates_and_times_as_people_type_them() -> None:
    assert local_times.parse_day("2026-12-24") == date(2026, 12, 24)
    assert local_times.parse_day("24-12-2026") == date(2026, 12, 24)
    assert local_times.parse_day("24/12/2026") == date(2026, 12, 24)
    assert local_times.parse_day(" 1.2.2027 ") == date(2027, 2, 1)
    for wrong in ("", "31-02-2026", "2026-13-01", "morgen", "99999-01-01", "²⁰²⁶-01-01"):
        assert local_times.parse_day(wrong) is None, wrong
    assert local_times.parse_clock("9:05") == time(9, 5)
    assert local_times.parse_clock("14.30") == time(14, 30)
    for wrong in ("24:00", "12:60", "12", "half drie", "1:2"):
        assert local_times.parse_clock(wrong) is None, wrong


def test_a_zone_is_known_by_its_iana_name_or_is_none() -> None:
    assert local_times.zone_or_none("America/Paramaribo") == ZoneInfo("America/Paramaribo")
    # A folder of zones, a path, a name too long for a file: what a server elsewhere may send.
    for wrong in ("Europe/Nergensdorp", "Europe", "../../etc/passwd", "", "x" * 300, "utc\x00"):
        assert local_times.zone_or_none(wrong) is None, wrong


def test_a_moment_from_sqlite_without_its_zone_is_utc() -> None:
    naive = datetime(2027, 1, 5, 23, 30)
    assert local_times.utc(naive) == naive.replace(tzinfo=UTC)
    assert local_times.local_day(naive, ZONE) == date(2027, 1, 6)


def test_winter_and_summer_times_are_stored_in_utc() -> None:
    winter = read(start_date=f"{NEXT_YEAR}-01-15", start_time="10:00", end_time="12:00")
    assert winter.details.starts_at == datetime(NEXT_YEAR, 1, 15, 9, tzinfo=UTC)
    summer = read(start_date=f"{NEXT_YEAR}-07-15", start_time="10:00", end_time="12:00")
    assert summer.details.starts_at == datetime(NEXT_YEAR, 7, 15, 8, tzinfo=UTC)


def test_a_time_that_happens_twice_means_the_first() -> None:
    """01:30-03:30 on the night summer time ends lasts three hours; 02:30 is still summer time."""
    night = read(start_date=FALL_BACK.isoformat(), start_time="01:30", end_time="03:30")
    start = datetime.combine(FALL_BACK, time(1, 30), tzinfo=ZONE)
    assert night.details.starts_at == start.astimezone(UTC)
    assert night.details.ends_at - night.details.starts_at == timedelta(hours=3)
    twice = read(start_date=FALL_BACK.isoformat(), start_time="02:30", end_time="04:00")
    assert twice.details.starts_at == datetime.combine(FALL_BACK, time(0, 30), tzinfo=UTC)
    assert local_times.happens_twice(twice.details.starts_at, ZONE)
    assert not local_times.happens_twice(night.details.starts_at, ZONE)


def test_a_time_that_does_not_happen_is_refused_with_a_reason() -> None:
    """01:30-03:30 on the night summer time starts lasts one hour; 02:30 does not exist."""
    night = read(start_date=SPRING_FORWARD.isoformat(), start_time="01:30", end_time="03:30")
    assert night.details.ends_at - night.details.starts_at == timedelta(hours=1)
    assert problems(start_date=SPRING_FORWARD.isoformat(), start_time="02:30") == {
        "start_time": "time_skipped"
    }
    assert problems(
        start_date=SPRING_FORWARD.isoformat(), start_time="01:00", end_time="02:15"
    ) == {"end_time": "time_skipped"}


def test_a_kept_time_stays_the_moment_it_was() -> None:
    """Changing an activity without touching its times keeps them, even the second 02:30."""
    second = datetime.combine(FALL_BACK, time(1, 30), tzinfo=UTC)  # 02:30 winter time
    end = second + timedelta(hours=1)
    form = typed(start_date=FALL_BACK.isoformat(), start_time="02:30", end_time="03:30")
    kept = event_input.read(form, DRAFT, ZONE, utcnow(), keep=(second, end))
    assert (kept.details.starts_at, kept.details.ends_at) == (second, end)
    started = utcnow() - timedelta(hours=1)
    local = started.astimezone(ZONE)
    form = typed(
        start_date=local.date().isoformat(),
        start_time=local.strftime("%H:%M"),
        end_date=(local + timedelta(hours=3)).date().isoformat(),
        end_time=(local + timedelta(hours=3)).strftime("%H:%M"),
    )
    moment = started.replace(second=0, microsecond=0)
    kept = event_input.read(form, DRAFT, ZONE, utcnow(), keep=(moment, moment))
    assert kept.details.starts_at == moment, "a start that has passed may stay as it was"
    with pytest.raises(InvalidInput):
        event_input.read(form, DRAFT, ZONE, utcnow())


def test_an_end_on_another_day_needs_its_date() -> None:
    assert problems(start_time="22:00", end_time="01:00") == {"end_time": "event_end_before_start"}
    day = date.fromisoformat(typed().start_date)
    late = read(
        start_time="22:00", end_time="01:00", end_date=(day + timedelta(days=1)).isoformat()
    )
    assert late.details.ends_at - late.details.starts_at == timedelta(hours=3)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": ""}, {"title": "event_title_missing"}),
        ({"title": "x" * 121}, {"title": "event_title_too_long"}),
        ({"title": "\u200b\u202e "}, {"title": "event_title_missing"}),
        ({"category": "bingo"}, {"category": "category_invalid"}),
        ({"place": ""}, {"place": "event_place_missing"}),
        ({"place": "p" * 301}, {"place": "event_place_too_long"}),
        ({"start_date": "1900-01-01"}, {"start_date": "event_start_past"}),
        ({"start_date": "2999-01-01"}, {"start_date": "event_start_too_far"}),
        ({"start_date": "12-31-2026"}, {"start_date": "date_invalid"}),
        ({"start_time": "25:00"}, {"start_time": "time_invalid"}),
        ({"end_time": ""}, {"end_time": "time_invalid"}),
        ({"end_time": "14:00"}, {"end_time": "event_end_before_start"}),
        ({"end_date": "nooit"}, {"end_date": "date_invalid"}),
        ({"capacity": "0"}, {"capacity": "capacity_invalid"}),
        ({"capacity": "-5"}, {"capacity": "capacity_invalid"}),
        ({"capacity": "1000000"}, {"capacity": "capacity_invalid"}),
        ({"capacity": "1e3"}, {"capacity": "capacity_invalid"}),
        ({"latitude": "91", "longitude": "5"}, {"latitude": "latitude_invalid"}),
        ({"latitude": "52", "longitude": "-181"}, {"longitude": "longitude_invalid"}),
        ({"latitude": "nan", "longitude": "5"}, {"latitude": "latitude_invalid"}),
        ({"latitude": "52.1"}, {"longitude": "coordinates_incomplete"}),
    ],
)
def test_each_field_has_its_bounds(fields: dict[str, str], expected: dict[str, str]) -> None:
    assert problems(**fields) == expected


def test_an_activity_lasts_at_most_a_month() -> None:
    day = date.fromisoformat(typed().start_date)
    assert problems(end_date=(day + timedelta(days=40)).isoformat()) == {
        "end_date": "event_too_long"
    }


def test_every_mistake_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as refused:
        event_input.read(
            typed(title="", start_time="nu", capacity="veel"),
            posts.Draft(source=" "),
            ZONE,
            utcnow(),
        )
    assert refused.value.errors == {
        "source": "post_empty",
        "title": "event_title_missing",
        "start_time": "time_invalid",
        "capacity": "capacity_invalid",
    }


def test_coordinates_with_a_decimal_comma() -> None:
    found = read(latitude="52,0907", longitude="5,1214")
    assert (found.details.latitude, found.details.longitude) == (52.0907, 5.1214)


def test_tasks_are_read_by_their_row() -> None:
    rows = (
        TaskForm(title="3 mensen met handschoenen", places="3"),
        TaskForm(),
        TaskForm(title="Iemand met een bakfiets"),
    )
    found = read_tasks(rows)
    assert [(task.title, task.places) for task in found.tasks] == [
        ("3 mensen met handschoenen", 3),
        ("Iemand met een bakfiets", 1),
    ]
    wrong = (TaskForm(title="Koffie", places="0"), TaskForm(task_id="x1", title="Thee"))
    with pytest.raises(InvalidInput) as refused:
        read_tasks(wrong)
    assert refused.value.errors == {
        "task-1-places": "task_places_invalid",
        "task-2-title": "task_unknown",
    }
    with pytest.raises(InvalidInput) as refused:
        read_tasks((TaskForm(title="Opbouwen", places="10"),), capacity="5")
    assert refused.value.errors == {"task-1-places": "task_places_above_capacity"}
    with pytest.raises(InvalidInput) as refused:
        read_tasks(tuple(TaskForm(title=f"Taak {n}") for n in range(11)))
    assert refused.value.errors == {"tasks": "tasks_too_many"}


def read_tasks(rows: tuple[TaskForm, ...], capacity: str = "") -> EventInput:
    form = typed(capacity=capacity)
    form = event_input.EventForm(**{**form.__dict__, "tasks": rows})
    return event_input.read(form, DRAFT, ZONE, utcnow())


def test_categories_are_the_ones_offered() -> None:
    assert {category.value for category in EventCategory} == {
        *("clean_up", "street_party", "repair_cafe", "meeting", "sport_and_games", "other")
    }
