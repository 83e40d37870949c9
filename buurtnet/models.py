"""The database tables.

Times are aware and in UTC (`utcnow()`); SQLModel stores them so on SQLite and PostgreSQL alike.
Enumerations are stored as short strings; the `StrEnum`s below name the allowed values.
"""

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Every URL we keep (ActivityPub ids, inboxes, keys, pages elsewhere) fits this column; the
# parsers of other servers' JSON refuse longer ones (`federation.parse_values.MAX_URL`).
URI_LENGTH = 500
# Row ids: PostgreSQL's `integer`. An id beyond it, from a URL or a form, is one we do not have.
MAX_ROW_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    RESIDENT = "resident"
    MODERATOR = "moderator"
    DIRECTOR = "director"
    ADMIN = "admin"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"  # signed up, waiting for a moderator's approval
    REJECTED = "rejected"
    DELETED = "deleted"  # the resident deleted their account; the name stays taken


class PostKind(StrEnum):
    MESSAGE = "message"
    HELP_REQUEST = "help_request"  # hulpvraag: counted as help asked
    OFFER = "offer"  # aanbod: counted as help offered


class Visibility(StrEnum):
    PUBLIC = "public"  # anyone, also visitors and other servers
    UNLISTED = "unlisted"  # anyone with the link, but not on public pages (from elsewhere only)
    NEIGHBOURHOOD = "neighbourhood"  # members of the post's neighbourhood; never federated
    FOLLOWERS = "followers"  # the author's followers
    DIRECT = "direct"  # only the people mentioned


class NotificationKind(StrEnum):
    MENTION = "mention"
    REPLY = "reply"
    LIKE = "like"
    SHARE = "share"
    FOLLOW = "follow"


class RegistrationMode(StrEnum):
    INVITE = "invite"  # a code from the neighbourhood director
    APPROVAL = "approval"  # anyone may sign up; a moderator approves
    CLOSED = "closed"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FAILED = "failed"  # gave up after the last attempt; kept for inspection


class Neighbourhood(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    # Followers on other servers wait for a moderator's yes, or are let in at once.
    approves_remote_followers: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()}
    )


class Account(SQLModel, table=True):
    """A person: local (resident, moderator, director or admin) or on another server.

    An account from another server (`domain` set) is the actor as we last fetched it: it has no
    e-mail address or password, `username_key` is `name@domain`, and the federation columns say
    where to deliver to it. Local accounts leave them empty; their URLs come from `Uris`.
    """

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100)  # as the person typed it (or preferredUsername)
    # lower case, since names are case-insensitive; `name@domain` for remote accounts
    username_key: str = Field(max_length=300, unique=True)
    email: str | None = Field(default=None, max_length=254, unique=True)  # lower case; local only
    password_hash: str = Field(default="", max_length=200)
    role: str = Field(default=Role.RESIDENT, max_length=20)
    status: str = Field(default=AccountStatus.ACTIVE, max_length=20)
    display_name: str = Field(default="", max_length=60)
    bio: str = Field(default="", max_length=1000)
    avatar_key: str | None = Field(default=None, max_length=100)  # in media storage
    locale: str | None = Field(default=None, max_length=10)  # None: follow the browser
    neighbourhood_id: int | None = Field(
        default=None, foreign_key="neighbourhood.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)
    # Remote accounts only:
    domain: str | None = Field(default=None, max_length=255, index=True)
    actor_uri: str | None = Field(default=None, max_length=URI_LENGTH, unique=True)
    actor_type: str = Field(  # Person, Group, Service, …
        default="Person", max_length=20, sa_column_kwargs={"server_default": "Person"}
    )
    inbox_url: str | None = Field(default=None, max_length=URI_LENGTH)
    shared_inbox_url: str | None = Field(default=None, max_length=URI_LENGTH)
    followers_url: str | None = Field(default=None, max_length=URI_LENGTH)
    profile_url: str | None = Field(default=None, max_length=URI_LENGTH)
    avatar_url: str | None = Field(default=None, max_length=URI_LENGTH)
    key_id: str | None = Field(default=None, max_length=URI_LENGTH, unique=True)
    public_key_pem: str | None = Field(default=None, sa_type=sa.Text)
    fetched_at: datetime | None = None

    @property
    def name_to_show(self) -> str:
        return self.display_name or self.username

    @property
    def is_remote(self) -> bool:
        return self.domain is not None

    @property
    def handle(self) -> str:
        """`name` for a neighbour here, `name@domain` for someone elsewhere, as after an @."""
        return self.username_key if self.domain else self.username

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class LoginSession(SQLModel, table=True):
    """A server-side login: the cookie holds a random token, the table only its hash."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class InviteCode(SQLModel, table=True):
    __tablename__ = "invite_code"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    neighbourhood_id: int = Field(foreign_key="neighbourhood.id", index=True, ondelete="CASCADE")
    created_by_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    max_uses: int = Field(default=50)
    use_count: int = Field(default=0)
    revoked_at: datetime | None = None


class RateLimitHit(SQLModel, table=True):
    """One counted event (a failed login, a sign-up) under a hashed key, kept for its window."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (sa.Index("ix_rate_limit_hit_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, index=True)


class SiteSetting(SQLModel, table=True):
    """Instance-wide choices an admin makes in the web interface."""

    __tablename__ = "site_setting"

    key: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=500)


class Job(SQLModel, table=True):
    """Durable work, written in the same transaction as the change that causes it."""

    __table_args__ = (sa.Index("ix_job_status_run_after", "status", "run_after"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    payload: str = Field(default="{}", sa_type=sa.Text)  # JSON
    status: str = Field(default=JobStatus.QUEUED, max_length=20)
    attempts: int = Field(default=0)
    run_after: datetime = Field(default_factory=utcnow)
    locked_at: datetime | None = None
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)


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
            sqlite_where=sa.text("in_reply_to_id IS NULL"),
            postgresql_where=sa.text("in_reply_to_id IS NULL"),
        ),
        sa.Index(
            "ix_post_author_feed",
            "author_id",
            "id",
            "visibility",
            "neighbourhood_id",
            sqlite_where=sa.text("in_reply_to_id IS NULL"),
            postgresql_where=sa.text("in_reply_to_id IS NULL"),
        ),
        sa.Index("ix_post_author", "author_id", "id"),
        sa.Index(
            "ix_post_in_reply_to_id",
            "in_reply_to_id",
            sqlite_where=sa.text("in_reply_to_id IS NOT NULL"),
            postgresql_where=sa.text("in_reply_to_id IS NOT NULL"),
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
    visibility: str = Field(default=Visibility.PUBLIC, max_length=20)
    # No foreign keys: a reply stays a reply, in its thread, when the post above it is deleted.
    in_reply_to_id: int | None = None
    thread_root_id: int | None = None
    # From another server: its ActivityPub id, and the page to open it at there.
    uri: str | None = Field(default=None, max_length=URI_LENGTH, unique=True)
    url: str | None = Field(default=None, max_length=URI_LENGTH)
    summary: str = Field(default="", max_length=500)  # content warning
    language: str | None = Field(default=None, max_length=10)
    source: str = Field(sa_type=sa.Text)
    content_html: str = Field(sa_type=sa.Text)
    reply_count: int = Field(default=0)
    like_count: int = Field(default=0)
    share_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None


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
    __table_args__ = (sa.Index("ix_like_post", "post_id"),)

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


class KeyPair(SQLModel, table=True):
    """The signing key of a local actor: `account:<id>`, `neighbourhood:<id>` or `instance`.

    Made when it is first needed, so that creating accounts stays fast.
    """

    __tablename__ = "key_pair"

    owner: str = Field(primary_key=True, max_length=40)
    private_key_pem: str = Field(sa_type=sa.Text)
    public_key_pem: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow)


class ReceivedActivity(SQLModel, table=True):
    """The id of every activity taken in, so one sent twice is processed once."""

    __tablename__ = "received_activity"

    uri: str = Field(primary_key=True, max_length=URI_LENGTH)
    received_at: datetime = Field(default_factory=utcnow, index=True)


class RemoteDomain(SQLModel, table=True):
    """What we know of another server: whether it is suspended, and whether it answers."""

    __tablename__ = "remote_domain"

    domain: str = Field(primary_key=True, max_length=255)
    suspended: bool = Field(default=False)  # an admin's choice: nothing in, nothing out
    failing_since: datetime | None = None  # first failed delivery since the last success
    failures: int = Field(default=0)
    unavailable: bool = Field(default=False)  # failing long enough: skipped until it answers


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


class Notification(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_notification_recipient", "recipient_id", "id"),
        sa.Index("ix_notification_unread", "recipient_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="account.id", ondelete="CASCADE")
    actor_id: int = Field(foreign_key="account.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    post_id: int | None = Field(default=None, foreign_key="post.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
