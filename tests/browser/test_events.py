"""Activities in the real Chromium, on a 360-pixel phone without JavaScript: a resident organises
one, neighbours sign up until it is full, the next goes on the waiting list and moves up when
someone who was coming cancels. The pages are in English here: the Dutch texts are merged later.
"""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, LiveServer, OpenPage, log_in

pytestmark = pytest.mark.browser

NO_SCRIPT_PHONE = {"viewport": PHONE, "java_script_enabled": False, "locale": "en-GB"}


def fits_the_phone(page: Page) -> None:
    width: int = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], page.url


def open_activity(page: Page, server: LiveServer, title: str) -> None:
    page.goto(f"{server.url}/events")
    fits_the_phone(page)
    with page.expect_navigation():
        page.get_by_role("link", name=title).first.click()
    fits_the_phone(page)


def answer(page: Page, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()
    fits_the_phone(page)


def test_organise_sign_up_until_full_then_wait_and_move_up(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    for name in ("anna", "bram", "cor"):
        live_server.make_resident(name)
    day = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()

    anna = open_page(**NO_SCRIPT_PHONE)
    log_in(anna, live_server, "anna")
    anna.goto(f"{live_server.url}/events")
    with anna.expect_navigation():
        anna.get_by_role("link", name="Organise an activity").first.click()
    fits_the_phone(anna)
    anna.get_by_label("Name of the activity").fill("Opruimen op het Merelplein")
    anna.get_by_label("Kind of activity").select_option("clean_up")
    anna.get_by_label("What will happen?").fill("Samen maken we het plein schoon.")
    anna.get_by_label("Date", exact=True).fill(day)
    anna.get_by_label("From").fill("10:00")
    anna.get_by_label("Until").fill("12:00")
    anna.get_by_label("Where").fill("Merelplein")
    anna.get_by_label("How many people can take part?").fill("1")
    with anna.expect_navigation():
        anna.get_by_role("button", name="Post the activity").click()
    fits_the_phone(anna)
    expect(anna.get_by_role("heading", name="Opruimen op het Merelplein")).to_be_visible()
    expect(anna.locator(".event-facts")).to_contain_text("10:00 \N{EN DASH} 12:00")
    expect(anna.locator(".event-facts")).to_contain_text("1 place left")

    bram = open_page(**NO_SCRIPT_PHONE)
    log_in(bram, live_server, "bram")
    open_activity(bram, live_server, "Opruimen op het Merelplein")
    answer(bram, "I will come")
    expect(bram.locator(".event-status")).to_have_text("You are coming.")
    expect(bram.locator(".event-facts")).to_contain_text("Full")

    cor = open_page(**NO_SCRIPT_PHONE)
    log_in(cor, live_server, "cor")
    open_activity(cor, live_server, "Opruimen op het Merelplein")
    answer(cor, "Put me on the waiting list")
    expect(cor.locator(".event-status")).to_contain_text("You are on the waiting list, number 1")

    answer(bram, "I will not come")
    expect(bram.locator(".event-status")).to_have_text("You are not coming.")
    cor.reload()
    expect(cor.locator(".event-status")).to_have_text("You are coming.")
    cor.goto(f"{live_server.url}/notifications")
    fits_the_phone(cor)
    expect(cor.locator(".notifications")).to_contain_text("A place came free")
    with cor.expect_navigation():
        cor.get_by_role("link", name="Show the activity").click()
    expect(cor.get_by_role("button", name="I will come")).to_have_attribute("aria-pressed", "true")

    anna.reload()
    with anna.expect_navigation():
        anna.get_by_role("link", name="Who comes").click()
    fits_the_phone(anna)
    expect(anna.locator("main")).to_contain_text("@cor")
    anna.goto(f"{live_server.url}/events?month={day[:7]}")
    fits_the_phone(anna)
    expect(anna.get_by_role("link", name="Opruimen op het Merelplein")).to_be_visible()
