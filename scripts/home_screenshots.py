"""Screenshots of the home page, the page for a new message and a message's own page at phone
(360 px) and desktop (1280 px) width, to look at before a change to them is done:
`.venv/bin/python scripts/home_screenshots.py [FOLDER]`.

Starts the demo instance and adds the activities of `event_screenshots` (so the home page has a
full box of activities to come, as a lively neighbourhood has). Noor lives in the Bloemenbuurt,
whose survey is open: her home page also invites her to it. Every section of the composer is
opened once, and the "More" menu of a message; Anna posts with the keyboard only and the shot
shows where she lands. Each file is the whole page; its first 740 pixels are a phone's screen.
"""

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
from scripts.event_screenshots import Demo, Shot, add_activities_and_polls, running_demo, shoot
from scripts.screenshots import WIDTHS
from tests.browser.chromium import launch

QUESTION = "Wie kan mij zaterdag helpen"  # Anna's question in the demo, with Bram's reply


def open_every_section(page: Page) -> None:
    """Open each closed section, also those that only show once another is open."""
    closed = page.locator("main details:not([open]) > summary")
    while closed.count():
        closed.first.click()


def open_more(page: Page) -> None:
    page.locator(".post-more > summary").first.click()


def send_empty(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Plaatsen").click()


def post_by_keyboard(page: Page) -> None:
    """From the home page's "share" line to the new message, with the keyboard only."""
    page.get_by_role("link", name="Wat wilt u delen?").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.keyboard.type("Heeft iemand mijn grijze kat gezien? Hij heet Pluis.")
    page.get_by_role("button", name="Plaatsen").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def shots(demo: Demo) -> list[Shot]:
    question = demo.post_starting(QUESTION)
    return [
        ("anna", "/", "home", None),
        ("noor", "/", "home-survey-invitation", None),
        ("anna", "/n/vogelwijk", "neighbourhood", None),
        ("anna", "/posts/new", "new-post", None),
        ("anna", "/posts/new", "new-post-every-section-open", open_every_section),
        ("anna", "/posts/new", "new-post-mistake", send_empty),
        ("anna", "/", "home-after-posting", post_by_keyboard),
        ("bram", f"/posts/{question}", "post", None),
        ("bram", f"/posts/{question}", "post-more-open", open_more),
        ("anna", f"/posts/{question}", "post-own-more-open", open_more),
    ]


def main() -> None:
    output = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    output.mkdir(parents=True, exist_ok=True)
    with running_demo() as demo, sync_playwright() as playwright:
        add_activities_and_polls(demo)
        browser = launch(playwright)
        for width_name in WIDTHS:
            shoot(browser, demo.base, shots(demo), width_name, output)
        browser.close()


if __name__ == "__main__":
    main()
