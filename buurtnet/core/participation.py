"""Taking part in an activity: going, maybe or not going, and the waiting list.

For anyone who may see the activity, here or elsewhere (federation calls the same functions for a
`Join` and a `Leave`, by the activity's post id). Each answer locks the event's row first, so
`going_count` is kept in step and the last place goes to exactly one person. When the activity
is full, "going" puts the person on the waiting list (in the order they asked); a place that
comes free goes to the first who waits, who is told (`MOVED_UP`).

The organiser (the post's author) is no participant: they take no place. Whoever stops going
(maybe, not going, leaving) also lets go of the volunteer tasks they had taken on.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import event_access, notifications, remote_events
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.models import (
    Account,
    Event,
    EventTask,
    NotificationKind,
    Participation,
    ParticipationStatus,
    Post,
    TaskVolunteer,
    utcnow,
)

ANSWERS = (ParticipationStatus.GOING, ParticipationStatus.MAYBE, ParticipationStatus.NOT_GOING)
ANSWER_INVALID = "answer_invalid"
MESSAGE_LENGTH = 500


class Outcome(StrEnum):
    """What became of an answer."""

    GOING = "going"
    MAYBE = "maybe"
    NOT_GOING = "not_going"
    WAITING = "waiting"  # wanted to go; on the waiting list
    PENDING = "pending"  # wants to go to an activity elsewhere; its server answers
    LEFT = "left"  # no answer any more (a `Leave`)
    REFUSED_FULL = "refused_full"  # wanted to go, no place, and no waiting asked for
    REFUSED_CLOSED = "refused_closed"  # cancelled, ended or sign-ups closed: see `reason`


@dataclass(frozen=True)
class Answered:
    outcome: Outcome
    reason: str | None = None  # for a refusal: a message code of `event_access`
    moved_up: tuple[int, ...] = ()  # who got a place that this answer freed

    @property
    def refused(self) -> bool:
        return self.outcome in (Outcome.REFUSED_FULL, Outcome.REFUSED_CLOSED)


def parse_answer(value: str) -> ParticipationStatus:
    """An answer from a form: going, maybe or not going."""
    if value not in ANSWERS:
        raise InvalidInput.single("answer", ANSWER_INVALID)
    return ParticipationStatus(value)


async def respond(
    session: AsyncSession,
    account: Account,
    post_id: int,
    answer: ParticipationStatus,
    *,
    now: datetime | None = None,
    waiting_list: bool = True,
    join_uri: str | None = None,
    message: str = "",
) -> Answered:
    """Answer an activity: going (a place, or the waiting list when it is full and
    `waiting_list`), maybe, or not going. The same answer again changes nothing."""
    if answer not in ANSWERS:
        raise InvalidInput.single("answer", ANSWER_INVALID)
    now = now or utcnow()
    post, _seen = await event_access.visible_event(session, account, post_id)
    if post.author_id == account.id:
        raise NotAllowed  # the organiser takes no place
    assert account.id is not None
    event = await event_access.lock(session, post_id)
    current = await answer_of(session, post_id, account.id)
    if post.uri is not None:
        return _respond_elsewhere(session, account, event, current, answer, now)
    was = ParticipationStatus(current.status) if current else None
    if was == answer or (
        was == ParticipationStatus.WAITING and answer == ParticipationStatus.GOING
    ):
        return Answered(Outcome(was))
    reason = event_access.closed_reason(event, now)
    # Stepping back is possible while sign-ups are closed: the activity is still to come.
    stepping_back = answer == ParticipationStatus.NOT_GOING
    if reason is not None and not (reason == event_access.SIGN_UPS_CLOSED and stepping_back):
        return Answered(Outcome.REFUSED_CLOSED, reason)
    new = answer
    if answer == ParticipationStatus.GOING and not event_access.has_room(event):
        if not waiting_list:
            return Answered(Outcome.REFUSED_FULL, event_access.FULL)
        new = ParticipationStatus.WAITING
    row = current or Participation(post_id=post_id, account_id=account.id, status=new)
    row.status, row.queued_at = new, now
    row.uri = join_uri or row.uri
    row.message = message[:MESSAGE_LENGTH] if message else row.message
    session.add(row)
    moved_up = await _after_change(session, event, post.author_id, account.id, was, new, now)
    return Answered(Outcome(new), moved_up=moved_up)


def _respond_elsewhere(
    session: AsyncSession,
    account: Account,
    event: Event,
    current: Participation | None,
    answer: ParticipationStatus,
    now: datetime,
) -> Answered:
    """A resident's answer to an activity from elsewhere, whose server gives the places: going
    is asked for by a Join (`pending` until it answers), stepping back sent as a Leave."""
    assert account.id is not None
    was = current.status if current else None
    wanted = ParticipationStatus.PENDING if answer == ParticipationStatus.GOING else answer
    if was == wanted or (answer == ParticipationStatus.GOING and was in remote_events.ASKED):
        return Answered(Outcome(was))
    if answer == ParticipationStatus.GOING and (reason := remote_events.refusal(event, now)):
        return Answered(Outcome.REFUSED_CLOSED, reason)
    row = current or Participation(post_id=event.post_id, account_id=account.id, status=wanted)
    if answer == ParticipationStatus.GOING:
        remote_events.join(session, account, event.post_id)
    elif remote_events.asked_before(was) and row.uri is not None:
        # Without its id the Join has not gone yet, and its job sees it is no longer wanted.
        remote_events.leave(session, account, event.post_id, row.uri)
        row.uri = None
    row.status, row.queued_at = wanted, now
    session.add(row)
    return Answered(Outcome(wanted))


async def withdraw(
    session: AsyncSession, account: Account, post_id: int, *, now: datetime | None = None
) -> Answered:
    """Take one's answer back altogether (a `Leave`): the row goes, a place comes free."""
    now = now or utcnow()
    post, _seen = await event_access.visible_event(session, account, post_id)
    assert account.id is not None
    event = await event_access.lock(session, post_id)
    current = await answer_of(session, post_id, account.id)
    if current is None:
        return Answered(Outcome.LEFT)
    if event_access.has_ended(event, now):
        return Answered(Outcome.REFUSED_CLOSED, event_access.ENDED)
    was = ParticipationStatus(current.status)
    await session.delete(current)
    moved_up = await _after_change(session, event, post.author_id, account.id, was, None, now)
    return Answered(Outcome.LEFT, moved_up=moved_up)


async def withdraw_everywhere(
    session: AsyncSession, account: Account, *, now: datetime | None = None
) -> None:
    """Someone leaves buurtnet: every answer and task of theirs is taken back. A place at an
    activity still to come goes to the first who waits; one that is over keeps its count (what
    happened stays); an activity elsewhere hears it as a Leave."""
    assert account.id is not None
    now = now or utcnow()
    rows = await session.exec(
        select(Participation, Post)
        .join(Post, col(Post.id) == col(Participation.post_id))
        .where(col(Participation.account_id) == account.id)
        .order_by(col(Participation.post_id))  # events locked in one order: no deadlock
    )
    for row, post in rows.all():
        was = ParticipationStatus(row.status)
        await session.delete(row)
        if post.uri is not None:
            if account.domain is None and remote_events.asked_before(was) and row.uri:
                remote_events.leave(session, account, row.post_id, row.uri)
            continue
        event = await event_access.lock(session, row.post_id)
        if not event_access.has_ended(event, now):
            await _after_change(session, event, post.author_id, account.id, was, None, now)
    await session.exec(delete(TaskVolunteer).where(col(TaskVolunteer.account_id) == account.id))


async def take_place(session: AsyncSession, event: Event, account_id: int, now: datetime) -> bool:
    """Make someone going when there is room (for a volunteer task), with the event locked by
    the caller; False when the activity is full. Someone going already stays going."""
    current = await answer_of(session, event.post_id, account_id)
    if current is not None and current.status == ParticipationStatus.GOING:
        return True
    if not event_access.has_room(event):
        return False
    row = current or Participation(
        post_id=event.post_id, account_id=account_id, status=ParticipationStatus.GOING
    )
    row.status, row.queued_at = ParticipationStatus.GOING, now
    session.add(row)
    event.going_count += 1
    return True


async def fill_places(
    session: AsyncSession, event: Event, organiser_id: int, now: datetime
) -> tuple[int, ...]:
    """Give free places to the first who wait, and tell them; with the event locked. A
    cancelled activity has no places to give."""
    if event.cancelled_at is not None:
        return ()
    if not event_access.has_room(event):
        return ()
    first_waiting = (
        select(Participation)
        .where(
            col(Participation.post_id) == event.post_id,
            col(Participation.status) == ParticipationStatus.WAITING,
        )
        .order_by(col(Participation.queued_at), col(Participation.account_id))
    )
    if event.capacity is not None:
        first_waiting = first_waiting.limit(event.capacity - event.going_count)
    moved_up = [row for row in (await session.exec(first_waiting)).all()]
    for row in moved_up:
        row.status, row.queued_at = ParticipationStatus.GOING, now
        session.add(row)
    event.going_count += len(moved_up)
    people = [row.account_id for row in moved_up]
    await notifications.notify_many(
        session, people, organiser_id, NotificationKind.MOVED_UP, event.post_id
    )
    return tuple(people)


async def participants(
    session: AsyncSession, post_id: int, statuses: Sequence[ParticipationStatus]
) -> list[tuple[Participation, Account]]:
    """The people with these answers and their rows, in the order they answered."""
    query = (
        select(Participation, Account)
        .join(Account, col(Account.id) == col(Participation.account_id))
        .where(
            col(Participation.post_id) == post_id,
            col(Participation.status).in_(list(statuses)),
        )
        .order_by(col(Participation.queued_at), col(Participation.account_id))
    )
    return [(row, account) for row, account in (await session.exec(query)).all()]


async def answer_of(session: AsyncSession, post_id: int, account_id: int) -> Participation | None:
    """Someone's answer as it is now (read afresh, not as first read: the event may have been
    locked since)."""
    query = (
        select(Participation)
        .where(
            col(Participation.post_id) == post_id,
            col(Participation.account_id) == account_id,
        )
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).first()


async def _after_change(
    session: AsyncSession,
    event: Event,
    organiser_id: int,
    account_id: int,
    was: ParticipationStatus | None,
    now_status: ParticipationStatus | None,
    now: datetime,
) -> tuple[int, ...]:
    """Keep the count in step, let go of tasks when no longer going, move the list up."""
    if now_status == ParticipationStatus.GOING:
        event.going_count += 1
    if was == ParticipationStatus.GOING and now_status != ParticipationStatus.GOING:
        tasks = select(EventTask.id).where(col(EventTask.post_id) == event.post_id)
        await session.exec(
            delete(TaskVolunteer).where(
                col(TaskVolunteer.account_id) == account_id,
                col(TaskVolunteer.task_id).in_(tasks),
            )
        )
        event.going_count = max(event.going_count - 1, 0)
        await session.flush()
        return await fill_places(session, event, organiser_id, now)
    return ()
