"""What changed from one period to the next, in words a director can repeat: "more sign-ups for
activities than last month", "about as many", "fewer", or "too few people to say" (shared
METRICS.md section 5). Pure: published figures in, a direction out; the page words it.

Only the published figures are compared, so a line never says more than the figures beside it.
A change counts only when it is beyond what rounding and chance can make of the same number:
counts of people are rounded down to fives, so two rounded counts 5 apart may stand for 14 and
15 people; 10 apart, they stand for at least 6 more or fewer. Every kind of figure needs such a
smallest step (`SMALLEST_CHANGE`) and also a change of at least 10% of the earlier figure, so that
410 against 400 members reads "about as many".
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from buurtnet.core.indicators import Indicator, Measure
from buurtnet.core.metric_figures import Figure, PeriodFigures

SMALLEST_SHARE_OF_CHANGE = 0.10
SMALLEST_CHANGE = {
    Measure.PEOPLE: 10.0,  # two rounding steps of five
    Measure.COUNT: 1.0,  # exact counts of things: one activity more is more
    Measure.SHARE: 5.0,  # percentage points, worked out from rounded counts
    Measure.PER_100: 1.0,
    Measure.RATIO: 0.2,
    Measure.HOURS: 1.0,
}


class Direction(StrEnum):
    MORE = "more"
    SAME = "same"  # about the same
    FEWER = "fewer"
    TOO_FEW = "too_few"  # a figure rests on fewer than k people: nothing can be said
    UNKNOWN = "unknown"  # no figure in one of the periods to compare with


class Wording(StrEnum):
    """How a change in this kind of figure reads: more members, a higher share, longer waits."""

    AMOUNT = "amount"  # more / about as many / fewer
    LEVEL = "level"  # higher / about the same / lower
    DURATION = "duration"  # longer / about as long / shorter


@dataclass(frozen=True)
class Change:
    indicator: Indicator
    direction: Direction
    latest: float | None = None
    previous: float | None = None

    @property
    def wording(self) -> Wording:
        return wording_of(self.indicator)


def wording_of(indicator: Indicator) -> Wording:
    if indicator.measure in (Measure.PEOPLE, Measure.COUNT):
        return Wording.AMOUNT
    if indicator.measure == Measure.HOURS:
        return Wording.DURATION
    return Wording.LEVEL


def compare(indicator: Indicator, latest: Figure | None, previous: Figure | None) -> Change:
    """The change of one indicator from the previous period to the latest."""
    if (latest and latest.suppressed) or (previous and previous.suppressed):
        return Change(indicator, Direction.TOO_FEW)
    if latest is None or previous is None or latest.value is None or previous.value is None:
        return Change(indicator, Direction.UNKNOWN)
    return Change(
        indicator, direction(indicator, latest.value, previous.value), latest.value, previous.value
    )


def direction(indicator: Indicator, latest: float, previous: float) -> Direction:
    difference = latest - previous
    smallest = max(SMALLEST_CHANGE[indicator.measure], SMALLEST_SHARE_OF_CHANGE * abs(previous))
    if abs(difference) < smallest - 1e-9:
        return Direction.SAME
    return Direction.MORE if difference > 0 else Direction.FEWER


def changes(
    indicators: Iterable[Indicator],
    latest: PeriodFigures | None,
    previous: PeriodFigures | None,
) -> tuple[Change, ...]:
    """Each indicator's change between two periods' figures of one neighbourhood; a period
    without figures (no rollup) gives UNKNOWN."""
    return tuple(
        compare(indicator, _figure(latest, indicator), _figure(previous, indicator))
        for indicator in indicators
    )


def _figure(figures: PeriodFigures | None, indicator: Indicator) -> Figure | None:
    if figures is None:
        return None
    return next((f for f in figures.figures if f.indicator.key == indicator.key), None)
