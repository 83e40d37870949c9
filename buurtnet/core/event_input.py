"""What an activity is made of, as people type it into the form and as it is checked.

`read` turns the typed values into an `EventInput` or raises `InvalidInput` with every problem
at once (field -> message code). Times are typed on the instance's clock and stored in UTC
(`local_times`: a time that happens twice means the first, a time that does not happen is
refused). `details_problems` holds the bounds that every activity written here keeps, however
it was made.
"""

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from buurtnet.core import local_times, posts
from buurtnet.core.errors import InvalidInput
from buurtnet.core.text import clean_line
from buurtnet.db import parse_row_id
from buurtnet.models import EventCategory

TITLE_LENGTH = 120
PLACE_LENGTH = 300
MAX_CAPACITY = 10_000
LONGEST = timedelta(days=31)
FURTHEST_AHEAD = timedelta(days=2 * 366)
MAX_TASKS = 10
TASK_TITLE_LENGTH = 120
MAX_TASK_PLACES = 1_000
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
DECIMAL = re.compile(r"-?[0-9]{1,3}(?:[.,][0-9]{1,12})?")


@dataclass(frozen=True)
class TaskForm:
    """One row of the tasks in the form; `task_id` is empty for a new task."""

    task_id: str = ""
    title: str = ""
    places: str = ""


@dataclass(frozen=True)
class EventForm:
    """The activity's fields as typed (the text and the choice of who sees it are the draft's)."""

    title: str = ""
    category: str = ""
    start_date: str = ""
    start_time: str = ""
    end_date: str = ""
    end_time: str = ""
    place: str = ""
    latitude: str = ""
    longitude: str = ""
    capacity: str = ""
    tasks: tuple[TaskForm, ...] = ()


@dataclass(frozen=True)
class EventDetails:
    """An activity's details, checked; times in UTC."""

    title: str
    category: EventCategory
    starts_at: datetime
    ends_at: datetime
    place: str
    latitude: float | None = None
    longitude: float | None = None
    capacity: int | None = None  # None: no limit


@dataclass(frozen=True)
class TaskPlan:
    """A volunteer task as the organiser wants it: new (`task_id` None) or an existing one;
    an existing one without a title is to be removed."""

    task_id: int | None
    title: str
    places: int


@dataclass(frozen=True)
class EventInput:
    draft: posts.Draft
    details: EventDetails
    tasks: tuple[TaskPlan, ...] = field(default_factory=tuple)


def read(
    form: EventForm,
    draft: posts.Draft,
    zone: ZoneInfo,
    now: datetime,
    *,
    keep: tuple[datetime, datetime] | None = None,
) -> EventInput:
    """The checked activity, or `InvalidInput` naming every field that is wrong.

    When changing an activity, `keep` is its start and end as they are: a time typed as the form
    showed it stays that moment (even the second of two 02:30s, or a start now past)."""
    errors = posts.draft_problems(draft)
    title = clean_line(form.title, TITLE_LENGTH + 1)
    place = clean_line(form.place, PLACE_LENGTH + 1)
    category = EventCategory.OTHER
    if form.category in EventCategory.__members__.values():
        category = EventCategory(form.category)
    else:
        errors["category"] = "category_invalid"
    start_day = _day(form.start_date, "start_date", errors)
    # An empty end date is the start's day (an activity of one day, the usual).
    end_day = _day(form.end_date, "end_date", errors) if form.end_date.strip() else start_day
    kept_start, kept_end = keep or (None, None)
    starts_at = _moment(start_day, form.start_time, "start_time", zone, errors, kept_start)
    ends_at = _moment(end_day, form.end_time, "end_time", zone, errors, kept_end)
    latitude = _coordinate(form.latitude, 90, "latitude", errors)
    longitude = _coordinate(form.longitude, 180, "longitude", errors)
    capacity = _capacity(form.capacity, errors)
    tasks = _tasks(form.tasks, errors)
    if starts_at is None or ends_at is None:
        raise InvalidInput(_text_problems(title, place) | errors)
    details = EventDetails(
        title=title,
        category=category,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        latitude=latitude,
        longitude=longitude,
        capacity=capacity,
    )
    problems = details_problems(details, now, unchanged_start=kept_start)
    problems |= task_problems(tasks, capacity)
    if errors or problems:
        raise InvalidInput(problems | errors)
    return EventInput(draft, details, tuple(task for _number, task in tasks))


def cleaned(details: EventDetails) -> EventDetails:
    """The title and place as stored: one line of visible text each (one character too many is
    kept, so that `details_problems` can tell it is too long)."""
    return replace(
        details,
        title=clean_line(details.title, TITLE_LENGTH + 1),
        place=clean_line(details.place, PLACE_LENGTH + 1),
    )


def details_problems(
    details: EventDetails, now: datetime, *, unchanged_start: datetime | None = None
) -> dict[str, str]:
    """What keeps these details from making an activity here. A start in the past is refused,
    unless it is the activity's start as it was (`unchanged_start`, when editing)."""
    errors = _text_problems(details.title, details.place)
    if details.category not in EventCategory.__members__.values():
        errors["category"] = "category_invalid"
    if details.starts_at != unchanged_start:
        if details.starts_at < now:
            errors["start_date"] = "event_start_past"
        elif details.starts_at > now + FURTHEST_AHEAD:
            errors["start_date"] = "event_start_too_far"
    if details.ends_at <= details.starts_at:
        errors["end_time"] = "event_end_before_start"
    elif details.ends_at - details.starts_at > LONGEST:
        errors["end_date"] = "event_too_long"
    if (details.latitude is None) != (details.longitude is None):
        missing = "latitude" if details.latitude is None else "longitude"
        errors.setdefault(missing, "coordinates_incomplete")
    for name, value, bound in (
        ("latitude", details.latitude, 90),
        ("longitude", details.longitude, 180),
    ):
        if value is not None and not (math.isfinite(value) and -bound <= value <= bound):
            errors[name] = f"{name}_invalid"
    if details.capacity is not None and not 1 <= details.capacity <= MAX_CAPACITY:
        errors["capacity"] = "capacity_invalid"
    return errors


def task_problems(numbered: list[tuple[int, TaskPlan]], capacity: int | None) -> dict[str, str]:
    """Problems of the tasks, by their row in the form (`task-N-title`, `task-N-places`)."""
    errors: dict[str, str] = {}
    if sum(1 for _number, task in numbered if task.title) > MAX_TASKS:
        errors["tasks"] = "tasks_too_many"
    for number, task in numbered:
        if not task.title:
            continue  # an existing task emptied: to be removed
        if len(task.title) > TASK_TITLE_LENGTH:
            errors[f"task-{number}-title"] = "task_title_too_long"
        if not 1 <= task.places <= MAX_TASK_PLACES:
            errors[f"task-{number}-places"] = "task_places_invalid"
        elif capacity is not None and task.places > capacity:
            errors[f"task-{number}-places"] = "task_places_above_capacity"
    return errors


def _text_problems(title: str, place: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "event_title_missing"
    elif len(title) > TITLE_LENGTH:
        errors["title"] = "event_title_too_long"
    if not place:
        errors["place"] = "event_place_missing"
    elif len(place) > PLACE_LENGTH:
        errors["place"] = "event_place_too_long"
    return errors


def _day(text: str, name: str, errors: dict[str, str]) -> date | None:
    day = local_times.parse_day(text)
    if day is None:
        errors[name] = "date_invalid"
    return day


def _moment(
    day: date | None,
    clock_text: str,
    name: str,
    zone: ZoneInfo,
    errors: dict[str, str],
    kept: datetime | None,
) -> datetime | None:
    clock = local_times.parse_clock(clock_text)
    if clock is None:
        errors[name] = "time_invalid"
    if day is None or clock is None:
        return None
    if kept is not None:
        shown = kept.astimezone(zone)
        if (shown.date(), shown.time().replace(second=0, microsecond=0)) == (day, clock):
            return kept
    try:
        return local_times.to_utc(day, clock, zone)
    except local_times.NonexistentTime:
        errors[name] = "time_skipped"
    except OverflowError:  # a day like 31-12-9999, past what a moment can be
        errors[name.replace("time", "date")] = "date_invalid"
    return None


COORDINATE_DECIMALS = 6  # about 10 cm: more than any address needs


def _coordinate(text: str, bound: int, name: str, errors: dict[str, str]) -> float | None:
    text = text.strip()
    if not text:
        return None
    if not DECIMAL.fullmatch(text):
        errors[name] = f"{name}_invalid"
        return None
    value = float(text.replace(",", "."))
    if not -bound <= value <= bound:
        errors[name] = f"{name}_invalid"
        return None
    return round(value, COORDINATE_DECIMALS)  # as the form shows it again: unchanged is equal


def _capacity(text: str, errors: dict[str, str]) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not WHOLE_NUMBER.fullmatch(text) or not 1 <= int(text) <= MAX_CAPACITY:
        errors["capacity"] = "capacity_invalid"
        return None
    return int(text)


def _tasks(rows: tuple[TaskForm, ...], errors: dict[str, str]) -> list[tuple[int, TaskPlan]]:
    """The tasks typed, by their row; an empty new row is left out, an existing task emptied
    is to be removed."""
    plans: list[tuple[int, TaskPlan]] = []
    for number, row in enumerate(rows, start=1):
        task_id = parse_row_id(row.task_id) if row.task_id else None
        if row.task_id and task_id is None:
            errors[f"task-{number}-title"] = "task_unknown"
        title = clean_line(row.title, TASK_TITLE_LENGTH + 1)
        if not title and task_id is None:
            continue
        places_text = row.places.strip() or "1"
        places = int(places_text) if WHOLE_NUMBER.fullmatch(places_text) else 0
        plans.append((number, TaskPlan(task_id, title, places)))
    return plans
