"""What federation keeps: our actors' keys, activities taken in, and other servers."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from buurtnet.models.common import URI_LENGTH, utcnow


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


class DeferredActivity(SQLModel, table=True):
    """An activity of a type we do not handle (yet), kept as it came rather than marked as
    done: a later version can take it in. Its id is not a `ReceivedActivity`."""

    __tablename__ = "deferred_activity"

    uri: str = Field(primary_key=True, max_length=URI_LENGTH)
    type: str = Field(max_length=100)
    actor_uri: str = Field(max_length=URI_LENGTH)
    document: str = Field(sa_type=sa.Text)  # JSON, as it came
    received_at: datetime = Field(default_factory=utcnow, index=True)


class RemoteDomain(SQLModel, table=True):
    """Whether another server answers. An admin's block of it is a `DomainBlock`."""

    __tablename__ = "remote_domain"

    domain: str = Field(primary_key=True, max_length=255)
    failing_since: datetime | None = None  # first failed delivery since the last success
    failures: int = Field(default=0)
    unavailable: bool = Field(default=False)  # failing long enough: skipped until it answers
