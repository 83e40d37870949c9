"""Activities as pages show them: the details, how many come and wait, the viewer's own answer
and the volunteer tasks. For every post of kind `event` on a page, in two statements however
many there are (none when the page has no activity).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ScalarSelect, and_, case, func, literal, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import remote_events
from buurtnet.core.local_times import utc
from buurtnet.models import (
    Event,
    EventTask,
    Participation,
    ParticipationStatus,
    Post,
    PostKind,
    TaskVolunteer,
    utcnow,
)


@dataclass(frozen=True)
class TaskView:
    task: EventTask
    taken: int  # how many volunteered
    mine: bool = False  # whether the viewer did

    @property
    def places_left(self) -> int:
        return max(self.task.places - self.taken, 0)


@dataclass(frozen=True)
class EventView:
    event: Event
    waiting: int = 0  # how many wait for a place
    answer: str | None = None  # the viewer's (a `ParticipationStatus`), if any
    position: int | None = None  # the viewer's place on the waiting list (1: next)
    tasks: list[TaskView] = field(default_factory=list)
    ended: bool = False

    @property
    def places_left(self) -> int | None:
        """Free places; None when there is no limit."""
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.event.going_count, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0

    @property
    def cancelled(self) -> bool:
        return self.event.cancelled_at is not None

    @property
    def joins_elsewhere(self) -> bool:
        """An activity from elsewhere that one signs up for on its own site only."""
        return self.event.join_mode in remote_events.JOINED_ELSEWHERE

    @property
    def takes_sign_ups(self) -> bool:
        closed = self.cancelled or self.ended or self.event.sign_ups_closed
        return not (closed or self.joins_elsewhere)


async def events_of(
    session: AsyncSession,
    posts: Sequence[Post],
    viewer_id: int | None,
    *,
    now: datetime | None = None,
) -> dict[int, EventView]:
    """The activities among these posts, by post id, as the viewer sees them."""
    ids = [post.id for post in posts if post.kind == PostKind.EVENT and post.id is not None]
    if not ids:
        return {}
    now = now or utcnow()
    query = select(Event, _waiting_count(), _answer_of(viewer_id), _position_of(viewer_id)).where(
        col(Event.post_id).in_(ids)
    )
    tasks = await tasks_of(session, ids, viewer_id)
    return {
        event.post_id: EventView(
            event,
            waiting=waiting,
            answer=answer,
            position=position if answer == ParticipationStatus.WAITING else None,
            tasks=tasks.get(event.post_id, []),
            ended=now >= utc(event.ends_at),
        )
        for event, waiting, answer, position in (await session.exec(query)).all()
    }


async def tasks_of(
    session: AsyncSession, post_ids: Sequence[int], viewer_id: int | None
) -> dict[int, list[TaskView]]:
    """The tasks of these activities in their order, with how many took each on and whether
    the viewer did, in one statement."""
    mine = (
        func.max(case((col(TaskVolunteer.account_id) == viewer_id, 1), else_=0))
        if viewer_id is not None
        else literal(0)
    )
    query = (
        select(EventTask, func.count(col(TaskVolunteer.account_id)), mine)
        .outerjoin(TaskVolunteer, col(TaskVolunteer.task_id) == col(EventTask.id))
        .where(col(EventTask.post_id).in_(list(post_ids)))
        .group_by(col(EventTask.id))
        .order_by(col(EventTask.position), col(EventTask.id))
    )
    found: dict[int, list[TaskView]] = defaultdict(list)
    for task, taken, is_mine in (await session.exec(query)).all():
        found[task.post_id].append(TaskView(task, taken, bool(is_mine)))
    return found


def _waiting_count() -> ScalarSelect[int]:
    return (
        select(func.count())
        .where(
            col(Participation.post_id) == col(Event.post_id),
            col(Participation.status) == ParticipationStatus.WAITING,
        )
        .correlate(Event)
        .scalar_subquery()
    )


def _answer_of(viewer_id: int | None) -> ScalarSelect[str | None]:
    return (
        select(col(Participation.status))
        .where(
            col(Participation.post_id) == col(Event.post_id),
            col(Participation.account_id) == (viewer_id or 0),
        )
        .correlate(Event)
        .scalar_subquery()
    )


def _position_of(viewer_id: int | None) -> ScalarSelect[int]:
    """How many wait before the viewer, plus one (meaningful only when the viewer waits)."""
    ahead, mine = aliased(Participation), aliased(Participation)
    own_time = (
        select(col(mine.queued_at))
        .where(col(mine.post_id) == col(Event.post_id), col(mine.account_id) == (viewer_id or 0))
        .correlate(Event)
        .scalar_subquery()
    )
    earlier = or_(
        col(ahead.queued_at) < own_time,
        and_(col(ahead.queued_at) == own_time, col(ahead.account_id) < (viewer_id or 0)),
    )
    return (
        select(func.count() + 1)
        .select_from(ahead)
        .where(
            col(ahead.post_id) == col(Event.post_id),
            col(ahead.status) == ParticipationStatus.WAITING,
            earlier,
        )
        .correlate(Event)
        .scalar_subquery()
    )
