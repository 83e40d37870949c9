"""The durable queue: jobs run once, failures retry with back-off, dead workers' jobs come back."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from buurtnet import job_queue
from buurtnet.app import create_app
from buurtnet.db import Database
from buurtnet.job_queue import Payload, PermanentFailure, Registry, Worker
from buurtnet.leases import Lease
from buurtnet.models import Job, JobStatus, utcnow
from tests.conftest import counting_statements, make_settings
from tests.kit.waiting import wait_until

SHORT_LEASE = timedelta(seconds=0.4)  # renewed every 0.1 s


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
        job_queue.enqueue(session, name, dict(payload))


def worker_with(
    database: Database,
    *,
    batch_size: int = 20,
    lease: timedelta = job_queue.STALE_LOCK,
    **handlers: Callable[[Payload], Awaitable[None]],
) -> Worker:
    registry = Registry()
    for name, handler in handlers.items():
        registry.register(name, handler)
    return Worker(database, registry, batch_size=batch_size, lease=lease)


async def let_claim_go_stale(database: Database, job_id: int | None) -> None:
    """As if the claim on a job had been made longer ago than STALE_LOCK."""
    async with database.transaction() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        job.locked_at = utcnow() - job_queue.STALE_LOCK - timedelta(seconds=1)


async def test_a_job_runs_once_and_is_removed(database: Database) -> None:
    recorder = Recorder()
    await add_job(database, post_id=42)
    await worker_with(database, greet=recorder).run_until_empty()
    assert recorder.payloads == [{"post_id": 42}]
    assert await queued(database) == []


async def test_a_job_is_lost_with_its_rolled_back_transaction(database: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        async with database.transaction() as session:
            job_queue.enqueue(session, "greet", {})
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
    delays = [job_queue.retry_delay(attempt) for attempt in range(1, 20)]
    assert delays[0] == timedelta(seconds=30)
    assert delays[1] == timedelta(minutes=1)
    assert delays == sorted(delays)
    assert delays[-1] == job_queue.LONGEST_RETRY


def test_back_off_keeps_trying_for_about_a_week() -> None:
    waits = sum(
        (job_queue.retry_delay(attempt) for attempt in range(1, job_queue.MAX_ATTEMPTS)),
        timedelta(),
    )
    assert timedelta(days=6) < waits < timedelta(days=7)


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
        job.attempts = job_queue.MAX_ATTEMPTS - 1
    await worker_with(database, greet=Recorder(failures=1)).run_until_empty()
    [job] = await queued(database)
    assert job.status == JobStatus.FAILED


async def test_the_job_of_a_worker_that_died_is_taken_again(database: Database) -> None:
    """A worker killed mid-job leaves it RUNNING; after the stale-lock time another takes it."""
    await add_job(database, note="survives kill -9")
    async with database.transaction() as session:
        [job] = (await session.exec(select(Job))).all()
        job.status = JobStatus.RUNNING
        job.locked_at = utcnow() - job_queue.STALE_LOCK - timedelta(seconds=1)
        job.attempts = 1
    recorder = Recorder()
    await worker_with(database, greet=recorder).run_until_empty()
    assert recorder.payloads == [{"note": "survives kill -9"}]


async def test_the_job_of_a_worker_that_stopped_renewing_is_taken_after_a_short_lease(
    database: Database,
) -> None:
    assert timedelta(minutes=1) >= job_queue.STALE_LOCK  # what the other servers wait after kill -9
    await add_job(database, note="survives kill -9")
    await worker_with(database, lease=SHORT_LEASE).claim()  # … and then it died, renewing nothing
    recorder = Recorder()
    successor = worker_with(database, lease=SHORT_LEASE, greet=recorder)
    await successor.run_until_empty()
    assert recorder.payloads == []  # still within its lease
    await asyncio.sleep(SHORT_LEASE.total_seconds())
    await successor.run_until_empty()
    assert recorder.payloads == [{"note": "survives kill -9"}]


async def test_a_worker_keeps_the_claim_on_long_jobs_while_it_lives(database: Database) -> None:
    """Jobs several leases long are never taken by another worker: their claim is renewed, all
    of the batch in one statement each time."""
    for number in range(3):
        await add_job(database, number=number)
    other = worker_with(database, lease=SHORT_LEASE)
    taken: list[Job] = []
    runs: list[Payload] = []

    async def long_job(payload: Payload) -> None:
        for _ in range(6):  # three leases
            await asyncio.sleep(0.2)
            taken.extend(await other.claim())
        runs.append(payload)

    worker = worker_with(database, lease=SHORT_LEASE, greet=long_job)
    with counting_statements(database) as statements:
        await worker.run_due_jobs()
    assert taken == []
    assert len(runs) == 3
    assert await queued(database) == []
    renewals = [sql for sql in statements if sql.startswith("UPDATE job SET locked_at")]
    assert 2 <= len(renewals) <= 1.2 / 0.1 + 1  # one per beat, not one per job and beat


async def test_a_renewal_is_one_statement_for_the_jobs_still_held(database: Database) -> None:
    for number in range(5):
        await add_job(database, number=number)
    batch = await Worker(database, Registry(), batch_size=5).claim()
    claimed_at = batch[0].locked_at
    await let_claim_go_stale(database, batch[0].id)
    [taken] = await Worker(database, Registry()).claim()  # another worker took one over
    lease = Lease(database, batch)
    with counting_statements(database) as statements:
        await lease.renew()
    assert len([sql for sql in statements if sql.startswith("UPDATE job")]) == 1
    stored = {job.id: job for job in await queued(database)}
    assert stored[taken.id].locked_at == taken.locked_at  # not renewed by a worker it left
    assert not lease.holds(batch[0])
    renewed = batch[1:]
    assert all(lease.holds(job) for job in renewed)
    [stamp] = {job.locked_at for job in renewed}
    assert all(stored[job.id].locked_at == stamp for job in renewed)  # in memory as in the rows
    assert stamp is not None and claimed_at is not None and stamp > claimed_at


async def test_a_retry_during_a_renewal_finds_its_job_still_claimed(database: Database) -> None:
    """The retry waits for the renewal, and then compares the new stamp. (On PostgreSQL the two
    UPDATEs would otherwise run side by side; SQLite's writers queue anyway.)"""
    await add_job(database)
    batch = await Worker(database, Registry()).claim()
    lease = Lease(database, batch)
    retry = {"status": JobStatus.QUEUED, "locked_at": None}
    await asyncio.gather(lease.renew(), lease.settle(batch[0], retry))
    [job] = await queued(database)
    assert job.status == JobStatus.QUEUED  # not left RUNNING as if another worker had it


async def test_a_job_that_fails_after_renewals_is_retried_as_usual(database: Database) -> None:
    async def fails_late(_payload: Payload) -> None:
        await asyncio.sleep(2 * SHORT_LEASE.total_seconds())
        raise RuntimeError("remote server down")

    await add_job(database)
    await worker_with(database, lease=SHORT_LEASE, greet=fails_late).run_due_jobs()
    [job] = await queued(database)
    assert (job.status, job.locked_at, job.attempts) == (JobStatus.QUEUED, None, 1)


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


async def test_the_jobs_of_a_batch_start_together_right_after_their_claim(
    database: Database,
) -> None:
    """Each waits for the other to have started: one after another, neither would finish. So no
    job of a batch can start after its lease (`STALE_LOCK`) has run out."""
    for number in range(2):
        await add_job(database, number=number)
    started = [asyncio.Event(), asyncio.Event()]
    finished: list[Payload] = []

    async def meet(payload: Payload) -> None:
        mine, other = started[payload["number"]], started[1 - payload["number"]]
        mine.set()
        await asyncio.wait_for(other.wait(), timeout=2)
        finished.append(payload)

    await worker_with(database, batch_size=2, greet=meet).run_due_jobs()
    assert sorted(item["number"] for item in finished) == [0, 1]
    assert await queued(database) == []


async def test_a_job_taken_over_while_it_ran_is_left_to_its_new_worker(database: Database) -> None:
    await add_job(database)
    [job] = await queued(database)
    other_worker = worker_with(database, greet=Recorder())
    taken: list[Job] = []

    async def overtaken(_payload: Payload) -> None:
        await let_claim_go_stale(database, job.id)
        taken.extend(await other_worker.claim())
        raise RuntimeError("remote server down")

    await worker_with(database, greet=overtaken).run_due_jobs()
    [after] = await queued(database)
    assert after.status == JobStatus.RUNNING  # not queued again under the new worker's feet
    assert after.locked_at == taken[0].locked_at


async def test_a_job_that_overruns_its_time_limit_is_retried(database: Database) -> None:
    async def hangs(_payload: Payload) -> None:
        await asyncio.sleep(60)

    registry = Registry()
    registry.register("greet", hangs)
    await add_job(database)
    await Worker(database, registry, time_limit=timedelta(seconds=0.05)).run_due_jobs()
    [job] = await queued(database)
    assert job.status == JobStatus.QUEUED
    assert "TimeoutError" in job.last_error


def test_the_pause_after_database_errors_grows_and_is_capped() -> None:
    pauses = [job_queue.error_pause(errors, first=1.0) for errors in range(1, 10)]
    assert pauses == [1, 2, 4, 8, 16, 32, 60, 60, 60]


async def test_the_worker_outlives_a_database_that_is_briefly_away(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    stop = asyncio.Event()
    housekeeping_runs: list[str] = []

    async def housekeeping(_session: object) -> None:
        housekeeping_runs.append("tried")
        if len(housekeeping_runs) <= 2:
            raise OperationalError(
                "DELETE FROM session WHERE token = ?",
                {"token": "geheim-token"},
                ConnectionRefusedError("connection refused"),
            )

    async def greet(_payload: Payload) -> None:
        stop.set()

    registry = Registry()
    registry.every(timedelta(hours=1), housekeeping)
    registry.register("greet", greet)
    await add_job(database)
    worker = Worker(database, registry, idle_wait=0.01, error_wait=0.01)
    await asyncio.wait_for(worker.run(stop), timeout=5)
    assert housekeeping_runs == ["tried"] * 3  # a failed periodic task is not skipped till later
    assert await queued(database) == []
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 2
    assert "connection refused" in caplog.text
    assert "geheim-token" not in caplog.text


async def test_the_worker_outlives_a_failed_claim(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    stop = asyncio.Event()

    async def greet(_payload: Payload) -> None:
        stop.set()

    worker = worker_with(database, greet=greet)
    worker.idle_wait = worker.error_wait = 0.01
    claim = worker.claim
    failures = [OSError("network unreachable")]

    async def flaky_claim() -> list[Job]:
        if failures:
            raise failures.pop()
        return await claim()

    monkeypatch.setattr(worker, "claim", flaky_claim)
    await add_job(database)
    await asyncio.wait_for(worker.run(stop), timeout=5)
    assert await queued(database) == []
    assert "network unreachable" in caplog.text


async def test_the_app_logs_an_embedded_worker_that_stopped_by_an_error(
    database: Database,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    crashed = asyncio.Event()

    async def crash(_worker: Worker, _stop: asyncio.Event) -> None:
        crashed.set()
        raise RuntimeError("a bug in the worker")

    monkeypatch.setattr(Worker, "run", crash)
    settings = make_settings(database_url, tmp_path, embedded_worker=True)
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app):
        await crashed.wait()
        # Logged by the task's done-callback while the web still runs, not only at shutdown.
        [record] = await wait_until(lambda: caplog.records)
    assert record.levelno == logging.CRITICAL
    assert record.exc_info is not None
    assert "a bug in the worker" in str(record.exc_info[1])


async def test_jobs_with_the_same_order_key_run_in_the_order_queued(database: Database) -> None:
    """One sender's Create and then its Delete: the second may not overtake the first."""
    seen: list[int] = []
    other_sender_done = asyncio.Event()

    async def first_waits_for_the_other_sender(payload: Payload) -> None:
        if payload["number"] == 0:
            async with asyncio.timeout(5):  # the other sender's job ran meanwhile
                await other_sender_done.wait()
        seen.append(payload["number"])
        if payload["sender"] == "b":
            other_sender_done.set()

    registry = Registry()
    registry.register(
        "greet", first_waits_for_the_other_sender, ordered_by=lambda payload: payload["sender"]
    )
    for number in range(3):
        async with database.transaction() as session:
            job_queue.enqueue(
                session, "greet", {"number": number, "sender": "a" if number < 2 else "b"}
            )
    await Worker(database, registry).run_due_jobs()
    # Another sender's job did not wait for them; the same sender's ran in order, though the
    # first took longer.
    assert seen == [2, 0, 1]
    assert await queued(database) == []
