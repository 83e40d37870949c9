"""Posting, replying, liking and adding a photo in the real Chromium; a hostile post stays text."""

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Dialog, Page, expect

from tests.browser.conftest import PHONE, LiveServer, OpenPage, log_in, open_composer

pytestmark = pytest.mark.browser

HOSTILE = (
    '<script>alert("script")</script>\n'
    "<img src=x onerror=alert('img')>\n"
    "<svg onload=alert('svg')>\n"
    "<a href=\"javascript:alert('link')\">klik</a> javascript:alert(1)\n"
    "\"><iframe src=javascript:alert('frame')>"
)


def write_post(page: Page, text: str) -> None:
    """Write in the composer (opened from the home page first) and post."""
    if page.locator("textarea#source").count() == 0:
        open_composer(page)
    page.get_by_label("Wat wilt u delen?").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Plaatsen").click()


def test_a_neighbour_posts_another_replies_and_likes(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    live_server.make_resident("anna")
    live_server.make_resident("bram")
    anna = open_page()
    log_in(anna, live_server, "anna")
    open_composer(anna)
    anna.get_by_label("Ik vraag om hulp").check()
    write_post(anna, "Wie heeft er een ladder voor mij?")
    expect(anna.locator(".post").first).to_contain_text("Wie heeft er een ladder voor mij?")
    expect(anna.locator(".post").first).to_contain_text("Vraagt om hulp")

    bram = open_page(viewport=PHONE)
    log_in(bram, live_server, "bram")
    post = bram.locator(".post").first
    expect(post).to_contain_text("Wie heeft er een ladder voor mij?")
    with bram.expect_navigation():
        post.get_by_role("button", name="Leuk").click()
    liked = bram.locator(".post").first.get_by_role("button", name="Leuk")
    expect(liked).to_have_attribute("aria-pressed", "true")
    expect(liked).to_contain_text("1")

    with bram.expect_navigation():
        bram.locator(".post").first.get_by_role("link", name="Reageren").click()
    bram.get_by_label("Uw reactie").fill("Ja hoor, ik breng hem zo.")
    with bram.expect_navigation():
        bram.get_by_role("button", name="Reactie plaatsen").click()
    expect(bram.locator(".replies .post")).to_contain_text("Ja hoor, ik breng hem zo.")

    anna.goto(f"{live_server.url}/notifications")
    expect(anna.locator(".notifications")).to_contain_text("heeft gereageerd op uw bericht")
    expect(anna.locator(".notifications")).to_contain_text("vindt uw bericht leuk")


def test_a_photo_with_a_description_is_posted(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    live_server.make_resident("anna")
    photo = tmp_path / "tulpen.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1200), (200, 40, 60)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    log_in(page, live_server, "anna")
    open_composer(page)
    page.get_by_text("Foto's of een waarschuwing toevoegen").click()
    page.locator("#image-1").set_input_files(photo)
    page.locator("#alt-1").fill("Rode tulpen in de voortuin")
    write_post(page, "Mijn tulpen staan in bloei")
    image = page.locator(".post").first.get_by_role("img", name="Rode tulpen in de voortuin")
    expect(image).to_be_visible()
    assert image.evaluate("element => element.naturalWidth") > 0
    link = image.locator("xpath=..").get_attribute("href")
    full = page.request.get(f"{live_server.url}{link}")
    assert full.ok and full.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(full.body())).size == (1600, 800)


def test_a_hostile_post_never_runs(page: Page, live_server: LiveServer) -> None:
    live_server.make_resident("anna")
    dialogs: list[str] = []

    def remember(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", remember)
    log_in(page, live_server, "anna")
    write_post(page, HOSTILE)
    post = page.locator(".post").first
    expect(post).to_contain_text('<script>alert("script")</script>')
    expect(post).to_contain_text("<img src=x onerror=alert('img')>")
    with page.expect_navigation():
        post.locator(".post-time").click()
    page.wait_for_load_state("load")
    assert post.locator("script, img, svg, iframe").count() == 0
    assert dialogs == []
