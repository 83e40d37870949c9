"""The neighbourhood page's summary of last month (core/public_summary): its Dutch sentence with
the figures shown, rounded and hidden as everywhere else, only the last published month (never
the month in progress, nor the one just ended on its grace day), and nothing at all when there
are no figures. The rollups are written here directly."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from babel.dates import format_date

from buurtnet.app import create_app
from buurtnet.core import public_summary
from buurtnet.core.metric_periods import last_published_start
from buurtnet.db import Database
from buurtnet.models import MetricRollup, Neighbourhood, PeriodKind, utcnow
from tests.conftest import browser_for, log_in, make_settings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BOX = "De buurt in cijfers"


def month_before_now() -> date:
    """The last published month: the month before this one, or during its grace day (the
    first of a month) the one before that."""
    return last_published_start(utcnow().astimezone(AMSTERDAM).date(), PeriodKind.MONTH)


def opening(neighbourhood: str = "Vogelwijk", month: date | None = None) -> str:
    """The summary's first words in Dutch: "In maart 2026 in Vogelwijk:"."""
    name = format_date(month or month_before_now(), "LLLL y", locale="nl")
    return f"In {name} in {neighbourhood}:"


@pytest.mark.parametrize(
    ("now", "month"),
    [
        (datetime(2026, 5, 14, 12, 0, tzinfo=UTC), date(2026, 4, 1)),
        (datetime(2026, 1, 3, 8, 0, tzinfo=UTC), date(2025, 12, 1)),
        # 1 April in Amsterdam (31 March 23:30 UTC) is March's grace day: February's figures.
        (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), date(2026, 2, 1)),
        (datetime(2026, 4, 1, 22, 30, tzinfo=UTC), date(2026, 3, 1)),  # 2 April, 00:30
    ],
)
async def test_only_the_last_published_month_is_told(
    database: Database, neighbourhood: Neighbourhood, now: datetime, month: date
) -> None:
    assert neighbourhood.id is not None
    for each in (date(2025, 11, 1), date(2025, 12, 1), date(2026, 2, 1), date(2026, 3, 1)):
        await roll_up(database, neighbourhood, each, events_held=each.month)
    await roll_up(database, neighbourhood, date(2026, 4, 1), events_held=4)
    async with database.reading() as session:
        told = await public_summary.last_month(session, neighbourhood.id, now, AMSTERDAM, 10)
    assert told is not None
    assert told.month == month
    assert told.events_held == month.month


async def roll_up(
    database: Database, neighbourhood: Neighbourhood, month: date, **values: float | None
) -> None:
    assert neighbourhood.id is not None
    async with database.transaction() as session:
        for indicator, value in values.items():
            session.add(
                MetricRollup(
                    neighbourhood_id=neighbourhood.id,
                    period=PeriodKind.MONTH,
                    starts_on=month,
                    indicator=indicator,
                    value=value,
                )
            )


async def page(client: httpx.AsyncClient, neighbourhood: Neighbourhood) -> str:
    answer = await client.get(f"/n/{neighbourhood.slug}")
    assert answer.status_code == 200
    return answer.text


async def test_last_months_figures_in_dutch(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await roll_up(
        database,
        neighbourhood,
        month_before_now(),
        events_held=4,
        active_residents=67,  # shown rounded down to fives
        help_asked=3,
        help_answered=2,
        members=120,
    )
    text = await page(client, neighbourhood)
    assert BOX in text
    assert (
        f"{opening()} 4 activiteiten, minstens 65 buren deden mee, 3 hulpvragen, 2 beantwoord."
        in text
    )


async def test_a_count_of_people_below_the_threshold_is_hidden(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    await roll_up(database, neighbourhood, month_before_now(), events_held=1, active_residents=7)
    text = await page(client, neighbourhood)
    assert f"{opening()} 1 activiteit, minder dan 10 buren deden mee." in text
    assert " 7 " not in text.split(BOX, 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize(
    ("k", "active", "limit"),
    [(5, 3, 5), (7, 8, 10)],  # a k of 7 hides what is below 10, and the page says so
)
async def test_the_threshold_is_the_instances(
    database: Database,
    database_url: str,
    tmp_path: Path,
    neighbourhood: Neighbourhood,
    k: int,
    active: int,
    limit: int,
) -> None:
    await roll_up(database, neighbourhood, month_before_now(), active_residents=active)
    settings = make_settings(database_url, tmp_path, disclosure_threshold=k)
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app), browser_for(app) as client:
        text = await page(client, neighbourhood)
    assert f"{opening()} minder dan {limit} buren deden mee." in text


async def test_the_month_in_progress_is_never_shown(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    this_month = utcnow().astimezone(AMSTERDAM).date().replace(day=1)
    await roll_up(database, neighbourhood, this_month, events_held=9, active_residents=40)
    assert BOX not in await page(client, neighbourhood)
    await roll_up(database, neighbourhood, month_before_now(), events_held=2, active_residents=20)
    text = await page(client, neighbourhood)
    assert f"{opening()} 2 activiteiten, minstens 20 buren deden mee." in text
    assert "9 activiteiten" not in text and "minstens 40" not in text


async def test_no_figures_no_box(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    assert BOX not in await page(client, neighbourhood)
    # A rollup without any of the figures the summary tells, or of months long gone.
    await roll_up(database, neighbourhood, month_before_now(), members=50, events_held=None)
    await roll_up(database, neighbourhood, date(2020, 1, 1), events_held=3)
    assert BOX not in await page(client, neighbourhood)


async def test_residents_and_visitors_see_what_the_page_shows(
    client: httpx.AsyncClient,
    database: Database,
    neighbourhood: Neighbourhood,
    resident: object,
) -> None:
    """The summary is as public as the page it is on: a visitor and a resident see the same."""
    await roll_up(database, neighbourhood, month_before_now(), events_held=5)
    sentence = f"{opening()} 5 activiteiten."
    assert sentence in await page(client, neighbourhood)
    await log_in(client, "anna")
    assert sentence in await page(client, neighbourhood)


async def test_each_neighbourhood_its_own(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood
) -> None:
    async with database.transaction() as session:
        other = Neighbourhood(slug="rivierenbuurt", name="Rivierenbuurt")
        session.add(other)
    await roll_up(database, other, month_before_now(), events_held=6)
    assert BOX not in await page(client, neighbourhood)
    assert f"{opening('Rivierenbuurt')} 6 activiteiten." in await page(client, other)
