"""Screenshots of activities, polls and calendar pages at phone (360 px) and desktop (1280 px)
width, to look at before a change to them is done:
`.venv/bin/python scripts/event_screenshots.py [OUTPUT_FOLDER]` (takes about three minutes).

Starts the demo instance (Bram's clean-up to come with tasks, his clean-up that is over with how
it went, Fatima's poll) and adds, through the forms as residents would: Anna's clean-up with two
places that is full with Mila on the waiting list, a street party with a long name, a long place
and tasks, a cancelled coffee morning, and Bram's poll with several choices and long answers.
Then it visits each page as the person who uses it, fills in the forms that come back with a
mistake (an activity that ends before it starts, a vote without a choice), makes a calendar
link, and ends the polls (their end is moved into the past in the demo's database, as nobody
waits days for it) for the results and the notification.
"""

import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
from scripts.screenshots import PASSWORD, WIDTHS, free_port, log_in, start_demo
from tests.browser.chromium import launch

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ZONE = ZoneInfo("Europe/Amsterdam")  # the demo's clock
END_HANDLED_WITHIN = 75  # seconds: the worker looks for ended polls every minute

Action = Callable[[Page], None]
Fields = dict[str, str | list[str]]
# (who logs in, or None for a visitor; the path; a name for the file; what to do before the shot)
Shot = tuple[str | None, str, str, Action | None]


class Demo:
    """The demo instance: its address, its database, and the posts the shots are about."""

    def __init__(self, base: str, data_dir: Path) -> None:
        self.base = base
        self.database = data_dir / "buurtnet.sqlite3"
        self.clients: dict[str, tuple[httpx.Client, str]] = {}

    def post_with_title(self, title: str) -> int:
        with sqlite3.connect(self.database) as database:
            row = database.execute("SELECT post_id FROM event WHERE title = ?", (title,)).fetchone()
        assert row, f"no activity {title!r} in the demo"
        return int(row[0])

    def post_starting(self, text: str) -> int:
        with sqlite3.connect(self.database) as database:
            row = database.execute(
                "SELECT id FROM post WHERE source LIKE ? ORDER BY id", (text + "%",)
            ).fetchone()
        assert row, f"no post starting with {text!r} in the demo"
        return int(row[0])

    def end_polls(self) -> None:
        with sqlite3.connect(self.database) as database:
            database.execute("UPDATE poll SET ends_at = datetime('now', '-1 minute')")

    def send(self, username: str, path: str, fields: Fields) -> str:
        """Post a form as `username` (logged in once); where it leads."""
        if username not in self.clients:
            self.clients[username] = self._logged_in(username)
        client, token = self.clients[username]
        form: Fields = {"csrf_token": token}
        answer = client.post(path, data=form | fields)
        assert answer.status_code == 303, f"{path} as {username}: {answer.status_code}"
        return answer.headers["location"]

    def _logged_in(self, username: str) -> tuple[httpx.Client, str]:
        """A client logged in as `username`, and its form token."""
        client = httpx.Client(base_url=self.base, follow_redirects=False)
        found = CSRF.search(client.get("/login").text)
        assert found, "no form on the login page"
        login = {"csrf_token": found.group(1), "login_name": username, "password": PASSWORD}
        client.post("/login", data=login | {"next": "/"})
        found = CSRF.search(client.get("/settings").text)
        assert found, f"{username} could not log in"
        return client, found.group(1)

    def organise(self, username: str, fields: Fields) -> int:
        base: Fields = {"category": "other", "visibility": "neighbourhood", "start_time": "10:00"}
        return int(self.send(username, "/events", base | fields).rsplit("/", 1)[1])

    def close(self) -> None:
        for client, _token in self.clients.values():
            client.close()


def day_from_now(days: int) -> str:
    return (datetime.now(ZONE) + timedelta(days=days)).date().isoformat()


def add_activities_and_polls(demo: Demo) -> dict[str, int]:
    """What the demo lacks for the shots; the posts by a short name."""
    merelplein = demo.organise(
        "anna",
        {
            "title": "Opruimen op het Merelplein",
            "category": "clean_up",
            "source": "Samen maken we het plein schoon. Handschoenen en zakken zijn er.",
            "start_date": day_from_now(3),
            "end_time": "12:00",
            "place": "Merelplein, bij de speeltuin",
            "capacity": "2",
            "task_title": "Iemand met een bakfiets",
            "task_places": "1",
        },
    )
    for username in ("bram", "fatima", "mila"):  # two places: Mila waits
        demo.send(username, f"/events/{merelplein}/participation", {"answer": "going"})
    party = demo.organise(
        "fatima",
        {
            "title": "Burendag met koffie, taart en een rommelmarkt voor jong en oud",
            "category": "street_party",
            "source": "Iedereen is welkom! Neem iets mee voor de rommelmarkt, of kom gewoon "
            "gezellig een kopje koffie drinken. Bij regen gaan we naar het buurthuis.",
            "start_date": day_from_now(12),
            "start_time": "13:30",
            "end_time": "17:00",
            "place": "Speelveld achter de Koolmeesstraat 112-118 (ingang via het hek naast de "
            "bakker)",
            "task_title": ["Een taart bakken", "Tafels en stoelen klaarzetten en opruimen"],
            "task_places": ["4", "3"],
        },
    )
    demo.send("anna", f"/events/{party}/tasks/{task_ids(demo, party)[1]}", {"take": "1"})
    coffee = demo.organise(
        "anna",
        {
            "title": "Koffie-ochtend in het buurthuis",
            "category": "meeting",
            "source": "Even bijpraten met de buren.",
            "start_date": day_from_now(5),
            "end_time": "11:30",
            "place": "Buurthuis De Merel",
        },
    )
    demo.send("bram", f"/events/{coffee}/participation", {"answer": "going"})
    demo.send("anna", f"/events/{coffee}/cancel", {})
    garden = demo.send(
        "bram",
        "/posts",
        {
            "source": "De moestuin zoekt hulp deze zomer. Wanneer kunt u een uurtje helpen?",
            "kind": "message",
            "visibility": "neighbourhood",
            "poll_option": [
                "Op zaterdagochtend, voor de warmte, met het water geven en het onkruid",
                "Op woensdagmiddag",
                "Op zondag na de kerk of de markt, als het niet regent",
            ],
            "poll_multiple": "1",
            "poll_duration": "604800",
        },
    )
    return {
        "merelplein": merelplein,
        "party": party,
        "coffee": coffee,
        "garden": int(garden.rsplit("-", 1)[1]),  # /#post-ID
        "vogelpark": demo.post_with_title("Opruimactie in het Vogelpark"),
        "playground": demo.post_with_title("Opruimen rond de speeltuin"),
        "bench": demo.post_starting("Er komt een nieuwe bank"),
    }


def task_ids(demo: Demo, post_id: int) -> list[int]:
    with sqlite3.connect(demo.database) as database:
        rows = database.execute(
            "SELECT id FROM event_task WHERE post_id = ? ORDER BY id", (post_id,)
        ).fetchall()
    return [int(row[0]) for row in rows]


def end_before_start(page: Page) -> None:
    """The form for a new activity, sent with an end before the start and no place."""
    page.locator("#title").fill("Fietsen repareren")
    page.locator("#category").select_option("repair_cafe")
    page.locator("#source").fill("Neem uw fiets mee, wij helpen.")
    page.locator("#start_date").fill(day_from_now(9))
    page.locator("#start_time").fill("14:00")
    page.locator("#end_time").fill("12:00")
    with page.expect_navigation():
        page.locator("form.event-form button[type=submit]").click()


def keyboard_on(selector: str) -> Action:
    """Focus on `selector` as the Tab key brings it there, to see its focus style."""

    def action(page: Page) -> None:
        page.locator(selector).first.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")

    return action


def poll_in_composer(page: Page) -> None:
    page.locator(".poll-part > summary").click()
    page.locator("#source").fill("Wanneer houden we de opruimactie op het Merelplein?")
    for number, answer in enumerate(("Zaterdagochtend", "Zondagmiddag", "Woensdagavond"), 1):
        page.locator(f"#poll_option_{number}").fill(answer)
    page.locator("#poll_duration").select_option(value="604800")


def vote_without_choice(page: Page) -> None:
    with page.expect_navigation():
        page.locator(".poll button[type=submit]").first.click()


def make_calendar_link(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def first_shots(posts: dict[str, int], width_name: str) -> list[Shot]:
    merelplein, party, vogelpark = posts["merelplein"], posts["party"], posts["vogelpark"]
    playground, bench, garden = posts["playground"], posts["bench"], posts["garden"]
    month = day_from_now(12)[:7]
    # Someone without a calendar link yet, a different one per width.
    feedless = {"phone": "dirk", "desktop": "beheerder"}[width_name]
    return [
        ("bram", "/events", "events", None),
        ("bram", f"/events?month={month}", "events-month", None),
        ("bram", "/events?when=past", "events-past", None),
        (None, "/events", "events-visitor", None),
        ("bram", "/events?month=2026-13", "events-month-wrong", None),
        ("anna", "/", "home-with-activities", None),
        ("anna", "/n/vogelwijk", "neighbourhood-with-activities", None),
        (None, "/n/vogelwijk", "neighbourhood-visitor-with-activities", None),
        ("anna", "/events/new", "event-new", None),
        ("anna", "/events/new", "event-new-end-before-start", end_before_start),
        ("beheerder", f"/posts/{vogelpark}", "event-page-tasks", None),
        ("beheerder", f"/posts/{vogelpark}", "event-page-keyboard", keyboard_on("[value=going]")),
        ("anna", f"/posts/{vogelpark}", "event-page-task-taken", None),
        (None, f"/posts/{vogelpark}", "event-page-visitor", None),
        ("dirk", f"/posts/{merelplein}", "event-page-full", None),
        ("mila", f"/posts/{merelplein}", "event-page-waiting", None),
        ("fatima", f"/posts/{merelplein}", "event-page-going", None),
        ("anna", f"/posts/{merelplein}", "event-page-organiser", None),
        ("bram", f"/posts/{party}", "event-page-long-texts", None),
        ("bram", f"/posts/{posts['coffee']}", "event-page-cancelled", None),
        ("anna", f"/posts/{playground}", "event-page-outcome", None),
        ("bram", f"/posts/{playground}", "event-page-outcome-organiser", None),
        ("anna", f"/events/{merelplein}/edit", "event-edit", None),
        ("anna", f"/events/{merelplein}/participants", "event-participants", None),
        ("anna", f"/events/{merelplein}/message", "event-message", None),
        ("anna", f"/events/{merelplein}/cancel", "event-cancel", None),
        ("bram", f"/events/{playground}/outcome", "event-outcome", None),
        ("anna", f"/events/{merelplein}/outcome", "event-outcome-too-early", None),
        (None, "/n/vogelwijk/calendar", "neighbourhood-calendar", None),
        ("anna", "/n/vogelwijk/calendar", "neighbourhood-calendar-resident", None),
        (feedless, "/settings/calendar", "calendar-settings", None),
        (feedless, "/settings/calendar", "calendar-settings-new-link", make_calendar_link),
        (feedless, "/settings/calendar", "calendar-settings-with-link", None),
        ("anna", "/posts/new", "poll-composer", poll_in_composer),
        ("dirk", f"/posts/{bench}", "poll-before-vote", None),
        ("dirk", f"/posts/{garden}", "poll-before-vote-several", None),
        ("dirk", f"/posts/{bench}", "poll-keyboard", keyboard_on(".poll [name=option]")),
        ("dirk", f"/posts/{bench}", "poll-vote-without-choice", vote_without_choice),
        ("anna", f"/posts/{bench}", "poll-after-vote", None),
        ("fatima", f"/posts/{bench}", "poll-own", None),
        (None, f"/posts/{bench}", "poll-visitor", None),
    ]


def ended_shots(posts: dict[str, int]) -> list[Shot]:
    return [
        ("dirk", f"/posts/{posts['bench']}", "poll-ended", None),
        ("anna", f"/posts/{posts['garden']}", "poll-ended-several", None),
        ("anna", "/notifications", "poll-ended-notification", None),
    ]


def shoot(browser: Browser, base: str, shots: list[Shot], width_name: str, output: Path) -> None:
    width, height = WIDTHS[width_name]
    for username, path, name, action in shots:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
        page = context.new_page()
        if username:
            log_in(page, base, username)
        page.goto(base + path)
        if action:
            action(page)
        target = output / f"{name}-{width_name}.png"
        page.screenshot(path=target, full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth") > width
        print(f"{target}{'  (scrolls sideways!)' if overflow else ''}")
        context.close()


def wait_for_poll_news(demo: Demo, username: str, post_id: int) -> None:
    """Until the worker has told the voters that the poll ended (or the time is up)."""
    client, _token = demo.clients[username]
    deadline = time.monotonic() + END_HANDLED_WITHIN
    while f'href="/posts/{post_id}"' not in client.get("/notifications").text:
        if time.monotonic() > deadline:
            print("the worker did not tell about the ended poll in time")
            return
        time.sleep(2)


@contextmanager
def running_demo() -> Iterator[Demo]:
    """The demo instance on a free port, its data in a folder that goes when the block ends."""
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_demo(Path(data_dir), port)
        demo = Demo(f"http://127.0.0.1:{port}", Path(data_dir))
        try:
            yield demo
        finally:
            demo.close()
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    output = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    output.mkdir(parents=True, exist_ok=True)
    with running_demo() as demo, sync_playwright() as playwright:
        base = demo.base
        posts = add_activities_and_polls(demo)
        browser = launch(playwright)
        for width_name in WIDTHS:
            shoot(browser, base, first_shots(posts, width_name), width_name, output)
        demo.end_polls()
        wait_for_poll_news(demo, "anna", posts["bench"])
        for width_name in WIDTHS:
            shoot(browser, base, ended_shots(posts), width_name, output)
        browser.close()


if __name__ == "__main__":
    main()
