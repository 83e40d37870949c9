"""Volunteer tasks within an activity ("3 mensen met handschoenen", "iemand met een bakfiets").

The organiser sets them when making or changing the activity. Taking on a task also makes one
going, when there is a place: a volunteer must be there, so someone who would have to wait for a
place cannot take a task (the organiser needs no place). Letting go of a task keeps one going;
no longer going lets go of one's tasks (`participation`). A task takes as many volunteers as it
has places, and the event's row is locked first, as for places, so two people cannot both take
the last one.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import event_access, participation
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.core.event_input import MAX_TASKS, TaskPlan
from buurtnet.models import (
    Account,
    Event,
    EventTask,
    ParticipationStatus,
    TaskVolunteer,
    utcnow,
)


@dataclass(frozen=True)
class TaskAnswer:
    taken: bool
    reason: str | None = None  # why not: a message code of `event_access`


async def save_tasks(session: AsyncSession, post_id: int, plans: tuple[TaskPlan, ...]) -> None:
    """Make the activity's tasks these: new ones added, existing ones changed or (without a
    title) removed. A task's places cannot drop below the volunteers it has, nor the tasks
    together pass `MAX_TASKS`."""
    existing = {task.id: task for task in await _tasks(session, post_id)}
    counts = await _counts(session, post_id)
    errors: dict[str, str] = {}
    for number, plan in enumerate(plans, start=1):
        if plan.task_id is not None and plan.task_id not in existing:
            raise NotFound(plan.task_id)  # a task of another activity: a tampered form
        if plan.task_id is not None and plan.title and plan.places < counts.get(plan.task_id, 0):
            errors[f"task-{number}-places"] = "task_places_below_volunteers"
    removed = {plan.task_id for plan in plans if plan.task_id is not None and not plan.title}
    added = sum(1 for plan in plans if plan.task_id is None)
    if len(existing) - len(removed) + added > MAX_TASKS:  # the form counts only its own rows
        errors["tasks"] = "tasks_too_many"
    if errors:
        raise InvalidInput(errors)
    position = len(existing)
    for plan in plans:
        if plan.task_id is None:
            position += 1
            session.add(
                EventTask(post_id=post_id, position=position, title=plan.title, places=plan.places)
            )
        elif not plan.title:
            await session.delete(existing[plan.task_id])
        else:
            task = existing[plan.task_id]
            task.title, task.places = plan.title, plan.places
            session.add(task)


async def volunteer(
    session: AsyncSession,
    account: Account,
    post_id: int,
    task_id: int,
    *,
    now: datetime | None = None,
) -> TaskAnswer:
    """Take on a task of an activity one may see; going too, when not yet (see above)."""
    now = now or utcnow()
    assert account.id is not None
    task = await _task(session, post_id, task_id)
    post, _seen = await event_access.visible_event(session, account, post_id)
    event = await event_access.lock(session, post_id)
    if await session.get(TaskVolunteer, (task_id, account.id)) is not None:
        return TaskAnswer(taken=True)
    if reason := await _why_not(session, event, task, account.id, post.author_id, now):
        return TaskAnswer(taken=False, reason=reason)
    if post.author_id != account.id and not await participation.take_place(
        session, event, account.id, now
    ):
        return TaskAnswer(taken=False, reason=event_access.FULL)
    session.add(TaskVolunteer(task_id=task_id, account_id=account.id))
    return TaskAnswer(taken=True)


async def let_go(session: AsyncSession, account: Account, post_id: int, task_id: int) -> None:
    """Give a task back; one stays going."""
    await _task(session, post_id, task_id)
    await event_access.visible_event(session, account, post_id)
    await event_access.lock(session, post_id)
    await session.exec(
        delete(TaskVolunteer).where(
            col(TaskVolunteer.task_id) == task_id, col(TaskVolunteer.account_id) == account.id
        )
    )


async def volunteers_of(session: AsyncSession, post_id: int) -> dict[int, list[Account]]:
    """Who took on each task (for the organiser), by task id, in the order they did."""
    found = await session.exec(
        select(TaskVolunteer.task_id, Account)
        .join(Account, col(Account.id) == col(TaskVolunteer.account_id))
        .join(EventTask, col(EventTask.id) == col(TaskVolunteer.task_id))
        .where(col(EventTask.post_id) == post_id)
        .order_by(col(TaskVolunteer.created_at), col(Account.id))
    )
    people: dict[int, list[Account]] = defaultdict(list)
    for task_id, account in found.all():
        people[task_id].append(account)
    return people


async def _why_not(
    session: AsyncSession,
    event: Event,
    task: EventTask,
    account_id: int,
    organiser_id: int,
    now: datetime,
) -> str | None:
    """Why this person cannot take on the task now, or None."""
    reason = event_access.closed_reason(event, now)
    if reason == event_access.SIGN_UPS_CLOSED and (
        account_id == organiser_id or await _is_going(session, event.post_id, account_id)
    ):
        reason = None  # closed to newcomers; who comes already may still help
    if reason is not None:
        return reason
    taken = (await _counts(session, event.post_id)).get(task.id or 0, 0)
    return event_access.TASK_FULL if taken >= task.places else None


async def _is_going(session: AsyncSession, post_id: int, account_id: int) -> bool:
    answer = await participation.answer_of(session, post_id, account_id)
    return answer is not None and answer.status == ParticipationStatus.GOING


async def _task(session: AsyncSession, post_id: int, task_id: int) -> EventTask:
    """A task of this activity; NotFound for a task of another (a tampered form)."""
    task = await session.get(EventTask, task_id)
    if task is None or task.post_id != post_id:
        raise NotFound(task_id)
    return task


async def _tasks(session: AsyncSession, post_id: int) -> list[EventTask]:
    query = (
        select(EventTask)
        .where(col(EventTask.post_id) == post_id)
        .order_by(col(EventTask.position), col(EventTask.id))
    )
    return list((await session.exec(query)).all())


async def _counts(session: AsyncSession, post_id: int) -> dict[int, int]:
    query = (
        select(TaskVolunteer.task_id, func.count())
        .join(EventTask, col(EventTask.id) == col(TaskVolunteer.task_id))
        .where(col(EventTask.post_id) == post_id)
        .group_by(col(TaskVolunteer.task_id))
    )
    return {task_id: count for task_id, count in (await session.exec(query)).all()}
