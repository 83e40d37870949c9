"""The liveability instrument's own tables: the figures per neighbourhood and period (rollups),
anonymous departures, and the partners' read-only tokens (docs/liveability.md).

A rollup row holds a figure as computed, before disclosure control: the rules of
`core/metric_figures` decide, on the way out, what may be shown. The rollups are derived data,
recomputed from the rest of the database at any time (`buurtnet metrics rebuild`).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from buurtnet.models.common import utcnow

INDICATOR_LENGTH = 40


class PeriodKind(StrEnum):
    WEEK = "week"  # ISO week, Monday to Sunday on the instance's calendar
    MONTH = "month"


class MetricRollup(SQLModel, table=True):
    """One indicator of one neighbourhood over one period, as computed (not yet suppressed).

    `value` is None where the figure does not exist (a median of no reports, a share without a
    number of homes), which is not the same as 0.
    """

    __tablename__ = "metric_rollup"

    neighbourhood_id: int = Field(
        foreign_key="neighbourhood.id", primary_key=True, ondelete="CASCADE"
    )
    period: str = Field(primary_key=True, max_length=10)  # a `PeriodKind`
    starts_on: date = Field(primary_key=True)
    indicator: str = Field(primary_key=True, max_length=INDICATOR_LENGTH)  # core/indicators
    value: float | None = None
    computed_at: datetime = Field(default_factory=utcnow)


class NeighbourhoodDeparture(SQLModel, table=True):
    """That a member left a neighbourhood on a day (their account deleted): a count, not a person.

    Nothing here names who left; the account itself is a tombstone without a neighbourhood. The
    day they joined says in which earlier periods they were a member.
    """

    __tablename__ = "neighbourhood_departure"

    id: int | None = Field(default=None, primary_key=True)
    neighbourhood_id: int = Field(foreign_key="neighbourhood.id", index=True, ondelete="CASCADE")
    joined_on: date
    left_on: date


class PartnerToken(SQLModel, table=True):
    """A partner's read-only key to the figures of some neighbourhoods (gemeente, politie, …).

    The token itself is shown once, when issued; the table keeps its SHA-256 only.
    """

    __tablename__ = "partner_token"

    id: int | None = Field(default=None, primary_key=True)
    partner: str = Field(max_length=100)  # who holds it, as the admin names them
    token_hash: str = Field(max_length=64, unique=True)
    issued_by_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class PartnerTokenNeighbourhood(SQLModel, table=True):
    """A neighbourhood a partner token may read."""

    __tablename__ = "partner_token_neighbourhood"

    token_id: int = Field(foreign_key="partner_token.id", primary_key=True, ondelete="CASCADE")
    neighbourhood_id: int = Field(
        foreign_key="neighbourhood.id", primary_key=True, index=True, ondelete="CASCADE"
    )
