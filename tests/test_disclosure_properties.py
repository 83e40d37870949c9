"""The disclosure rules under any values (shared METRICS.md section 3; issue 16, Quality): no
published or exported figure reveals a count of people below k, not by itself, not by comparing
two exports with different filters, not as a total against its parts, not as a period against
the one before.

The attacker here knows the rules and every published figure, and reasons exactly: for each
hidden count, which raw values are consistent with everything published? A hidden count is safe
when at least two are (tests/test_metric_figures.py has the rules by hand).
"""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import col, delete, select

from buurtnet.core import metric_figures, neighbourhoods
from buurtnet.core.indicators import INDICATORS, STORED, Measure
from buurtnet.core.metric_figures import Audience, PeriodFigures, publish
from buurtnet.db import Database
from buurtnet.models import MetricRollup, Neighbourhood, PeriodKind

MIN_THRESHOLD = 5  # METRICS.md: k is never below five, whatever is asked
PEOPLE = frozenset(indicator.key for indicator in INDICATORS if indicator.measure == Measure.PEOPLE)
WORKED_OUT = tuple(
    indicator for indicator in INDICATORS if indicator.measure in (Measure.SHARE, Measure.PER_100)
)
# Raw counts the attacker considers: well above any count generated below, so that a published
# figure's set of possible counts is never cut short by this bound (which would help the attacker).
UNIVERSE = range(0, 201)

Shown = tuple[float | None, bool]  # a figure as published: (value, suppressed)

# Any k a setting or a caller may ask, also below the minimum.
thresholds = st.integers(min_value=-2, max_value=30)
small_thresholds = st.integers(min_value=0, max_value=15)  # where the attacker enumerates


@cache
def shown(key: str, raw: int, k: int) -> Shown:
    """How one stored count of `key` is published (to the director, who sees the most)."""
    found = next(
        figure
        for figure in publish({key: raw}, k, Audience.DIRECTOR)
        if figure.indicator.key == key
    )
    return found.value, found.suppressed


@cache
def preimage(key: str, published: Shown, k: int) -> frozenset[int]:
    """Every raw count that `key` publishes as `published`: all the attacker learns of it."""
    return frozenset(raw for raw in UNIVERSE if shown(key, raw, k) == published)


def possible_values(
    candidates: Sequence[frozenset[int]], signs: Sequence[int]
) -> list[frozenset[int]]:
    """For each unknown, the values it takes in some assignment of all unknowns, each within its
    candidates, that satisfies Σ sign·value = 0: the attacker's exact knowledge. (The same as
    enumerating every consistent vector and projecting, but grouped by the sum of the others.)"""
    known = []
    for index, own in enumerate(candidates):
        others = {0}
        for other, (values, sign) in enumerate(zip(candidates, signs, strict=True)):
            if other != index:
                others = {total + sign * value for total in others for value in values}
        known.append(frozenset(value for value in own if -signs[index] * value in others))
    return known


def threshold_asked(k: int) -> int:
    return max(k, MIN_THRESHOLD)


# ------------------------------------------------------------------ (1) nothing below k


stored_values = st.dictionaries(
    st.sampled_from(STORED),
    st.one_of(
        st.none(),
        st.integers(min_value=0, max_value=60),
        st.integers(min_value=0, max_value=100_000),
        st.floats(min_value=0, max_value=100_000, allow_nan=False),
    ),
)


def assert_people_count_may_be_shown(key: str, value: object, suppressed: object, k: int) -> None:
    if suppressed:
        assert value is None, key
    if value is not None:
        assert isinstance(value, float), key
        assert value >= threshold_asked(k), (key, value, k)
        assert value % 5 == 0, (key, value)


@settings(max_examples=500, deadline=None)
@given(stored=stored_values, k=thresholds, audience=st.sampled_from(Audience))
def test_no_published_count_of_people_is_below_k_or_off_the_fives(
    stored: dict[str, float | None], k: int, audience: Audience
) -> None:
    figures = publish(stored, k, audience)
    for figure in figures:
        key = figure.indicator.key
        if key in PEOPLE:
            assert_people_count_may_be_shown(key, figure.value, figure.suppressed, k)
            raw = stored.get(key)
            if raw is not None and round(raw) < threshold_asked(k):
                assert figure.suppressed, (key, raw, k)
        if figure.indicator.measure == Measure.SHARE and figure.value is not None:
            assert 0 <= figure.value <= 100
    rows = metric_figures.as_rows([PeriodFigures(1, PeriodKind.MONTH, date(2026, 1, 1), figures)])
    for row in rows:
        if row["indicator"] in PEOPLE:
            assert_people_count_may_be_shown(
                str(row["indicator"]), row["value"], row["suppressed"], k
            )
    if audience != Audience.DIRECTOR:
        assert all(row["indicator"] != "care_signals" for row in rows)


# ------------------------------------------------------------------ (2) two exports


MONTHS = tuple(date(2026, month, 1) for month in range(1, 7))
WEEKS = (date(2026, 1, 5), date(2026, 1, 12), date(2026, 3, 2), date(2026, 3, 9))
PLACES = 3


@dataclass(frozen=True)
class Filter:
    places: frozenset[int]  # indices of the neighbourhoods asked for
    period: PeriodKind
    first: date
    last: date


cell_keys = st.one_of(
    st.tuples(st.integers(0, PLACES - 1), st.just(PeriodKind.MONTH), st.sampled_from(MONTHS)),
    st.tuples(st.integers(0, PLACES - 1), st.just(PeriodKind.WEEK), st.sampled_from(WEEKS)),
)
cell_values = st.dictionaries(
    st.sampled_from(STORED),
    st.one_of(st.none(), st.integers(min_value=0, max_value=60), st.floats(0, 60)),
    min_size=1,
    max_size=8,
)
filters = st.builds(
    Filter,
    places=st.frozensets(st.integers(0, PLACES - 1), min_size=1),
    period=st.sampled_from(PeriodKind),
    first=st.dates(date(2025, 12, 15), date(2026, 6, 15)),
    last=st.dates(date(2025, 12, 15), date(2026, 6, 15)),
)

Cells = dict[tuple[int, PeriodKind, date], dict[str, float | None]]


async def neighbourhood_ids(database: Database) -> list[int]:
    async with database.transaction() as session:
        found = (await session.exec(select(Neighbourhood).order_by(col(Neighbourhood.id)))).all()
        while len(found) < PLACES:
            number = len(found)
            found = [
                *found,
                await neighbourhoods.create_neighbourhood(session, f"buurt{number}", "Buurt"),
            ]
    return [place.id for place in found if place.id is not None]


async def exports(
    database_url: str, cells: Cells, asked: Sequence[Filter], k: int, audience: Audience
) -> tuple[list[int], list[list[PeriodFigures]]]:
    """Fill the rollup table with `cells` (nothing else) and read it once per filter."""
    database = Database(database_url)
    try:
        ids = await neighbourhood_ids(database)
        async with database.transaction() as session:
            await session.exec(delete(MetricRollup))
            for (place, period, starts_on), values in cells.items():
                for key, value in values.items():
                    session.add(
                        MetricRollup(
                            neighbourhood_id=ids[place],
                            period=period,
                            starts_on=starts_on,
                            indicator=key,
                            value=value,
                        )
                    )
        found = []
        async with database.reading() as session:
            for one in asked:
                places = [ids[place] for place in sorted(one.places)]
                found.append(
                    await metric_figures.read_figures(
                        session, places, one.period, one.first, one.last, k, audience
                    )
                )
        return ids, found
    finally:
        await database.dispose()


def by_cell(found: list[PeriodFigures]) -> dict[tuple[int, PeriodKind, date, str], Shown]:
    return {
        (figures.neighbourhood_id, figures.period, figures.starts_on, figure.indicator.key): (
            figure.value,
            figure.suppressed,
        )
        for figures in found
        for figure in figures.figures
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cells=st.dictionaries(cell_keys, cell_values, max_size=10),
    first=filters,
    second=filters,
    k=thresholds,
    audience=st.sampled_from(Audience),
)
def test_two_exports_with_different_filters_agree_on_every_cell_they_share(
    database_url: str, cells: Cells, first: Filter, second: Filter, k: int, audience: Audience
) -> None:
    ids, (one, other) = asyncio.run(exports(database_url, cells, (first, second), k, audience))
    one_cells, other_cells = by_cell(one), by_cell(other)
    shared = one_cells.keys() & other_cells.keys()
    assert all(one_cells[cell] == other_cells[cell] for cell in shared)
    # Each export holds exactly the stored periods asked for, each published on its own.
    for asked, found in ((first, one), (second, other)):
        expected = {
            (ids[place], period, starts_on)
            for (place, period, starts_on) in cells
            if place in asked.places
            and period == asked.period
            and asked.first <= starts_on <= asked.last
        }
        assert {(f.neighbourhood_id, f.period, f.starts_on) for f in found} == expected
        stored = {
            (ids[place], period, starts_on): values
            for (place, period, starts_on), values in cells.items()
        }
        for figures in found:
            alone = publish(
                stored[figures.neighbourhood_id, figures.period, figures.starts_on], k, audience
            )
            assert figures.figures == alone


# ------------------------------------------------------------------ (3) a total and its parts


@st.composite
def totals_and_parts(draw: st.DrawFn) -> tuple[int, list[int]]:
    """k and two to four raw part counts (weekly sign-ups, say), many of them near k."""
    k = draw(small_thresholds)
    near = threshold_asked(k)
    count = st.one_of(
        st.integers(min_value=0, max_value=40),
        st.integers(min_value=max(0, near - 6), max_value=near + 12),
    )
    return k, draw(st.lists(count, min_size=2, max_size=4))


@settings(max_examples=400, deadline=None)
@given(case=totals_and_parts())
@example(case=(10, [9, 9]))  # a month of 18 sign-ups over two weeks of fewer than 10 each
@example(case=(10, [9, 9, 9, 9]))
@example(case=(7, [4, 4]))
@example(case=(12, [11, 22]))
def test_a_hidden_part_cannot_be_worked_out_from_the_total(case: tuple[int, list[int]]) -> None:
    k, parts = case
    key = "sign_ups"
    total = sum(parts)
    unknowns = [*parts, total]
    candidates = [preimage(key, shown(key, raw, k), k) for raw in unknowns]
    signs = [1] * len(parts) + [-1]  # parts - total = 0
    known = possible_values(candidates, signs)
    for raw, possible in zip(unknowns, known, strict=True):
        assert raw in possible  # the attacker's reasoning is sound
    for index, raw in enumerate(unknowns):
        if shown(key, raw, k)[1]:
            assert len(known[index]) >= 2, (
                f"k={k}: parts {parts} and total {total} publish as "
                f"{[shown(key, value, k) for value in unknowns]}, "
                f"which pins count {index} down to {sorted(known[index])}"
            )


# ------------------------------------------------------------------ (4) consecutive periods


@st.composite
def member_flows(draw: st.DrawFn) -> tuple[int, int, int, int]:
    """k, members at the end of a month, and the next month's new members and members who left."""
    k = draw(small_thresholds)
    near = threshold_asked(k)
    count = st.one_of(
        st.integers(min_value=0, max_value=40),
        st.integers(min_value=max(0, near - 6), max_value=near + 12),
    )
    members, new = draw(count), draw(count)
    left = draw(st.integers(min_value=0, max_value=min(40, members + new)))
    return k, members, new, left


@settings(max_examples=400, deadline=None)
@given(case=member_flows())
@example(case=(10, 28, 18, 9))  # 30 members, then 35, with 20 new: exactly 9 left?
@example(case=(12, 22, 11, 0))
@example(case=(10, 40, 9, 9))
def test_hidden_new_members_or_departures_cannot_be_worked_out_from_two_months(
    case: tuple[int, int, int, int],
) -> None:
    k, members, new, left = case
    then = members + new - left
    unknowns = [
        ("members", members),
        ("new_members", new),
        ("members_left", left),
        ("members", then),
    ]
    candidates = [preimage(key, shown(key, raw, k), k) for key, raw in unknowns]
    known = possible_values(candidates, [1, 1, -1, -1])  # members + new - left - then = 0
    for (_, raw), possible in zip(unknowns, known, strict=True):
        assert raw in possible
    for index, (key, raw) in enumerate(unknowns):
        if shown(key, raw, k)[1]:
            assert len(known[index]) >= 2, (
                f"k={k}: members {members} -> {then}, {new} new, {left} left publish as "
                f"{[shown(name, value, k) for name, value in unknowns]}, "
                f"which pins {key} down to {sorted(known[index])}"
            )


# ------------------------------------------------------------------ (5) shares and rates


SHARE_COUNTS = ("active_residents", "members", "reports", "homes")


@settings(max_examples=300, deadline=None)
@given(data=st.data(), k=thresholds)
def test_shares_and_rates_reveal_nothing_beyond_the_published_counts(
    data: st.DataObject, k: int
) -> None:
    """Two neighbourhoods whose counts publish alike publish every share and rate alike."""
    counts = st.one_of(st.none(), st.integers(min_value=0, max_value=190))
    first: dict[str, float | None] = {key: data.draw(counts, label=key) for key in SHARE_COUNTS}
    second: dict[str, float | None] = {}
    for key, raw in first.items():
        if raw is None:
            second[key] = None
        else:
            alike = sorted(preimage(key, shown(key, int(raw), k), k))
            second[key] = data.draw(st.sampled_from(alike), label=f"{key} alike")
    one = {f.indicator.key: f for f in publish(first, k, Audience.DIRECTOR)}
    other = {f.indicator.key: f for f in publish(second, k, Audience.DIRECTOR)}
    for key in SHARE_COUNTS:
        assert one[key] == other[key]
    for indicator in WORKED_OUT:
        assert one[indicator.key] == other[indicator.key], indicator.key
        assert one[indicator.key] == worked_out_by_hand(indicator.key, one)


def worked_out_by_hand(key: str, published: Mapping[str, metric_figures.Figure]) -> object:
    """The share or rate from the published counts alone, as a reader could work it out."""
    indicator = next(indicator for indicator in WORKED_OUT if indicator.key == key)
    numerator = published[indicator.numerator or ""]
    denominator = published[indicator.denominator or ""]
    if numerator.suppressed or denominator.suppressed:
        return metric_figures.Figure(indicator, None, suppressed=True)
    if numerator.value is None or not denominator.value:
        return metric_figures.Figure(indicator, None)
    ratio = numerator.value / denominator.value * 100
    if indicator.measure == Measure.SHARE:
        return metric_figures.Figure(indicator, float(min(round(ratio), 100)))
    return metric_figures.Figure(indicator, round(ratio, 1))
