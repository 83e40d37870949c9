"""The resident survey: a director opens a period, residents answer once, results are published
by the disclosure rules (docs/liveability.md; shared METRICS.md sections 2 and 3).

Answering writes the participation (who, to stop a second answer) and, only if that row was new,
the response (what, with nothing about who or when), in one transaction. That transaction also
writes the period's earlier responses anew, under new random keys and together with the new one in
a random order (`reshuffle`): on PostgreSQL every row carries the id of the transaction that wrote
it (`xmin`) and sits in the table in the order it was written (`ctid`), so otherwise the two rows of
one answer would share a transaction id and the responses would lie in the participants' order.
Now all of a period's responses carry the latest answer's transaction id, in no order. Results are
shown only after the period has closed, so that nobody can watch a figure move as one known
neighbour answers; each figure needs at least k residents behind it.

Dates are the instance's calendar days; callers pass `today` (`local_times.local_day`).
"""

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import disclosure, survey_scores
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.permissions import Roles, can_direct
from buurtnet.core.survey_scores import COHESION_ITEMS, Answer, Estimate
from buurtnet.core.text import clean_text
from buurtnet.db import insert_new
from buurtnet.models import (
    Account,
    AccountStatus,
    Neighbourhood,
    SurveyParticipation,
    SurveyPeriod,
    SurveyResponse,
)
from buurtnet.models.surveys import OPEN_TEXT_LENGTH, random_key

ITEM_KEYS = tuple(item.key for item in COHESION_ITEMS)
MARKS = ("liveability_mark", "at_home_mark")
INVALID_MARK = -1  # `read_mark`'s answer for what is not a mark


@dataclass(frozen=True)
class SurveyAnswers:
    """What a resident filled in, as the form sends it: per item of COHESION_ITEMS (in order) an
    `Answer` value or None/"" (left open), the two marks (1-10) and the open answer."""

    cohesion: tuple[str | None, ...]
    liveability_mark: int | str | None = None
    at_home_mark: int | str | None = None
    open_text: str = ""


@dataclass(frozen=True)
class SurveyResults:
    """A period's published figures: None where fewer than k residents are behind a figure, and
    everything None while the period is still open (`final` False)."""

    final: bool
    respondents: int | None  # rounded to fives (disclosure.suppress)
    cohesion: Estimate | None
    liveability: Estimate | None
    at_home: Estimate | None


def is_open(period: SurveyPeriod, today: date) -> bool:
    return period.opens_on <= today <= period.closes_on


async def open_period(
    session: AsyncSession,
    roles: Roles,
    neighbourhood_id: int,
    opens_on: date,
    closes_on: date,
    today: date,
) -> SurveyPeriod:
    """Open a survey for a neighbourhood. Only its director may: the survey is their instrument
    (METRICS.md "who sees what"); admins see the results but do not run surveys. Periods of a
    neighbourhood never overlap, so a resident has at most one survey to answer."""
    if not can_direct(roles, neighbourhood_id):
        raise NotAllowed("only the neighbourhood's director opens a survey")
    if closes_on < opens_on:
        raise InvalidInput.single("closes_on", "survey_closes_before_opening")
    if closes_on < today:
        raise InvalidInput.single("closes_on", "survey_closes_in_the_past")
    # Lock the neighbourhood: two directors opening at once must not both pass the overlap check.
    locked = select(Neighbourhood.id).where(col(Neighbourhood.id) == neighbourhood_id)
    if (await session.exec(locked.with_for_update())).first() is None:
        raise NotFound("no such neighbourhood")
    overlapping = select(SurveyPeriod.id).where(
        col(SurveyPeriod.neighbourhood_id) == neighbourhood_id,
        col(SurveyPeriod.opens_on) <= closes_on,
        col(SurveyPeriod.closes_on) >= opens_on,
    )
    if (await session.exec(overlapping)).first() is not None:
        raise InvalidInput.single("opens_on", "survey_period_overlaps")
    period = SurveyPeriod(
        neighbourhood_id=neighbourhood_id,
        opens_on=opens_on,
        closes_on=closes_on,
        opened_by_id=roles.account_id,
    )
    session.add(period)
    await session.flush()
    return period


async def current_period(
    session: AsyncSession, resident: Account, today: date
) -> SurveyPeriod | None:
    """The survey the resident's neighbourhood has open today, if any."""
    if resident.neighbourhood_id is None or resident.is_remote:
        return None
    query = select(SurveyPeriod).where(
        col(SurveyPeriod.neighbourhood_id) == resident.neighbourhood_id,
        col(SurveyPeriod.opens_on) <= today,
        col(SurveyPeriod.closes_on) >= today,
    )
    return (await session.exec(query)).first()


async def has_answered(session: AsyncSession, account: Account, period_id: int) -> bool:
    query = select(SurveyParticipation.period_id).where(
        col(SurveyParticipation.period_id) == period_id,
        col(SurveyParticipation.account_id) == account.id,
    )
    return (await session.exec(query)).first() is not None


async def answer(
    session: AsyncSession, resident: Account, period_id: int, answers: SurveyAnswers, today: date
) -> bool:
    """Store a resident's answers; False (and nothing stored) when they had answered already.

    Only active residents of the period's neighbourhood, only while it is open. The database
    decides who was first (`insert_new`), so two requests at once store one response. The new
    response goes in with all earlier ones of the period, rewritten in a random order
    (`reshuffle`), so that neither transaction ids nor the table's order link it to its person.
    """
    period = await session.get(SurveyPeriod, period_id)
    if period is None:
        raise NotFound("no such survey")
    if (
        resident.id is None
        or resident.is_remote
        or resident.status != AccountStatus.ACTIVE
        or resident.neighbourhood_id != period.neighbourhood_id
    ):
        raise NotAllowed("only the neighbourhood's residents answer its survey")
    if not is_open(period, today):
        raise NotAllowed("the survey is not open")
    response = checked(answers, period_id)
    participation = {"period_id": period_id, "account_id": resident.id}
    if not await insert_new(
        session, SurveyParticipation, [participation], unique=["period_id", "account_id"]
    ):
        return False
    await reshuffle(session, period_id, response)
    return True


async def reshuffle(session: AsyncSession, period_id: int, response: SurveyResponse) -> None:
    """Write the period's responses and `response` anew: new random keys, in a random order.

    The period's row is locked first (FOR NO KEY UPDATE, which the foreign keys' share locks do
    not wait for), so two residents answering at once rewrite one after the other rather than
    each from a stale read. A survey has at most a few thousand small rows: cheap enough.
    """
    locked = select(SurveyPeriod.id).where(col(SurveyPeriod.id) == period_id)
    await session.exec(locked.with_for_update(key_share=True))
    columns = [name for name in SurveyResponse.model_fields if name != "id"]
    earlier = select(*(getattr(SurveyResponse, name) for name in columns)).where(
        col(SurveyResponse.period_id) == period_id
    )
    rows = [dict(zip(columns, row, strict=True)) for row in (await session.exec(earlier)).all()]
    rows.append({name: getattr(response, name) for name in columns})
    random.SystemRandom().shuffle(rows)
    for row in rows:
        row["id"] = random_key()
    await session.exec(delete(SurveyResponse).where(col(SurveyResponse.period_id) == period_id))
    await session.exec(insert(SurveyResponse), params=rows)  # in the list's order


def checked(answers: SurveyAnswers, period_id: int) -> SurveyResponse:
    """The answers as a response row, or InvalidInput naming every field that is wrong."""
    errors: dict[str, str] = {}
    if len(answers.cohesion) != len(ITEM_KEYS):
        raise ValueError(f"expected {len(ITEM_KEYS)} cohesion answers")
    items: dict[str, str | None] = {}
    for key, given in zip(ITEM_KEYS, answers.cohesion, strict=True):
        items[key] = given or None
        if given and given not in set(Answer):
            errors[key] = "survey_answer_invalid"
    marks: dict[str, int | None] = {}
    for name, given_mark in zip(
        MARKS, (answers.liveability_mark, answers.at_home_mark), strict=True
    ):
        marks[name] = mark = read_mark(given_mark)
        if mark == INVALID_MARK:
            errors[name] = "survey_mark_invalid"
    if errors:
        raise InvalidInput(errors)
    open_text = clean_text(answers.open_text, OPEN_TEXT_LENGTH) or None
    response = SurveyResponse(period_id=period_id, open_text=open_text)
    for name, value in (*items.items(), *marks.items()):
        setattr(response, name, value)
    return response


def read_mark(given: int | str | None) -> int | None:
    """A report mark as typed or chosen: None when left open, INVALID_MARK when not 1-10."""
    if given is None or given == "":
        return None
    if isinstance(given, str):
        given = given.strip()
        if not given.isdecimal() or len(given) > 2:
            return INVALID_MARK
        given = int(given)
    return (
        given if survey_scores.MARK_LOWEST <= given <= survey_scores.MARK_HIGHEST else INVALID_MARK
    )


async def results(
    session: AsyncSession, period_id: int, today: date, k: int = disclosure.DEFAULT_THRESHOLD
) -> SurveyResults:
    """The period's scores, each with its 95% interval, each only if at least k residents are
    behind it; the number of respondents rounded to fives. Nothing until the period closed."""
    period = await session.get(SurveyPeriod, period_id)
    if period is None:
        raise NotFound("no such survey")
    if today <= period.closes_on:
        return SurveyResults(False, None, None, None, None)
    columns = [getattr(SurveyResponse, key) for key in (*ITEM_KEYS, *MARKS)]
    query = select(*columns).where(col(SurveyResponse.period_id) == period_id)
    rows = list((await session.exec(query)).all())
    people = [tuple(Answer(value) if value else None for value in row[:-2]) for row in rows]
    liveability = [row[-2] for row in rows if row[-2] is not None]
    at_home = [row[-1] for row in rows if row[-1] is not None]
    return SurveyResults(
        final=True,
        respondents=disclosure.suppress(len(rows), k),
        cohesion=survey_scores.published(survey_scores.cohesion_estimate(people), k),
        liveability=survey_scores.published(survey_scores.mark_estimate(liveability), k),
        at_home=survey_scores.published(survey_scores.mark_estimate(at_home), k),
    )


async def open_answers(
    session: AsyncSession,
    roles: Roles,
    period_id: int,
    today: date,
    k: int = disclosure.DEFAULT_THRESHOLD,
) -> list[str]:
    """The answers to the open question, for the neighbourhood's director only and never for an
    export: only after the period closed, only when at least k residents wrote one (a shorter
    list would tell a count below k), in a random order so that no order links an answer to
    anyone. Empty when they may not be shown."""
    period = await session.get(SurveyPeriod, period_id)
    if period is None:
        raise NotFound("no such survey")
    if not can_direct(roles, period.neighbourhood_id):
        raise NotAllowed("only the neighbourhood's director reads the open answers")
    if today <= period.closes_on:
        return []
    query = select(SurveyResponse.open_text).where(
        col(SurveyResponse.period_id) == period_id, col(SurveyResponse.open_text).is_not(None)
    )
    texts = [text for text in (await session.exec(query)).all() if text]
    if disclosure.suppress(len(texts), k) is None:
        return []
    random.SystemRandom().shuffle(texts)
    return texts
