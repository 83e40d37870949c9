"""Activities from elsewhere (Mobilizon, Gancio, another buurtnet): kept as their server last
described them, and taken part in from here.

An activity from elsewhere is a post from elsewhere (`remote_posts`) of kind `event` with its
`Event` row, so pages, feeds, calendars and visibility treat it as one of ours. Its places are
its server's to give: a resident's "I will come" is a request (`pending`) that goes out as a
`Join`, and becomes "going" when that server accepts it (`join_answered`); stepping back goes out
as a `Leave`. "Maybe" stays here: Mobilizon knows no maybe.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import event_access, notifications
from buurtnet.core.local_times import utc
from buurtnet.job_queue import enqueue
from buurtnet.models import (
    Account,
    Event,
    NotificationKind,
    Participation,
    ParticipationStatus,
    Post,
    PostKind,
)

JOINED = "outbox.event_joined"  # a resident's Join of an activity elsewhere
LEFT = "outbox.event_left"  # and its Leave
# Activities one signs up for on their own site, not by a Join.
JOINED_ELSEWHERE = frozenset({"invite", "external"})
JOIN_ELSEWHERE = "event_join_elsewhere"  # message code: sign up on the activity's own site
ASKED = (ParticipationStatus.PENDING, ParticipationStatus.GOING)


@dataclass(frozen=True)
class EventFromElsewhere:
    title: str
    category: str
    starts_at: datetime
    ends_at: datetime  # its start, when its server gives no end
    time_zone: str
    place: str
    latitude: float | None
    longitude: float | None
    capacity: int | None
    cancelled: bool
    url: str | None
    join_mode: str
    participant_count: int | None


async def keep(session: AsyncSession, post: Post, found: EventFromElsewhere, now: datetime) -> None:
    """Store the activity of a post from elsewhere, or bring it up to date: a new time or place
    and a cancellation are news for whoever here takes part, as for one of ours."""
    assert post.id is not None
    post.kind = PostKind.EVENT
    session.add(post)
    event = await session.get(Event, post.id)
    if event is None:
        event = Event(
            post_id=post.id, title=found.title, starts_at=found.starts_at, ends_at=found.ends_at
        )
        news = None
    else:
        news = _news(event, found)
        if news is not None or found.title != event.title:
            event.sequence += 1
    event.title, event.category = found.title, found.category
    event.starts_at, event.ends_at, event.time_zone = (
        found.starts_at,
        found.ends_at,
        found.time_zone,
    )
    event.place, event.latitude, event.longitude = found.place, found.latitude, found.longitude
    event.capacity, event.url, event.join_mode = found.capacity, found.url, found.join_mode
    if found.participant_count is not None:
        event.going_count = found.participant_count
    if found.cancelled and event.cancelled_at is None:
        event.cancelled_at = now
    elif not found.cancelled:
        event.cancelled_at = None
    session.add(event)
    await session.flush()
    if news is not None:
        people = await event_access.participant_ids(session, post.id, event_access.TOLD_OF_CHANGES)
        await notifications.notify_many(session, people, post.author_id, news, post.id)


def _news(event: Event, found: EventFromElsewhere) -> NotificationKind | None:
    if found.cancelled and event.cancelled_at is None:
        return NotificationKind.EVENT_CANCELLED
    before = (utc(event.starts_at), utc(event.ends_at), event.place)
    if before != (found.starts_at, found.ends_at, found.place):
        return NotificationKind.EVENT_CHANGED
    return None


def refusal(event: Event, now: datetime) -> str | None:
    """Why a resident cannot ask to take part from here, or None."""
    if event.join_mode in JOINED_ELSEWHERE:
        return JOIN_ELSEWHERE
    reason = event_access.closed_reason(event, now)
    return None if reason == event_access.SIGN_UPS_CLOSED else reason


def asked_before(status: str | None) -> bool:
    """Whether a Join of this resident is out there (asked, or accepted)."""
    return status in ASKED


def join(session: AsyncSession, account: Account, post_id: int) -> None:
    enqueue(session, JOINED, {"account_id": account.id, "post_id": post_id})


def leave(session: AsyncSession, account: Account, post_id: int, join_uri: str) -> None:
    """Step back from an activity elsewhere whose Join went out (it has its id)."""
    enqueue(session, LEFT, {"account_id": account.id, "post_id": post_id, "join_uri": join_uri})


async def join_answered(
    session: AsyncSession, server: Account, join_uri: str, *, accepted: bool
) -> bool:
    """An Accept or Reject of a resident's Join, by the Join's id; only the activity's own
    server answers it. True when it answered one of ours."""
    query = (
        select(Participation, Post)
        .join(Post, col(Post.id) == col(Participation.post_id))
        .where(col(Participation.uri) == join_uri)
    )
    found = (await session.exec(query)).first()
    if found is None:
        return False
    row, post = found
    author = await session.get(Account, post.author_id)
    if author is None or author.domain is None or author.domain != server.domain:
        return False
    if row.status not in ASKED:
        return True  # stepped back meanwhile: the Leave is on its way
    if accepted:
        row.status = ParticipationStatus.GOING
    else:
        row.status = ParticipationStatus.NOT_GOING
        await notifications.notify(
            session, row.account_id, post.author_id, NotificationKind.JOIN_REFUSED, post.id
        )
    session.add(row)
    return True
