"""Screenshots of polls at phone (360 px) and desktop (1280 px) width, to look at before a change
to them is done: `.venv/bin/python scripts/poll_screenshots.py [OUTPUT_FOLDER]`.

Starts the demo instance, and in the browser Anna writes a poll in the composer, Bram sees it
before and after voting (with Fatima's and Mila's votes), a vote without a choice comes back, and
the poll ends (its end is moved into the past in the demo's database, as nobody waits days for
it): the result, and the notification once the worker has handled the end.
"""

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
from scripts.screenshots import WIDTHS, free_port, log_in, start_demo
from tests.browser.chromium import launch

END_HANDLED_WITHIN = 75  # seconds: the worker looks for ended polls every minute


def shot(page: Page, output: Path, name: str, width_name: str, width: int) -> None:
    target = output / f"{name}-{width_name}.png"
    page.screenshot(path=target, full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth") > width
    print(f"{target}{'  (scrolls sideways!)' if overflow else ''}")


def page_as(browser: Browser, base: str, username: str, width: int, height: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
    page = context.new_page()
    log_in(page, base, username)
    return page


def write_poll(page: Page, base: str, output: Path, width_name: str, width: int) -> str:
    """Anna opens the poll part, fills it in (a shot), posts it; the post's path."""
    page.goto(base + "/")
    page.locator(".poll-part > summary").click()
    page.locator("#source").fill("Wanneer houden we de opruimactie op het Merelplein?")
    for number, answer in enumerate(("Zaterdagochtend", "Zondagmiddag", "Woensdagavond"), 1):
        page.locator(f"#poll_option_{number}").fill(answer)
    page.locator("#poll_duration").select_option(value="604800")
    shot(page, output, "poll-composer", width_name, width)
    with page.expect_navigation():
        page.locator("form.composer button[type=submit]").click()
    return str(page.locator(".post .post-time").first.get_attribute("href"))


def vote(page: Page, base: str, path: str, answer: str) -> None:
    page.goto(base + path)
    page.locator(".poll").get_by_label(answer).check()
    with page.expect_navigation():
        page.locator(".poll button[type=submit]").first.click()


def end_poll(data_dir: Path, post_id: str) -> None:
    with sqlite3.connect(data_dir / "buurtnet.sqlite3") as database:
        database.execute(
            "UPDATE poll SET ends_at = datetime('now', '-1 minute') WHERE post_id = ?", (post_id,)
        )


def shoot(browser: Browser, base: str, output: Path, data_dir: Path) -> None:
    for width_name, (width, height) in WIDTHS.items():
        anna = page_as(browser, base, "anna", width, height)
        path = write_poll(anna, base, output, width_name, width)
        bram = page_as(browser, base, "bram", width, height)
        bram.goto(base + path)
        shot(bram, output, "poll-before-vote", width_name, width)
        with bram.expect_navigation():
            bram.locator(".poll button[type=submit]").first.click()
        shot(bram, output, "poll-vote-without-choice", width_name, width)
        for username, answer in (("fatima", "Zaterdagochtend"), ("mila", "Zondagmiddag")):
            vote(page_as(browser, base, username, width, height), base, path, answer)
        vote(bram, base, path, "Zaterdagochtend")
        shot(bram, output, "poll-after-vote", width_name, width)
        end_poll(data_dir, path.rsplit("/", 1)[-1])
        bram.goto(base + path)
        shot(bram, output, "poll-ended", width_name, width)
        anna.goto(base + "/notifications")
        deadline = time.monotonic() + END_HANDLED_WITHIN
        while f'href="{path}"' not in anna.content() and time.monotonic() < deadline:
            time.sleep(2)
            anna.reload()
        shot(anna, output, "poll-ended-notification", width_name, width)


def main() -> None:
    output = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    output.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_demo(Path(data_dir), port)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                shoot(browser, f"http://127.0.0.1:{port}", output, Path(data_dir))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
