"""A poll in the real Chromium, on a 360-pixel phone without JavaScript: a resident asks a question
with answers, a neighbour votes, sees the result and changes their vote; a vote without a choice
gets a clear message. In English here, as the activities' browser test."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, LiveServer, OpenPage, log_in, open_composer
from tests.browser.test_events import NO_SCRIPT_PHONE, fits_the_phone

pytestmark = pytest.mark.browser


def percent_of(page: Page, answer: str) -> str:
    row = page.locator(".poll-result").filter(has_text=answer)
    return row.locator(".poll-percent").inner_text()


def test_ask_vote_see_the_result_and_change_the_vote(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    live_server.make_resident("anna")
    live_server.make_resident("bram")
    anna = open_page(**NO_SCRIPT_PHONE)
    log_in(anna, live_server, "anna")
    open_composer(anna)
    anna.get_by_label("What do you want to share?").fill("Wanneer ruimen we het plein op?")
    anna.get_by_text("Add a poll").click()
    anna.get_by_label("Answer 1", exact=True).fill("Zaterdag")
    anna.get_by_label("Answer 2", exact=True).fill("Zondag")
    anna.get_by_label("How long can people vote?").select_option("604800")
    with anna.expect_navigation():
        anna.get_by_role("button", name="Post", exact=True).click()
    fits_the_phone(anna)
    expect(anna.locator(".post").first.locator(".poll")).to_contain_text("Zaterdag")

    bram = open_page(**NO_SCRIPT_PHONE)
    log_in(bram, live_server, "bram")
    poll = bram.locator(".post").first.locator(".poll")
    expect(poll).to_contain_text("Nobody has voted yet.")
    with bram.expect_navigation():  # no choice made: told so, nothing counted
        poll.get_by_role("button", name="Vote").click()
    fits_the_phone(bram)
    expect(bram.locator(".poll .field-error")).to_be_visible()
    bram.goto(live_server.url)
    poll = bram.locator(".post").first.locator(".poll")
    poll.get_by_label("Zondag").check()
    with bram.expect_navigation():
        poll.get_by_role("button", name="Vote").click()
    fits_the_phone(bram)
    expect(bram.locator(".poll-results").first).to_contain_text("your choice")
    assert percent_of(bram, "Zondag") == "100%"

    bram.locator(".poll-change summary").first.click()
    bram.locator(".poll-change").first.get_by_label("Zaterdag").check()
    with bram.expect_navigation():
        bram.locator(".poll-change").first.get_by_role("button", name="Change my vote").click()
    assert percent_of(bram, "Zaterdag") == "100%"
    assert percent_of(bram, "Zondag") == "0%"

    anna.reload()
    expect(anna.locator(".post").first.locator(".poll")).to_contain_text("1 person voted")
    wide = open_page(viewport=DESKTOP, java_script_enabled=False, locale="en-GB")
    log_in(wide, live_server, "anna")
    expect(wide.locator(".post").first.locator(".poll-results")).to_contain_text("Zaterdag")
