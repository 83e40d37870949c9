"""The durable work queue.

`enqueue` adds a job inside the caller's transaction (the outbox pattern): the change and the work
it causes are committed together, so a crash can delay work but never lose it. A `Worker` claims due
jobs, runs the registered handler, and on failure retries with exponential back-off until it gives
up.

A claim is a lease (`leases`). `claim` takes a batch of due jobs in one transaction (`FOR UPDATE
SKIP LOCKED` on PostgreSQL, so several workers share the table; on SQLite `BEGIN IMMEDIATE` lets
one claim at a time), marks them running and stamps `locked_at`. While the batch runs, the worker
renews that stamp for all its jobs in one UPDATE every quarter of `STALE_LOCK`; a running job
stamped longer than `STALE_LOCK` ago therefore belonged to a worker that died (`kill -9`, a lost
machine), and any worker may claim it again: a minute later, not after the longest a job may
take. Each job gets `JOB_TIME_LIMIT`, so a hung handler cannot keep its claim forever. The jobs of
a batch start side by side, right after their claim; their waits on other servers and on the
database overlap. Jobs that must keep their order (a name registered with `ordered_by`: one
sender's activities) run one after another instead, and before each after the first the lease is
renewed at once: a job no longer held (another worker took it over while this one was frozen)
is not started, nor the rest of its group. The finished jobs of a batch are removed in one
statement, and renewed until then. Retrying and giving up carry the lease as a condition
(`leases.still_ours`), so a worker that lost its lease all the same (a frozen process) cannot
put a job back under its new worker's feet. Per job that is a share of the batch's claim, of its
renewals and of its removal.

The loop outlives a database that is briefly away: a `SQLAlchemyError` or `OSError` is logged and
the worker waits 1 s, 2 s, 4 s, … up to a minute before it tries again. A renewal that fails is
logged and tried at the next beat; jobs whose claim could not be renewed come back after
`STALE_LOCK`.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.db import Database
from buurtnet.leases import Lease
from buurtnet.models import Job, JobStatus, utcnow

log = logging.getLogger(__name__)

Payload = dict[str, Any]
Handler = Callable[[Payload], Awaitable[None]]
PeriodicTask = Callable[[AsyncSession], Awaitable[None]]
OrderKey = Callable[[Payload], object]

# 23 waits of 30 s, 1 min, 2 min, … and then 12 hours: 6.7 days of trying. Mastodon gives up one
# delivery after about 2.5 days but marks a server unavailable only after failures on 7 different
# days; a neighbourhood's server at home may be off for a long weekend, so we try for about a week.
MAX_ATTEMPTS = 24
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=12)
STALE_LOCK = timedelta(minutes=1)  # a claim not renewed for this long belonged to a dead worker
RENEWALS_PER_LEASE = 4  # every 15 s: a claim outlives a few slow or failed renewals
JOB_TIME_LIMIT = timedelta(minutes=5)  # may exceed STALE_LOCK: a running job's claim is renewed
FIRST_ERROR_PAUSE = 1.0  # seconds after a database error; doubled for each one in a row
LONGEST_ERROR_PAUSE = 60.0
FINISHED_FAILURES_KEPT = timedelta(days=30)


class PermanentFailure(Exception):
    """Raised by a handler when trying again cannot help (a 410 Gone, a malformed payload)."""


def enqueue(
    session: AsyncSession, name: str, payload: Payload, *, delay: timedelta | None = None
) -> Job:
    job = Job(name=name, payload=json.dumps(payload), run_after=utcnow() + (delay or timedelta()))
    session.add(job)
    return job


async def enqueue_at_once(session: AsyncSession, name: str, payloads: Sequence[Payload]) -> None:
    """`enqueue` for many payloads as one prepared INSERT, without the ORM's bookkeeping: for
    the inbox, which enqueues a job for most activities that reach it."""
    if not payloads:
        return
    now = utcnow()
    rows = [{"name": name, "payload": json.dumps(payload), "now": now} for payload in payloads]
    connection = await session.connection()
    await connection.execute(_INSERT_JOB, rows)


_INSERT_JOB = insert(Job).values(
    name=bindparam("name"),
    payload=bindparam("payload"),
    run_after=bindparam("now"),
    created_at=bindparam("now"),
    status=JobStatus.QUEUED,
    attempts=0,
    last_error="",
)


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: 30 s, 1 min, 2 min, … capped at 12 hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def error_pause(errors_in_a_row: int, *, first: float = FIRST_ERROR_PAUSE) -> float:
    """Seconds to wait after database errors: 1, 2, 4, … capped at a minute."""
    return min(first * 2 ** max(errors_in_a_row - 1, 0), LONGEST_ERROR_PAUSE)


def _describe_error(error: SQLAlchemyError | OSError) -> str:
    """The kind of error and the driver's message, without the SQL and its parameters."""
    if isinstance(error, DBAPIError):
        first_line = str(error.orig).partition("\n")[0]
        return f"{type(error).__name__}: {first_line}"
    if isinstance(error, SQLAlchemyError):
        return type(error).__name__
    return f"{type(error).__name__}: {error}"


@dataclass
class Registry:
    """Job names and the functions that do them; each layer registers its own."""

    handlers: dict[str, Handler] = field(default_factory=dict)
    periodic: list[tuple[timedelta, PeriodicTask]] = field(default_factory=list)
    # Jobs of a name with the same key run one after another, in the order they were queued
    # (an activity's Undo after the activity); all others side by side.
    ordered_by: dict[str, OrderKey] = field(default_factory=dict)
    # Jobs whose payload should not outlive them (a mail with a reset link): emptied when they
    # are given up, instead of kept with the failure for `FINISHED_FAILURES_KEPT`.
    private: set[str] = field(default_factory=set)

    def register(
        self,
        name: str,
        handler: Handler,
        *,
        ordered_by: OrderKey | None = None,
        private: bool = False,
    ) -> None:
        if name in self.handlers:
            raise ValueError(f"job {name!r} is registered twice")
        self.handlers[name] = handler
        if ordered_by is not None:
            self.ordered_by[name] = ordered_by
        if private:
            self.private.add(name)

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
        error_wait: float = FIRST_ERROR_PAUSE,
        time_limit: timedelta = JOB_TIME_LIMIT,
        lease: timedelta = STALE_LOCK,
    ) -> None:
        self.database = database
        self.registry = registry
        self.batch_size = batch_size
        self.idle_wait = idle_wait
        self.error_wait = error_wait
        self.time_limit = time_limit
        self.lease = lease  # shorter in tests; every worker of a site uses the same
        self._last_periodic_run: dict[int, datetime] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; pause when the queue is empty, and longer after errors."""
        errors_in_a_row = 0
        while not stop.is_set():
            try:
                await self.run_periodic_tasks()
                done = await self.run_due_jobs()
            except (SQLAlchemyError, OSError) as error:
                errors_in_a_row += 1
                pause = error_pause(errors_in_a_row, first=self.error_wait)
                log.error("job worker: %s; trying again in %g s", _describe_error(error), pause)
                await _wait_for(stop, pause)
            else:
                errors_in_a_row = 0
                if done == 0:
                    await _wait_for(stop, self.idle_wait)

    async def run_due_jobs(self) -> int:
        """Claim a batch and run it, its groups side by side; return how many were claimed."""
        jobs = await self.claim()
        if not jobs:
            return 0
        lease = Lease(self.database, jobs)
        stop_renewing = asyncio.Event()
        renewing = asyncio.create_task(self._keep_renewing(lease, stop_renewing))
        try:
            groups = self._in_order(jobs)
            finished = await asyncio.gather(*(self._run_group(group, lease) for group in groups))
        finally:
            stop_renewing.set()  # after a renewal under way, not in its midst
            await renewing
        done = [job_id for ids in finished for job_id in ids]
        if done:
            # Even if a claim was lost meanwhile, the work is done: the new worker then skips it.
            async with self.database.transaction() as session:
                await session.exec(delete(Job).where(col(Job.id).in_(done)))
        return len(jobs)

    def _in_order(self, jobs: list[Job]) -> list[list[Job]]:
        """The batch in groups that must run in order (by the name's key); most have one job."""
        groups: dict[object, list[Job]] = {}
        for job in jobs:
            order = self.registry.ordered_by.get(job.name)
            key = (job.name, order(json.loads(job.payload))) if order else job.id
            groups.setdefault(key, []).append(job)
        return list(groups.values())

    async def _run_group(self, group: list[Job], lease: Lease) -> list[int]:
        """The ids of the jobs done. Before each job after the first the lease is renewed: a job
        taken over meanwhile runs elsewhere, and the rest of the group must wait for it."""
        done = []
        for position, job in enumerate(group):
            try:
                if position:
                    await lease.renew()
                if not lease.holds(job):
                    break  # its new worker runs it, and the rest after it
                finished = await self._run(job, lease)
            except (SQLAlchemyError, OSError) as error:
                # The job comes back when the lease ends; the rest must not overtake it.
                log.error("job %s (%s): %s", job.id, job.name, _describe_error(error))
                break
            if finished and job.id is not None:
                done.append(job.id)
        return done

    async def _keep_renewing(self, lease: Lease, stop: asyncio.Event) -> None:
        """Renew the batch's claim while it runs; a failed renewal is tried at the next beat."""
        every = (self.lease / RENEWALS_PER_LEASE).total_seconds()
        while True:
            await _wait_for(stop, every)
            if stop.is_set():
                return
            try:
                await lease.renew()
            except (SQLAlchemyError, OSError) as error:
                log.error("job worker, renewing its claim: %s", _describe_error(error))

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
                async with self.database.transaction() as session:
                    await task(session)
                self._last_periodic_run[index] = now

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
                        & (col(Job.locked_at) < now - self.lease),
                    )
                )
                .order_by(col(Job.run_after), col(Job.id))
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            jobs = list((await session.exec(due)).all())
            for job in jobs:
                job.status = JobStatus.RUNNING
                job.locked_at = now
                job.attempts += 1
        return jobs

    async def _run(self, job: Job, lease: Lease) -> bool:
        """Run one job; True when it is done, else it is set to be retried or given up."""
        handler = self.registry.handlers.get(job.name)
        try:
            if handler is None:
                raise PermanentFailure(f"no handler for job {job.name!r}")
            async with asyncio.timeout(self.time_limit.total_seconds()):
                await handler(json.loads(job.payload))
        except PermanentFailure as error:
            await _give_up(job, lease, str(error), forget=job.name in self.registry.private)
        except Exception as error:  # a handler's failure must not stop the worker
            log.warning("job %s (%s) failed: %s", job.id, job.name, error, exc_info=True)
            if job.attempts >= MAX_ATTEMPTS:
                await _give_up(job, lease, repr(error), forget=job.name in self.registry.private)
            else:
                await _retry_later(job, lease, repr(error))
        else:
            return True
        return False


async def _retry_later(job: Job, lease: Lease, error: str) -> None:
    retry_at = utcnow() + retry_delay(job.attempts)
    await lease.settle(
        job,
        {
            "status": JobStatus.QUEUED,
            "locked_at": None,
            "run_after": retry_at,
            "last_error": error[:1000],
        },
    )


async def _give_up(job: Job, lease: Lease, error: str, *, forget: bool) -> None:
    log.warning("job %s (%s) gave up: %s", job.id, job.name, error)
    failed = {"status": JobStatus.FAILED, "locked_at": None, "last_error": error[:1000]}
    await lease.settle(job, failed | ({"payload": "{}"} if forget else {}))


async def _wait_for(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def purge_old_failures(session: AsyncSession) -> None:
    await session.exec(
        delete(Job).where(
            col(Job.status) == JobStatus.FAILED,
            col(Job.created_at) < utcnow() - FINISHED_FAILURES_KEPT,
        )
    )
