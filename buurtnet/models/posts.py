"""Posts and what hangs on them: earlier versions, mentions, hashtags, likes, shares and images."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from buurtnet.models.common import URI_LENGTH, utcnow


class PostKind(StrEnum):
    MESSAGE = "message"
    HELP_REQUEST = "help_request"  # hulpvraag: counted as help asked
    OFFER = "offer"  # aanbod: counted as help offered
    EVENT = "event"  # an activity (buurtactiviteit): its details in `Event`


class Visibility(StrEnum):
    PUBLIC = "public"  # anyone, also visitors and other servers
    UNLISTED = "unlisted"  # anyone with the link, but not on public pages (from elsewhere only)
    NEIGHBOURHOOD = "neighbourhood"  # members of the post's neighbourhood; never federated
    FOLLOWERS = "followers"  # the author's followers
    DIRECT = "direct"  # only the people mentioned


class ModerationState(StrEnum):
    """A post a moderator took out of view, or one a word filter holds until a moderator looks.

    Posts without either (`Post.moderation` None) are the rest; `core/visibility` decides."""

    HELD = "held"  # wacht op een moderator: seen by its author only
    REMOVED = "removed"  # seen by nobody; kept for the appeal and the audit, purged later


class Post(SQLModel, table=True):
    """A message, a question for help or an offer; a reply when `in_reply_to_id` is set.

    `source` is what the author typed; `content_html` is its sanitised rendering. The counts are
    kept up to date in the transaction that likes, shares or replies, so feeds need no aggregates.
    """

    # Feeds show posts that start a conversation, newest first: partial indexes hold just those,
    # and the reply indexes only replies, so no planner takes "IS NULL" for a selective look-up.
    # The feed indexes also hold what the home feed checks of each post (who may see it, who wrote
    # it), so it reads a page from the index alone, without a look-up in the table per post.
    __table_args__ = (
        sa.Index(
            "ix_post_neighbourhood_feed",
            "neighbourhood_id",
            "id",
            "visibility",
            "author_id",
            "moderation",
            sqlite_where=sa.text("in_reply_to_id IS NULL"),
            postgresql_where=sa.text("in_reply_to_id IS NULL"),
        ),
        sa.Index(
            "ix_post_author_feed",
            "author_id",
            "id",
            "visibility",
            "neighbourhood_id",
            "moderation",
            sqlite_where=sa.text("in_reply_to_id IS NULL"),
            postgresql_where=sa.text("in_reply_to_id IS NULL"),
        ),
        sa.Index("ix_post_author", "author_id", "id"),
        # The liveability figures (core/metric_queries): a member's posts in a period, and a
        # neighbourhood's posts in a period (requests, offers, polls), from the index alone.
        sa.Index(
            "ix_post_author_created", "author_id", "created_at", "in_reply_to_id", "moderation"
        ),
        sa.Index(
            "ix_post_neighbourhood_created",
            "neighbourhood_id",
            "created_at",
            "in_reply_to_id",
            "kind",
            "has_poll",
            "moderation",
            "author_id",
        ),
        sa.Index(
            "ix_post_in_reply_to_id",
            "in_reply_to_id",
            sqlite_where=sa.text("in_reply_to_id IS NOT NULL"),
            postgresql_where=sa.text("in_reply_to_id IS NOT NULL"),
        ),
        sa.Index(
            "ix_post_pinned",
            "neighbourhood_id",
            "pinned_until",
            sqlite_where=sa.text("pinned_until IS NOT NULL"),
            postgresql_where=sa.text("pinned_until IS NOT NULL"),
        ),
        sa.Index(
            "ix_post_thread_root_id",
            "thread_root_id",
            sqlite_where=sa.text("thread_root_id IS NOT NULL"),
            postgresql_where=sa.text("thread_root_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="account.id", ondelete="CASCADE")
    neighbourhood_id: int | None = Field(
        default=None, foreign_key="neighbourhood.id", ondelete="SET NULL"
    )
    kind: str = Field(default=PostKind.MESSAGE, max_length=20)
    # Whether it carries a poll: a page of posts without any asks nothing more of the database.
    has_poll: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    visibility: str = Field(default=Visibility.PUBLIC, max_length=20)
    # No foreign keys: a reply stays a reply, in its thread, when the post above it is deleted.
    in_reply_to_id: int | None = None
    thread_root_id: int | None = None
    # From another server: its ActivityPub id, and the page to open it at there.
    uri: str | None = Field(default=None, max_length=URI_LENGTH, unique=True)
    url: str | None = Field(default=None, max_length=URI_LENGTH)
    summary: str = Field(default="", max_length=500)  # content warning
    # Marked sensitive by a moderator: shown folded, like a content warning.
    sensitive: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    moderation: str | None = Field(default=None, max_length=20)  # a `ModerationState`
    moderated_at: datetime | None = None  # when moderation last changed it: held, removed, marked
    language: str | None = Field(default=None, max_length=10)
    source: str = Field(sa_type=sa.Text)
    content_html: str = Field(sa_type=sa.Text)
    reply_count: int = Field(default=0)
    like_count: int = Field(default=0)
    share_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    # A help request its author marked "geholpen": it leaves the open-help filter.
    helped_at: datetime | None = None
    # An announcement a director pinned at the top of the neighbourhood page and home feed,
    # until the end of this day on the instance's calendar.
    pinned_until: date | None = None


class PostEdit(SQLModel, table=True):
    """An earlier version of an edited post, kept so readers can see what changed."""

    __tablename__ = "post_edit"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True, ondelete="CASCADE")
    summary: str = Field(default="", max_length=500)
    source: str = Field(sa_type=sa.Text)
    content_html: str = Field(sa_type=sa.Text)
    written_at: datetime  # when this version was written (the post's creation or an edit)


class Mention(SQLModel, table=True):
    """A local person named in a post; they may see it even when it is direct."""

    __table_args__ = (sa.Index("ix_mention_account_post", "account_id", "post_id"),)

    post_id: int = Field(foreign_key="post.id", primary_key=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")


class Hashtag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)  # lower case, without the #


class PostHashtag(SQLModel, table=True):
    __tablename__ = "post_hashtag"
    __table_args__ = (sa.Index("ix_post_hashtag_tag_post", "hashtag_id", "post_id"),)

    post_id: int = Field(foreign_key="post.id", primary_key=True, ondelete="CASCADE")
    hashtag_id: int = Field(foreign_key="hashtag.id", primary_key=True, ondelete="CASCADE")


class Like(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_like_post", "post_id"),
        # A person's likes in a period, for the liveability figures.
        sa.Index("ix_like_account_created", "account_id", "created_at", "post_id"),
    )

    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    post_id: int = Field(foreign_key="post.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)


class Share(SQLModel, table=True):
    """A boost: the account passes the post on to its own followers."""

    __table_args__ = (sa.Index("ix_share_post", "post_id"),)

    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    post_id: int = Field(foreign_key="post.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)


class MediaAttachment(SQLModel, table=True):
    """An image, re-encoded without metadata; the files live in media storage under their keys."""

    __tablename__ = "media_attachment"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="account.id", index=True, ondelete="CASCADE")
    post_id: int | None = Field(default=None, foreign_key="post.id", index=True, ondelete="CASCADE")
    position: int = Field(default=0)
    alt_text: str = Field(default="", max_length=1500)
    storage_key: str = Field(max_length=100)
    thumbnail_key: str = Field(max_length=100)
    content_type: str = Field(max_length=50)
    width: int
    height: int
    created_at: datetime = Field(default_factory=utcnow)
