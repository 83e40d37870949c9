"""Events from elsewhere (Mobilizon, Gancio, another buurtnet), stored as activities: the post
that `incoming_posts` stores gets its `Event` row, through `core.remote_events`."""

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.config import DEFAULT_TIME_ZONE
from buurtnet.core import remote_events
from buurtnet.federation.as2.event_texts import FROM_MOBILIZON
from buurtnet.federation.as2.parse_objects import RemoteEvent, RemoteObject
from buurtnet.models import EventCategory, Post, utcnow

TITLE_LENGTH = 200
PLACE_LENGTH = 300


def event_from_elsewhere(found: RemoteEvent) -> remote_events.EventFromElsewhere:
    """The event in our terms: bounded as our own columns are, its end its start when it has none
    (Gancio may send none, `parse_objects` leaves out one that is out of bounds), an unknown
    category `other`."""
    end = found.end_time or found.start_time
    place = found.place
    return remote_events.EventFromElsewhere(
        title=found.name[:TITLE_LENGTH],
        category=FROM_MOBILIZON.get(found.category or "", EventCategory.OTHER),
        starts_at=found.start_time,
        ends_at=end,
        time_zone=found.time_zone or DEFAULT_TIME_ZONE,
        place=place.line[:PLACE_LENGTH] if place else "",
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        capacity=found.capacity,
        cancelled=found.status == "CANCELLED",
        url=found.url,
        join_mode=found.join_mode or "free",
        participant_count=found.participant_count,
    )


async def keep_event(session: AsyncSession, post_id: int, found: RemoteObject) -> None:
    """The activity of a post from elsewhere, as its Event describes it now."""
    if not isinstance(found, RemoteEvent):
        return
    post = await session.get(Post, post_id)
    if post is not None:
        await remote_events.keep(session, post, event_from_elsewhere(found), utcnow())
