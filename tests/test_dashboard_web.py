"""The director's dashboard in the web: who may open it and for which neighbourhoods, what its
tables show of small figures, care signals only on these pages (never in the report meant for
partners), the change lines, the survey next to CBS, the quarterly report, and bad choices in the
address. The rollup rows are written directly, with known values (the rollup job has its own
tests)."""

import html
import re
from collections.abc import Mapping
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from babel.dates import format_date

from buurtnet.config import Settings
from buurtnet.core import dashboard, local_times, metric_periods, neighbourhoods
from buurtnet.core.survey_scores import Answer
from buurtnet.db import Database
from buurtnet.models import (
    Duty,
    MetricRollup,
    Neighbourhood,
    PeriodKind,
    Role,
    SurveyPeriod,
    SurveyResponse,
    utcnow,
)
from buurtnet.web.figure_tables import DASH
from buurtnet.web.templating import LANGUAGE_COOKIE
from tests.conftest import log_in, make_account

MONTH = PeriodKind.MONTH
# The latest complete month of Vogelwijk, and the one before (stored, before disclosure control).
LATEST = {"active_residents": 37, "sign_ups": 4, "members": 62, "reports": 11, "care_signals": 12}
BEFORE = {"active_residents": 20, "sign_ups": 30, "members": 60, "reports": 3, "care_signals": 2}
THERE = {"active_residents": 52, "members": 140}


def today_of(settings: Settings) -> date:
    return local_times.local_day(utcnow(), ZoneInfo(settings.time_zone))


async def store(
    database: Database,
    place: Neighbourhood,
    starts_on: date,
    values: Mapping[str, float],
    period: PeriodKind = MONTH,
) -> None:
    assert place.id is not None
    async with database.transaction() as session:
        for key, value in values.items():
            session.add(
                MetricRollup(
                    neighbourhood_id=place.id,
                    period=period.value,
                    starts_on=starts_on,
                    indicator=key,
                    value=value,
                )
            )


@pytest.fixture
async def there(database: Database) -> Neighbourhood:
    async with database.transaction() as session:
        return await neighbourhoods.create_neighbourhood(session, "rivierenbuurt", "Rivierenbuurt")


@pytest.fixture
async def figures(
    database: Database, settings: Settings, neighbourhood: Neighbourhood, there: Neighbourhood
) -> tuple[date, ...]:
    """Two months of Vogelwijk, one of Rivierenbuurt; the starts of the last twelve months."""
    starts = dashboard.recent_starts(today_of(settings), MONTH, 12)
    await store(database, neighbourhood, starts[-1], LATEST)
    await store(database, neighbourhood, starts[-2], BEFORE)
    await store(database, there, starts[-1], THERE)
    return starts


@pytest.fixture
async def director(database: Database, neighbourhood: Neighbourhood) -> None:
    await make_account(database, "dirk", neighbourhood=neighbourhood, duty=Duty.DIRECTOR)


@pytest.fixture
async def admin(database: Database, there: Neighbourhood) -> None:
    await make_account(database, "beheer", neighbourhood=there, role=Role.ADMIN)


HIDDEN = r'<span class="visually-hidden">.*?</span>'  # for screen readers only


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def table_row(page: str, table_id: str, header: str) -> list[str]:
    """The cells of a table's row, by the text of its header."""
    table = re.search(rf'<table class="figures" id="{table_id}">(.*?)</table>', page, re.S)
    assert table, f"no table {table_id}"
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        found = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if found and found.group(1).strip() == header:
            return [
                html.unescape(re.sub(r"<[^>]+>", "", re.sub(HIDDEN, "", cell))).strip()
                for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
    raise AssertionError(f"no row {header!r} in {table_id}")


# ------------------------------------------------------------------ who opens what


@pytest.mark.usefixtures("figures", "admin")
async def test_an_admin_sees_every_neighbourhood(client: httpx.AsyncClient) -> None:
    await log_in(client, "beheer")
    page = await client.get("/dashboard")
    assert page.status_code == 200
    assert 'href="/dashboard/vogelwijk"' in page.text
    assert 'href="/dashboard/rivierenbuurt"' in page.text
    # Side by side: one line per neighbourhood in each chart, one column each in its table.
    chart = re.search(r'<svg[^>]*aria-labelledby="chart-connection-title.*?</svg>', page.text, re.S)
    assert chart
    assert {'data-series="0"', 'data-series="1"'} <= set(re.findall(r'data-series="\d"', chart[0]))
    assert '<th scope="col">Rivierenbuurt</th><th scope="col">Vogelwijk</th>' in page.text
    for slug in ("vogelwijk", "rivierenbuurt"):
        assert (await client.get(f"/dashboard/{slug}")).status_code == 200
        assert (await client.get(f"/dashboard/{slug}/report")).status_code == 200


@pytest.mark.usefixtures("figures", "director")
async def test_a_director_sees_only_their_own_neighbourhoods(client: httpx.AsyncClient) -> None:
    await log_in(client, "dirk")
    home = await client.get("/")
    assert 'href="/dashboard"' in home.text  # in the menu
    page = await client.get("/dashboard")
    assert page.status_code == 200
    assert "Vogelwijk" in page.text
    assert "Rivierenbuurt" not in page.text and "rivierenbuurt" not in page.text
    assert (await client.get("/dashboard/vogelwijk")).status_code == 200
    assert (await client.get("/dashboard/rivierenbuurt")).status_code == 403
    assert (await client.get("/dashboard/rivierenbuurt/report")).status_code == 403
    # Refused before the address is read: a bad choice does not tell more than a good one.
    assert (await client.get("/dashboard/rivierenbuurt?period=year")).status_code == 403
    assert (await client.get("/dashboard/rivierenbuurt/report?quarter=x")).status_code == 403
    assert (await client.get("/dashboard/nergens")).status_code == 404


@pytest.mark.parametrize("duty", [None, Duty.MODERATOR])
@pytest.mark.usefixtures("figures")
async def test_residents_and_moderators_may_not_open_it(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood, duty: Duty | None
) -> None:
    await make_account(database, "mees", neighbourhood=neighbourhood, duty=duty)
    await log_in(client, "mees")
    assert 'href="/dashboard"' not in (await client.get("/")).text
    for path in ("/dashboard", "/dashboard/vogelwijk", "/dashboard/vogelwijk/report"):
        assert (await client.get(path)).status_code == 403, path


async def test_a_visitor_is_sent_to_log_in(client: httpx.AsyncClient) -> None:
    answer = await client.get("/dashboard")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


# ------------------------------------------------------------------ what the pages show


@pytest.mark.usefixtures("director")
async def test_small_figures_read_less_than_k_and_people_are_rounded(
    client: httpx.AsyncClient, figures: tuple[date, ...]
) -> None:
    await log_in(client, "dirk")
    page = (await client.get("/dashboard/vogelwijk")).text
    # The latest month first; 4 sign-ups are not shown, 37 active residents read 35.
    assert table_row(page, "table-participation", "Aanmeldingen voor activiteiten")[:2] == [
        "< 10",
        "30",
    ]
    active = table_row(
        page,
        "table-connection",
        "Actieve bewoners (schreven, reageerden, stemden of gaven zich op)",
    )
    assert active[:2] == ["35", "20"]
    assert active[2] == DASH  # no rollup that month
    assert "37" not in active
    # In the chart, the hidden figure is a gap with a marker, not a value.
    chart = re.search(r'<svg[^>]*aria-labelledby="chart-participation-title.*?</svg>', page, re.S)
    assert chart and 'class="gap"' in chart.group(0)


@pytest.mark.usefixtures("figures", "director", "admin")
async def test_care_signals_are_on_the_directors_page_only(client: httpx.AsyncClient) -> None:
    await log_in(client, "dirk")
    page = (await client.get("/dashboard/vogelwijk")).text
    assert table_row(page, "table-signals", "Gemelde zorgsignalen")[:2] == ["10", "< 10"]
    assert "Gemelde zorgsignalen" not in (await client.get("/dashboard")).text
    report = (await client.get("/dashboard/vogelwijk/report")).text
    assert "Gemelde zorgsignalen" not in report
    assert "Zorgsignalen staan niet in dit verslag" in report
    client.cookies.clear()
    await log_in(client, "beheer")  # an admin who does not direct Vogelwijk
    page = (await client.get("/dashboard/vogelwijk")).text
    assert "Gemelde zorgsignalen" not in page
    assert "Meldingen" in page, "the other signals are there"


@pytest.mark.usefixtures("figures", "director")
async def test_the_change_lines_say_what_changed_beyond_rounding(
    client: httpx.AsyncClient,
) -> None:
    await log_in(client, "dirk")
    page = (await client.get("/dashboard/vogelwijk")).text
    lines = dict(
        (re.sub(r"<[^>]+>", "", label), text.strip())
        for label, text in re.findall(r"<li><strong>(.*?)</strong>: (.*?)</li>", page, re.S)
    )
    assert lines["Actieve bewoners (schreven, reageerden, stemden of gaven zich op)"] == (
        "Meer dan de maand ervoor."
    )
    assert lines["Leden aan het eind van de periode"] == "Ongeveer even veel als de maand ervoor."
    assert lines["Aanmeldingen voor activiteiten"] == "Nog te weinig mensen om iets te zeggen."
    assert lines["Meldingen"] == "Nog te weinig mensen om iets te zeggen."
    assert lines["Gehouden activiteiten"] == "Nog geen cijfers om mee te vergelijken."
    overview = (await client.get("/dashboard")).text
    assert "<li><strong>Vogelwijk</strong>: Meer dan de maand ervoor.</li>" in overview


@pytest.mark.usefixtures("director")
async def test_weeks_can_be_chosen_and_an_empty_range_still_renders(
    client: httpx.AsyncClient, database: Database, settings: Settings, neighbourhood: Neighbourhood
) -> None:
    weeks = dashboard.recent_starts(today_of(settings), PeriodKind.WEEK, 6)
    await store(database, neighbourhood, weeks[-1], {"active_residents": 17}, PeriodKind.WEEK)
    await log_in(client, "dirk")
    page = await client.get("/dashboard/vogelwijk?period=week&last=6")
    assert page.status_code == 200
    assert (
        table_row(
            page.text,
            "table-connection",
            "Actieve bewoners (schreven, reageerden, stemden of gaven zich op)",
        )[0]
        == "15"
    )
    assert 'option value="week" selected' in page.text
    empty = await client.get("/dashboard?period=month&last=24")
    assert empty.status_code == 200
    assert "Geen cijfers over deze perioden" in empty.text


@pytest.mark.usefixtures("director")
@pytest.mark.parametrize(
    "query",
    ["period=year", "period=", "last=13", "last=abc", "last=-1", "period=week&last=1000000"],
)
async def test_choices_the_form_does_not_offer_get_a_400_page(
    client: httpx.AsyncClient, query: str
) -> None:
    await log_in(client, "dirk")
    for path in ("/dashboard", "/dashboard/vogelwijk"):
        answer = await client.get(f"{path}?{query}")
        assert answer.status_code == 400, (path, query)
        assert "We kennen deze keuze niet" in answer.text


# ------------------------------------------------------------------ the survey


async def hold_survey(
    database: Database, place: Neighbourhood, closes_on: date, respondents: int
) -> None:
    """A closed survey: every resident disagrees with item 1 (3 points, reversed) and agrees
    with the others (3 points each: a score of 7.5), but one in three agrees strongly with them
    (4 points each: 9.5)."""
    assert place.id is not None
    async with database.transaction() as session:
        period = SurveyPeriod(
            neighbourhood_id=place.id, opens_on=closes_on - timedelta(days=27), closes_on=closes_on
        )
        session.add(period)
        await session.flush()
        assert period.id is not None
        for n in range(respondents):
            positive = Answer.STRONGLY_AGREE if n % 3 == 0 else Answer.AGREE
            session.add(
                SurveyResponse(
                    period_id=period.id,
                    know_each_other=Answer.DISAGREE,
                    pleasant=positive,
                    close_knit=positive,
                    at_home=positive,
                    help_each_other=positive,
                )
            )


@pytest.mark.usefixtures("director", "admin")
async def test_the_latest_survey_shows_with_its_interval_or_less_than_k(
    client: httpx.AsyncClient,
    database: Database,
    settings: Settings,
    neighbourhood: Neighbourhood,
    there: Neighbourhood,
) -> None:
    today = today_of(settings)
    await hold_survey(database, neighbourhood, today - timedelta(days=200), 4)
    await hold_survey(database, neighbourhood, today - timedelta(days=10), 12)
    await hold_survey(database, there, today - timedelta(days=10), 6)
    await log_in(client, "beheer")
    page = (await client.get("/dashboard")).text
    survey = page[page.index('id="survey-heading"') :]
    # Vogelwijk's latest: 4 residents score 9.5 and 8 score 7.5, a mean of 8.17; the earlier
    # survey of 4 residents is not the one shown. Rivierenbuurt's 6 are too few.
    assert "<strong>8,2</strong>" in survey
    assert re.search(r"\d,\d tot \d,\d", survey)  # its interval
    assert "Rivierenbuurt" in survey and "&lt; 10" in survey
    assert "minstens 10" in survey and "minder dan 10" in survey  # 12 and 6 residents took part
    closed = format_date(today - timedelta(days=10), "EEEE d MMMM y", locale="nl")
    assert f"tot en met {closed}</td>" in survey
    assert "6,4" in survey and "7,1" in survey and "5,8" in survey  # the CBS references
    chart = re.search(r'<svg[^>]*aria-labelledby="chart-survey-title.*?</svg>', page, re.S)
    assert chart and chart.group(0).count('class="reference"') == 3
    assert chart.group(0).count('class="mean"') == 1  # Rivierenbuurt's is not published


# ------------------------------------------------------------------ the quarterly report


@pytest.mark.usefixtures("director")
async def test_the_quarterly_report_of_a_quarter_with_figures(
    client: httpx.AsyncClient, database: Database, settings: Settings, neighbourhood: Neighbourhood
) -> None:
    year, quarter = dashboard.last_complete_quarter(today_of(settings))
    months = metric_periods.quarter_months(year, quarter)
    for month, active in zip(months, (22, 31, 52), strict=True):
        await store(
            database, neighbourhood, month, {"active_residents": active, "care_signals": 30}
        )
    await log_in(client, "dirk")
    default = await client.get("/dashboard/vogelwijk/report")
    chosen = await client.get(f"/dashboard/vogelwijk/report?quarter={year}-Q{quarter}")
    assert default.status_code == chosen.status_code == 200
    assert main_of(default.text) == main_of(chosen.text)
    page = chosen.text
    assert f"kwartaal {quarter} van {year}" in page
    label = "Actieve bewoners (schreven, reageerden, stemden of gaven zich op)"
    assert table_row(page, "table-connection", label) == ["50", "30", "20"]  # latest first
    assert "cijfers over minder dan 10 mensen" in page
    assert "afgerond naar beneden op vijftallen" in page
    assert "@media print" not in page  # the print rules come from the stylesheet
    assert 'href="/static/dashboard.css"' in page
    assert page.count('<section class="dimension"') == 4
    assert "Gemelde zorgsignalen" not in page


@pytest.mark.usefixtures("director")
async def test_the_quarterly_report_of_a_quarter_without_figures(
    client: httpx.AsyncClient,
) -> None:
    await log_in(client, "dirk")
    page = await client.get("/dashboard/vogelwijk/report?quarter=2020-Q1")
    assert page.status_code == 200
    assert "kwartaal 1 van 2020" in page.text
    label = "Actieve bewoners (schreven, reageerden, stemden of gaven zich op)"
    assert table_row(page.text, "table-connection", label) == [DASH, DASH, DASH]
    assert "Geen cijfers over deze perioden" in page.text
    assert "Hier is nog geen enquête gehouden." in page.text


@pytest.mark.usefixtures("director")
@pytest.mark.parametrize("quarter", ["2026-Q5", "2026-Q0", "Q3-2026", "1999-Q4", "", "9999-Q1"])
async def test_a_quarter_that_is_not_one_or_not_over_gets_a_400_page(
    client: httpx.AsyncClient, quarter: str
) -> None:
    await log_in(client, "dirk")
    answer = await client.get(f"/dashboard/vogelwijk/report?quarter={quarter}")
    assert answer.status_code == 400
    assert 'href="/dashboard/vogelwijk/report"' in answer.text


@pytest.mark.usefixtures("director")
async def test_the_neighbourhood_page_links_the_report_and_the_downloads(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await log_in(client, "dirk")
    page = (await client.get("/dashboard/vogelwijk")).text
    year, quarter = dashboard.last_complete_quarter(today_of(settings))
    assert f'href="/dashboard/vogelwijk/report?quarter={year}-Q{quarter}"' in page
    assert 'href="/dashboard/vogelwijk/export?format=csv"' in page
    assert 'href="/dashboard/vogelwijk/export?format=json"' in page


@pytest.mark.usefixtures("director")
async def test_the_report_shows_the_survey_that_closed_by_the_quarters_end(
    client: httpx.AsyncClient, database: Database, settings: Settings, neighbourhood: Neighbourhood
) -> None:
    latest = dashboard.last_complete_quarter(today_of(settings))
    earlier = dashboard.previous_quarter(*latest)
    for quarter, respondents in ((earlier, 12), (latest, 6)):
        last_month = metric_periods.quarter_months(*quarter)[-1]
        closes_on = metric_periods.last_day(last_month, MONTH) - timedelta(days=5)
        await hold_survey(database, neighbourhood, closes_on, respondents)
    await log_in(client, "dirk")

    def survey_of(page: str) -> str:
        return page[page.index('id="survey-heading"') :]

    then = await client.get(f"/dashboard/vogelwijk/report?quarter={earlier[0]}-Q{earlier[1]}")
    assert "<strong>8,2</strong>" in survey_of(then.text)
    now = (await client.get("/dashboard/vogelwijk/report")).text
    assert "<strong>8,2</strong>" not in survey_of(now) and "&lt; 10" in survey_of(now)


@pytest.mark.usefixtures("figures", "director")
async def test_the_page_reads_in_english_too(client: httpx.AsyncClient) -> None:
    await log_in(client, "dirk")
    client.cookies.set(LANGUAGE_COOKIE, "en")
    page = (await client.get("/dashboard/vogelwijk")).text
    assert "Dashboard: Vogelwijk" in page and "More than the month before." in page
    assert "95% confidence interval" in page and "%%" not in page
    assert table_row(page, "table-participation", "Sign-ups for activities")[0] == "< 10"
