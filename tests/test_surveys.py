"""The resident survey: opened by a director, answered once by residents, stored without a link
to the person, and published only by the disclosure rules (shared METRICS.md sections 2-3)."""

import asyncio
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import AutoString, SQLModel, col, select

from buurtnet.core import neighbourhoods, permissions, surveys
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.core.survey_scores import Answer
from buurtnet.core.surveys import SurveyAnswers
from buurtnet.db import Database
from buurtnet.models import (
    Account,
    Duty,
    Neighbourhood,
    Role,
    SurveyParticipation,
    SurveyPeriod,
    SurveyResponse,
)
from tests.conftest import make_account
from tests.kit.databases import on_postgresql

OPENS = date(2026, 12, 1)
CLOSES = date(2026, 12, 14)
DURING = date(2026, 12, 4)
AFTER = CLOSES + timedelta(days=1)
K = 5  # the lowest threshold disclosure allows, to keep the examples small
ALL_AGREE = SurveyAnswers((Answer.AGREE,) * 5, 7, 8, "Meer bankjes")


@pytest.fixture
async def director(database: Database, neighbourhood: Neighbourhood) -> Account:
    return await make_account(database, "dirk", neighbourhood=neighbourhood, duty=Duty.DIRECTOR)


async def open_survey(database: Database, account: Account, neighbourhood_id: int) -> int:
    async with database.transaction() as session:
        roles = await permissions.roles_of(session, account)
        period = await surveys.open_period(session, roles, neighbourhood_id, OPENS, CLOSES, DURING)
    assert period.id is not None
    return period.id


@pytest.fixture
async def period_id(database: Database, director: Account, neighbourhood: Neighbourhood) -> int:
    assert neighbourhood.id is not None
    return await open_survey(database, director, neighbourhood.id)


async def answer(
    database: Database,
    person: Account,
    period_id: int,
    answers: SurveyAnswers = ALL_AGREE,
    today: date = DURING,
) -> bool:
    async with database.transaction() as session:
        return await surveys.answer(session, person, period_id, answers, today)


async def residents(database: Database, place: Neighbourhood, count: int) -> list[Account]:
    return [
        await make_account(database, f"buur{number}", neighbourhood=place)
        for number in range(count)
    ]


async def stored(database: Database) -> tuple[int, int]:
    """How many participation and response rows there are."""
    async with database.reading() as session:
        taken = (await session.exec(select(sa.func.count()).select_from(SurveyParticipation))).one()
        answered = (await session.exec(select(sa.func.count()).select_from(SurveyResponse))).one()
    return taken, answered


# The anonymity of answers: nothing links a response to a person.


def test_a_response_has_no_column_that_names_a_person_or_a_moment() -> None:
    table = SQLModel.metadata.tables["survey_response"]
    targets = {key.target_fullname for key in table.foreign_keys}
    assert targets == {"survey_period.id"}, "no key to an account or a participation"
    assert not [column for column in table.columns if "account" in column.name]
    [key] = table.primary_key.columns
    assert isinstance(key.type, sa.String | AutoString), "no counting integer key"
    assert key.autoincrement is not True
    moments = [column.name for column in table.columns if isinstance(column.type, sa.DateTime)]
    assert moments == [], "a date at most, never a time of day"


def test_a_participation_holds_who_and_nothing_else() -> None:
    table = SQLModel.metadata.tables["survey_participation"]
    assert set(table.columns.keys()) == {"period_id", "account_id"}
    assert set(table.primary_key.columns.keys()) == {"period_id", "account_id"}


def test_every_cohesion_item_has_its_column() -> None:
    table = SQLModel.metadata.tables["survey_response"]
    assert set(surveys.ITEM_KEYS) <= set(table.columns.keys())


async def test_no_hidden_row_number_counts_arrivals(database: Database) -> None:
    for table in ("survey_response", "survey_participation"):
        assert SQLModel.metadata.tables[table].dialect_options["sqlite"]["with_rowid"] is False
    if on_postgresql():  # its heap has no row number a query sees (models/surveys.py)
        return
    async with database.reading() as session:
        for table in ("survey_response", "survey_participation"):
            created = select(sa.column("sql", sa.String)).select_from(sa.table("sqlite_master"))
            found = await session.exec(created.where(sa.column("name") == table))
            assert "WITHOUT ROWID" in found.one()


async def test_the_stored_order_of_responses_is_not_the_order_of_arrival(
    database: Database, neighbourhood: Neighbourhood, period_id: int
) -> None:
    people = await residents(database, neighbourhood, 12)
    arrivals = [f"antwoord {number}" for number in range(len(people))]
    for person, text in zip(people, arrivals, strict=True):
        assert await answer(
            database, person, period_id, SurveyAnswers((None,) * 5, None, None, text)
        )
    async with database.reading() as session:
        texts = select(SurveyResponse.open_text)
        by_key = list((await session.exec(texts.order_by(col(SurveyResponse.id)))).all())
        as_stored = list((await session.exec(texts)).all())  # no ORDER BY: as the table keeps them
    assert sorted(text or "" for text in by_key) == sorted(arrivals)
    assert by_key != arrivals, "the keys do not grow with arrival"
    assert as_stored != arrivals, "rewritten in a random order at each answer (12! orders)"


async def test_transaction_ids_do_not_link_a_response_to_its_person(
    database: Database, neighbourhood: Neighbourhood, period_id: int
) -> None:
    people = await residents(database, neighbourhood, 3)
    for person in people:
        assert await answer(database, person, period_id)
    assert await stored(database) == (3, 3)
    async with database.reading() as session:
        if session.sync_session.get_bind().dialect.name != "postgresql":
            return  # only PostgreSQL stamps rows with the transaction that wrote them
        xmin = sa.literal_column("xmin::text", sa.String)
        written = select(xmin).select_from(SurveyResponse)
        assert len(set((await session.exec(written)).all())) == 1, "all by the last answer"
        linked = select(SurveyParticipation.account_id).join(
            SurveyResponse,
            sa.literal_column("survey_participation.xmin")
            == sa.literal_column("survey_response.xmin"),
        )
        found = set((await session.exec(linked)).all())
    assert found == {people[-1].id}, "only the last participant, with every response alike"


# Answering once, and only where and when one may.


async def test_a_resident_answers_once(
    database: Database, resident: Account, period_id: int
) -> None:
    assert not await has_answered(database, resident, period_id)
    assert await answer(database, resident, period_id)
    assert await has_answered(database, resident, period_id)
    assert not await answer(database, resident, period_id), "a second answer is not stored"
    assert await stored(database) == (1, 1)


async def has_answered(database: Database, person: Account, period_id: int) -> bool:
    async with database.reading() as session:
        return await surveys.has_answered(session, person, period_id)


async def test_answers_sent_at_once_store_one_response(
    database: Database, resident: Account, period_id: int
) -> None:
    outcomes = await asyncio.gather(*(answer(database, resident, period_id) for _ in range(4)))
    assert sorted(outcomes) == [False, False, False, True]
    assert await stored(database) == (1, 1)


async def test_residents_answering_at_once_each_store_one_response(
    database: Database, neighbourhood: Neighbourhood, period_id: int
) -> None:
    people = await residents(database, neighbourhood, 4)
    outcomes = await asyncio.gather(*(answer(database, person, period_id) for person in people))
    assert outcomes == [True] * 4
    assert await stored(database) == (4, 4), "each rewrite saw the ones before it"


async def test_a_resident_of_another_neighbourhood_cannot_answer(
    database: Database, period_id: int
) -> None:
    async with database.transaction() as session:
        elsewhere = await neighbourhoods.create_neighbourhood(session, "bloemwijk", "Bloemwijk")
    stranger = await make_account(database, "vreemde", neighbourhood=elsewhere)
    with pytest.raises(NotAllowed):
        await answer(database, stranger, period_id)
    async with database.reading() as session:
        assert await surveys.current_period(session, stranger, DURING) is None
    assert await stored(database) == (0, 0)


async def test_only_while_the_period_is_open(
    database: Database, resident: Account, period_id: int
) -> None:
    async with database.reading() as session:
        found = await surveys.current_period(session, resident, DURING)
        assert found is not None and found.id == period_id
        assert await surveys.current_period(session, resident, AFTER) is None
    for day in (OPENS - timedelta(days=1), AFTER):
        with pytest.raises(NotAllowed):
            await answer(database, resident, period_id, today=day)
    assert await answer(database, resident, period_id, today=CLOSES), "the last day counts"


async def test_wrong_answers_are_refused_and_nothing_is_stored(
    database: Database, resident: Account, period_id: int
) -> None:
    wrong = SurveyAnswers(("agree", "maybe", None, "", "neutral"), "11", "zes", "")
    with pytest.raises(InvalidInput) as refused:
        await answer(database, resident, period_id, wrong)
    assert refused.value.errors == {
        "pleasant": "survey_answer_invalid",
        "liveability_mark": "survey_mark_invalid",
        "at_home_mark": "survey_mark_invalid",
    }
    assert await stored(database) == (0, 0)
    partly = SurveyAnswers((None, "agree", None, None, None), " 10 ", None, "  a\u202eb\n\n\n\nc ")
    assert await answer(database, resident, period_id, partly)
    async with database.reading() as session:
        row = (await session.exec(select(SurveyResponse))).one()
    assert (row.know_each_other, row.pleasant, row.liveability_mark, row.at_home_mark) == (
        None,
        "agree",
        10,
        None,
    )
    assert row.open_text == "ab\n\nc"


# Opening a period.


async def test_only_the_director_opens_a_survey(
    database: Database, neighbourhood: Neighbourhood, resident: Account
) -> None:
    assert neighbourhood.id is not None
    admin = await make_account(database, "beheer", role=Role.ADMIN, neighbourhood=neighbourhood)
    for person in (resident, admin):
        with pytest.raises(NotAllowed):
            await open_survey(database, person, neighbourhood.id)


async def test_periods_of_a_neighbourhood_do_not_overlap(
    database: Database, director: Account, neighbourhood: Neighbourhood, period_id: int
) -> None:
    assert neighbourhood.id is not None
    async with database.transaction() as session:
        roles = await permissions.roles_of(session, director)
        with pytest.raises(InvalidInput) as overlap:
            await surveys.open_period(session, roles, neighbourhood.id, CLOSES, AFTER, DURING)
        with pytest.raises(InvalidInput) as backwards:
            await surveys.open_period(session, roles, neighbourhood.id, AFTER, CLOSES, DURING)
        later = await surveys.open_period(
            session, roles, neighbourhood.id, AFTER, AFTER + timedelta(days=30), DURING
        )
    assert overlap.value.errors == {"opens_on": "survey_period_overlaps"}
    assert backwards.value.errors == {"closes_on": "survey_closes_before_opening"}
    assert later.opened_by_id == director.id


# Results: only after the period, only from k residents.

# Five residents, each giving one answer to all five items. Item 1 is reversed, so "helemaal
# mee eens" everywhere scores 0 + 4·4 = 16 points, i.e. 8.0; "mee eens" 1 + 12 = 13, 6.5;
# "neutraal" 2 + 8 = 10, 5.0; "mee oneens" 3 + 4 = 7, 3.5; "helemaal mee oneens" 4 + 0, 2.0.
# Mean 5.0; s² = (9 + 2.25 + 0 + 2.25 + 9) / 4 = 5.625; half width t(0.975, 4) · s / √5
# = 2.776445 · √(5.625 / 5) = 2.776445 · 1.060660 = 2.944865.
EXAMPLE = [
    (Answer.STRONGLY_AGREE, 6, 9),
    (Answer.AGREE, 7, 8),
    (Answer.NEUTRAL, 7, 7),
    (Answer.DISAGREE, 8, None),
    (Answer.STRONGLY_DISAGREE, 7, None),
]


async def answer_example(
    database: Database, neighbourhood: Neighbourhood, period_id: int, count: int
) -> None:
    people = await residents(database, neighbourhood, count)
    for person, (item, liveability, at_home) in zip(people, EXAMPLE, strict=False):
        given = SurveyAnswers((item,) * 5, liveability, at_home, f"wens van {item.value}")
        assert await answer(database, person, period_id, given)


async def results(database: Database, period_id: int, today: date = AFTER) -> surveys.SurveyResults:
    async with database.reading() as session:
        return await surveys.results(session, period_id, today, K)


async def test_results_at_k_match_the_hand_computed_example(
    database: Database, neighbourhood: Neighbourhood, period_id: int
) -> None:
    await answer_example(database, neighbourhood, period_id, 5)
    found = await results(database, period_id)
    assert found.final and found.respondents == 5
    assert found.cohesion is not None and found.cohesion.n == 5
    assert found.cohesion.mean == pytest.approx(5.0)
    assert found.cohesion.low == pytest.approx(5.0 - 2.944865, abs=1e-5)
    assert found.cohesion.high == pytest.approx(5.0 + 2.944865, abs=1e-5)
    assert found.liveability is not None and found.liveability.mean == pytest.approx(7.0)
    assert found.at_home is None, "only three gave that mark"
    assert not (await results(database, period_id, today=CLOSES)).final
    assert (await results(database, period_id, today=CLOSES)).cohesion is None


async def test_results_below_k_are_hidden(
    database: Database, neighbourhood: Neighbourhood, period_id: int
) -> None:
    await answer_example(database, neighbourhood, period_id, 4)
    assert await results(database, period_id) == surveys.SurveyResults(True, None, None, None, None)


async def open_answers(database: Database, reader: Account, period_id: int) -> list[str]:
    async with database.reading() as session:
        roles = await permissions.roles_of(session, reader)
        return await surveys.open_answers(session, roles, period_id, AFTER, K)


async def test_open_answers_for_the_director_from_k_in_a_random_order(
    database: Database, neighbourhood: Neighbourhood, director: Account, period_id: int
) -> None:
    await answer_example(database, neighbourhood, period_id, 4)
    assert await open_answers(database, director, period_id) == []
    silent = await make_account(database, "zwijger", neighbourhood=neighbourhood)
    assert await answer(database, silent, period_id, SurveyAnswers((Answer.AGREE,) * 5, 7, 8))
    assert await open_answers(database, director, period_id) == [], "k respondents, 4 answers"
    await answer_example_fifth(database, neighbourhood, period_id)
    wishes = sorted(f"wens van {item.value}" for item, _mark, _other in EXAMPLE)
    orders = {tuple(await open_answers(database, director, period_id)) for _ in range(20)}
    assert all(sorted(order) == wishes for order in orders)
    assert len(orders) > 1, "shuffled each time"
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    with pytest.raises(NotAllowed):
        await open_answers(database, admin, period_id)


async def answer_example_fifth(
    database: Database, neighbourhood: Neighbourhood, period_id: int
) -> None:
    [person] = [await make_account(database, "laatste", neighbourhood=neighbourhood)]
    item = EXAMPLE[4][0]
    assert await answer(
        database, person, period_id, SurveyAnswers((item,) * 5, 7, None, f"wens van {item.value}")
    )


async def test_a_period_from_the_model_is_stored(database: Database, period_id: int) -> None:
    async with database.reading() as session:
        period = await session.get(SurveyPeriod, period_id)
    assert period is not None and (period.opens_on, period.closes_on) == (OPENS, CLOSES)
