"""The durable work queue.

`enqueue` adds a job inside the caller's transaction (the outbox pattern): the change and the work
it causes are committed together, so a crash can delay work but never lose it. A `Worker` claims due
jobs (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers can share the table), runs the
registered handler, and on failure retries with exponential back-off until it gives up.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.db import Database
from buurtnet.models import Job, JobStatus, utcnow

log = logging.getLogger(__name__)

Payload = dict[str, Any]
Handler = Callable[[Payload], Awaitable[None]]
PeriodicTask = Callable[[AsyncSession], Awaitable[None]]

MAX_ATTEMPTS = 16  # with the back-off below, about five days of trying
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=12)
STALE_LOCK = timedelta(minutes=10)  # a running job older than this belonged to a worker that died
FINISHED_FAILURES_KEPT = timedelta(days=30)


class PermanentFailure(Exception):
    """Raised by a handler when trying again cannot help (a 410 Gone, a malformed payload)."""


def enqueue(
    session: AsyncSession, name: str, payload: Payload, *, delay: timedelta | None = None
) -> Job:
    job = Job(name=name, payload=json.dumps(payload), run_after=utcnow() + (delay or timedelta()))
    session.add(job)
    return job


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: 30 s, 1 min, 2 min, … capped at 12 hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


@dataclass
class Registry:
    """Job names and the functions that do them; each layer registers its own."""

    handlers: dict[str, Handler] = field(default_factory=dict)
    periodic: list[tuple[timedelta, PeriodicTask]] = field(default_factory=list)

    def register(self, name: str, handler: Handler) -> None:
        if name in self.handlers:
            raise ValueError(f"job {name!r} is registered twice")
        self.handlers[name] = handler

    def every(self, interval: timedelta, task: PeriodicTask) -> None:
        self.periodic.append((interval, task))


class Worker:
    def __init__(
        self,
        database: Database,
        registry: Registry,
        *,
        batch_size: int = 20,
        idle_wait: float = 1.0,
    ) -> None:
        self.database = database
        self.registry = registry
        self.batch_size = batch_size
        self.idle_wait = idle_wait
        self._last_periodic_run: dict[int, datetime] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, sleeping briefly whenever the queue is empty."""
        while not stop.is_set():
            await self.run_periodic_tasks()
            if await self.run_due_jobs() == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.idle_wait)

    async def run_due_jobs(self) -> int:
        jobs = await self.claim()
        for job in jobs:
            await self._run(job)
        return len(jobs)

    async def run_until_empty(self, max_rounds: int = 100) -> None:
        """For tests and the command line: run everything that is due now."""
        for _ in range(max_rounds):
            if await self.run_due_jobs() == 0:
                return

    async def run_periodic_tasks(self) -> None:
        now = utcnow()
        for index, (interval, task) in enumerate(self.registry.periodic):
            last = self._last_periodic_run.get(index)
            if last is None or now - last >= interval:
                self._last_periodic_run[index] = now
                async with self.database.transaction() as session:
                    await task(session)

    async def claim(self) -> list[Job]:
        """Take due jobs (and those of dead workers) for this worker, marking them running."""
        now = utcnow()
        async with self.database.transaction() as session:
            due = (
                select(Job)
                .where(
                    or_(
                        (col(Job.status) == JobStatus.QUEUED) & (col(Job.run_after) <= now),
                        (col(Job.status) == JobStatus.RUNNING)
                        & (col(Job.locked_at) < now - STALE_LOCK),
                    )
                )
                .order_by(col(Job.run_after))
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            jobs = list((await session.exec(due)).all())
            for job in jobs:
                job.status = JobStatus.RUNNING
                job.locked_at = now
                job.attempts += 1
        return jobs

    async def _run(self, job: Job) -> None:
        handler = self.registry.handlers.get(job.name)
        try:
            if handler is None:
                raise PermanentFailure(f"no handler for job {job.name!r}")
            await handler(json.loads(job.payload))
        except PermanentFailure as error:
            await self._give_up(job, str(error))
        except Exception as error:  # a handler's failure must not stop the worker
            log.warning("job %s (%s) failed: %s", job.id, job.name, error, exc_info=True)
            if job.attempts >= MAX_ATTEMPTS:
                await self._give_up(job, repr(error))
            else:
                await self._retry_later(job, repr(error))
        else:
            async with self.database.transaction() as session:
                await session.exec(delete(Job).where(col(Job.id) == job.id))

    async def _retry_later(self, job: Job, error: str) -> None:
        async with self.database.transaction() as session:
            await session.exec(
                update(Job)
                .where(col(Job.id) == job.id)
                .values(
                    status=JobStatus.QUEUED,
                    locked_at=None,
                    run_after=utcnow() + retry_delay(job.attempts),
                    last_error=error[:1000],
                )
            )

    async def _give_up(self, job: Job, error: str) -> None:
        log.warning("job %s (%s) gave up: %s", job.id, job.name, error)
        async with self.database.transaction() as session:
            await session.exec(
                update(Job)
                .where(col(Job.id) == job.id)
                .values(status=JobStatus.FAILED, locked_at=None, last_error=error[:1000])
            )


async def purge_old_failures(session: AsyncSession) -> None:
    await session.exec(
        delete(Job).where(
            col(Job.status) == JobStatus.FAILED,
            col(Job.created_at) < utcnow() - FINISHED_FAILURES_KEPT,
        )
    )
