"""The page's language: Dutch first, English for English browsers, and the switch in the footer."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, OpenPage

pytestmark = pytest.mark.browser


def test_pages_are_dutch_by_default(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")


def test_an_english_browser_gets_english_pages(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    page = open_page(locale="en-GB")
    page.goto(f"{live_server.url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_label("Username or e-mail address")).to_be_visible()


def test_the_footer_switch_changes_the_language(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/login")
    footer = page.locator("footer")
    expect(footer.get_by_role("button", name="Nederlands")).to_have_attribute(
        "aria-pressed", "true"
    )
    with page.expect_navigation():
        footer.get_by_role("button", name="English").click()

    assert page.url == f"{live_server.url}/login"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(footer.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    page.goto(f"{live_server.url}/register")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the choice is remembered

    with page.expect_navigation():
        footer.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden")
