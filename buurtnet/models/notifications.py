"""Telling people what others did."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from buurtnet.models.common import utcnow


class NotificationKind(StrEnum):
    MENTION = "mention"
    REPLY = "reply"
    LIKE = "like"
    SHARE = "share"
    FOLLOW = "follow"
    EVENT_CHANGED = "event_changed"  # the time or place of an activity one takes part in
    EVENT_CANCELLED = "event_cancelled"
    MOVED_UP = "moved_up"  # from the waiting list to a place
    JOIN_REFUSED = "join_refused"  # an activity elsewhere said no (full, closed) to one's sign-up
    REMINDER = "reminder"  # an activity one takes part in is tomorrow
    POLL_ENDED = "poll_ended"  # a poll one voted in (or made) has ended
    MODERATED = "moderated"  # a moderator acted on one's post or account (`action_id`: why)
    REPORT_CLOSED = "report_closed"  # one's report was handled (`report_id`: the outcome)
    APPEAL_DECIDED = "appeal_decided"  # one's appeal against `action_id` was decided
    NEW_NEIGHBOUR = "new_neighbour"  # `actor_id` joined one's neighbourhood ("Nieuw in de buurt")


class Notification(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_notification_recipient", "recipient_id", "id"),
        sa.Index("ix_notification_unread", "recipient_id", "read_at"),
        # The unread ones that the mail has not looked at yet: whose mail is due.
        sa.Index(
            "ix_notification_mail_unchecked",
            "recipient_id",
            sqlite_where=sa.text("mail_checked_at IS NULL AND read_at IS NULL"),
            postgresql_where=sa.text("mail_checked_at IS NULL AND read_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="account.id", ondelete="CASCADE")
    actor_id: int = Field(foreign_key="account.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    post_id: int | None = Field(default=None, foreign_key="post.id", index=True, ondelete="CASCADE")
    # Moderation's news: the action (with its reason) or the report it is about.
    action_id: int | None = Field(
        default=None, foreign_key="moderation_action.id", ondelete="CASCADE"
    )
    report_id: int | None = Field(default=None, foreign_key="report.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    # When the mail of notifications looked at it (`core/notification_bundles`), mailed or not
    # (read already, a kind not chosen): per notification, because ids are not committed in
    # their order, so "everything up to id N" could pass over one committed a moment later.
    mail_checked_at: datetime | None = None
