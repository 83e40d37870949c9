"""The export of the liveability figures (core.metric_exports): the range a request reads, the
JSON and CSV it gives (hidden cells empty and flagged, no care signals for partners, never the
survey's open answers, only periods that are over), and the audit entry every export leaves.

The figures come from rollup rows stored here directly, as the rollup job would leave them.
"""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from buurtnet.core import export_requests, metric_exports, metric_periods, neighbourhoods
from buurtnet.core.errors import InvalidInput
from buurtnet.core.export_requests import ExportFormat, Range
from buurtnet.core.metric_exports import Context
from buurtnet.core.metric_figures import Audience
from buurtnet.db import Database
from buurtnet.models import (
    ActionKind,
    MetricRollup,
    ModerationAction,
    Neighbourhood,
    PeriodKind,
    SurveyPeriod,
    SurveyResponse,
    utcnow,
)

K = 10
TODAY = date(2026, 5, 20)
MARCH = date(2026, 3, 1)
APRIL = date(2026, 4, 1)
MAY = date(2026, 5, 1)  # the month in progress
OPEN_ANSWER = "Een bankje bij de vijver, zegt de buurvrouw van nummer 7"
# As the rollup job stores them: 27 active of 52 members; 7 votes (below k); 12 care signals.
STORED = {
    "active_residents": 27.0,
    "members": 52.0,
    "votes": 7.0,
    "events_held": 3.0,
    "replies_per_post": 1.25,
    "care_signals": 12.0,
}


def context(today: date = TODAY, k: int = K) -> Context:
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    return Context("Buurtnet Test", "https://buurt.example", k, today, now)


def months(first: date, last: date) -> Range:
    return Range(PeriodKind.MONTH, first, metric_periods.last_day(last, PeriodKind.MONTH))


async def store_rollups(
    database: Database,
    place: Neighbourhood,
    starts_on: date,
    values: dict[str, float],
    period: PeriodKind = PeriodKind.MONTH,
) -> None:
    assert place.id is not None
    async with database.transaction() as session:
        for indicator, value in values.items():
            session.add(
                MetricRollup(
                    neighbourhood_id=place.id,
                    period=period,
                    starts_on=starts_on,
                    indicator=indicator,
                    value=value,
                )
            )


async def closed_survey(
    database: Database, place: Neighbourhood, closes_on: date, respondents: int
) -> SurveyPeriod:
    """A survey that closed on that day, answered by so many residents, all agreeing, with
    marks of 7 and 8 and an open answer each."""
    assert place.id is not None
    async with database.transaction() as session:
        period = SurveyPeriod(
            neighbourhood_id=place.id, opens_on=closes_on - timedelta(days=27), closes_on=closes_on
        )
        session.add(period)
        await session.flush()
        assert period.id is not None
        for number in range(respondents):
            session.add(
                SurveyResponse(
                    period_id=period.id,
                    know_each_other="disagree",
                    pleasant="agree",
                    close_knit="agree",
                    at_home="agree",
                    help_each_other="agree" if number % 2 else "strongly_agree",
                    liveability_mark=7,
                    at_home_mark=8,
                    open_text=OPEN_ANSWER,
                )
            )
    return period


async def export_audits(database: Database) -> list[ModerationAction]:
    async with database.reading() as session:
        found = await session.exec(
            select(ModerationAction)
            .where(col(ModerationAction.kind) == ActionKind.EXPORT)
            .order_by(col(ModerationAction.id))
        )
        return list(found.all())


@pytest.fixture
async def vogelwijk(database: Database, neighbourhood: Neighbourhood) -> Neighbourhood:
    """Vogelwijk, with its CBS code, March and April over and May in progress."""
    async with database.transaction() as session:
        place = await neighbourhoods.get_by_slug(session, neighbourhood.slug)
        place.cbs_code = "BU03630000"
        session.add(place)
    for month in (MARCH, APRIL, MAY):
        await store_rollups(database, neighbourhood, month, STORED)
    return place


async def gather(database: Database, place: Neighbourhood, audience: Audience) -> dict[str, Any]:
    async with database.reading() as session:
        return await metric_exports.gather(
            session, [place], months(MARCH, MAY), audience, context()
        )


# ------------------------------------------------------------------ the range asked for


def test_without_a_range_a_year_of_months_up_to_the_last_that_is_over() -> None:
    wanted = export_requests.parse_range("", "", "", TODAY)
    assert wanted == Range(PeriodKind.MONTH, date(2025, 5, 1), date(2026, 4, 30))


def test_weeks_default_to_a_quarter() -> None:
    wanted = export_requests.parse_range("week", "", "", TODAY)
    assert wanted == Range(PeriodKind.WEEK, date(2026, 3, 1), date(2026, 5, 31))


def test_a_range_of_months_both_included() -> None:
    wanted = export_requests.parse_range("month", "2026-01", "2026-03", TODAY)
    assert wanted == Range(PeriodKind.MONTH, date(2026, 1, 1), date(2026, 3, 31))
    assert export_requests.one_month("2026-02", TODAY) == months(date(2026, 2, 1), date(2026, 2, 1))


def test_a_to_in_the_future_reads_as_up_to_now() -> None:
    wanted = export_requests.parse_range("month", "2026-01", "9998-12", TODAY)
    assert wanted.last == date(2026, 5, 31)


@pytest.mark.parametrize(
    ("period", "first", "last", "field", "code"),
    [
        ("year", "", "", "period", "export_period_invalid"),
        ("month", "2026-1", "2026-03", "from", "export_month_invalid"),
        ("month", "januari", "", "from", "export_month_invalid"),
        ("month", "1999-12", "2026-03", "from", "export_month_invalid"),
        ("month", "2026-01", "2026-13", "to", "export_month_invalid"),
        ("month", "2026-03", "2026-01", "from", "export_range_reversed"),
        ("month", "2010-01", "2020-01", "to", "export_range_too_long"),
        ("month", "2026-05", "2026-05", "from", "export_not_over"),
        ("month", "2030-01", "", "from", "export_range_reversed"),
    ],
)
def test_a_wrong_range_names_what_is_wrong(
    period: str, first: str, last: str, field: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        export_requests.parse_range(period, first, last, TODAY)
    assert raised.value.errors == {field: code}


def test_on_its_grace_day_the_month_just_ended_is_not_over_yet() -> None:
    first_of_may, second_of_may = date(2026, 5, 1), date(2026, 5, 2)
    assert export_requests.parse_range("", "", "", first_of_may).last == date(2026, 3, 31)
    assert export_requests.parse_range("", "", "", second_of_may).last == date(2026, 4, 30)
    with pytest.raises(InvalidInput) as raised:
        export_requests.parse_range("month", "2026-04", "2026-04", first_of_may)
    assert raised.value.errors == {"from": "export_not_over"}
    assert export_requests.one_month("2026-04", second_of_may).first == APRIL


async def test_an_export_leaves_out_a_period_not_yet_published(
    database: Database, vogelwijk: Neighbourhood
) -> None:
    """On 1 May April has ended, but its figures are not final until the day after."""
    monday, tuesday = date(2026, 5, 4), date(2026, 5, 5)
    last_week = date(2026, 4, 27)
    await store_rollups(database, vogelwijk, last_week, {"events_held": 2.0}, PeriodKind.WEEK)
    weeks = Range(PeriodKind.WEEK, MARCH, date(2026, 5, 31))
    found: dict[date, set[str]] = {}
    async with database.reading() as session:
        for today, wanted in (
            (date(2026, 5, 1), months(MARCH, MAY)),
            (date(2026, 5, 2), months(MARCH, MAY)),
            (monday, weeks),
            (tuesday, weeks),
        ):
            data: dict[str, Any] = await metric_exports.gather(
                session, [vogelwijk], wanted, Audience.PARTNER, context(today)
            )
            found[today] = {row["starts_on"] for row in data["figures"]}
    assert found[date(2026, 5, 1)] == {"2026-03-01"}
    assert found[date(2026, 5, 2)] == {"2026-03-01", "2026-04-01"}
    assert found[monday] == set()
    assert found[tuesday] == {"2026-04-27"}


def test_ten_years_is_the_most() -> None:
    assert export_requests.parse_range("month", "2016-05", "2026-04", TODAY).first == date(
        2016, 5, 1
    )


def test_the_format_is_json_or_csv() -> None:
    assert export_requests.parse_format("") == ExportFormat.JSON
    assert export_requests.parse_format("CSV") == ExportFormat.CSV
    with pytest.raises(InvalidInput) as raised:
        export_requests.parse_format("xlsx")
    assert raised.value.errors == {"format": "export_format_invalid"}


# ------------------------------------------------------------------ what an export holds


async def test_json_says_what_it_is_and_hides_what_rests_on_too_few(
    database: Database, vogelwijk: Neighbourhood
) -> None:
    data = await gather(database, vogelwijk, Audience.PARTNER)
    assert data["instance"] == {"name": "Buurtnet Test", "url": "https://buurt.example"}
    assert data["generated_at"] == "2026-05-20T12:00:00+00:00"
    assert data["threshold"] == K
    assert "fewer than 10 people" in data["rules"] and "never exported" in data["rules"]
    assert "rounded down to multiples of 5" in data["rules"]
    assert data["neighbourhoods"] == [
        {"slug": "vogelwijk", "name": "Vogelwijk", "cbs_code": "BU03630000"}
    ]
    cells = {(row["starts_on"], row["indicator"]): row for row in data["figures"]}
    assert cells["2026-03-01", "active_residents"] == {
        "neighbourhood": "vogelwijk",
        "period": "month",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-31",
        "indicator": "active_residents",
        "dimension": "connection",
        "value": 25,  # 27 rounded down to fives
        "suppressed": False,
    }
    assert cells["2026-03-01", "votes"]["value"] is None
    assert cells["2026-03-01", "votes"]["suppressed"] is True
    assert cells["2026-03-01", "active_share"]["value"] == 50  # 25 of 50, from rounded counts
    assert cells["2026-03-01", "events_held"]["value"] == 3
    assert cells["2026-03-01", "replies_per_post"]["value"] == 1.2
    # no figure at all (no number of homes): empty, but not hidden
    assert cells["2026-03-01", "households_reached"] == {
        **cells["2026-03-01", "households_reached"],
        "value": None,
        "suppressed": False,
    }
    assert "neighbourhood_id" not in cells["2026-03-01", "votes"]


async def test_only_periods_that_are_over(database: Database, vogelwijk: Neighbourhood) -> None:
    data = await gather(database, vogelwijk, Audience.PARTNER)
    assert {row["starts_on"] for row in data["figures"]} == {"2026-03-01", "2026-04-01"}


async def test_care_signals_only_for_the_director(
    database: Database, vogelwijk: Neighbourhood
) -> None:
    partner = await gather(database, vogelwijk, Audience.PARTNER)
    assert "care_signals" not in json.dumps(partner)
    director = await gather(database, vogelwijk, Audience.DIRECTOR)
    care = [row for row in director["figures"] if row["indicator"] == "care_signals"]
    assert [row["value"] for row in care] == [10, 10]


async def test_surveys_that_closed_in_the_range_without_their_open_answers(
    database: Database, vogelwijk: Neighbourhood
) -> None:
    await closed_survey(database, vogelwijk, date(2026, 3, 28), respondents=12)
    await closed_survey(database, vogelwijk, date(2026, 4, 28), respondents=4)
    await closed_survey(database, vogelwijk, date(2026, 2, 27), respondents=12)  # before
    data = await gather(database, vogelwijk, Audience.PARTNER)
    march, april = data["surveys"]
    assert march["neighbourhood"] == "vogelwijk"
    assert (march["opens_on"], march["closes_on"]) == ("2026-03-01", "2026-03-28")
    assert march["respondents"] == {"value": 10, "suppressed": False}  # 12 rounded down to fives
    assert march["liveability_mark"] == {"value": 7.0, "low": 7.0, "high": 7.0, "suppressed": False}
    cohesion = march["cohesion"]
    assert (
        cohesion["suppressed"] is False and cohesion["low"] < cohesion["value"] < cohesion["high"]
    )
    assert "n" not in cohesion  # never the exact number of residents
    assert april["respondents"] == {"value": None, "suppressed": True}
    assert april["at_home_mark"] == {"value": None, "low": None, "high": None, "suppressed": True}
    text = json.dumps(data) + metric_exports.to_csv(data)
    assert "bankje" not in text and "open_text" not in text


async def test_csv_has_a_row_per_cell_with_hidden_ones_empty_and_flagged(
    database: Database, vogelwijk: Neighbourhood
) -> None:
    await closed_survey(database, vogelwijk, date(2026, 4, 28), respondents=15)
    data = await gather(database, vogelwijk, Audience.PARTNER)
    rows = list(csv.DictReader(io.StringIO(metric_exports.to_csv(data))))
    assert list(rows[0]) == list(metric_exports.CSV_COLUMNS)
    cells = {(row["starts_on"], row["indicator"]): row for row in rows}
    assert cells["2026-04-01", "votes"]["value"] == ""
    assert cells["2026-04-01", "votes"]["suppressed"] == "true"
    assert cells["2026-04-01", "active_residents"]["value"] == "25"
    assert cells["2026-04-01", "active_residents"]["suppressed"] == "false"
    assert cells["2026-04-01", "active_residents"]["ends_on"] == "2026-04-30"
    assert not any(row["indicator"] == "care_signals" for row in rows)
    survey = {row["indicator"]: row for row in rows if row["period"] == "survey"}
    assert set(survey) == {
        "survey_respondents",
        "survey_cohesion",
        "survey_cohesion_low",
        "survey_cohesion_high",
        "survey_liveability_mark",
        "survey_liveability_mark_low",
        "survey_liveability_mark_high",
        "survey_at_home_mark",
        "survey_at_home_mark_low",
        "survey_at_home_mark_high",
    }
    assert survey["survey_respondents"]["value"] == "15"
    assert survey["survey_at_home_mark"]["value"] == "8.0"
    assert survey["survey_cohesion"]["ends_on"] == "2026-04-28"
    figures_per_month = len(data["figures"]) // 2
    assert len(rows) == 2 * figures_per_month + len(survey)


async def test_weeks(database: Database, vogelwijk: Neighbourhood) -> None:
    monday = date(2026, 4, 6)
    await store_rollups(database, vogelwijk, monday, {"active_residents": 31.0}, PeriodKind.WEEK)
    wanted = export_requests.parse_range("week", "2026-04", "2026-04", TODAY)
    async with database.reading() as session:
        data: dict[str, Any] = await metric_exports.gather(
            session, [vogelwijk], wanted, Audience.PARTNER, context()
        )
    assert {(row["starts_on"], row["ends_on"]) for row in data["figures"]} == {
        ("2026-04-06", "2026-04-12")
    }


async def test_a_cell_reads_the_same_in_every_export(
    database: Database, vogelwijk: Neighbourhood
) -> None:
    """Two exports with different filters differ in which cells they hold, never in a value."""
    other = await _other_neighbourhood(database)
    await store_rollups(database, other, MARCH, {"active_residents": 9.0, "members": 30.0})
    async with database.reading() as session:
        both: dict[str, Any] = await metric_exports.gather(
            session, [vogelwijk, other], months(MARCH, APRIL), Audience.PARTNER, context()
        )
        one: dict[str, Any] = await metric_exports.gather(
            session, [vogelwijk], months(MARCH, MARCH), Audience.PARTNER, context()
        )
    in_both = {(r["neighbourhood"], r["starts_on"], r["indicator"]): r for r in both["figures"]}
    for row in one["figures"]:
        assert in_both["vogelwijk", row["starts_on"], row["indicator"]] == row
    hidden = in_both["rivierenbuurt", "2026-03-01", "active_residents"]
    assert hidden["value"] is None and hidden["suppressed"] is True


async def test_every_export_is_in_the_audit_log(
    database: Database, vogelwijk: Neighbourhood
) -> None:
    other = await _other_neighbourhood(database)
    async with database.transaction() as session:
        exported = await metric_exports.export(
            session,
            [vogelwijk, other],
            months(MARCH, APRIL),
            ExportFormat.CSV,
            Audience.PARTNER,
            metric_exports.COMMAND_LINE,
            context(),
        )
    assert exported.media_type.startswith("text/csv")
    assert exported.filename == "buurtnet-neighbourhoods-month-2026-03-2026-04.csv"
    audits = await export_audits(database)
    assert [entry.neighbourhood_id for entry in audits] == [vogelwijk.id, other.id]
    for entry in audits:
        assert entry.moderator_id is None and not entry.public
        assert "by the command line" in entry.reason
        assert "vogelwijk, rivierenbuurt: month 2026-03-01 to 2026-04-30, as csv" in entry.reason
        assert entry.created_at is not None


async def test_the_context_applies_the_threshold_and_the_calendar() -> None:
    made = metric_exports.context_now("B", "https://b.example", 3, ZoneInfo("UTC"))
    assert made.k == 5  # never below five
    assert made.today == utcnow().date()


async def _other_neighbourhood(database: Database) -> Neighbourhood:
    async with database.transaction() as session:
        return await neighbourhoods.create_neighbourhood(session, "rivierenbuurt", "Rivierenbuurt")
