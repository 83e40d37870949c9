"""Activities that residents organise (buurtactiviteiten): making, changing, cancelling them,
closing sign-ups, and a message from the organiser to everyone who takes part.

An activity is a post of kind `event` (made and changed through `posts`, so mentions, hashtags,
visibility, feeds, replies, likes, shares, export and deletion work as for any post) with its
`Event` row beside it. A change of what a calendar shows (title, text, time, place) raises the
event's `sequence`; a change of time or place, and a cancellation, tells everyone who takes part.
A cancelled activity stays, marked as cancelled.
"""

from dataclasses import replace
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import (
    event_access,
    event_tasks,
    notifications,
    outbound,
    participation,
    posts,
)
from buurtnet.core.errors import InvalidInput
from buurtnet.core.event_input import (
    EventDetails,
    EventInput,
    cleaned,
    details_problems,
    task_problems,
)
from buurtnet.core.local_times import utc
from buurtnet.core.media import StoredImage
from buurtnet.models import (
    Account,
    Event,
    NotificationKind,
    Post,
    PostKind,
    Visibility,
    utcnow,
)

MAX_PHOTOS = 1
NO_NEIGHBOURHOOD = "event_no_neighbourhood"
NOBODY_TO_MESSAGE = "event_nobody_to_message"
CAPACITY_BELOW_GOING = "capacity_below_going"


async def create_event(
    session: AsyncSession,
    organiser: Account,
    made: EventInput,
    images: tuple[StoredImage, ...] = (),
    *,
    time_zone: str,
    now: datetime | None = None,
) -> Post:
    """A new activity in the organiser's neighbourhood, with its tasks and photo."""
    now = now or utcnow()
    made = _checked(made, now)
    if organiser.neighbourhood_id is None:
        raise InvalidInput.single("form", NO_NEIGHBOURHOOD)
    if len(images) > MAX_PHOTOS:
        raise InvalidInput.single("images", "image_too_many")
    draft = replace(made.draft, kind=PostKind.EVENT, in_reply_to_id=None)
    details = made.details
    more_text = _filtered_text(details)
    post = await posts.create_post(session, organiser, draft, images, more_text=more_text)
    assert post.id is not None
    session.add(
        Event(
            post_id=post.id,
            title=details.title,
            category=details.category,
            starts_at=details.starts_at,
            ends_at=details.ends_at,
            time_zone=time_zone,
            place=details.place,
            latitude=details.latitude,
            longitude=details.longitude,
            capacity=details.capacity,
        )
    )
    await session.flush()
    await event_tasks.save_tasks(session, post.id, made.tasks)
    return post


async def edit_event(
    session: AsyncSession,
    organiser: Account,
    post_id: int,
    changed: EventInput,
    *,
    now: datetime | None = None,
) -> Post:
    """Change an activity's text, details and tasks. Lowering the places below the people
    going is refused; raising them gives places to the first who wait."""
    now = now or utcnow()
    post, _seen = await event_access.own_event(session, organiser, post_id)
    event = await event_access.lock(session, post_id)
    if event.cancelled_at is not None:
        raise InvalidInput.single("form", event_access.CANCELLED)
    changed = _checked(changed, now, unchanged_start=utc(event.starts_at))
    details = changed.details
    if details.capacity is not None and details.capacity < event.going_count:
        raise InvalidInput.single("capacity", CAPACITY_BELOW_GOING)
    text_changed = posts.clean_source(changed.draft.source) != post.source
    draft = replace(changed.draft, kind=PostKind.EVENT)
    await posts.edit_post(session, organiser, post_id, draft, more_text=_filtered_text(details))
    moved = _time_or_place_changed(event, details)
    if moved or text_changed or details.title != event.title:
        event.sequence += 1
    if (details.starts_at, details.ends_at) != (utc(event.starts_at), utc(event.ends_at)):
        event.reminded_at = None  # a reminder for the new day
    _apply(event, details)
    session.add(event)
    await event_tasks.save_tasks(session, post_id, changed.tasks)
    await participation.fill_places(session, event, post.author_id, now)
    if moved:
        await _tell_participants(session, event, post.author_id, NotificationKind.EVENT_CHANGED)
    return post


async def cancel_event(
    session: AsyncSession, organiser: Account, post_id: int, *, now: datetime | None = None
) -> Event:
    """Cancel an activity that is still to come; everyone who takes part is told."""
    now = now or utcnow()
    post, _seen = await event_access.own_event(session, organiser, post_id)
    event = await event_access.lock(session, post_id)
    if event.cancelled_at is not None:
        return event
    if event_access.has_ended(event, now):
        raise InvalidInput.single("form", event_access.ENDED)
    event.cancelled_at = now
    event.sequence += 1
    session.add(event)
    await outbound.event_changed(session, post, event.sequence)
    await _tell_participants(session, event, post.author_id, NotificationKind.EVENT_CANCELLED)
    return event


async def set_sign_ups_closed(
    session: AsyncSession, organiser: Account, post_id: int, closed: bool
) -> Event:
    """Close sign-ups (nobody new can say they come; the waiting list still moves up), or
    open them again."""
    await event_access.own_event(session, organiser, post_id)
    event = await event_access.lock(session, post_id)
    event.sign_ups_closed = closed
    session.add(event)
    return event


async def message_participants(
    session: AsyncSession, organiser: Account, post_id: int, text: str
) -> Post:
    """A private reply to the activity, to everyone who comes, might come or waits: a normal
    direct message, so they are told of it and can answer it."""
    await event_access.own_event(session, organiser, post_id)
    people = await event_access.participant_ids(session, post_id, event_access.TOLD_OF_CHANGES)
    if not people:
        raise InvalidInput.single("source", NOBODY_TO_MESSAGE)
    draft = posts.Draft(
        source=text,
        visibility=Visibility.DIRECT,
        in_reply_to_id=post_id,
        addressed=frozenset(people),
    )
    return await posts.create_post(session, organiser, draft)


def _checked(
    made: EventInput, now: datetime, *, unchanged_start: datetime | None = None
) -> EventInput:
    """The input cleaned and held to the bounds again: whoever made it (the form, a server
    elsewhere), nothing outside them is written."""
    made = replace(made, details=cleaned(made.details))
    problems = posts.draft_problems(made.draft)
    problems |= details_problems(made.details, now, unchanged_start=unchanged_start)
    problems |= task_problems(list(enumerate(made.tasks, start=1)), made.details.capacity)
    if problems:
        raise InvalidInput(problems)
    return made


def _filtered_text(details: EventDetails) -> tuple[str, ...]:
    """What the word filters read of an activity besides its post: its name and place."""
    return (details.title, details.place)


def _time_or_place_changed(event: Event, details: EventDetails) -> bool:
    before = (utc(event.starts_at), utc(event.ends_at), event.place)
    after = (details.starts_at, details.ends_at, details.place)
    return (*before, event.latitude, event.longitude) != (
        *after,
        details.latitude,
        details.longitude,
    )


def _apply(event: Event, details: EventDetails) -> None:
    event.title = details.title
    event.category = details.category
    event.starts_at, event.ends_at = details.starts_at, details.ends_at
    event.place = details.place
    event.latitude, event.longitude = details.latitude, details.longitude
    event.capacity = details.capacity


async def _tell_participants(
    session: AsyncSession, event: Event, organiser_id: int, kind: NotificationKind
) -> None:
    people = await event_access.participant_ids(
        session, event.post_id, event_access.TOLD_OF_CHANGES
    )
    await notifications.notify_many(session, people, organiser_id, kind, event.post_id)
