"""Moderation in the real Chromium, on a 360-pixel phone without JavaScript and in Dutch: a
resident reports a neighbour's message, a moderator takes the report on, removes the message with a
reason and closes the report; the author reads why and the reporter the outcome; the public log
says what was done without names or the removed text; the author appeals and a second moderator
(not the one who decided) grants it, which brings the message back."""

import re
from typing import Literal

import pytest
from playwright.sync_api import Page, expect

from buurtnet.core import permissions
from buurtnet.db import Database
from buurtnet.models import Duty
from tests.browser.conftest import PHONE, LiveServer, OpenPage, log_in, open_composer, open_menu
from tests.browser.test_events import fits_the_phone

pytestmark = pytest.mark.browser

NOTIFICATIONS = re.compile(r"^Meldingen\b")  # with the number of new ones, if any
NO_SCRIPT_PHONE = {"viewport": PHONE, "java_script_enabled": False, "locale": "nl-NL"}
MESSAGE = "Die nieuwe buurman van nummer 12 moet hier weg, niemand wil hem."
COMMENT = "Dit is de derde keer dat zij zo over hem schrijft."
REASON = "Dit bericht valt een buurman persoonlijk aan."
OUTCOME = "Dank voor uw melding. We hebben het bericht weggehaald."
APPEAL = "Ik bedoelde het niet zo: hij zet elke nacht zijn muziek hard aan."
VERDICT = "Na een gesprek is het duidelijk bedoeld als klacht over geluid."


def make_moderator(server: LiveServer, username: str) -> None:
    """A resident of the neighbourhood who moderates it."""
    account = server.make_resident(username)
    account_id, home_id = account.id, account.neighbourhood_id
    assert account_id is not None and home_id is not None

    async def work(database: Database) -> None:
        async with database.transaction() as session:
            await permissions.grant(session, account_id, home_id, Duty.MODERATOR)

    server.run(work)


def person(open_page: OpenPage, server: LiveServer, username: str) -> Page:
    page = open_page(**NO_SCRIPT_PHONE)
    log_in(page, server, username)
    return page


def follow(page: Page, role: Literal["link", "button"], name: str | re.Pattern[str]) -> None:
    """Use a link or button as a person would, and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()
    fits_the_phone(page)


def write_and_report(anna: Page, bram: Page) -> None:
    open_composer(anna)
    anna.get_by_label("Wat wilt u delen?").fill(MESSAGE)
    follow(anna, "button", "Plaatsen")
    bram.reload()
    post = bram.locator(".post").filter(has_text=MESSAGE)
    post.get_by_text("Meer").click()  # the menu of less used actions
    with bram.expect_navigation():
        post.get_by_role("link", name="Melden").click()
    fits_the_phone(bram)
    expect(bram.get_by_role("heading", level=1)).to_have_text("anna melden")
    expect(bram.locator("main")).to_contain_text("anna krijgt niet te horen wie")
    expect(bram.get_by_role("checkbox")).to_be_checked()  # the message it came from
    bram.get_by_label("Intimidatie of lastigvallen").check()
    bram.get_by_label("Uitleg (niet verplicht)").fill(COMMENT)
    follow(bram, "button", "Melding versturen")
    expect(bram.get_by_role("status")).to_contain_text("Uw melding is naar de moderators gestuurd")


def handle_the_report(mila: Page) -> None:
    open_menu(mila)
    follow(mila, "link", "Moderatie")
    report = mila.locator(".card").filter(has_text="@anna")
    expect(report).to_contain_text("Open")
    expect(report).to_contain_text("bram")
    with mila.expect_navigation():
        report.get_by_role("link").click()
    fits_the_phone(mila)
    expect(mila.locator("main")).to_contain_text(COMMENT)
    follow(mila, "button", "Ik pak dit op")
    expect(mila.locator(".facts")).to_contain_text("In behandeling")
    expect(mila.locator(".facts")).to_contain_text("mila")

    reported = mila.locator(".card").filter(has_text=MESSAGE)
    reported.get_by_text("Iets doen met dit bericht").click()  # a <details>: no script needed
    reported.get_by_label("Reden", exact=True).fill(REASON)
    reported.get_by_label("Welke regel wordt overtreden").select_option(
        label="Intimidatie of lastigvallen"
    )
    with mila.expect_navigation():
        reported.get_by_role("button", name="Bericht verwijderen").click()
    fits_the_phone(mila)
    expect(reported).to_contain_text("Een moderator heeft dit bericht verwijderd.")

    closing = mila.locator("form").filter(has=mila.get_by_label("Bericht aan de melder"))
    closing.get_by_label("Afgehandeld: er is iets gedaan").check()
    closing.get_by_label("Bericht aan de melder").fill(OUTCOME)
    with mila.expect_navigation():
        closing.get_by_role("button", name="Melding sluiten").click()
    fits_the_phone(mila)
    expect(mila.locator(".facts")).to_contain_text("Afgehandeld")
    expect(mila.locator("main")).to_contain_text(OUTCOME)


def told(page: Page, text: str) -> None:
    open_menu(page)
    follow(page, "link", NOTIFICATIONS)
    expect(page.locator(".notifications")).to_contain_text(text)


def read_the_public_log(cor: Page, server: LiveServer) -> None:
    cor.goto(f"{server.url}/n/vogelwijk")
    follow(cor, "link", "Wat de moderators hier deden")
    expect(cor.get_by_role("heading", level=1)).to_contain_text("Moderatie in")
    expect(cor.locator("main")).to_contain_text("Een bericht is verwijderd wegens intimidatie.")
    shown = cor.locator("main").inner_text().lower()
    for secret in (MESSAGE.lower(), REASON.lower(), COMMENT.lower(), "anna", "bram", "mila"):
        assert secret not in shown, f"the public log shows {secret!r}"


def appeal(anna: Page) -> None:
    notice = anna.locator(".notification").filter(has_text=REASON)
    with anna.expect_navigation():
        notice.get_by_role("link", name="Bezwaar maken").click()
    fits_the_phone(anna)
    expect(anna.locator("main")).to_contain_text(MESSAGE)  # her own message, only to her
    anna.get_by_label("Waarom vindt u deze beslissing niet juist?").fill(APPEAL)
    follow(anna, "button", "Bezwaar versturen")
    expect(anna.get_by_role("heading", name="Uw bezwaar")).to_be_visible()
    expect(anna.locator("main")).to_contain_text(APPEAL)


def decide_the_appeal(mila: Page, kees: Page) -> None:
    open_menu(mila)
    follow(mila, "link", "Moderatie")
    follow(mila, "link", "Bezwaren")
    case = mila.locator(".card").filter(has_text=APPEAL)
    expect(case).to_contain_text("U nam deze maatregel zelf.")
    expect(case.get_by_role("button")).to_have_count(0)

    open_menu(kees)
    follow(kees, "link", "Moderatie")
    follow(kees, "link", "Bezwaren")
    case = kees.locator(".card").filter(has_text=APPEAL)
    expect(case).to_contain_text(MESSAGE)
    case.get_by_label("Toekennen: de maatregel terugdraaien").check()
    case.get_by_label("Reden (de persoon leest dit)").fill(VERDICT)
    with kees.expect_navigation():
        case.get_by_role("button", name="Beslissing opslaan").click()
    fits_the_phone(kees)
    expect(kees.get_by_role("status")).to_contain_text("Uw beslissing is opgeslagen")
    expect(kees.locator("main")).to_contain_text("Er zijn geen open bezwaren.")


def test_report_remove_tell_log_and_appeal(open_page: OpenPage, live_server: LiveServer) -> None:
    for name in ("anna", "bram", "cor"):
        live_server.make_resident(name)
    make_moderator(live_server, "mila")
    make_moderator(live_server, "kees")
    anna = person(open_page, live_server, "anna")
    bram = person(open_page, live_server, "bram")
    write_and_report(anna, bram)

    mila = person(open_page, live_server, "mila")
    handle_the_report(mila)
    bram.goto(live_server.url)
    expect(bram.locator("main")).not_to_contain_text(MESSAGE)

    told(anna, "Een moderator heeft uw bericht verwijderd.")
    expect(anna.locator(".notifications")).to_contain_text(REASON)
    told(bram, "Uw melding is afgehandeld.")
    expect(bram.locator(".notifications")).to_contain_text(OUTCOME)

    read_the_public_log(person(open_page, live_server, "cor"), live_server)

    appeal(anna)
    decide_the_appeal(mila, person(open_page, live_server, "kees"))
    bram.goto(live_server.url)
    expect(bram.locator(".post").filter(has_text=MESSAGE)).to_be_visible()
    told(anna, "Uw bezwaar is toegekend: de beslissing is teruggedraaid.")
    expect(anna.locator(".notifications")).to_contain_text(VERDICT)
