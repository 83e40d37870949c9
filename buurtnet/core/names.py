"""Usernames and neighbourhood slugs share one namespace: both become `acct:name@host`."""

import re

from sqlalchemy import exists, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.models import Account, Neighbourhood

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_]{2,30}")
SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?")
# An address as SMTP takes it without extensions, and nothing that a header or an envelope could
# read as two: ASCII only, a local part of RFC 5322 atext in dot-separated atoms (no quotes, no
# comma, no brackets), and a domain of at least two letter/digit/hyphen labels.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = re.compile(rf"(?=[^@]{{1,64}}@){_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")
MAX_EMAIL_LENGTH = 254
# C0 controls, DEL and C1 controls: in no username, `name@domain` of someone elsewhere, or slug.
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Names that would confuse people or collide with addresses of the instance itself.
RESERVED_NAMES = frozenset(
    [
        "abuse",
        "actor",
        "admin",
        "administrator",
        "api",
        "buurtnet",
        "help",
        "hostmaster",
        "inbox",
        "instance",
        "login",
        "logout",
        "moderator",
        "n",
        "nodeinfo",
        "outbox",
        "postmaster",
        "register",
        "root",
        "security",
        "settings",
        "static",
        "support",
        "system",
        "webmaster",
        "www",
    ]
)


def name_key(name: str) -> str:
    return name.strip().lower()


def may_be_stored(name: str) -> bool:
    """Whether a username, `name@domain` or slug from a path or an activity could be one we
    store; look-ups by name ask first and treat "no" as not found. PostgreSQL refuses a text
    with a NUL outright (an error, where "not found" is meant), and a name with a line break or
    tab must not find the person whose name it is once `name_key` has trimmed it."""
    return CONTROL_CHARACTER.search(name) is None


def username_problem(username: str) -> str | None:
    if not USERNAME_PATTERN.fullmatch(username):
        return "username_invalid"
    if name_key(username) in RESERVED_NAMES:
        return "username_reserved"
    return None


def slug_problem(slug: str) -> str | None:
    if not SLUG_PATTERN.fullmatch(slug):
        return "slug_invalid"
    if slug in RESERVED_NAMES:
        return "slug_reserved"
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.fullmatch(email):
        return "email_invalid"
    return None


async def name_is_taken(session: AsyncSession, name: str) -> bool:
    key = name_key(name)
    query = select(
        or_(
            exists().where(col(Account.username_key) == key),
            exists().where(col(Neighbourhood.slug) == key),
        )
    )
    return bool((await session.exec(query)).one())


async def email_is_taken(session: AsyncSession, email: str) -> bool:
    query = select(exists().where(col(Account.email) == email))
    return bool((await session.exec(query)).one())
