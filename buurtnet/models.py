"""The database tables.

Times are aware and in UTC (`utcnow()`); SQLModel stores them so on SQLite and PostgreSQL alike.
Enumerations are stored as short strings; the `StrEnum`s below name the allowed values.
"""

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


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


class Account(SQLModel, table=True):
    """A local person: resident, moderator, director or admin."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=30)  # as the person typed it
    username_key: str = Field(max_length=30, unique=True)  # lower case: names are case-insensitive
    email: str = Field(max_length=254, unique=True)  # stored in lower case
    password_hash: str = Field(max_length=200)
    role: str = Field(default=Role.RESIDENT, max_length=20)
    status: str = Field(default=AccountStatus.ACTIVE, max_length=20)
    display_name: str = Field(default="", max_length=60)
    locale: str | None = Field(default=None, max_length=10)  # None: follow the browser
    neighbourhood_id: int | None = Field(
        default=None, foreign_key="neighbourhood.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def name_to_show(self) -> str:
        return self.display_name or self.username

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
