"""On a phone without JavaScript, with the keyboard: the e-mail choices on the settings page, and
stopping the weekly digest from the link in its mail, without logging in."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from buurtnet.db import Database
from buurtnet.mail.unsubscribe import Topic, unsubscribe_path
from buurtnet.models import Account
from tests.browser.conftest import PHONE, LiveServer, OpenPage, log_in
from tests.browser.test_layout import page_width
from tests.conftest import make_settings

pytestmark = pytest.mark.browser


def fits(page: Page) -> None:
    assert page_width(page) <= PHONE["width"], page.url


def stored(live_server: LiveServer, account: Account) -> Account:
    async def read(database: Database) -> Account:
        async with database.reading() as session:
            found = await session.get(Account, account.id)
            assert found is not None
            return found

    return live_server.run(read)


def test_choosing_mail_with_the_keyboard_and_stopping_the_digest_from_its_link(
    open_page: OpenPage, live_server: LiveServer, tmp_path: Path
) -> None:
    anna = live_server.make_resident("anna")
    phone = open_page(viewport=PHONE, java_script_enabled=False)
    log_in(phone, live_server, "anna")
    phone.goto(f"{live_server.url}/settings")
    expect(phone.get_by_role("heading", name="E-mail", exact=True)).to_be_visible()
    followers = phone.get_by_role("checkbox", name="Nieuwe volgers")
    expect(followers).not_to_be_checked()
    expect(phone.get_by_role("checkbox", name="Reacties op mijn berichten")).to_be_checked()
    fits(phone)
    followers.focus()
    phone.keyboard.press("Space")
    phone.get_by_role(
        "checkbox", name="Elke vrijdag een e-mail met het nieuws uit mijn buurt"
    ).focus()
    phone.keyboard.press("Space")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Keuzes voor e-mail opslaan").press("Enter")
    expect(phone.get_by_role("status")).to_contain_text("Uw keuzes voor e-mail zijn opgeslagen.")
    expect(phone.get_by_role("checkbox", name="Nieuwe volgers")).to_be_checked()
    account = stored(live_server, anna)
    assert account.mail_kinds == "mention,reply,follow" and not account.weekly_digest

    secret = make_settings("", tmp_path).secret_key  # the live server's
    stranger = open_page(viewport=PHONE, java_script_enabled=False)  # not logged in
    stranger.goto(live_server.url + unsubscribe_path(secret, anna.id or 0, Topic.NOTIFICATIONS))
    expect(stranger.get_by_role("heading", name="Meldingen per e-mail stoppen?")).to_be_visible()
    fits(stranger)
    with stranger.expect_navigation():
        stranger.get_by_role("button", name="Stop deze e-mails").press("Enter")
    expect(stranger.get_by_role("status")).to_contain_text("U krijgt geen e-mail meer")
    expect(stranger.get_by_role("link", name="Naar uw instellingen")).to_be_visible()
    fits(stranger)
    assert stored(live_server, anna).mail_kinds == ""
