"""A worker's claim on one batch of jobs: one stamp for all of them, renewed together.

A claim stamps `locked_at`, the same for every job of the batch. While the worker runs the batch
it renews that stamp for all the jobs it still holds in one UPDATE, so a claim stays fresh as
long as its worker lives, however long the jobs take, and one not renewed for a short time
belonged to a worker that died.

`still_ours` compares the stamp, so the stamp a job has in memory must change together with its
row. Every write with that condition (renewing, retrying, giving up) therefore holds the lease's
lock from its UPDATE until the stamps in memory match the rows again: without it a retry could
compare the old stamp just after a renewal changed the row, and take its own job for one that
another worker took over.
"""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import col

from buurtnet.db import Database
from buurtnet.models import Job, JobStatus, utcnow

log = logging.getLogger(__name__)


class Lease:
    """The jobs of one claim that this worker still holds: running, or done and not yet removed."""

    def __init__(self, database: Database, jobs: Sequence[Job]) -> None:
        stamps = {job.locked_at for job in jobs}
        assert len(stamps) == 1, "the jobs of one claim share its stamp"
        self.database = database
        self.held = {job.id: job for job in jobs if job.id is not None}
        self._stamp = stamps.pop()
        self._lock = asyncio.Lock()

    def holds(self, job: Job) -> bool:
        return job.id in self.held

    async def renew(self) -> None:
        """Stamp every job still held afresh, in one UPDATE. A job whose row no longer carries
        the stamp was claimed by another worker (this one froze, or could not renew): it is held
        no more, and this worker leaves its bookkeeping to the other."""
        async with self._lock:
            if not self.held:
                return
            now = utcnow()
            async with self.database.transaction() as session:
                renewed = await session.exec(
                    update(Job)
                    .where(
                        col(Job.id).in_(list(self.held)),
                        col(Job.status) == JobStatus.RUNNING,
                        col(Job.locked_at) == self._stamp,
                    )
                    .values(locked_at=now)
                    .returning(col(Job.id))
                )
                kept = set(renewed.scalars().all())
            self._stamp = now
            for job_id, job in list(self.held.items()):
                if job_id in kept:
                    job.locked_at = now
                else:
                    log.info("job %s (%s) was taken over by another worker", job_id, job.name)
                    del self.held[job_id]

    async def settle(self, job: Job, values: dict[str, Any]) -> None:
        """Write a job's next state (queued again, or failed) if it is still ours, and stop
        renewing it. An error leaves it held: it comes back when the lease ends."""
        async with self._lock:
            if job.id is None or not self.holds(job):
                return  # taken over, as a renewal found
            async with self.database.transaction() as session:
                await session.exec(update(Job).where(still_ours(job)).values(values))
            del self.held[job.id]


def still_ours(job: Job) -> ColumnElement[bool]:
    """The job's row as long as nobody has claimed it since this worker did."""
    return and_(
        col(Job.id) == job.id,
        col(Job.status) == JobStatus.RUNNING,
        col(Job.locked_at) == job.locked_at,
    )
