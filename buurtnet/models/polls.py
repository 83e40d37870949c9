"""Polls: a post can carry one, with 2 to 10 options, one choice or several, and an end.

The counts are kept in step in the transaction that votes, so pages and the `Question` we send
need no aggregates; for a poll from elsewhere they are what its server last said.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from buurtnet.models.common import URI_LENGTH, utcnow


class Poll(SQLModel, table=True):
    # The polls still to end, by their end: what the worker looks for every minute.
    __table_args__ = (
        sa.Index(
            "ix_poll_open_ends_at",
            "ends_at",
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
    )

    post_id: int = Field(foreign_key="post.id", primary_key=True, ondelete="CASCADE")
    multiple: bool = Field(default=False)  # several choices (`anyOf`) or one (`oneOf`)
    ends_at: datetime
    voters_count: int = Field(default=0)
    ended_at: datetime | None = None  # when its end was handled: voters told, results sent


class PollOption(SQLModel, table=True):
    __tablename__ = "poll_option"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True, ondelete="CASCADE")
    position: int = Field(default=0)
    name: str = Field(max_length=100)
    votes: int = Field(default=0)


class PollVote(SQLModel, table=True):
    """One choice of one voter; a single-choice poll has at most one per voter."""

    __tablename__ = "poll_vote"
    # The votes of a person, and on a poll, in a period: for the liveability figures.
    __table_args__ = (
        sa.Index("ix_poll_vote_account_created", "account_id", "created_at", "post_id"),
        sa.Index("ix_poll_vote_post_created", "post_id", "created_at", "account_id"),
    )

    option_id: int = Field(foreign_key="poll_option.id", primary_key=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    post_id: int = Field(foreign_key="post.id", index=True, ondelete="CASCADE")
    uri: str | None = Field(default=None, max_length=URI_LENGTH)  # the vote's Note, federated
    created_at: datetime = Field(default_factory=utcnow)
