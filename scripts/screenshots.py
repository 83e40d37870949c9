"""Screenshots of every page at phone (360 px) and desktop (1280 px) width, to look at before a
web change is done: `.venv/bin/python scripts/screenshots.py [OUTPUT_FOLDER]`.

Starts the demo instance on a temporary data folder and visits each page as the role that uses it.
Activities, polls and calendars, in their many states, have a script of their own:
`scripts/event_screenshots.py`.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
from tests.browser.chromium import launch

WIDTHS = {"phone": (360, 740), "desktop": (1280, 900)}
PASSWORD = "welkom-in-de-buurt"

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


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Wachtwoord").press("Enter")
    page.wait_for_load_state()


def shoot(browser: Browser, base: str, output: Path) -> None:
    for width_name, (width, height) in WIDTHS.items():
        for username, path, name in PAGES:
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
