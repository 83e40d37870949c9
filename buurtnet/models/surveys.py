"""The resident survey: periods, who took part, and the answers (docs/liveability.md).

Taking part and answering are two tables with nothing that links them. `SurveyParticipation` says
who answered a period (to stop double answers) and holds nothing else; `SurveyResponse` holds the
answers and nothing about a person: no account, no time (the period is its only time), and a
random key, so neither its key nor its place in the table follows the order of arrival. On SQLite
both tables are `WITHOUT ROWID`, so no hidden row number counts arrivals either. PostgreSQL keeps
rows in its heap in the order they were written (the hidden `ctid`) and stamps each with the
transaction that wrote it (`xmin`): each answer therefore rewrites all of its period's responses,
under new keys and in a random order (`core.surveys.answer`), so they all carry the latest
answer's transaction and lie in no order of arrival.
"""

from datetime import date, datetime
from uuid import uuid4

from sqlmodel import Field, SQLModel

from buurtnet.models.common import utcnow

ANSWER_LENGTH = 20  # an `Answer` value of core.survey_scores ("strongly_disagree")
OPEN_TEXT_LENGTH = 1000
RESPONSE_KEY_LENGTH = 32  # uuid4().hex
NO_ROW_NUMBER = {"sqlite_with_rowid": False}


class SurveyPeriod(SQLModel, table=True):
    """A survey a director opened for a neighbourhood, answerable from `opens_on` to
    `closes_on` (both included, on the instance's calendar)."""

    __tablename__ = "survey_period"

    id: int | None = Field(default=None, primary_key=True)
    neighbourhood_id: int = Field(foreign_key="neighbourhood.id", index=True, ondelete="CASCADE")
    opens_on: date
    closes_on: date
    opened_by_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class SurveyParticipation(SQLModel, table=True):
    """That a resident answered a period; deliberately nothing more (no time, no answer)."""

    __tablename__ = "survey_participation"
    __table_args__ = NO_ROW_NUMBER

    period_id: int = Field(foreign_key="survey_period.id", primary_key=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")


def random_key() -> str:
    return uuid4().hex


class SurveyResponse(SQLModel, table=True):
    """One resident's answers, without anything that says whose or when.

    No `answered_on` either: the period dates every answer, and a day would narrow an answer down
    to the few residents who were active on it (their posts, their logins). The cohesion items are
    columns named after `COHESION_ITEMS`' keys; None is an item left open.
    """

    __tablename__ = "survey_response"
    __table_args__ = NO_ROW_NUMBER

    id: str = Field(default_factory=random_key, primary_key=True, max_length=RESPONSE_KEY_LENGTH)
    period_id: int = Field(foreign_key="survey_period.id", index=True, ondelete="CASCADE")
    know_each_other: str | None = Field(default=None, max_length=ANSWER_LENGTH)
    pleasant: str | None = Field(default=None, max_length=ANSWER_LENGTH)
    close_knit: str | None = Field(default=None, max_length=ANSWER_LENGTH)
    at_home: str | None = Field(default=None, max_length=ANSWER_LENGTH)
    help_each_other: str | None = Field(default=None, max_length=ANSWER_LENGTH)
    liveability_mark: int | None = None  # 1-10
    at_home_mark: int | None = None  # 1-10
    open_text: str | None = Field(default=None, max_length=OPEN_TEXT_LENGTH)
