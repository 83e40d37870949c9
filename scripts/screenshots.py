"""Screenshots of every page at phone (360 px) and desktop (1280 px) width, to look at before a
web change is done: `.venv/bin/python scripts/screenshots.py [OUTPUT_FOLDER]`.

Starts the demo instance on a temporary data folder and visits each page as the role that uses it.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
from tests.browser.chromium import launch

WIDTHS = {"phone": (360, 740), "desktop": (1280, 900)}
PASSWORD = "welkom-in-de-buurt"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# (who logs in, or None for a visitor; the path; a name for the file)
PAGES = [
    (None, "/login", "login"),
    (None, "/register", "register"),
    (None, "/n/vogelwijk", "neighbourhood-visitor"),
    (None, "/nergens", "not-found"),
    ("anna", "/n/vogelwijk", "neighbourhood-resident"),
    ("anna", "/", "home"),
    ("anna", "/posts/2", "post-with-reply"),
    ("anna", "/posts/2/edit", "post-edit"),
    ("anna", "/posts/2/delete", "post-delete"),
    ("anna", "/tags/opruimen", "hashtag"),
    ("bram", "/notifications", "notifications"),
    ("anna", "/@bram", "profile"),
    ("anna", "/search?q=a", "search"),
    ("anna", "/settings/export", "export"),
    ("anna", "/settings/delete", "delete-account"),
    ("anna", "/settings", "settings"),
    ("anna", "/settings/calendar", "calendar-settings"),
    (None, "/n/vogelwijk/calendar", "neighbourhood-calendar"),
    ("anna", "/admin", "forbidden"),
    ("dirk", "/n/vogelwijk/invites", "invites"),
    ("mila", "/moderation/sign-ups", "sign-ups"),
    ("mila", "/moderation/sign-ups/7/refuse", "refuse-sign-up"),
    ("mila", "/moderation/followers", "remote-followers"),
    ("beheerder", "/admin", "admin"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_demo(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BUURTNET_")}
    env["BUURTNET_DATA_DIR"] = str(data_dir)
    buurtnet = Path(sys.executable).parent / "buurtnet"
    subprocess.run([buurtnet, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [buurtnet, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the demo instance did not start")


def form_session(base: str, username: str) -> tuple[httpx.Client, str]:
    """An HTTP client logged in as someone of the demo, with a form token."""
    client = httpx.Client(base_url=base, follow_redirects=False)
    token = CSRF.search(client.get("/login").text)
    assert token, "no form on the login page"
    fields = {"csrf_token": token.group(1), "login_name": username, "password": PASSWORD}
    client.post("/login", data=fields | {"next": "/"})
    token = CSRF.search(client.get("/events/new").text)
    assert token, "no form on the page for a new activity"
    return client, token.group(1)


def add_activities(base: str) -> list[tuple[str | None, str, str]]:
    """Activities made through the forms (the demo has none yet): one that is nearly full with a
    waiting list and a task, and one of last week with its outcome; their pages to look at."""
    anna, token = form_session(base, "anna")
    day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    fields = {
        "csrf_token": token,
        "title": "Opruimen op het Merelplein",
        "category": "clean_up",
        "source": "Samen maken we het plein schoon. Handschoenen en zakken zijn er.",
        "start_date": day,
        "start_time": "10:00",
        "end_time": "12:00",
        "place": "Merelplein, bij de speeltuin",
        "capacity": "2",
        "visibility": "neighbourhood",
        "task_title": "Iemand met een bakfiets",
        "task_places": "1",
    }
    created = anna.post("/events", data=fields)
    post_id = int(created.headers["location"].rsplit("/", 1)[1])
    for username in ("bram", "fatima", "mila"):
        client, answer_token = form_session(base, username)
        client.post(
            f"/events/{post_id}/participation",
            data={"csrf_token": answer_token, "answer": "going"},
        )
    month = day[:7]
    return [
        ("anna", "/events/new", "event-new"),
        ("fatima", f"/posts/{post_id}", "event-page"),
        ("mila", f"/posts/{post_id}", "event-page-waiting"),
        ("anna", f"/posts/{post_id}", "event-page-organiser"),
        ("anna", f"/events/{post_id}/edit", "event-edit"),
        ("anna", f"/events/{post_id}/participants", "event-participants"),
        ("anna", f"/events/{post_id}/message", "event-message"),
        ("anna", f"/events/{post_id}/cancel", "event-cancel"),
        ("anna", f"/events/{post_id}/outcome", "event-outcome"),
        ("bram", "/events", "events"),
        ("bram", f"/events?month={month}", "events-month"),
        ("bram", "/events?when=past", "events-past"),
        ("bram", "/", "home-with-activities"),
        (None, "/events", "events-visitor"),
    ]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Wachtwoord").press("Enter")
    page.wait_for_load_state()


def shoot(browser: Browser, base: str, output: Path) -> None:
    pages = PAGES + add_activities(base)
    for width_name, (width, height) in WIDTHS.items():
        for username, path, name in pages:
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="nl-NL"
            )
            page = context.new_page()
            if username:
                log_in(page, base, username)
            page.goto(base + path)
            target = output / f"{name}-{width_name}.png"
            page.screenshot(path=target, full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth") > width
            print(f"{target}{'  (scrolls sideways!)' if overflow else ''}")
            context.close()


def main() -> None:
    output = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    output.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_demo(Path(data_dir), port)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                shoot(browser, f"http://127.0.0.1:{port}", output)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
