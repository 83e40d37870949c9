"""The home page on a 360-pixel phone without JavaScript, in a lively neighbourhood (activities to
come, an open survey, posts with photos' room, warnings and polls): the first neighbour's post
shows on the first screen, no page scrolls sideways with any section open, and posting with the
keyboard alone ends with the focus on the new post."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from buurtnet.core import permissions, surveys
from buurtnet.db import Database
from buurtnet.models import Account, PostKind, utcnow
from tests.browser.conftest import LiveServer, OpenPage, log_in
from tests.browser.test_survey import make_director
from tests.conftest import write_post
from tests.events_kit import ZONE, make_event, soon

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}
NO_SCRIPT_SMALL_PHONE = {"viewport": SMALL_PHONE, "java_script_enabled": False}
ACTIVITIES = (
    "Opruimen op het Merelplein en langs de vijver",
    "Koffie-ochtend in het buurthuis",
    "Burendag met taart en een rommelmarkt",
)
# Each post's text and its choices (`posts.Draft`), oldest first.
POSTS: tuple[tuple[str, dict[str, object]], ...] = (
    ("Wie kan mij zaterdag een kast helpen tillen?", {"kind": PostKind.HELP_REQUEST}),
    ("Over de overleden kat van nummer 12", {"summary": "Verdrietig nieuws"}),
    ("Welke dag past u het best voor de burendag?", {}),
    ("Ik heb een kinderfiets over (6-8 jaar). Gratis op te halen.", {"kind": PostKind.OFFER}),
)


def a_lively_neighbourhood(server: LiveServer) -> None:
    """Anna and Bram live in the Vogelwijk, where Dirk directs and has opened the survey; Bram
    has written posts and organised three activities. Cor has just joined: his home page still
    invites him to say who he is (`/welcome`); the others have done that."""
    make_director(server, "dirk")
    server.make_resident("anna")
    server.make_resident("cor")
    bram = server.make_resident("bram")

    async def work(database: Database) -> None:
        for number, title in enumerate(ACTIVITIES, 1):
            await make_event(database, bram, title=title, starts_at=soon(days=number * 3))
        for text, choices in POSTS:
            await write_post(database, bram, text, **choices)
        async with database.transaction() as session:
            for known in (await session.exec(select(Account))).all():
                known.welcomed_at = None if known.username == "cor" else utcnow()
            dirk = (await session.exec(select(Account).where(Account.username == "dirk"))).one()
            assert dirk.neighbourhood_id is not None
            roles = await permissions.roles_of(session, dirk)
            today = utcnow().astimezone(ZONE).date()
            closes = today + timedelta(days=13)
            await surveys.open_period(session, roles, dirk.neighbourhood_id, today, closes, today)

    server.run(work)


def resident_on_a_small_phone(
    open_page: OpenPage, server: LiveServer, username: str = "anna"
) -> Page:
    """Someone of the lively neighbourhood, logged in on a small phone without JavaScript."""
    a_lively_neighbourhood(server)
    page = open_page(**NO_SCRIPT_SMALL_PHONE)
    log_in(page, server, username)
    return page


def page_width(page: Page) -> int:
    width: int = page.evaluate("() => document.documentElement.scrollWidth")
    return width


def open_every_section(page: Page) -> None:
    """Open each closed <details>, also those that show only once another one is open."""
    closed = page.locator("details:not([open]) > summary:visible")
    while closed.count():
        closed.first.click()


def focused_id(page: Page) -> str:
    found: str = page.evaluate("() => document.activeElement.id")
    return found


# How much of the first post shows: its author and first lines, or at least its top for someone
# new (whose page has a line more).
@pytest.mark.parametrize(("username", "shown"), [("anna", 120), ("dirk", 120), ("cor", 1)])
def test_the_first_post_shows_on_a_phones_first_screen(
    open_page: OpenPage, live_server: LiveServer, username: str, shown: int
) -> None:
    page = resident_on_a_small_phone(open_page, live_server, username)

    assert page.url == f"{live_server.url}/"
    expect(page.locator(".survey-invitation")).to_be_visible()
    upcoming = page.locator(".home-upcoming > summary")  # folded, naming the next one
    expect(upcoming).to_contain_text(ACTIVITIES[0])
    share = page.get_by_role("link", name="Wat wilt u delen?")
    expect(share).to_be_in_viewport()
    first_post = page.locator(".feed .post").first
    expect(first_post).to_contain_text(POSTS[-1][0])  # the newest
    box = first_post.bounding_box()
    assert box is not None and box["y"] + shown <= SMALL_PHONE["height"], box
    assert page_width(page) <= SMALL_PHONE["width"]


def test_no_page_scrolls_sideways_with_every_section_open(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    page = resident_on_a_small_phone(open_page, live_server)

    open_every_section(page)  # the menu, a warning, each post's "More"
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()
    expect(page.get_by_role("link", name="Melden bericht van bram").first).to_be_visible()
    assert page_width(page) <= SMALL_PHONE["width"], "home"

    page.goto(f"{live_server.url}/posts/new")
    open_every_section(page)  # poll (and its further answers), photos and warning
    expect(page.locator("#image-4")).to_be_visible()
    expect(page.locator("#poll_option_10")).to_be_visible()
    assert page_width(page) <= SMALL_PHONE["width"], "the composer"

    page.goto(f"{live_server.url}/")
    with page.expect_navigation():  # to Bram's help request, with a reply form
        page.locator(".post", has_text=POSTS[0][0]).locator(".post-time").click()
    more = page.locator(".post-focus .post-more")
    more.locator("summary").focus()  # "More" with the keyboard: Enter opens it, Tab goes in
    page.keyboard.press("Enter")
    menu = more.get_by_role("list")
    expect(menu).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Melden bericht van bram")).to_be_focused()
    box = menu.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= SMALL_PHONE["width"]
    assert page_width(page) <= SMALL_PHONE["width"], "a post"


def test_the_post_actions_are_one_row(open_page: OpenPage, live_server: LiveServer) -> None:
    page = resident_on_a_small_phone(open_page, live_server)
    for actions in page.locator(".feed .post-actions").all():
        tops = actions.evaluate("row => [...row.children].map(item => item.offsetTop)")
        assert len(set(tops)) == 1, tops


def test_posting_with_the_keyboard_alone_ends_on_the_new_post(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    page = resident_on_a_small_phone(open_page, live_server)

    tab_to(page, lambda: page.evaluate("() => document.activeElement.className") == "share-link")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/posts/new"
    assert focused_id(page) == "source", "the text box has the focus at once"
    page.keyboard.type("Heeft iemand mijn grijze kat gezien? Hij heet Pluis.")
    tab_to(page, lambda: page.evaluate("() => document.activeElement.textContent") == "Plaatsen")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    post_id = page.url.rsplit("#post-", 1)[1]
    assert page.url == f"{live_server.url}/?posted={post_id}#post-{post_id}"
    assert focused_id(page) == f"post-{post_id}"
    new_post = page.locator(f"#post-{post_id}")
    expect(new_post).to_be_focused()
    expect(new_post).to_contain_text("Heeft iemand mijn grijze kat gezien?")
    expect(new_post.get_by_role("status")).to_have_text("Uw bericht is geplaatst.")
    expect(new_post.get_by_role("status")).to_be_in_viewport()
    expect(new_post.locator("time")).to_contain_text("zojuist")
    page.keyboard.press("Tab")  # on from the post: its author's name comes next
    expect(new_post.get_by_role("link", name="anna", exact=True)).to_be_focused()


def tab_to(page: Page, arrived: Callable[[], bool], most: int = 40) -> None:
    """Press Tab until `arrived` says so, as a keyboard user would (at most `most` times)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if arrived():
            return
    raise AssertionError(f"not reached with {most} presses of Tab")
