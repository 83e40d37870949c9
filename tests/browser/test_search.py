"""Searching posts on a 360-pixel phone without JavaScript, with the keyboard alone: the words,
then a filter, and the next page; nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from buurtnet.core.feeds import PAGE_SIZE
from buurtnet.db import Database
from buurtnet.models import PostKind
from tests.browser.conftest import PHONE, LiveServer, OpenPage, log_in
from tests.browser.test_layout import page_width
from tests.conftest import write_post

pytestmark = pytest.mark.browser

OFFER = "Ik heb een fiets over. Gratis op te halen bij de fietsenstallingsbeheerderswoning."


def test_search_posts_with_the_keyboard_on_a_phone(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    live_server.make_resident("anna")
    bram = live_server.make_resident("bram")

    async def work(database: Database) -> None:
        await write_post(database, bram, OFFER, kind=PostKind.OFFER)
        for number in range(PAGE_SIZE):
            await write_post(database, bram, f"Wie weet waar mijn fiets nummer {number} is?")

    live_server.run(work)
    page = open_page(viewport=PHONE, java_script_enabled=False)
    log_in(page, live_server, "anna")
    page.goto(f"{live_server.url}/search")

    page.get_by_label("Zoek berichten, buren of hashtags").fill('"fiets* (')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Berichten", level=2)).to_be_visible()
    expect(page.locator(".feed .post")).to_have_count(PAGE_SIZE)
    assert page_width(page) <= PHONE["width"], "the first page"

    with page.expect_navigation():
        page.get_by_role("link", name="Oudere berichten").press("Enter")
    expect(page.locator(".feed .post")).to_have_count(1)
    expect(page.locator(".feed .post")).to_contain_text("fietsenstallingsbeheerderswoning")

    page.get_by_label("Zoek berichten, buren of hashtags").focus()
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Tab")  # the first choice: all messages
    page.keyboard.press("ArrowDown")  # open questions for help
    page.keyboard.press("ArrowDown")  # offers of help
    expect(page.get_by_label("Aanbod van hulp")).to_be_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Aanbod van hulp", level=2)).to_be_visible()
    expect(page.locator(".feed .post")).to_have_count(1)
    expect(page.locator(".feed .post")).to_contain_text("Biedt hulp aan")
    assert page_width(page) <= PHONE["width"], "the offers"
