"""Pinned announcements: a neighbourhood's director puts one of their own posts atop the
neighbourhood's page and its residents' home feeds until a date (`Post.pinned_until`, that day
included, on the instance's calendar), and takes it down again.

Who may is `permissions.can_pin` and `can_unpin`; where a pinned post shows, and to whom, is
`feeds.pinned_posts`, among what `visibility` lets each viewer see: a post a moderator removed or
holds is shown to nobody there, pinned or not, and needs no unpinning. Pins are few
(`feeds.PINNED_AT_MOST` at a time in a neighbourhood) and short (`MAX_DAYS_AHEAD`), so that an
announcement stays news. Pinning and unpinning go into the audit log, not the public one: they
use a duty's power over what every resident sees first.
"""

from datetime import date, timedelta

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import feeds, permissions, posts, visibility
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.core.permissions import Roles
from buurtnet.models import Account, ActionKind, Neighbourhood, Post
from buurtnet.moderation import audit

MAX_DAYS_AHEAD = 90  # about three months
FIELD = "pinned_until"


def date_problem(until: date | None, today: date) -> str | None:
    """Why a post cannot be pinned until this day (`until` is None when no real date was
    typed). Today is the first day allowed: a pin until today shows for the rest of the day."""
    if until is None:
        return "pin_date_invalid"
    if until < today:
        return "pin_date_past"
    if until > last_day(today):
        return "pin_date_too_far"
    return None


def last_day(today: date) -> date:
    return today + timedelta(days=MAX_DAYS_AHEAD)


def post_problem(post: Post) -> str | None:
    """Why this post cannot be an announcement, whoever pins it (None: it can)."""
    if post.in_reply_to_id is not None:
        return "pin_reply"
    if post.visibility not in feeds.FOR_THE_NEIGHBOURHOOD:  # where it would show
        return "pin_not_for_neighbourhood"
    if post.moderation is not None:
        return "pin_held"
    return None


def may_pin(roles: Roles, post: Post) -> bool:
    """Whether a post's page offers to pin it: the question `pin` answers, without a date."""
    return permissions.can_pin(roles, post) and post_problem(post) is None


def is_pinned(post: Post, today: date) -> bool:
    return post.pinned_until is not None and post.pinned_until >= today


async def pin(
    session: AsyncSession,
    actor: Account,
    roles: Roles,
    post_id: int,
    until: date | None,
    today: date,
) -> Post:
    """Pin the actor's post until a day (a pinned one gets its new day); `NotFound` for a post
    they cannot see, `NotAllowed` for one they may not pin, `InvalidInput` for a wrong post or
    date, or a neighbourhood whose places are taken."""
    post = await posts.get_visible(session, actor, post_id)
    if not permissions.can_pin(roles, post):
        raise NotAllowed
    if problem := post_problem(post) or date_problem(until, today):
        raise InvalidInput.single(FIELD, problem)
    assert post.id is not None and post.neighbourhood_id is not None and until is not None
    # One pin at a time in a neighbourhood, so that two directors cannot both take the last place.
    await session.get(Neighbourhood, post.neighbourhood_id, with_for_update=True)
    if await _others_pinned(session, actor, post, today) >= feeds.PINNED_AT_MOST:
        raise InvalidInput.single(FIELD, "pin_too_many")
    await _change(session, actor, post, until)
    return post


async def unpin(session: AsyncSession, actor: Account, roles: Roles, post_id: int) -> Post:
    """Take a pin down (nothing happens to a post that is not pinned)."""
    post = await posts.get_visible(session, actor, post_id)
    if not permissions.can_unpin(roles, post):
        raise NotAllowed
    if post.pinned_until is not None:
        await _change(session, actor, post, None)
    return post


async def unpin_all_of(session: AsyncSession, account_id: int, neighbourhood_id: int) -> None:
    """A director's duty ends: so do their announcements there (the log has the duty's end)."""
    await session.exec(
        update(Post)
        .where(
            col(Post.author_id) == account_id,
            col(Post.neighbourhood_id) == neighbourhood_id,
            col(Post.pinned_until).is_not(None),
        )
        .values(pinned_until=None)
    )


async def _change(session: AsyncSession, actor: Account, post: Post, until: date | None) -> None:
    """Pin until a day, or (None) take down, with its line in the audit log."""
    post.pinned_until = until
    session.add(post)
    await audit.record(
        session,
        ActionKind.UNPIN_POST if until is None else ActionKind.PIN_POST,
        actor,
        target_post_id=post.id,
        neighbourhood_id=post.neighbourhood_id,
        reason="" if until is None else f"pinned_until={until.isoformat()}",
    )


async def _others_pinned(session: AsyncSession, actor: Account, post: Post, today: date) -> int:
    """The neighbourhood's other announcements still pinned, as far as they show: one a
    moderator removed or holds takes no place (`visibility`, as the actor sees it)."""
    found = await session.exec(
        select(func.count(col(Post.id))).where(
            col(Post.neighbourhood_id) == post.neighbourhood_id,
            col(Post.pinned_until) >= today,
            col(Post.id) != post.id,
            col(Post.in_reply_to_id).is_(None),
            feeds.ON_NEIGHBOURHOOD_PAGE,
            visibility.visible_to(actor),
        )
    )
    return found.one()
