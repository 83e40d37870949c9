"""The survey's pages: a director opens a period and reads the results once it has closed, a
resident is invited on the home page and answers once, and nobody sees what they may not."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.config import Settings
from buurtnet.core import local_times, neighbourhoods, permissions, surveys
from buurtnet.core.survey_scores import (
    AT_HOME_MARK,
    COHESION_ITEMS,
    LIVEABILITY_MARK,
    OPEN_QUESTION,
    Answer,
)
from buurtnet.core.surveys import SurveyAnswers
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    Duty,
    Neighbourhood,
    Role,
    SurveyPeriod,
    SurveyResponse,
    utcnow,
)
from tests.conftest import browser_for, csrf_token, log_in, make_account, post_form

PAGE = "/n/vogelwijk/survey"
INVITATION = "Doe mee met de buurtenquête"
# Five agree with everything and give 7 and 6; seven agree strongly and give 9 and 8. Scores:
# agreeing 0 + 1 (item 1 reversed) + 3 * 4 ... = 13 points = 6.5, strongly 16 points = 8.0.
AGREE = SurveyAnswers((Answer.AGREE,) * 5, 7, 6, "Meer bankjes op het plein")
STRONGLY = SurveyAnswers((Answer.STRONGLY_AGREE,) * 5, 9, 8, "Een buurtfeest\nin de zomer")


@pytest.fixture
async def director(database: Database, neighbourhood: Neighbourhood) -> Account:
    return await make_account(database, "dirk", neighbourhood=neighbourhood, duty=Duty.DIRECTOR)


@pytest.fixture
def today(settings: Settings) -> date:
    return local_times.local_day(utcnow(), ZoneInfo(settings.time_zone))


@asynccontextmanager
async def logged_in(app: Starlette, username: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own, logged in as this person."""
    async with browser_for(app) as browser:
        await log_in(browser, username)
        yield browser


async def open_survey(
    database: Database, director: Account, opens_on: date, closes_on: date
) -> int:
    """A period through core, opened on its first day (so it may lie in the past)."""
    assert director.neighbourhood_id is not None
    async with database.transaction() as session:
        roles = await permissions.roles_of(session, director)
        period = await surveys.open_period(
            session, roles, director.neighbourhood_id, opens_on, closes_on, opens_on
        )
    assert period.id is not None
    return period.id


async def answered_by(
    database: Database, place: Neighbourhood, period_id: int, day: date, answers: SurveyAnswers
) -> None:
    """One more resident of the neighbourhood answers, through core, on that day."""
    async with database.reading() as session:
        count = (await session.exec(select(sa.func.count()).select_from(Account))).one()
    person = await make_account(database, f"buur{count}", neighbourhood=place)
    async with database.transaction() as session:
        assert await surveys.answer(session, person, period_id, answers, day)


async def responses(database: Database) -> list[SurveyResponse]:
    async with database.reading() as session:
        return list((await session.exec(select(SurveyResponse))).all())


async def periods(database: Database) -> list[SurveyPeriod]:
    async with database.reading() as session:
        query = select(SurveyPeriod).order_by(col(SurveyPeriod.opens_on))
        return list((await session.exec(query)).all())


# ------------------------------------------------------------------ the director opens a period


async def test_a_director_opens_a_survey(
    app: Starlette, database: Database, director: Account, today: date
) -> None:
    four_weeks = today + timedelta(weeks=4)
    async with logged_in(app, "dirk") as browser:
        page = (await browser.get(PAGE)).text
        assert (
            f'value="{today.isoformat()}"' in page and f'value="{four_weeks.isoformat()}"' in page
        )
        assert "De antwoorden zijn anoniem." in page
        assert "alleen als minstens 10 bewoners meededen" in page
        assert "Hier is nog geen enquête gehouden." in page
        dates = {"opens_on": today.isoformat(), "closes_on": four_weeks.isoformat()}
        opened = await post_form(browser, PAGE, PAGE, dates)
        assert opened.status_code == 303 and opened.headers["location"] == PAGE + "?opened=1"
        page = (await browser.get(PAGE + "?opened=1")).text
        assert "De enquête staat klaar." in page and "Loopt nu." in page
        assert "De uitkomsten komen na" in page
        assert "/n/vogelwijk/survey" in (await browser.get("/surveys")).text
    [period] = await periods(database)
    assert (period.opens_on, period.closes_on, period.opened_by_id) == (
        today,
        four_weeks,
        director.id,
    )


async def test_only_the_neighbourhood_director_opens_a_survey(
    app: Starlette, database: Database, neighbourhood: Neighbourhood, today: date
) -> None:
    async with database.transaction() as session:
        elsewhere = await neighbourhoods.create_neighbourhood(session, "bloemwijk", "Bloemwijk")
    await make_account(database, "mees", neighbourhood=neighbourhood, duty=Duty.MODERATOR)
    await make_account(database, "anna", neighbourhood=neighbourhood)
    await make_account(database, "dora", neighbourhood=elsewhere, duty=Duty.DIRECTOR)
    await make_account(database, "beheer", role=Role.ADMIN)
    dates = {"opens_on": today.isoformat(), "closes_on": (today + timedelta(days=7)).isoformat()}
    for name in ("mees", "anna", "dora"):
        async with logged_in(app, name) as browser:
            assert (await browser.get(PAGE)).status_code == 403, name
            assert (await post_form(browser, "/settings", PAGE, dates)).status_code == 403, name
            if name != "dora":
                assert (await browser.get("/surveys")).status_code == 403, name
    async with logged_in(app, "beheer") as browser:
        page = await browser.get(PAGE)
        assert page.status_code == 200
        assert f'action="{PAGE}"' not in page.text
        assert "Alleen de buurtregisseur opent een enquête." in page.text
        assert (await post_form(browser, "/settings", PAGE, dates)).status_code == 403
        listed = (await browser.get("/surveys")).text
        assert PAGE in listed and "/n/bloemwijk/survey" in listed
    async with browser_for(app) as visitor:
        assert (await visitor.get(PAGE)).headers["location"].startswith("/login")
    assert await periods(database) == []


async def test_wrong_dates_are_explained_in_dutch(
    app: Starlette, database: Database, director: Account, today: date
) -> None:
    await open_survey(database, director, today, today + timedelta(days=14))
    cases = {
        ("2031-02-10", "2031-02-01"): "De laatste dag moet op of na de eerste dag liggen.",
        (
            (today - timedelta(days=9)).isoformat(),
            (today - timedelta(days=2)).isoformat(),
        ): "De laatste dag is al voorbij. Kies vandaag of een latere dag.",
        (
            (today + timedelta(days=14)).isoformat(),
            (today + timedelta(days=30)).isoformat(),
        ): "Deze dagen vallen samen met een andere enquête van deze buurt. Kies andere dagen.",
        ("morgen", ""): "Vul een datum in, bijvoorbeeld 31-12-2026.",
    }
    async with logged_in(app, "dirk") as browser:
        for (opens_on, closes_on), message in cases.items():
            dates = {"opens_on": opens_on, "closes_on": closes_on}
            refused = await post_form(browser, PAGE, PAGE, dates)
            assert refused.status_code == 400, message
            assert message in refused.text
            assert f'value="{opens_on}"' in refused.text, "what was typed stays"
        typed = await post_form(browser, PAGE, PAGE, {"opens_on": "1-3-2031", "closes_on": ""})
        assert typed.text.count("Vul een datum in") == 2, "in the summary and at the field"
    assert len(await periods(database)) == 1


# ------------------------------------------------------------------ the resident answers


async def test_a_resident_is_invited_and_answers_once(
    app: Starlette, database: Database, director: Account, resident: Account, today: date
) -> None:
    period_id = await open_survey(database, director, today, today + timedelta(days=14))
    async with logged_in(app, "anna") as browser:
        assert INVITATION in (await browser.get("/")).text
        form = (await browser.get("/survey")).text
        for item in COHESION_ITEMS:  # the CBS wording, word for word
            assert item.text in form
        for question in (LIVEABILITY_MARK, AT_HOME_MARK, OPEN_QUESTION):
            assert question in form
        assert "Helemaal mee eens" in form and "Niet eens, niet oneens" in form
        assert "niemand kan ze naar u terugleiden" in form
        assert form.count("<fieldset") == len(COHESION_ITEMS) and "<legend>" in form
        answers = {
            "period": str(period_id),
            "know_each_other": "disagree",
            "pleasant": "agree",
            "close_knit": "neutral",
            "help_each_other": "strongly_agree",
            "liveability_mark": "8",
            "at_home_mark": "",
            "open_text": "Een speeltuin",
        }
        sent = await post_form(browser, "/survey", "/survey", answers)
        assert sent.status_code == 303 and sent.headers["location"] == "/survey?sent=1"
        thanks = (await browser.get("/survey?sent=1")).text
        assert "Bedankt voor het meedoen" in thanks and "zonder uw naam" in thanks
        assert INVITATION not in (await browser.get("/")).text
        assert "U heeft al meegedaan" in (await browser.get("/survey")).text
        token = await csrf_token(browser, "/settings")
        again = await browser.post("/survey", data={"csrf_token": token, **answers})
        assert again.status_code == 200 and "U heeft al meegedaan" in again.text
    [stored] = await responses(database)
    assert (stored.know_each_other, stored.pleasant, stored.close_knit, stored.at_home) == (
        "disagree",
        "agree",
        "neutral",
        None,
    )
    assert (stored.liveability_mark, stored.at_home_mark, stored.open_text) == (
        8,
        None,
        "Een speeltuin",
    )


async def test_wrong_answers_give_the_form_back(
    app: Starlette, database: Database, director: Account, resident: Account, today: date
) -> None:
    period_id = await open_survey(database, director, today, today + timedelta(days=14))
    wrong = {
        "period": str(period_id),
        "pleasant": "misschien",
        "close_knit": "agree",
        "liveability_mark": "11",
        "at_home_mark": "zes",
        "open_text": "Meer groen",
    }
    async with logged_in(app, "anna") as browser:
        refused = await post_form(browser, "/survey", "/survey", wrong)
        assert refused.status_code == 400
        assert "Kies een van de antwoorden." in refused.text
        assert refused.text.count("Kies een cijfer van 1 tot en met 10.") == 4  # 2 in the summary
        assert 'name="close_knit" value="agree" checked' in refused.text
        assert "Meer groen</textarea>" in refused.text
        assert 'name="csrf_token"' in refused.text
        assert INVITATION in (await browser.get("/")).text, "nothing was stored"
    assert await responses(database) == []


async def test_without_an_open_survey_the_page_says_so(
    app: Starlette, database: Database, director: Account, resident: Account, today: date
) -> None:
    await open_survey(database, director, today + timedelta(days=3), today + timedelta(days=9))
    async with logged_in(app, "anna") as browser:
        page = await browser.get("/survey")
        assert page.status_code == 200
        assert "Op dit moment geen enquête" in page.text and 'action="/survey"' not in page.text
        assert INVITATION not in (await browser.get("/")).text


async def test_a_survey_that_closed_meanwhile_stores_nothing(
    app: Starlette, database: Database, director: Account, resident: Account, today: date
) -> None:
    period_id = await open_survey(
        database, director, today - timedelta(days=9), today - timedelta(days=1)
    )
    async with logged_in(app, "anna") as browser:
        late = {"period": str(period_id), "pleasant": "agree"}
        answered = await post_form(browser, "/settings", "/survey", late)
        assert answered.status_code == 200
        assert "De enquête was al voorbij toen uw antwoorden binnenkwamen." in answered.text
    assert await responses(database) == []


async def test_a_resident_of_another_neighbourhood_cannot_answer(
    app: Starlette, database: Database, director: Account, today: date
) -> None:
    period_id = await open_survey(database, director, today, today + timedelta(days=14))
    async with database.transaction() as session:
        elsewhere = await neighbourhoods.create_neighbourhood(session, "bloemwijk", "Bloemwijk")
    await make_account(database, "vreemde", neighbourhood=elsewhere)
    async with logged_in(app, "vreemde") as browser:
        assert INVITATION not in (await browser.get("/")).text
        assert "Op dit moment geen enquête" in (await browser.get("/survey")).text
        for period in (str(period_id), "", "abc", "99999999999999999999"):
            form = {"period": period, "pleasant": "agree"}
            refused = await post_form(browser, "/settings", "/survey", form)
            assert refused.status_code == 404, period
    assert await responses(database) == []


# ------------------------------------------------------------------ the results


async def test_no_results_while_the_survey_is_open(
    app: Starlette, database: Database, director: Account, neighbourhood: Neighbourhood, today: date
) -> None:
    period_id = await open_survey(database, director, today, today + timedelta(days=14))
    for _ in range(12):
        await answered_by(database, neighbourhood, period_id, today, AGREE)
    async with logged_in(app, "dirk") as browser:
        page = (await browser.get(PAGE)).text
    assert "Loopt nu." in page and "De uitkomsten komen na" in page
    assert "Uitkomsten" not in page and "Bewoners die meededen:" not in page
    assert "Meer bankjes" not in page


async def test_below_the_threshold_nothing_is_shown(
    app: Starlette, database: Database, director: Account, neighbourhood: Neighbourhood, today: date
) -> None:
    opens_on, closes_on = today - timedelta(days=20), today - timedelta(days=1)
    period_id = await open_survey(database, director, opens_on, closes_on)
    for _ in range(9):
        await answered_by(database, neighbourhood, period_id, opens_on, AGREE)
    async with logged_in(app, "dirk") as browser:
        page = (await browser.get(PAGE)).text
    assert "Afgelopen." in page
    assert "Bewoners die meededen:" in page and "minder dan 10" in page
    assert page.count("&lt; 10</td>") == 3 and "6,5" not in page
    assert "Er deden te weinig bewoners mee om deze antwoorden te tonen." in page
    assert "Meer bankjes" not in page


async def test_after_closing_with_enough_answers_the_results_are_shown(
    app: Starlette, database: Database, director: Account, neighbourhood: Neighbourhood, today: date
) -> None:
    opens_on, closes_on = today - timedelta(days=20), today - timedelta(days=1)
    period_id = await open_survey(database, director, opens_on, closes_on)
    for answers in (AGREE,) * 5 + (STRONGLY,) * 7:
        await answered_by(database, neighbourhood, period_id, opens_on, answers)
    await make_account(database, "beheer", role=Role.ADMIN)
    async with logged_in(app, "dirk") as browser:
        page = (await browser.get(PAGE)).text
    # Cohesion: (5 * 6.5 + 7 * 8.0) / 12 = 7.375, s = 0.7724, t(11) = 2.2010, so ± 0.4908.
    # Liveability: (5 * 7 + 7 * 9) / 12 = 8.17; feeling at home (5 * 6 + 7 * 8) / 12 = 7.17.
    assert "minstens 10" in page  # 12, rounded down to fives
    assert "<strong>7,4</strong>" in page and "6,9 tot 7,9" in page
    assert "<strong>8,2</strong>" in page and "<strong>7,2</strong>" in page
    assert "6,4" in page and "7,1" in page and "5,8" in page  # the CBS references
    assert "95%-betrouwbaarheidsinterval" in page
    assert "Meer bankjes op het plein" in page and "Een buurtfeest<br>in de zomer" in page
    assert "Alleen u als buurtregisseur ziet deze antwoorden" in page
    async with logged_in(app, "beheer") as browser:
        seen_by_admin = (await browser.get(PAGE)).text
    assert "<strong>7,4</strong>" in seen_by_admin and "6,9 tot 7,9" in seen_by_admin
    assert (
        "Meer bankjes" not in seen_by_admin and "Antwoorden op de open vraag" not in seen_by_admin
    )


async def test_the_questions_read_english_on_an_english_page(
    app: Starlette, database: Database, director: Account, resident: Account, today: date
) -> None:
    await open_survey(database, director, today, today + timedelta(days=14))
    async with logged_in(app, "anna") as browser:
        await post_form(browser, "/settings", "/language", {"locale": "en", "next": "/"})
        form = (await browser.get("/survey")).text
    assert "People in this neighbourhood hardly know each other." in form
    assert "Strongly agree" in form and COHESION_ITEMS[0].text not in form
