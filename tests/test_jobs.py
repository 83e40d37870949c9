"""The durable queue: jobs run once, failures retry with back-off, dead workers' jobs come back."""

import asyncio
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from buurtnet import jobs
from buurtnet.db import Database
from buurtnet.jobs import PermanentFailure, Registry, Worker
from buurtnet.models import Job, JobStatus, utcnow


class Recorder:
    """A job handler that records its payloads and fails the first `failures` times."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.payloads: list[dict[str, object]] = []
        self.failures = failures
        self.error = error or RuntimeError("remote server down")

    async def __call__(self, payload: dict[str, object]) -> None:
        self.payloads.append(payload)
        if len(self.payloads) <= self.failures:
            raise self.error


async def queued(database: Database) -> list[Job]:
    async with database.reading() as session:
        return list((await session.exec(select(Job))).all())


async def add_job(database: Database, name: str = "greet", **payload: object) -> None:
    async with database.transaction() as session:
        jobs.enqueue(session, name, dict(payload))


def worker_with(database: Database, **handlers: Recorder) -> Worker:
    registry = Registry()
    for name, handler in handlers.items():
        registry.register(name, handler)
    return Worker(database, registry)


async def test_a_job_runs_once_and_is_removed(database: Database) -> None:
    recorder = Recorder()
    await add_job(database, post_id=42)
    await worker_with(database, greet=recorder).run_until_empty()
    assert recorder.payloads == [{"post_id": 42}]
    assert await queued(database) == []


async def test_a_job_is_lost_with_its_rolled_back_transaction(database: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        async with database.transaction() as session:
            jobs.enqueue(session, "greet", {})
            raise ZeroDivisionError
    assert await queued(database) == []


async def test_a_failing_job_is_retried_later_with_back_off(database: Database) -> None:
    recorder = Recorder(failures=1)
    worker = worker_with(database, greet=recorder)
    await add_job(database)
    await worker.run_until_empty()
    [job] = await queued(database)
    assert job.status == JobStatus.QUEUED
    assert job.attempts == 1
    assert "remote server down" in job.last_error
    assert job.run_after > utcnow() + timedelta(seconds=20)
    await worker.run_until_empty()
    assert len(recorder.payloads) == 1  # not due yet

    async with database.transaction() as session:
        stored = await session.get(Job, job.id)
        assert stored is not None
        stored.run_after = utcnow()
    await worker.run_until_empty()
    assert len(recorder.payloads) == 2
    assert await queued(database) == []


def test_back_off_grows_and_is_capped() -> None:
    delays = [jobs.retry_delay(attempt) for attempt in range(1, 20)]
    assert delays[0] == timedelta(seconds=30)
    assert delays[1] == timedelta(minutes=1)
    assert delays == sorted(delays)
    assert delays[-1] == jobs.LONGEST_RETRY


async def test_permanent_failures_and_unknown_jobs_stop_at_once(database: Database) -> None:
    await add_job(database, "gone")
    await add_job(database, "unknown")
    worker = worker_with(database, gone=Recorder(failures=1, error=PermanentFailure("410 Gone")))
    await worker.run_until_empty()
    found = {job.name: job for job in await queued(database)}
    assert found["gone"].status == JobStatus.FAILED
    assert found["gone"].last_error == "410 Gone"
    assert found["unknown"].status == JobStatus.FAILED


async def test_a_job_gives_up_after_the_last_attempt(database: Database) -> None:
    await add_job(database)
    async with database.transaction() as session:
        [job] = (await session.exec(select(Job))).all()
        job.attempts = jobs.MAX_ATTEMPTS - 1
    await worker_with(database, greet=Recorder(failures=1)).run_until_empty()
    [job] = await queued(database)
    assert job.status == JobStatus.FAILED


async def test_the_job_of_a_worker_that_died_is_taken_again(database: Database) -> None:
    """A worker killed mid-job leaves it RUNNING; after the stale-lock time another takes it."""
    await add_job(database, note="survives kill -9")
    async with database.transaction() as session:
        [job] = (await session.exec(select(Job))).all()
        job.status = JobStatus.RUNNING
        job.locked_at = utcnow() - jobs.STALE_LOCK - timedelta(seconds=1)
        job.attempts = 1
    recorder = Recorder()
    await worker_with(database, greet=recorder).run_until_empty()
    assert recorder.payloads == [{"note": "survives kill -9"}]


async def test_a_job_running_elsewhere_is_left_alone(database: Database) -> None:
    await add_job(database)
    async with database.transaction() as session:
        [job] = (await session.exec(select(Job))).all()
        job.status = JobStatus.RUNNING
        job.locked_at = utcnow()
    recorder = Recorder()
    await worker_with(database, greet=recorder).run_until_empty()
    assert recorder.payloads == []


async def test_periodic_tasks_run_on_their_interval(database: Database) -> None:
    runs: list[str] = []

    async def task(_session: object) -> None:
        runs.append("ran")

    registry = Registry()
    registry.every(timedelta(hours=1), task)
    worker = Worker(database, registry)
    await worker.run_periodic_tasks()
    await worker.run_periodic_tasks()
    assert runs == ["ran"]


def test_a_job_name_is_registered_once() -> None:
    registry = Registry()
    registry.register("greet", Recorder())
    with pytest.raises(ValueError, match="twice"):
        registry.register("greet", Recorder())


async def test_payload_is_stored_as_json(database: Database) -> None:
    await add_job(database, text="één")
    [job] = await queued(database)
    assert json.loads(job.payload) == {"text": "één"}


async def test_two_workers_never_take_the_same_job(database: Database) -> None:
    for number in range(10):
        await add_job(database, number=number)
    first, second = (
        Worker(database, Registry(), batch_size=5),
        Worker(database, Registry(), batch_size=5),
    )
    taken = await asyncio.gather(first.claim(), second.claim())
    ids = [job.id for batch in taken for job in batch]
    assert len(ids) == len(set(ids)) == 10
