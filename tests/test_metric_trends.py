"""The change lines, by example: a change counts only beyond rounding and chance, a figure not
shown says nothing, and each kind of figure reads in its own words."""

from datetime import date

import pytest

from buurtnet.core.indicators import BY_KEY
from buurtnet.core.metric_figures import Audience, Figure, PeriodFigures, publish
from buurtnet.core.metric_trends import Direction, Wording, changes, compare
from buurtnet.models import PeriodKind

K = 10


def shown(key: str, value: float | None, *, suppressed: bool = False) -> Figure:
    return Figure(BY_KEY[key], value, suppressed)


@pytest.mark.parametrize(
    ("key", "previous", "latest", "direction"),
    [
        # People, rounded down to fives: 5 apart may be 14 against 15 people; 10 apart is real.
        ("active_residents", 20, 25, Direction.SAME),
        ("active_residents", 20, 30, Direction.MORE),
        ("active_residents", 30, 20, Direction.FEWER),
        # ... and at least a tenth of the earlier figure: 410 against 400 is about as many.
        ("members", 400, 410, Direction.SAME),
        ("members", 400, 440, Direction.MORE),
        ("members", 400, 360, Direction.FEWER),
        # Things are counted exactly: one activity more is more.
        ("events_held", 3, 4, Direction.MORE),
        ("events_held", 0, 1, Direction.MORE),
        ("events_held", 2, 2, Direction.SAME),
        ("clean_up_bags", 100, 105, Direction.SAME),
        # Shares in percentage points, rates, ratios and hours each by their own step.
        ("active_share", 40, 44, Direction.SAME),
        ("active_share", 40, 46, Direction.MORE),
        ("replies_per_post", 1.2, 1.3, Direction.SAME),
        ("replies_per_post", 1.2, 1.5, Direction.MORE),
        ("reports_per_100", 3.0, 2.0, Direction.FEWER),
        ("first_response_hours", 5.5, 6.0, Direction.SAME),
        ("first_response_hours", 5.5, 12.0, Direction.MORE),
        ("resolution_hours", 30.0, 28.0, Direction.SAME),
        ("resolution_hours", 30.0, 20.0, Direction.FEWER),
    ],
)
def test_a_change_counts_only_beyond_rounding(
    key: str, previous: float, latest: float, direction: Direction
) -> None:
    change = compare(BY_KEY[key], shown(key, latest), shown(key, previous))
    assert change.direction == direction
    assert (change.latest, change.previous) == (latest, previous)


@pytest.mark.parametrize(
    ("latest", "previous"),
    [
        (shown("sign_ups", None, suppressed=True), shown("sign_ups", 30)),
        (shown("sign_ups", 30), shown("sign_ups", None, suppressed=True)),
        (shown("sign_ups", None, suppressed=True), None),
    ],
)
def test_a_figure_not_shown_leaves_nothing_to_say(
    latest: Figure | None, previous: Figure | None
) -> None:
    change = compare(BY_KEY["sign_ups"], latest, previous)
    assert change.direction == Direction.TOO_FEW
    assert change.latest is None and change.previous is None  # not even the shown one


@pytest.mark.parametrize(
    ("latest", "previous"),
    [
        (shown("events_held", 3), None),
        (None, shown("events_held", 3)),
        (shown("first_response_hours", None), shown("first_response_hours", 4.0)),
    ],
)
def test_without_two_figures_there_is_no_comparison(
    latest: Figure | None, previous: Figure | None
) -> None:
    indicator = (latest or previous or shown("events_held", None)).indicator
    assert compare(indicator, latest, previous).direction == Direction.UNKNOWN


@pytest.mark.parametrize(
    ("key", "wording"),
    [
        ("members", Wording.AMOUNT),
        ("events_held", Wording.AMOUNT),
        ("active_share", Wording.LEVEL),
        ("reports_per_100", Wording.LEVEL),
        ("replies_per_post", Wording.LEVEL),
        ("first_response_hours", Wording.DURATION),
    ],
)
def test_each_kind_of_figure_has_its_words(key: str, wording: Wording) -> None:
    assert compare(BY_KEY[key], None, None).wording == wording


def test_two_months_of_published_figures_compared() -> None:
    """From stored values through the disclosure rules to the change lines: the comparison sees
    only what is published (37 active residents read 35, 4 sign-ups read < 10)."""
    october: dict[str, float | None] = {
        "active_residents": 37,
        "sign_ups": 4,
        "members": 62,
        "events_held": 3,
    }
    september: dict[str, float | None] = {
        "active_residents": 27,
        "sign_ups": 30,
        "members": 61,
        "events_held": 3,
    }

    def month(starts_on: date, stored: dict[str, float | None]) -> PeriodFigures:
        return PeriodFigures(1, PeriodKind.MONTH, starts_on, publish(stored, K, Audience.DIRECTOR))

    keys = ("active_residents", "sign_ups", "members", "events_held", "homes")
    found = changes(
        [BY_KEY[key] for key in keys],
        month(date(2026, 10, 1), october),
        month(date(2026, 9, 1), september),
    )
    assert {change.indicator.key: change.direction for change in found} == {
        "active_residents": Direction.MORE,  # 35 against 25
        "sign_ups": Direction.TOO_FEW,
        "members": Direction.SAME,  # 60 against 60
        "events_held": Direction.SAME,
        "homes": Direction.UNKNOWN,  # never given
    }
    assert found[0].latest == 35 and found[0].previous == 25


def test_a_period_without_figures_gives_no_comparison() -> None:
    found = changes([BY_KEY["members"]], None, None)
    assert [change.direction for change in found] == [Direction.UNKNOWN]
