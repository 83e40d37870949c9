"""Who follows, blocks and mutes whom, here and across servers."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from buurtnet.models.common import URI_LENGTH, utcnow


class Follow(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_follow_followed", "followed_id"),)

    follower_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    followed_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    uri: str | None = Field(
        default=None, max_length=URI_LENGTH
    )  # the Follow activity, when federated


class FollowRequest(SQLModel, table=True):
    """A follow of someone on another server that waits for their `Accept`.

    Kept apart from `Follow`, so that every visibility check can trust a `Follow` row as given.
    """

    __tablename__ = "follow_request"

    follower_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    followed_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    uri: str = Field(max_length=URI_LENGTH, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class NeighbourhoodFollower(SQLModel, table=True):
    """Someone on another server who follows a neighbourhood (its `Group` actor)."""

    __tablename__ = "neighbourhood_follower"

    neighbourhood_id: int = Field(
        foreign_key="neighbourhood.id", primary_key=True, ondelete="CASCADE"
    )
    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    uri: str = Field(max_length=URI_LENGTH)  # the Follow activity, answered by Accept or Reject
    accepted: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class Block(SQLModel, table=True):
    """The blocked cannot see, reply to or mention the blocker; neither sees the other."""

    __table_args__ = (sa.Index("ix_block_blocked", "blocked_id"),)

    blocker_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    blocked_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)


class Mute(SQLModel, table=True):
    """The muter no longer sees the muted one's posts or notifications; the muted is not told."""

    muter_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    muted_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
