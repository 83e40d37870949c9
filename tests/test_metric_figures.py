"""The disclosure rules of the liveability figures, by hand (shared METRICS.md section 3): what
`publish` shows of stored values, and what `read_figures` reads back from the rollup table.
The same rules under any values are in tests/test_disclosure_properties.py."""

from collections.abc import Mapping
from datetime import date

import pytest

from buurtnet.core import metric_figures, neighbourhoods
from buurtnet.core.indicators import BY_KEY, INDICATORS, Measure
from buurtnet.core.metric_figures import Audience, Figure, PeriodFigures, publish
from buurtnet.db import Database
from buurtnet.models import MetricRollup, Neighbourhood, PeriodKind

K = 10

# A month of a neighbourhood of about sixty members, as the rollup job stores it.
MONTH: dict[str, float | None] = {
    "active_residents": 37,
    "interacting_pairs": 4,
    "replies_per_post": 1.2345,
    "events_held": 3,
    "sign_ups": 12,
    "attendance": 9,
    "clean_ups_held": 1,
    "clean_up_bags": 14,
    "clean_up_participants": 8,
    "polls_held": 2,
    "votes": 25,
    "help_asked": 3,
    "help_offered": 2,
    "help_answered": 1,
    "members": 62,
    "new_members": 6,
    "members_left": 0,
    "homes": 140,
    "reports": 11,
    "reports_responded": 10,
    "first_response_hours": 5.5,
    "reports_resolved": 7,
    "resolution_hours": 30.0,
    "care_signals": 12,
}


def shown(
    stored: Mapping[str, float | None], k: int = K, audience: Audience = Audience.PARTNER
) -> dict[str, tuple[float | None, bool]]:
    """Each published figure as (value, suppressed)."""
    return {
        figure.indicator.key: (figure.value, figure.suppressed)
        for figure in publish(stored, k, audience)
    }


def figure(key: str, stored: Mapping[str, float | None], k: int = K) -> tuple[float | None, bool]:
    return shown(stored, k, Audience.DIRECTOR)[key]


HIDDEN = (None, True)  # "< k" on a page, empty with a flag in an export
NONE = (None, False)  # there is no such figure


def test_a_month_as_a_partner_sees_it() -> None:
    assert shown(MONTH) == {
        "active_residents": (35.0, False),
        # 35 of 60, not 37 of 62 (which is 60%): worked out from what is shown
        "active_share": (58.0, False),
        "interacting_pairs": HIDDEN,
        "replies_per_post": (1.2, False),
        "events_held": (3.0, False),
        "sign_ups": (10.0, False),
        "attendance": HIDDEN,
        "clean_ups_held": (1.0, False),
        "clean_up_bags": (14.0, False),  # things, not people: shown as they are
        "clean_up_participants": HIDDEN,
        "polls_held": (2.0, False),
        "votes": (25.0, False),
        "help_asked": (3.0, False),
        "help_offered": (2.0, False),
        "help_answered": (1.0, False),
        "members": (60.0, False),
        "new_members": HIDDEN,
        "members_left": HIDDEN,  # none left: as hidden as one
        "homes": (140.0, False),
        "households_reached": (43.0, False),  # 60 of 140
        "reports": (10.0, False),
        "reports_per_100": (16.7, False),  # 10 per 60
        "reports_responded": (10.0, False),
        "first_response_hours": (5.5, False),
        "reports_resolved": HIDDEN,
        "resolution_hours": HIDDEN,  # a median of 7 reports
    }


def test_figures_come_in_the_order_of_the_indicators() -> None:
    keys = [found.indicator.key for found in publish(MONTH, K, Audience.DIRECTOR)]
    assert keys == [indicator.key for indicator in INDICATORS]


@pytest.mark.parametrize(
    ("count", "k", "expected"),
    [
        (0, 10, HIDDEN),
        (9, 10, HIDDEN),
        (10, 10, (10.0, False)),
        (11, 10, (10.0, False)),
        (12, 10, (10.0, False)),
        (15, 10, (15.0, False)),
        (17, 10, (15.0, False)),
        (20, 10, (20.0, False)),
        (101, 10, (100.0, False)),
        (9.6, 10, (10.0, False)),  # a stored count is a whole number; a float is rounded first
        (14, 15, HIDDEN),
        (15, 15, (15.0, False)),
        (4, 1, HIDDEN),  # k is never below five, whatever is asked
        (4, 4, HIDDEN),
        (5, 1, (5.0, False)),
    ],
)
def test_counts_of_people_are_hidden_below_k_and_rounded_to_fives(
    count: float, k: int, expected: tuple[float | None, bool]
) -> None:
    for key in ("active_residents", "sign_ups", "votes", "members", "reports"):
        assert figure(key, {key: count}, k) == expected, key


@pytest.mark.parametrize(
    ("count", "k", "expected"),
    [
        (13, 10, (10.0, False)),  # the five it lies in: 10 means 10 to 14
        (14, 10, (10.0, False)),
        (18, 10, (15.0, False)),
        (19, 10, (15.0, False)),
        (9, 7, HIDDEN),  # k goes up to a multiple of five: 7 hides what is below 10
        (10, 7, (10.0, False)),
        (14, 12, HIDDEN),
        (15, 12, (15.0, False)),
    ],
)
def test_rounding_down_to_fives_in_whole_blocks(
    count: int, k: int, expected: tuple[float | None, bool]
) -> None:
    assert figure("sign_ups", {"sign_ups": count}, k) == expected


def test_every_count_of_people_follows_the_rule() -> None:
    people = [indicator.key for indicator in INDICATORS if indicator.measure == Measure.PEOPLE]
    assert set(people) >= {"active_residents", "interacting_pairs", "members", "care_signals"}
    for key in people:
        assert figure(key, {key: 9}) == HIDDEN, key
        assert figure(key, {key: 22}) == (20.0, False), key


def test_no_stored_value_is_no_figure_and_zero_is_hidden() -> None:
    assert figure("sign_ups", {}) == NONE
    assert figure("sign_ups", {"sign_ups": None}) == NONE
    assert figure("sign_ups", {"sign_ups": 0}) == HIDDEN


def test_counts_of_things_and_ratios_are_shown_as_they_are() -> None:
    stored = {"events_held": 1, "clean_up_bags": 3, "replies_per_post": 0.44, "homes": 7}
    assert figure("events_held", stored) == (1.0, False)
    assert figure("clean_up_bags", stored) == (3.0, False)
    assert figure("replies_per_post", stored) == (0.4, False)
    assert figure("homes", stored) == (7.0, False)
    assert figure("events_held", {"events_held": 0}) == (0.0, False)


@pytest.mark.parametrize(
    ("active", "members", "expected"),
    [
        (37, 62, (58.0, False)),  # 35 / 60
        (9, 62, HIDDEN),  # the numerator hidden
        (12, 9, HIDDEN),  # the denominator hidden
        (4, 3, HIDDEN),
        (10, 10, (100.0, False)),
        (12, 10, (100.0, False)),
        (None, 62, NONE),
        (12, None, NONE),  # no members counted: no share (not a hidden one)
    ],
)
def test_a_share_is_worked_out_from_the_rounded_counts(
    active: int | None, members: int | None, expected: tuple[float | None, bool]
) -> None:
    stored = {"active_residents": active, "members": members}
    assert figure("active_share", stored) == expected


def test_households_reached_and_reports_per_100() -> None:
    stored: dict[str, float | None] = {"members": 62, "homes": 140, "reports": 11}
    assert figure("households_reached", stored) == (43.0, False)  # 60 / 140
    assert figure("reports_per_100", stored) == (16.7, False)  # 10 / 60
    assert figure("households_reached", stored | {"homes": None}) == NONE  # homes not known
    assert figure("households_reached", stored | {"homes": 0}) == NONE
    assert figure("households_reached", stored | {"homes": 40}) == (100.0, False)  # never more
    assert figure("households_reached", stored | {"members": 9}) == HIDDEN
    assert figure("reports_per_100", stored | {"reports": 9}) == HIDDEN
    assert figure("reports_per_100", stored | {"members": 9}) == HIDDEN
    assert figure("reports_per_100", stored | {"reports": 0}) == HIDDEN


def test_a_median_time_is_hidden_when_it_rests_on_fewer_than_k_reports() -> None:
    stored: dict[str, float | None] = {"reports_responded": 10, "first_response_hours": 5.26}
    assert figure("first_response_hours", stored) == (5.3, False)
    assert figure("first_response_hours", stored | {"reports_responded": 9}) == HIDDEN
    assert figure("first_response_hours", stored | {"reports_responded": 9.4}) == HIDDEN
    assert figure("first_response_hours", {"first_response_hours": 5.26}) == HIDDEN  # no basis
    assert figure("first_response_hours", {"reports_responded": 20}) == NONE  # no median
    resolved = {"reports_resolved": 15, "resolution_hours": 48.04}
    assert figure("resolution_hours", resolved) == (48.0, False)
    assert figure("resolution_hours", resolved | {"reports_resolved": 4}) == HIDDEN
    assert figure("resolution_hours", resolved, k=20) == HIDDEN


def test_care_signals_are_for_the_director_only_and_only_above_k() -> None:
    for audience in (Audience.PARTNER, Audience.PUBLIC):
        assert "care_signals" not in shown(MONTH, K, audience)
        assert all(not found.indicator.director_only for found in publish(MONTH, K, audience))
    assert shown(MONTH, K, Audience.DIRECTOR)["care_signals"] == (10.0, False)
    assert figure("care_signals", {"care_signals": 9}) == HIDDEN
    assert BY_KEY["care_signals"].director_only
    assert [indicator.key for indicator in metric_figures.indicators_for(Audience.PARTNER)] == [
        indicator.key for indicator in INDICATORS if indicator.key != "care_signals"
    ]


def test_the_public_and_partners_see_the_same_values() -> None:
    partner = shown(MONTH, K, Audience.PARTNER)
    assert shown(MONTH, K, Audience.PUBLIC) == partner
    director = shown(MONTH, K, Audience.DIRECTOR)
    assert {key: director[key] for key in partner} == partner


def test_a_stricter_threshold_hides_more() -> None:
    strict = shown(MONTH, 30)
    assert strict["active_residents"] == (35.0, False)
    assert strict["votes"] == HIDDEN
    assert strict["reports"] == HIDDEN
    assert strict["reports_per_100"] == HIDDEN
    assert strict["first_response_hours"] == HIDDEN


def test_rows_for_an_export() -> None:
    periods = [
        PeriodFigures(7, PeriodKind.MONTH, date(2026, 3, 1), publish(MONTH, K, Audience.PARTNER))
    ]
    rows = metric_figures.as_rows(periods)
    assert len(rows) == len(metric_figures.indicators_for(Audience.PARTNER))
    by_key = {row["indicator"]: row for row in rows}
    assert by_key["sign_ups"] == {
        "neighbourhood_id": 7,
        "period": "month",
        "starts_on": "2026-03-01",
        "indicator": "sign_ups",
        "dimension": "participation",
        "value": 10.0,
        "suppressed": False,
    }
    assert by_key["attendance"]["value"] is None and by_key["attendance"]["suppressed"] is True
    assert by_key["homes"]["dimension"] == "growth"
    assert metric_figures.as_rows([]) == []


# ------------------------------------------------------------------ read_figures


async def store(
    database: Database, cells: Mapping[tuple[int, str, date], Mapping[str, float | None]]
) -> None:
    async with database.transaction() as session:
        for (neighbourhood_id, period, starts_on), values in cells.items():
            for key, value in values.items():
                session.add(
                    MetricRollup(
                        neighbourhood_id=neighbourhood_id,
                        period=period,
                        starts_on=starts_on,
                        indicator=key,
                        value=value,
                    )
                )


async def read(
    database: Database,
    ids: list[int],
    first: date,
    last: date,
    period: PeriodKind = PeriodKind.MONTH,
    k: int = K,
    audience: Audience = Audience.PARTNER,
) -> list[PeriodFigures]:
    async with database.reading() as session:
        return await metric_figures.read_figures(session, ids, period, first, last, k, audience)


JAN, FEB, MAR, APR = (date(2026, month, 1) for month in (1, 2, 3, 4))


@pytest.fixture
async def other(database: Database) -> Neighbourhood:
    async with database.transaction() as session:
        return await neighbourhoods.create_neighbourhood(session, "bloemenbuurt", "Bloemenbuurt")


@pytest.fixture
async def two(
    database: Database, neighbourhood: Neighbourhood, other: Neighbourhood
) -> tuple[int, int]:
    assert neighbourhood.id is not None and other.id is not None
    one, two = neighbourhood.id, other.id
    month = PeriodKind.MONTH.value
    await store(
        database,
        {
            (one, month, JAN): {"members": 40, "sign_ups": 16, "care_signals": 11},
            (one, month, FEB): {"members": 42, "sign_ups": 4, "homes": None},
            (one, month, APR): {"members": 44, "sign_ups": 20},
            (two, month, JAN): {"members": 9, "sign_ups": 0},
            (two, month, MAR): {"members": 12, "first_response_hours": 3.0},
            (one, PeriodKind.WEEK.value, date(2026, 1, 5)): {"members": 39, "sign_ups": 6},
        },
    )
    return one, two


async def test_read_figures_publishes_each_stored_period(
    two: tuple[int, int], database: Database
) -> None:
    one, _ = two
    found = await read(database, [one], JAN, APR)
    assert [(figures.period, figures.starts_on) for figures in found] == [
        (PeriodKind.MONTH, JAN),
        (PeriodKind.MONTH, FEB),
        (PeriodKind.MONTH, APR),  # March has no rollup: left out, not shown as zeros
    ]
    january = found[0]
    assert january.neighbourhood_id == one
    assert january.get("members") == Figure(BY_KEY["members"], 40.0)
    assert january.get("sign_ups") == Figure(BY_KEY["sign_ups"], 15.0)
    assert january.get("votes") == Figure(BY_KEY["votes"], None)  # not stored: no figure
    assert january.get("active_share") == Figure(BY_KEY["active_share"], None)
    assert found[1].get("sign_ups") == Figure(BY_KEY["sign_ups"], None, suppressed=True)
    assert "care_signals" not in {figure.indicator.key for figure in january.figures}
    director = await read(database, [one], JAN, JAN, audience=Audience.DIRECTOR)
    assert director[0].get("care_signals") == Figure(BY_KEY["care_signals"], 10.0)


async def test_read_figures_filters_by_neighbourhood_period_and_range(
    two: tuple[int, int], database: Database
) -> None:
    one, other = two

    def cells(found: list[PeriodFigures]) -> list[tuple[int, PeriodKind, date]]:
        return [(figures.neighbourhood_id, figures.period, figures.starts_on) for figures in found]

    month = PeriodKind.MONTH
    assert cells(await read(database, [one, other], JAN, APR)) == [
        (one, month, JAN),
        (one, month, FEB),
        (one, month, APR),
        (other, month, JAN),
        (other, month, MAR),
    ]
    assert cells(await read(database, [other], JAN, APR)) == [
        (other, month, JAN),
        (other, month, MAR),
    ]
    assert cells(await read(database, [one, other], FEB, MAR)) == [
        (one, month, FEB),
        (other, month, MAR),
    ]
    # A range is about when periods start: a last day inside March still includes March.
    assert cells(await read(database, [other], date(2026, 1, 2), date(2026, 3, 31))) == [
        (other, month, MAR)
    ]
    assert cells(await read(database, [one], JAN, APR, PeriodKind.WEEK)) == [
        (one, PeriodKind.WEEK, date(2026, 1, 5))
    ]
    assert await read(database, [], JAN, APR) == []
    assert await read(database, [one], APR, JAN) == []
    assert await read(database, [other + one + 100], JAN, APR) == []


async def test_read_figures_reads_a_cell_the_same_whatever_else_is_asked(
    two: tuple[int, int], database: Database
) -> None:
    one, other = two
    alone = await read(database, [other], MAR, MAR)
    together = await read(database, [one, other], JAN, APR)
    assert alone == [figures for figures in together if figures.neighbourhood_id == other][1:]
    assert alone[0].get("members") == Figure(BY_KEY["members"], 10.0)
    assert alone[0].get("first_response_hours") == Figure(
        BY_KEY["first_response_hours"], None, suppressed=True
    )
    hidden = (await read(database, [other], JAN, JAN))[0]
    assert hidden.get("members").suppressed and hidden.get("sign_ups").suppressed
