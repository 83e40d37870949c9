"""On a phone (360 px): the streets of a neighbourhood, the welcome page, a request for help
marked "geholpen", and notifications with what they are about; nothing scrolls sideways."""

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from buurtnet.core import welcome
from buurtnet.db import Database
from buurtnet.models import Account, PostKind, Role
from tests.browser.conftest import PHONE, LiveServer, OpenPage, log_in
from tests.browser.test_layout import page_width
from tests.conftest import write_post

pytestmark = pytest.mark.browser

LONG_WORD = "https://voorbeeld.example/" + "heel-lang-adres-" * 12


def fits(page: Page) -> None:
    assert page_width(page) <= PHONE["width"], page.url


def test_welcome_helped_and_notifications_fit_a_phone(
    open_page: OpenPage, live_server: LiveServer, tmp_path: Path
) -> None:
    admin = live_server.make_resident("anna", role=Role.ADMIN)
    jan = live_server.make_resident("jan")

    anna = open_page(viewport=PHONE)
    log_in(anna, live_server, "anna")
    anna.goto(f"{live_server.url}/n/vogelwijk/places")
    fits(anna)
    anna.get_by_label("Straten of complexen").fill("Lindenstraat\nWooncomplex De Lange Linde")
    with anna.expect_navigation():
        anna.get_by_role("button", name="Opslaan").click()
    expect(anna.get_by_role("status")).to_contain_text("Opgeslagen.")

    async def newcomer(database: Database) -> None:
        async with database.transaction() as session:
            stored = await session.get(Account, jan.id)
            assert stored is not None
            await welcome.announce_newcomer(session, stored)

    live_server.run(newcomer)

    phone = open_page(viewport=PHONE)
    log_in(phone, live_server, "jan")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Nieuw hier?").click()
    fits(phone)
    photo = tmp_path / "ik.png"
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "orange").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    phone.get_by_label("Uw foto").set_input_files(photo)
    phone.get_by_label("Iets over uzelf").fill("Ik woon hier sinds maart.")
    phone.get_by_label("Waar woont u?").select_option("Wooncomplex De Lange Linde")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Opslaan en verder").click()
    expect(phone.get_by_role("link", name="Nieuw hier?")).to_have_count(0)

    question = live_server.run(
        lambda database: write_post(
            database, jan, f"Wie leent mij een ladder? {LONG_WORD}", kind=PostKind.HELP_REQUEST
        )
    )
    phone.goto(f"{live_server.url}/")
    post = phone.locator(".post").first
    post.locator(".post-more > summary").click()
    with phone.expect_navigation():
        post.get_by_role("button", name="Ik ben geholpen").click()
    expect(phone.locator(".post").first.locator(".post-helped")).to_have_text("✓ Geholpen")
    fits(phone)

    anna.goto(f"{live_server.url}/notifications")
    news = anna.locator(".notification").first
    expect(news).to_contain_text("Nieuw in de buurt: jan")
    expect(news.locator(".notification-new")).to_have_text("Nieuw:")
    fits(anna)
    with anna.expect_navigation():
        news.get_by_role("link", name="jan").click()
    expect(anna.locator(".profile-facts")).to_contain_text("Wooncomplex De Lange Linde")

    answer = f"Ik heb er een. {LONG_WORD}"
    live_server.run(
        lambda database: write_post(database, admin, answer, in_reply_to_id=question.id)
    )
    phone.goto(f"{live_server.url}/notifications")
    expect(phone.locator(".notification-about").first).to_contain_text("Wie leent mij een ladder?")
    expect(phone.locator(".notification-quote").first).to_contain_text("Ik heb er een.")
    fits(phone)
