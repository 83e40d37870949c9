"""The resident survey in the real Chromium, on a 360-pixel phone without JavaScript and in Dutch:
the director opens a survey with the suggested dates; a resident follows the invitation on their
home page, answers with the mouse and the keyboard, and is thanked; the invitation is gone."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from buurtnet.core import permissions
from buurtnet.core.survey_scores import COHESION_ITEMS, LIVEABILITY_MARK, OPEN_QUESTION
from buurtnet.db import Database
from buurtnet.models import Duty, SurveyResponse
from tests.browser.conftest import PHONE, LiveServer, OpenPage, log_in
from tests.browser.test_events import fits_the_phone

pytestmark = pytest.mark.browser

NO_SCRIPT_PHONE = {"viewport": PHONE, "java_script_enabled": False, "locale": "nl-NL"}
INVITATION = "Doe mee met de buurtenquête"


def make_director(server: LiveServer, username: str) -> None:
    account = server.make_resident(username)
    account_id, home_id = account.id, account.neighbourhood_id
    assert account_id is not None and home_id is not None

    async def work(database: Database) -> None:
        async with database.transaction() as session:
            await permissions.grant(session, account_id, home_id, Duty.DIRECTOR)

    server.run(work)


def stored_responses(server: LiveServer) -> list[SurveyResponse]:
    async def work(database: Database) -> list[SurveyResponse]:
        async with database.reading() as session:
            return list((await session.exec(select(SurveyResponse))).all())

    return server.run(work)


def person(open_page: OpenPage, server: LiveServer, username: str) -> Page:
    page = open_page(**NO_SCRIPT_PHONE)
    log_in(page, server, username)
    fits_the_phone(page)
    return page


def test_a_resident_answers_the_survey(open_page: OpenPage, live_server: LiveServer) -> None:
    make_director(live_server, "dirk")
    live_server.make_resident("anna")

    dirk = person(open_page, live_server, "dirk")
    dirk.goto(f"{live_server.url}/n/vogelwijk/survey")
    fits_the_phone(dirk)
    with dirk.expect_navigation():
        dirk.get_by_role("button", name="Enquête openen").click()
    fits_the_phone(dirk)
    expect(dirk.get_by_role("status")).to_contain_text("De enquête staat klaar.")
    expect(dirk.locator("main")).to_contain_text("Loopt nu.")

    anna = person(open_page, live_server, "anna")
    with anna.expect_navigation():
        anna.get_by_role("link", name=INVITATION).click()
    fits_the_phone(anna)
    expect(anna.get_by_role("heading", level=1)).to_have_text("Buurtenquête")

    # With the mouse: a click on the words of an answer chooses it.
    first, second, third, fourth, fifth = (
        anna.get_by_role("group", name=item.text) for item in COHESION_ITEMS
    )
    first.get_by_text("Mee oneens", exact=True).click()
    second.get_by_text("Mee eens", exact=True).click()
    third.get_by_text("Helemaal mee eens", exact=True).click()
    # With the keyboard: an arrow moves the choice within a group, Space chooses.
    fourth.get_by_role("radio", name="Helemaal mee eens").focus()
    anna.keyboard.press("Space")
    anna.keyboard.press("ArrowDown")
    expect(fourth.get_by_role("radio", name="Mee eens", exact=True)).to_be_checked()
    fifth.get_by_role("radio", name="Niet eens, niet oneens").check()
    mark = anna.get_by_label(LIVEABILITY_MARK)
    mark.focus()
    mark.select_option("8")
    anna.get_by_label(OPEN_QUESTION).fill("Een bankje bij de speeltuin")
    fits_the_phone(anna)
    with anna.expect_navigation():
        anna.get_by_role("button", name="Verstuur mijn antwoorden").click()
    fits_the_phone(anna)
    expect(anna.get_by_role("heading", level=1)).to_have_text("Bedankt voor het meedoen")
    expect(anna.get_by_role("status")).to_contain_text("zonder uw naam")

    anna.goto(live_server.url)
    expect(anna.locator("main")).not_to_contain_text(INVITATION)
    [answered] = stored_responses(live_server)
    assert (
        answered.know_each_other,
        answered.pleasant,
        answered.close_knit,
        answered.at_home,
        answered.help_each_other,
    ) == ("disagree", "agree", "strongly_agree", "agree", "neutral")
    assert (answered.liveability_mark, answered.at_home_mark) == (8, None)
    assert answered.open_text == "Een bankje bij de speeltuin"
