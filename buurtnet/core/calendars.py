"""Which activities a calendar lists, and the secret links of personal calendar feeds.

Every list here lets through only what `visibility.visible_to` lets its reader see: a single
activity as the viewer sees its post, a neighbourhood's feed as a visitor does (calendar apps
fetch it without logging in, and anyone may subscribe), a personal feed as its resident does.
A personal feed's link holds a random token; the table keeps only its hash (as logins do), so
a copy of the database opens no feed.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from buurtnet.core import event_access, feeds, visibility
from buurtnet.core.errors import NotFound
from buurtnet.core.login_sessions import hash_token
from buurtnet.models import (
    Account,
    AccountStatus,
    CalendarFeed,
    Event,
    Participation,
    Post,
    PostKind,
    utcnow,
)

# A feed holds what ended up to six weeks ago (a cancellation stays that long, so that calendar
# apps see it) and what is still to come, up to a bound.
KEPT_AFTER_END = timedelta(weeks=6)
MAX_FEED_ACTIVITIES = 500
# `secrets.token_urlsafe(32)`: 43 characters of the URL-safe base64 alphabet.
TOKEN_BYTES = 32
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class Activity:
    """An activity as a calendar shows it: its post, its event details and its organiser."""

    post: Post
    event: Event
    organiser: Account


ActivityQuery = Select[Post, Event, Account]


def _activities() -> ActivityQuery:
    return (
        select(Post, Event, Account)
        .join(Event, col(Event.post_id) == col(Post.id))
        .join(Account, col(Account.id) == col(Post.author_id))
        .where(col(Post.kind) == PostKind.EVENT)
    )


def _not_long_over(now: datetime) -> ColumnElement[bool]:
    # An end is never before its start (one from elsewhere without an end is its start).
    return col(Event.ends_at) >= now - KEPT_AFTER_END


async def activity(session: AsyncSession, viewer: Account | None, post_id: int) -> Activity:
    """One activity, if the viewer may see its post (else `NotFound`, as for the post page)."""
    query = _activities().where(col(Post.id) == post_id, visibility.visible_to(viewer))
    row = (await session.exec(query)).first()
    if row is None:
        raise NotFound(post_id)
    return Activity(*row)


async def neighbourhood_activities(
    session: AsyncSession, neighbourhood_id: int, now: datetime | None = None
) -> list[Activity]:
    """The neighbourhood's activities that a visitor sees on its page, soonest first (so not
    those of a limited organiser, which are listed only for their followers)."""
    query = _activities().where(
        col(Post.neighbourhood_id) == neighbourhood_id,
        col(Post.in_reply_to_id).is_(None),
        feeds.ON_NEIGHBOURHOOD_PAGE,
        feeds.listed_in_neighbourhood(None),
        visibility.visible_to(None),
        _not_long_over(now or utcnow()),
    )
    return await _listed(session, query)


async def personal_activities(
    session: AsyncSession, account: Account, now: datetime | None = None
) -> list[Activity]:
    """What the resident organises or takes part in (going, maybe, or on the waiting list), as
    far as they may see it, soonest first."""
    assert account.id is not None
    takes_part = (
        exists()
        .where(
            col(Participation.post_id) == col(Post.id),
            col(Participation.account_id) == account.id,
            col(Participation.status).in_(event_access.TOLD_OF_CHANGES),
        )
        .correlate_except(Participation)
    )
    query = _activities().where(
        or_(col(Post.author_id) == account.id, takes_part),
        visibility.visible_to(account),
        _not_long_over(now or utcnow()),
    )
    return await _listed(session, query)


async def _listed(session: AsyncSession, query: ActivityQuery) -> list[Activity]:
    ordered = query.order_by(col(Event.starts_at), col(Post.id)).limit(MAX_FEED_ACTIVITIES)
    return [Activity(*row) for row in (await session.exec(ordered)).all()]


# ------------------------------------------------------------------ personal feeds


async def feed_of(session: AsyncSession, account_id: int) -> CalendarFeed | None:
    return await session.get(CalendarFeed, account_id)


async def start_feed(session: AsyncSession, account: Account) -> str:
    """A new secret link for the resident's feed, returned once; an earlier link stops working."""
    assert account.id is not None
    # Locked, so that two clicks at once make one row, not a clash on the key.
    await session.get(Account, account.id, with_for_update=True)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = await session.get(CalendarFeed, account.id)
    if feed is None:
        session.add(CalendarFeed(account_id=account.id, token_hash=hash_token(token)))
    else:
        feed.token_hash = hash_token(token)
        feed.created_at = utcnow()
    await session.flush()
    return token


async def stop_feed(session: AsyncSession, account_id: int) -> None:
    await session.exec(delete(CalendarFeed).where(col(CalendarFeed.account_id) == account_id))


async def feed_owner(session: AsyncSession, token: str) -> Account | None:
    """The active resident whose feed the token opens, if any. The look-up is by the token's
    hash, so its time says nothing about how close a guess came."""
    if not TOKEN.fullmatch(token):
        return None
    query = (
        select(Account)
        .join(CalendarFeed, col(CalendarFeed.account_id) == col(Account.id))
        .where(
            col(CalendarFeed.token_hash) == hash_token(token),
            col(Account.status) == AccountStatus.ACTIVE,
            col(Account.domain).is_(None),
        )
    )
    return (await session.exec(query)).first()
