"""On a phone without JavaScript: 'wachtwoord vergeten?' from the login page, the link's form,
and the e-mail address on the settings pages, with an address long enough to push sideways."""

import pytest
from playwright.sync_api import Page, expect

from buurtnet.core import password_reset
from buurtnet.db import Database
from buurtnet.models import Account
from tests.browser.conftest import PHONE, LiveServer, OpenPage
from tests.browser.test_layout import page_width

pytestmark = pytest.mark.browser

LONG_ADDRESS = "anna." + "x" * 50 + "@" + "heel-lang-domein." * 8 + "voorbeeld.example"
NEW_PASSWORD = "fietsen langs de singel"


def fits(page: Page) -> None:
    assert page_width(page) <= PHONE["width"], page.url


def test_a_forgotten_password_and_a_long_address_on_a_phone(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    anna = live_server.make_resident("anna")

    async def long_address_and_a_link(database: Database) -> str:
        async with database.transaction() as session:
            stored = await session.get(Account, anna.id)
            assert stored is not None
            stored.email = LONG_ADDRESS
            return (await password_reset.link_for(session, stored)).token

    token = live_server.run(long_address_and_a_link)
    phone = open_page(viewport=PHONE, java_script_enabled=False)
    phone.goto(f"{live_server.url}/login")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Wachtwoord vergeten?").click()
    phone.get_by_label("E-mailadres of gebruikersnaam").fill(LONG_ADDRESS)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Stuur mij een link").click()
    expect(phone.get_by_role("status")).to_contain_text("Als we dit e-mailadres")
    fits(phone)

    phone.goto(f"{live_server.url}/password/reset/{token}")
    fits(phone)
    phone.locator("#password").fill(NEW_PASSWORD)
    phone.locator("#password_again").fill(NEW_PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Nieuw wachtwoord opslaan").click()
    assert phone.url.endswith("/settings?saved=password")
    expect(phone.get_by_role("heading", name="E-mailadres")).to_be_visible()
    fits(phone)

    with phone.expect_navigation():
        phone.get_by_role("link", name="Wijzig uw e-mailadres").click()
    fits(phone)
    phone.get_by_label("Nieuw e-mailadres").fill("b" + LONG_ADDRESS)
    phone.get_by_label("Huidig wachtwoord").fill(NEW_PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Stuur de link").click()
    expect(phone.get_by_role("status")).to_contain_text("Uw adres verandert")
    fits(phone)
