"""Neighbourhoods, the people in them, and how they log in and join."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from buurtnet.models.common import URI_LENGTH, utcnow


class Role(StrEnum):
    """Instance-wide; moderators and directors hold their duty per neighbourhood (`RoleGrant`)."""

    RESIDENT = "resident"
    ADMIN = "admin"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"  # signed up, waiting for a moderator's approval
    REJECTED = "rejected"
    DELETED = "deleted"  # the resident deleted their account; the name stays taken
    SUSPENDED = "suspended"  # by a moderator, until `suspended_until` (None: for good)


class RegistrationMode(StrEnum):
    INVITE = "invite"  # a code from the neighbourhood director
    APPROVAL = "approval"  # anyone may sign up; a moderator approves
    CLOSED = "closed"


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
    # A new-build neighbourhood: until its keys are handed over, its residents are future
    # residents (toekomstige bewoners), who meet each other before they move in.
    new_build: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    handover_on: date | None = None
    # For the liveability figures: the CBS code of the buurt ("BU03630000") and its number of
    # homes, for the share of households reached; typed in or imported (core/cbs_import).
    cbs_code: str | None = Field(default=None, max_length=10)
    homes: int | None = None
    # The streets or housing complexes a resident may say they live in (one per line; may be
    # empty), asked on the welcome page after joining.
    places: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})


class Account(SQLModel, table=True):
    """A person: local (resident, moderator, director or admin) or on another server.

    An account from another server (`domain` set) is the actor as we last fetched it: it has no
    e-mail address or password, `username_key` is `name@domain`, and the federation columns say
    where to deliver to it. Local accounts leave them empty; their URLs come from `Uris`.
    """

    # Every feed asks which authors a moderator limited (few): without this index PostgreSQL
    # read all accounts for it in each statement.
    __table_args__ = (
        sa.Index(
            "ix_account_limited",
            "id",
            sqlite_where=sa.text("limited"),
            postgresql_where=sa.text("limited"),
        ),
    )

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
    # E-mail (local accounts): mail other than a confirmation or a password reset goes only to a
    # confirmed address. `mail_kinds` are the notification kinds mailed (comma-separated), at
    # most one bundle an hour (`notified_by_mail_at`; `Notification.mail_checked_at` says which
    # were looked at); `weekly_digest` is the neighbourhood's weekly news.
    email_confirmed_at: datetime | None = None
    mail_kinds: str = Field(
        default="mention,reply", max_length=300, sa_column_kwargs={"server_default": ""}
    )
    weekly_digest: bool = Field(default=True, sa_column_kwargs={"server_default": sa.false()})
    notified_by_mail_at: datetime | None = None
    digest_sent_at: datetime | None = None
    # Joining: the house rules accepted at sign-up, the welcome page seen (and the neighbours
    # told), and the street or complex chosen there (one of `Neighbourhood.places`).
    rules_accepted_at: datetime | None = None
    welcomed_at: datetime | None = None
    place: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    # A moderator's measures: a limited account's posts reach its followers only.
    limited: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    suspended_until: datetime | None = None
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
