"""Screenshots of the liveability instrument's pages at phone (360 px) and desktop (1280 px)
width, to look at before a change to them is done:
`.venv/bin/python scripts/liveability_screenshots.py [FOLDER]`.

Starts the demo instance, which has half a year of history in two neighbourhoods: Dirk directs
the Vogelwijk (enough residents for most figures), Henk the Bloemenbuurt (so few that most read
"< 10"), Beheerder is the admin, and Noor lives in the Bloemenbuurt, whose survey is open.
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
from scripts.event_screenshots import Demo, Shot, shoot
from scripts.screenshots import WIDTHS, free_port, start_demo
from tests.browser.chromium import launch


def as_printed(page: Page) -> None:
    page.emulate_media(media="print")


def issue_a_key(page: Page) -> None:
    """Beheerder issues a key for the municipality, for the page that shows it once."""
    form = page.locator("form[action='/admin/partners']")
    form.locator("#partner").fill("Gemeente Utrecht, wijkbureau")
    form.locator("input[type=checkbox]").first.check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


SHOTS: list[Shot] = [
    ("dirk", "/dashboard", "dashboard-overview", None),
    ("dirk", "/dashboard/vogelwijk", "dashboard-neighbourhood", None),
    ("dirk", "/dashboard/vogelwijk?period=week", "dashboard-weeks", None),
    ("dirk", "/dashboard/vogelwijk/report", "quarterly-report", None),
    ("dirk", "/dashboard/vogelwijk/report", "quarterly-report-printed", as_printed),
    ("dirk", "/dashboard/vogelwijk/export", "download-form", None),
    ("dirk", "/surveys", "surveys", None),
    ("dirk", "/n/vogelwijk/survey", "survey-results", None),
    ("henk", "/dashboard/bloemenbuurt", "dashboard-small-neighbourhood", None),
    ("henk", "/n/bloemenbuurt/survey", "survey-open", None),
    ("beheerder", "/dashboard", "dashboard-admin", None),
    ("beheerder", "/admin/partners", "partners", None),
    ("beheerder", "/admin/partners", "partners-key-issued", issue_a_key),
    ("beheerder", "/n/vogelwijk/figures-settings", "figures-settings", None),
    ("noor", "/", "home-survey-invitation", None),
    ("noor", "/survey", "survey-form", None),
    ("anna", "/n/vogelwijk", "neighbourhood-summary", None),
]


def main() -> None:
    output = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    output.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_demo(Path(data_dir), port)
        demo = Demo(base, Path(data_dir))
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                for width_name in WIDTHS:
                    shoot(browser, base, SHOTS, width_name, output)
                browser.close()
        finally:
            demo.close()
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
