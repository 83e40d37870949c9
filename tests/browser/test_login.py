"""Logging in and out in a real browser: by keyboard alone, with a wrong password, without JS."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, OpenPage
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

MAX_TABS = 15


def focused_id(page: Page) -> str:
    found: str = page.evaluate("() => document.activeElement ? document.activeElement.id : ''")
    return found


def tab_to(page: Page, element_id: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused_id(page) == element_id:
            return
    pytest.fail(f"#{element_id} never got the focus by pressing Tab")


def test_a_resident_logs_in_and_out_with_only_the_keyboard(
    page: Page, live_server: LiveServer
) -> None:
    live_server.make_resident("anna")
    page.goto(f"{live_server.url}/login")
    tab_to(page, "login_name")
    page.keyboard.type("anna")
    page.keyboard.press("Tab")
    assert focused_id(page) == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == f"{live_server.url}/"
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link", name="Mijn buurt")).to_have_attribute("aria-current", "page")
    expect(menu.get_by_role("link", name="Inloggen")).to_have_count(0)
    log_out = menu.get_by_role("button", name="Uitloggen")
    log_out.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(menu.get_by_role("link", name="Inloggen")).to_be_visible()
    expect(menu.get_by_role("button", name="Uitloggen")).to_have_count(0)
    assert "buurtnet_session" not in {cookie["name"] for cookie in page.context.cookies()}


def test_a_wrong_password_is_told_in_dutch_and_keeps_the_name(
    page: Page, live_server: LiveServer
) -> None:
    live_server.make_resident("anna")
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Gebruikersnaam of e-mailadres").fill("anna")
    page.get_by_label("Wachtwoord").fill("not the password at all")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Inloggen").click()

    response = navigation.value
    assert response is not None
    assert response.status == 200 or 400 <= response.status < 500
    expect(page.get_by_role("alert")).to_contain_text("De naam of het wachtwoord klopt niet.")
    expect(page.locator("#login_name")).to_have_value("anna")
    expect(page.locator("#password")).to_have_value("")
    assert page.url == f"{live_server.url}/login"


def test_logging_in_works_without_javascript(open_page: OpenPage, live_server: LiveServer) -> None:
    live_server.make_resident("anna")
    page = open_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/login")
    page.locator("#login_name").fill("anna")
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()

    assert page.url == f"{live_server.url}/"
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vogelwijk")
