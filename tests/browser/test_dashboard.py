"""The director's dashboard in the real Chromium, on a 360-pixel phone and a 1280-pixel screen:
every dimension's chart is drawn and fits the page, which never scrolls sideways, and its
numbers are in a table beside it; the quarterly report prints without the menu."""

from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from buurtnet.config import DEFAULT_TIME_ZONE
from buurtnet.core import dashboard, local_times, permissions
from buurtnet.db import Database
from buurtnet.models import Duty, MetricRollup, PeriodKind, utcnow
from tests.browser.conftest import DESKTOP, PHONE, LiveServer, OpenPage, log_in, open_menu
from tests.browser.test_layout import page_width

pytestmark = pytest.mark.browser

DIMENSIONS = ("connection", "participation", "growth", "signals")


def make_director_with_figures(server: LiveServer) -> None:
    """Dirk directs Vogelwijk, which has a year of figures, one month of them too small."""
    account = server.make_resident("dirk")
    account_id, home_id = account.id, account.neighbourhood_id
    assert account_id is not None and home_id is not None
    today = local_times.local_day(utcnow(), ZoneInfo(DEFAULT_TIME_ZONE))
    starts = dashboard.recent_starts(today, PeriodKind.MONTH, 12)
    monthly = {
        "active_residents": lambda n: 20 + 3 * n if n != 4 else 6,
        "sign_ups": lambda n: 12 + n,
        "members": lambda n: 60 + 2 * n,
        "reports": lambda n: 10 + n % 3,
    }

    async def work(database: Database) -> None:
        async with database.transaction() as session:
            await permissions.grant(session, account_id, home_id, Duty.DIRECTOR)
            for n, starts_on in enumerate(starts):
                for key, value_of in monthly.items():
                    session.add(
                        MetricRollup(
                            neighbourhood_id=home_id,
                            period=PeriodKind.MONTH.value,
                            starts_on=starts_on,
                            indicator=key,
                            value=value_of(n),
                        )
                    )

    server.run(work)


def charts_fit(page: Page, width: int) -> None:
    """Each dimension's chart is drawn, inside the page's width, with its table."""
    for dimension in DIMENSIONS:
        chart = page.locator(f'svg[aria-labelledby^="chart-{dimension}-title"]')
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, dimension
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, dimension
        table = page.locator(f"#table-{dimension}")
        expect(table).to_be_attached()
        expect(table.locator("caption")).not_to_be_empty()
    assert page_width(page) <= width


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_director_sees_the_charts_and_tables(
    open_page: OpenPage, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    make_director_with_figures(live_server)
    page = open_page(viewport=viewport)
    log_in(page, live_server, "dirk")
    open_menu(page)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.wait_for_url(f"{live_server.url}/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Dashboard: hoe gaat het in de buurten?"
    )
    charts_fit(page, viewport["width"])
    expect(
        page.get_by_role("img", name="Verbinding: Actieve bewoners", exact=False)
    ).to_be_visible()

    page.get_by_role("link", name="Vogelwijk", exact=True).click()
    page.wait_for_url(f"{live_server.url}/dashboard/vogelwijk")
    charts_fit(page, viewport["width"])
    connection = page.locator("#table-connection")
    # The small month: its active residents, and the share worked out from them.
    expect(connection.get_by_role("cell", name="< 10")).to_have_count(2)
    expect(page.locator('svg[aria-labelledby^="chart-connection-title"] .gap')).to_have_count(1)

    page.get_by_label("Cijfers per").select_option("week")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url("**/dashboard/vogelwijk?period=week&last=12")
    charts_fit(page, viewport["width"])


def test_the_quarterly_report_prints_without_the_menu(page: Page, live_server: LiveServer) -> None:
    make_director_with_figures(live_server)
    log_in(page, live_server, "dirk")
    page.goto(f"{live_server.url}/dashboard/vogelwijk/report")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kwartaalverslag Vogelwijk")
    expect(page.locator(".site-header")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".report-tools")).to_be_hidden()
    expect(page.locator('svg[aria-labelledby^="chart-connection-title"]')).to_be_visible()
    breaks = page.locator("section.dimension").evaluate_all(
        "sections => sections.map(s => getComputedStyle(s).breakBefore)"
    )
    assert breaks == ["page"] * 4
