"""Finding an activity for someone who may see it (or organise it), locking it for a change, and
who takes part: what the modules of activities share.

Every change to who takes part locks the event's row first (`lock`), in the write transaction:
two people asking for the last place at once are then served one after the other, on
PostgreSQL by the row lock and on SQLite by its one writer at a time.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import posts
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.core.local_times import utc
from buurtnet.models import Account, Event, Participation, ParticipationStatus, Post, PostKind

# Who takes part, so hears of changes and has the activity in their calendar feed: everyone
# who said they come, might come or waits for a place.
TOLD_OF_CHANGES = (
    ParticipationStatus.GOING,
    ParticipationStatus.MAYBE,
    ParticipationStatus.WAITING,
)
REMINDED = (ParticipationStatus.GOING, ParticipationStatus.MAYBE)

# Why nobody can sign up: message codes for the page (the `Reject` of a Join says no reason).
CANCELLED = "event_cancelled"
ENDED = "event_ended"
SIGN_UPS_CLOSED = "event_sign_ups_closed"
FULL = "event_full"
TASK_FULL = "task_full"


async def visible_event(
    session: AsyncSession, viewer: Account | None, post_id: int
) -> tuple[Post, Event]:
    """An activity the viewer may see (`visibility`); NotFound for anything else."""
    post = await posts.get_visible(session, viewer, post_id)
    event = await session.get(Event, post_id) if post.kind == PostKind.EVENT else None
    if event is None:
        raise NotFound(post_id)
    return post, event


async def own_event(session: AsyncSession, organiser: Account, post_id: int) -> tuple[Post, Event]:
    """An activity its organiser (the post's author) may change; NotAllowed for others."""
    post, event = await visible_event(session, organiser, post_id)
    if post.author_id != organiser.id:
        raise NotAllowed
    return post, event


async def lock(session: AsyncSession, post_id: int) -> Event:
    """The event's row, locked until the transaction ends, as it is now (not as first read)."""
    query = (
        select(Event)
        .where(col(Event.post_id) == post_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    event = (await session.exec(query)).first()
    if event is None:
        raise NotFound(post_id)
    return event


def has_ended(event: Event, now: datetime) -> bool:
    return now >= utc(event.ends_at)


def closed_reason(event: Event, now: datetime) -> str | None:
    """Why the activity takes no new sign-ups, or None when it does."""
    if event.cancelled_at is not None:
        return CANCELLED
    if has_ended(event, now):
        return ENDED
    if event.sign_ups_closed:
        return SIGN_UPS_CLOSED
    return None


def has_room(event: Event) -> bool:
    return event.capacity is None or event.going_count < event.capacity


async def participant_ids(
    session: AsyncSession, post_id: int, statuses: Iterable[ParticipationStatus]
) -> list[int]:
    """The accounts with one of these answers, in the order they gave them."""
    query = (
        select(Participation.account_id)
        .where(
            col(Participation.post_id) == post_id,
            col(Participation.status).in_(list(statuses)),
        )
        .order_by(col(Participation.queued_at), col(Participation.account_id))
    )
    return list((await session.exec(query)).all())
