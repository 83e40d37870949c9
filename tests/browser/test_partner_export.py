"""A partner's key in the real Chromium: an admin, on a 360-pixel phone without JavaScript,
issues a key for Vogelwijk and copies it from the page; the partner's script then fetches the
CSV with the key as a bearer token (Playwright's request context, without any login cookie)
and reads it with the csv module; once the admin revokes the key, the same request gets 401."""

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from buurtnet.config import DEFAULT_TIME_ZONE
from buurtnet.core import local_times, metric_periods
from buurtnet.db import Database
from buurtnet.models import MetricRollup, PeriodKind, Role, utcnow
from tests.browser.conftest import PHONE, LiveServer, OpenPage, log_in
from tests.browser.test_events import fits_the_phone

pytestmark = pytest.mark.browser

NO_SCRIPT_PHONE = {"viewport": PHONE, "java_script_enabled": False, "locale": "nl-NL"}
PARTNER = "Gemeente Utrecht"


def last_month() -> date:
    today = local_times.local_day(utcnow(), ZoneInfo(DEFAULT_TIME_ZONE))
    return metric_periods.last_published_start(today, PeriodKind.MONTH)


def store_last_month(server: LiveServer, neighbourhood_id: int) -> None:
    """27 active residents of 52 members (shown as 25 and 50), 7 votes (hidden), and care
    signals that no partner may see."""

    async def work(database: Database) -> None:
        async with database.transaction() as session:
            for indicator, value in (
                ("active_residents", 27.0),
                ("members", 52.0),
                ("votes", 7.0),
                ("care_signals", 12.0),
            ):
                session.add(
                    MetricRollup(
                        neighbourhood_id=neighbourhood_id,
                        period=PeriodKind.MONTH,
                        starts_on=last_month(),
                        indicator=indicator,
                        value=value,
                    )
                )

    server.run(work)


def issue_a_key(page: Page, server: LiveServer) -> str:
    page.goto(f"{server.url}/admin")
    with page.expect_navigation():
        page.get_by_role("link", name="Sleutels voor partners").click()
    fits_the_phone(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sleutels voor partners")
    page.get_by_label("Partner", exact=True).fill(PARTNER)
    page.get_by_label("Vogelwijk").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Sleutel maken").click()
    fits_the_phone(page)
    issued = page.get_by_role("status")
    expect(issued).to_contain_text(f"De sleutel voor {PARTNER}")
    expect(issued).to_contain_text("U ziet hem alleen deze keer")
    key = page.get_by_label("Sleutel", exact=True).input_value()
    expect(page.locator("pre code")).to_contain_text(f"Authorization: Bearer {key}")
    return key


def test_an_admin_issues_a_key_and_the_partner_fetches_the_csv(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    admin = live_server.make_resident("beheer", role=Role.ADMIN)
    assert admin.neighbourhood_id is not None
    store_last_month(live_server, admin.neighbourhood_id)
    page = open_page(**NO_SCRIPT_PHONE)
    log_in(page, live_server, "beheer")
    key = issue_a_key(page, live_server)

    partner = open_page()  # a context of its own: no login cookie
    month = f"{last_month():%Y-%m}"
    url = f"{live_server.url}/api/metrics/vogelwijk?from={month}&to={month}&format=csv"
    response = partner.request.get(url, headers={"Authorization": f"Bearer {key}"})
    assert response.status == 200, response.text()
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text())))
    cells = {row["indicator"]: row for row in rows}
    assert cells["active_residents"]["value"] == "25"
    assert cells["active_share"]["value"] == "50"
    assert (cells["votes"]["value"], cells["votes"]["suppressed"]) == ("", "true")
    assert "care_signals" not in cells
    assert {row["starts_on"] for row in rows} == {last_month().isoformat()}

    page.goto(f"{live_server.url}/admin/partners")
    expect(page.get_by_role("row", name=PARTNER)).to_contain_text("Vogelwijk")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Intrekken de sleutel van {PARTNER}").click()
    fits_the_phone(page)
    expect(page.get_by_role("status")).to_have_text("De sleutel werkt niet meer.")
    refused = partner.request.get(url, headers={"Authorization": f"Bearer {key}"})
    assert refused.status == 401
    assert refused.json() == {"error": "unknown or revoked token"}
