"""Official voices in Chromium, on a phone: a director pins a message through the post's "Meer"
menu and the date field, the neighbourhood sees it first under its own heading, the badge is read
as text, and nothing needs sideways scrolling."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from buurtnet.core import permissions, posts
from buurtnet.db import Database
from buurtnet.models import Account, Duty
from tests.browser.conftest import PHONE, LiveServer, OpenPage, log_in

pytestmark = pytest.mark.browser
ANNOUNCEMENT = "Zaterdag grote schoonmaak in de buurt!"


def page_width(page: Page) -> int:
    width: int = page.evaluate("() => document.documentElement.scrollWidth")
    return width


def director_with_announcement(live_server: LiveServer) -> None:
    """Dirk, Vogelwijk's director, with a message for the neighbourhood."""
    dirk = live_server.make_resident("dirk")

    async def work(database: Database) -> None:
        await as_director(database, dirk)
        async with database.transaction() as session:
            await posts.create_post(session, dirk, posts.Draft(source=ANNOUNCEMENT))

    live_server.run(work)


async def as_director(database: Database, person: Account) -> None:
    assert person.id is not None and person.neighbourhood_id is not None
    async with database.transaction() as session:
        await permissions.grant(session, person.id, person.neighbourhood_id, Duty.DIRECTOR)


def test_a_director_pins_an_announcement_that_neighbours_see_first(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    live_server.make_resident("anna")
    director_with_announcement(live_server)
    dirk = open_page(viewport=PHONE)
    log_in(dirk, live_server, "dirk")
    card = dirk.locator(".post").first
    expect(card.locator(".duty-badge")).to_have_text("Buurtregisseur")
    card.get_by_text("Meer").click()
    with dirk.expect_navigation():
        card.get_by_role("link", name="Bovenaan zetten").click()
    until = date.today() + timedelta(days=10)
    dirk.get_by_label("Bovenaan tot en met").fill(until.isoformat())
    assert page_width(dirk) <= PHONE["width"]
    with dirk.expect_navigation():
        dirk.locator("main form").get_by_role("button", name="Bovenaan zetten").click()
    expect(dirk.get_by_role("status")).to_contain_text("Gelukt")

    anna = open_page(viewport=PHONE)
    log_in(anna, live_server, "anna")
    for path in ("/", "/n/vogelwijk"):
        anna.goto(f"{live_server.url}{path}")
        section = anna.get_by_role("region", name="Mededeling van de buurt")
        expect(section).to_contain_text(ANNOUNCEMENT)
        expect(section.locator(".duty-badge")).to_have_text("Buurtregisseur")
        expect(section.get_by_role("button", name="Niet meer bovenaan zetten")).to_have_count(0)
        assert page_width(anna) <= PHONE["width"], path
