"""E-mail: the single-use links it carries, and the pages an admin writes for residents."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from buurtnet.models.common import utcnow


class MailTokenPurpose(StrEnum):
    CONFIRM = "confirm"  # confirms `email` as the account's address (at sign-up, or a new one)
    RESET = "reset"  # sets a new password ("wachtwoord vergeten")


class MailToken(SQLModel, table=True):
    """A link sent by e-mail: the mail holds a random token, the table only its hash."""

    __tablename__ = "mail_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="account.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=20)
    email: str = Field(max_length=254)  # the address it was sent to
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    used_at: datetime | None = None


class SitePageSlug(StrEnum):
    PRIVACY = "privacy"  # privacyverklaring (AVG)
    HOUSE_RULES = "house-rules"  # huisregels, accepted at sign-up
    CONTACT = "contact"  # contact met de corporatie


class SitePage(SQLModel, table=True):
    """A page an admin writes in Markdown; shown sanitised and linked from every page's foot."""

    __tablename__ = "site_page"

    slug: str = Field(primary_key=True, max_length=40)
    body: str = Field(default="", sa_type=sa.Text)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
