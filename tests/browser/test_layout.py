"""Every page's shell in a browser: the skip link comes first; a phone needs no side-scrolling."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, LiveServer, OpenPage, log_in

pytestmark = pytest.mark.browser


def test_the_first_tab_stop_is_the_skip_link_to_the_content(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/login")
    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Direct naar de inhoud")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # hidden until focused, then seen
    page.keyboard.press("Enter")

    assert page.url == f"{live_server.url}/login#main"
    expect(page.locator("main")).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(page.locator("#login_name")).to_be_focused()


def page_width(page: Page) -> int:
    width: int = page.evaluate("() => document.documentElement.scrollWidth")
    return width


def test_pages_fit_a_phone_without_sideways_scrolling(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    live_server.make_resident("anna")
    page = open_page(viewport=PHONE)
    for path in ("/login", "/register", "/privacy", "/house-rules", "/contact"):
        page.goto(f"{live_server.url}{path}")
        assert page_width(page) <= PHONE["width"], path

    log_in(page, live_server, "anna")
    assert page.url == f"{live_server.url}/"
    assert page_width(page) <= PHONE["width"]
