"""Activities that residents organise (buurtactiviteiten): a post of kind `event` with its event
details, who takes part (and who waits for a place), its volunteer tasks, and what came of it.

An activity is a post, so replies, likes, shares, feeds, mentions, visibility, export and
deletion work for it as for every post; these tables hold only what a post does not have.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from buurtnet.models.common import URI_LENGTH, utcnow


class EventCategory(StrEnum):
    CLEAN_UP = "clean_up"  # opruimactie
    STREET_PARTY = "street_party"  # buurtfeest
    REPAIR_CAFE = "repair_cafe"
    MEETING = "meeting"  # buurtoverleg
    SPORT_AND_GAMES = "sport_and_games"  # sport en spel
    OTHER = "other"  # anders


class ParticipationStatus(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    NOT_GOING = "not_going"
    WAITING = "waiting"  # going, once a place comes free (the activity is full)
    PENDING = "pending"  # our resident's Join to an activity elsewhere, waiting for its answer


class Event(SQLModel, table=True):
    """The event details of a post of kind `event`. Times are in UTC; `time_zone` is the zone
    they are shown in (ours, or what a server elsewhere says)."""

    __table_args__ = (sa.Index("ix_event_starts_at", "starts_at"),)

    post_id: int = Field(foreign_key="post.id", primary_key=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    category: str = Field(default=EventCategory.OTHER, max_length=30)
    starts_at: datetime
    ends_at: datetime
    time_zone: str = Field(default="Europe/Amsterdam", max_length=60)
    place: str = Field(default="", max_length=300)  # the address, as people write it
    latitude: float | None = None
    longitude: float | None = None
    capacity: int | None = None  # places in all; None: no limit
    sign_ups_closed: bool = Field(default=False)
    cancelled_at: datetime | None = None
    sequence: int = Field(default=0)  # iCalendar's SEQUENCE: raised by every change that counts
    going_count: int = Field(default=0)  # kept in step; for an activity elsewhere, as it says
    url: str | None = Field(default=None, max_length=URI_LENGTH)  # its page, when from elsewhere
    join_mode: str = Field(default="free", max_length=20)  # free, restricted, invite, external
    reminded_at: datetime | None = None  # when the day-before reminder went out
    # Afterwards, as the organiser records it.
    outcome_at: datetime | None = None
    attendance: int | None = None
    litter_bags: int | None = None
    outcome_note: str = Field(default="", max_length=2000)
    outcome_image_key: str | None = Field(default=None, max_length=100)
    outcome_thumbnail_key: str | None = Field(default=None, max_length=100)
    outcome_alt_text: str = Field(default="", max_length=1500)


class Participation(SQLModel, table=True):
    """Someone's answer to an activity, here or from elsewhere (by `Join`); the waiting list is
    the `waiting` ones in the order of `queued_at`."""

    __table_args__ = (
        sa.Index("ix_participation_account", "account_id"),
        # Sign-ups in a period, by person and by activity: for the liveability figures.
        sa.Index(
            "ix_participation_account_created", "account_id", "created_at", "status", "post_id"
        ),
        sa.Index("ix_participation_post_created", "post_id", "created_at", "status"),
        # An Accept or Reject from elsewhere finds the resident's Join by its id.
        sa.Index(
            "ix_participation_uri",
            "uri",
            sqlite_where=sa.text("uri IS NOT NULL"),
            postgresql_where=sa.text("uri IS NOT NULL"),
        ),
    )

    post_id: int = Field(foreign_key="post.id", primary_key=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    status: str = Field(max_length=20)
    uri: str | None = Field(default=None, max_length=URI_LENGTH)  # the Join, when federated
    message: str = Field(default="", max_length=500)  # what they wrote with it
    queued_at: datetime = Field(default_factory=utcnow)  # when the status last changed
    created_at: datetime = Field(default_factory=utcnow)


class EventTask(SQLModel, table=True):
    """A volunteer task within an activity: "3 mensen met handschoenen"."""

    __tablename__ = "event_task"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True, ondelete="CASCADE")
    position: int = Field(default=0)
    title: str = Field(max_length=120)
    places: int = Field(default=1)


class TaskVolunteer(SQLModel, table=True):
    __tablename__ = "task_volunteer"

    task_id: int = Field(foreign_key="event_task.id", primary_key=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)


class CalendarFeed(SQLModel, table=True):
    """A resident's personal calendar feed: the URL holds a random token, the table its hash."""

    __tablename__ = "calendar_feed"

    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
