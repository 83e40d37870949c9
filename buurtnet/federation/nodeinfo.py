"""NodeInfo 2.0 and 2.1: what software runs here and how many use it, for fediverse statistics.

The counts are of local, active accounts only. Someone counts as active in a period when they
were seen logged in or wrote a post in it. The figures are for the whole instance, never per
neighbourhood, so they say nothing about any one street.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import __version__
from buurtnet.core import site
from buurtnet.federation.as2 import objects
from buurtnet.federation.uris import Uris
from buurtnet.models import (
    Account,
    AccountStatus,
    LoginSession,
    Post,
    RegistrationMode,
    utcnow,
)

VERSIONS = ("2.0", "2.1")
SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/{version}"
SOFTWARE = "buurtnet"
MONTH = timedelta(days=30)
HALF_YEAR = timedelta(days=180)
# Approval still lets anyone sign up (a moderator says yes later), as Mastodon counts it;
# invite codes and a closed instance do not.
OPEN_MODES = frozenset({RegistrationMode.APPROVAL})


def media_type(version: str) -> str:
    return f'application/json; profile="{SCHEMA.format(version=version)}#"'


@dataclass(frozen=True)
class Usage:
    users: int
    active_month: int
    active_half_year: int
    local_posts: int
    open_registrations: bool


def _local_active() -> tuple[ColumnElement[bool], ...]:
    return (col(Account.domain).is_(None), col(Account.status) == AccountStatus.ACTIVE)


async def _active_since(session: AsyncSession, since: datetime) -> int:
    seen = select(LoginSession.account_id).where(col(LoginSession.last_seen_at) >= since)
    posted = select(Post.author_id).where(col(Post.created_at) >= since)
    query = select(func.count()).where(
        *_local_active(), or_(col(Account.id).in_(seen), col(Account.id).in_(posted))
    )
    return (await session.exec(query)).one()


async def read_usage(session: AsyncSession) -> Usage:
    now = utcnow()
    users = (await session.exec(select(func.count()).where(*_local_active()))).one()
    posts_query = (
        select(func.count())
        .select_from(Post)
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(col(Account.domain).is_(None))
    )
    mode = await site.registration_mode(session)
    return Usage(
        users=users,
        active_month=await _active_since(session, now - MONTH),
        active_half_year=await _active_since(session, now - HALF_YEAR),
        local_posts=(await session.exec(posts_query)).one(),
        open_registrations=mode in OPEN_MODES,
    )


def discovery(uris: Uris) -> objects.JsonObject:
    """`/.well-known/nodeinfo`: where the documents of each schema version are."""
    links = [
        {"rel": SCHEMA.format(version=version), "href": uris.nodeinfo(version)}
        for version in VERSIONS
    ]
    return {"links": links}


def document(version: str, usage: Usage, instance_name: str) -> objects.JsonObject:
    """The NodeInfo document of a schema version. 2.1 may also name the software's repository
    and homepage; buurtnet has no public address for them yet, so both versions look alike."""
    return {
        "version": version,
        "software": {"name": SOFTWARE, "version": __version__},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": usage.open_registrations,
        "usage": {
            "users": {
                "total": usage.users,
                "activeMonth": usage.active_month,
                "activeHalfyear": usage.active_half_year,
            },
            "localPosts": usage.local_posts,
        },
        "metadata": {"nodeName": instance_name},
    }
