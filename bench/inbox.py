"""Signed `Create(Note)` activities accepted and processed per second by one server process.

    .venv/bin/python -m bench.inbox [--database-url postgresql://…] [--activities 5000]
        [--actors 100] [--concurrency 32] [--runs 3]

Without a database URL it uses a fresh SQLite file; on PostgreSQL give an empty database. The
benchmark migrates it, creates the demo neighbourhood, and writes `--actors` people on ten other
servers, with their keys, whom Anna follows (so the inbox finds each key by its id and no key is
fetched, and every post concerns someone here). It signs every activity before the clock starts:
signing is the sender's cost. One uvicorn process serves `create_app` with its embedded worker and
no flood limit, as `buurtnet serve` runs; the load comes from this process, `--concurrency`
keep-alive connections that write the pre-signed requests and read the answers with plain
asyncio streams (httpx would take more of this 2-core machine than the server does).

Per run it prints the activities accepted per second (202 answers over the time from the first
request to the last answer), processed per second (until no job is left and every post is
stored), the server's time per request and the CPU of the server, of this process and of the rest
of the machine (PostgreSQL), in per cent of one core.
"""

import argparse
import asyncio
import json
import multiprocessing
import resource
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlmodel import col

from bench.home_feed import busy_cpu_seconds, check_machine_is_quiet, serve, wait_until_up
from bench.remotes import RemotePerson, add_follows, add_people, prepare
from bench.timing import RESET_PATH, TIMINGS_PATH
from buurtnet.config import Settings, normalise_database_url
from buurtnet.db import Database
from buurtnet.federation import signatures
from buurtnet.models import Job, JobStatus, Post

SERVERS = 10
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
WARM_UP = 300
POLL_SECONDS = 0.1
PROGRESS_SECONDS = 2.0
PROCESS_TIMEOUT = 600.0


@dataclass(frozen=True)
class Result:
    activities: int
    accept_seconds: float
    process_seconds: float
    jobs_left_at_last_answer: int
    statuses: Counter[int]
    server_seconds: list[float]
    server_cpu: float
    client_cpu: float
    machine_cpu: float

    def row(self, database: str) -> str:
        median = statistics.median(self.server_seconds) * 1000
        p99 = statistics.quantiles(self.server_seconds, n=100)[98] * 1000
        wall = self.process_seconds
        other = self.machine_cpu - self.server_cpu - self.client_cpu
        cpu = " | ".join(
            f"{100 * seconds / wall:.0f}%" for seconds in (self.server_cpu, self.client_cpu, other)
        )
        return (
            f"| {database} | {self.activities:,} | {self.accepted / self.accept_seconds:.0f} "
            f"| {self.activities / self.process_seconds:.0f} | {self.jobs_left_at_last_answer:,} "
            f"| {self.drained:.0f} "
            f"| {median:.1f} | {p99:.1f} | {cpu} |"
        )

    @property
    def accepted(self) -> int:
        return self.statuses[202]

    @property
    def drained(self) -> float:
        """Jobs per second that the worker did alone, after the last answer."""
        alone = self.process_seconds - self.accept_seconds
        return self.jobs_left_at_last_answer / alone if alone > 0 else float("nan")


TABLE_HEADER = (
    "| database | activities | accepted/s | processed/s | jobs left at last 202 | then done/s "
    "| median ms | p99 ms | server CPU | client CPU | other CPU |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def people(count: int) -> list[RemotePerson]:
    return [
        RemotePerson(f"https://remote{number % SERVERS}.example", f"p{number}")
        for number in range(count)
    ]


def create_note(person: RemotePerson, label: str) -> bytes:
    """A public post, as Mastodon sends it: a Create with the Note embedded."""
    note_id = f"{person.actor_uri}/statuses/{label}"
    note = {
        "id": note_id,
        "type": "Note",
        "attributedTo": person.actor_uri,
        "content": f"<p>Goedemorgen buren, bericht {label}</p>",
        "published": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "to": [PUBLIC],
        "cc": [person.actor_uri + "/followers"],
    }
    create = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": note_id + "/activity",
        "type": "Create",
        "actor": person.actor_uri,
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }
    return json.dumps(create).encode()


def signed_requests(
    senders: list[RemotePerson], key: signatures.PrivateKey, base_url: str, label: str, count: int
) -> list[bytes]:
    """`count` distinct activities as whole HTTP/1.1 requests, signed now."""
    url = base_url + "/inbox"
    requests = []
    for number in range(count):
        person = senders[number % len(senders)]
        body = create_note(person, f"{label}-{number}")
        now = datetime.now(UTC)
        headers = signatures.sign_request("POST", url, body, person.key_id, key, now)
        headers |= {"Content-Type": "application/activity+json", "Content-Length": str(len(body))}
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        requests.append(f"POST /inbox HTTP/1.1\r\n{head}\r\n".encode() + body)
    return requests


async def send_all(host: str, port: int, requests: Iterator[bytes], statuses: Counter[int]) -> None:
    """One keep-alive connection: write a request, read its answer, until none are left."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for request in requests:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *lines = head.decode("latin-1").split("\r\n")
            length = 0
            for line in lines:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            statuses[int(status_line.split()[1])] += 1
    finally:
        writer.close()


class Queue:
    """How far the server's embedded worker has come, read from the database."""

    def __init__(self, url: str) -> None:
        self.database = Database(url)

    async def counts(self) -> tuple[int, int, int]:
        """Jobs still to do, jobs given up, and posts from elsewhere."""
        jobs = sa.select(col(Job.status), sa.func.count()).group_by(col(Job.status))
        posts = sa.select(sa.func.count()).select_from(Post).where(col(Post.uri).is_not(None))
        async with self.database.engine.connect() as connection:
            by_status = {status: count for status, count in await connection.execute(jobs)}
            stored = (await connection.execute(posts)).scalar_one()
        waiting = by_status.get(JobStatus.QUEUED, 0) + by_status.get(JobStatus.RUNNING, 0)
        return waiting, by_status.get(JobStatus.FAILED, 0), stored


async def send_and_wait(
    requests: list[bytes], port: int, concurrency: int, queue: Queue, expected_posts: int
) -> tuple[float, float, int, Counter[int]]:
    """Send every request; the seconds until the last answer and until all is processed, the
    jobs left at the last answer, and the statuses."""
    statuses: Counter[int] = Counter()
    shared = iter(requests)
    started = time.perf_counter()
    senders = [send_all("127.0.0.1", port, shared, statuses) for _ in range(concurrency)]
    sending = asyncio.gather(*senders)
    last_progress = started
    while not sending.done():
        await asyncio.sleep(POLL_SECONDS)
        if time.perf_counter() - last_progress >= PROGRESS_SECONDS:
            last_progress = time.perf_counter()
            waiting, _, stored = await queue.counts()
            print(
                f"  {last_progress - started:5.1f} s: {sum(statuses.values()):,} answered, "
                f"{waiting:,} jobs waiting, {stored:,} posts",
                flush=True,
            )
    await sending
    accept_seconds = time.perf_counter() - started
    waiting, failed, stored = await queue.counts()
    left = waiting
    while waiting or stored < expected_posts:
        if time.perf_counter() - started > PROCESS_TIMEOUT:
            raise SystemExit(f"not processed within {PROCESS_TIMEOUT:.0f} s")
        if not waiting and failed:
            raise SystemExit(f"{failed} jobs failed; {stored:,} of {expected_posts:,} posts")
        await asyncio.sleep(POLL_SECONDS)
        waiting, failed, stored = await queue.counts()
        if time.perf_counter() - last_progress >= PROGRESS_SECONDS:
            last_progress = time.perf_counter()
            print(f"  {last_progress - started:5.1f} s: {waiting:,} jobs waiting, {stored:,} posts")
    return accept_seconds, time.perf_counter() - started, left, statuses


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(
    requests: list[bytes], arguments: argparse.Namespace, queue: Queue, expected_posts: int
) -> Result:
    base_url = f"http://127.0.0.1:{arguments.port}"
    async with httpx.AsyncClient(base_url=base_url) as client:
        (await client.get(RESET_PATH)).raise_for_status()
        machine_before, client_before = busy_cpu_seconds(), process_cpu_seconds()
        accept, process, left, statuses = await send_and_wait(
            requests, arguments.port, arguments.concurrency, queue, expected_posts
        )
        machine_cpu = busy_cpu_seconds() - machine_before
        client_cpu = process_cpu_seconds() - client_before
        report = (await client.get(TIMINGS_PATH)).json()
    if statuses.keys() - {202}:
        print(f"  statuses: {dict(statuses)}")
    return Result(
        activities=len(requests),
        accept_seconds=accept,
        process_seconds=process,
        jobs_left_at_last_answer=left,
        statuses=statuses,
        server_seconds=report["seconds"],
        server_cpu=report["cpu_seconds"],
        client_cpu=client_cpu,
        machine_cpu=machine_cpu,
    )


async def set_up(url: str, actors: int) -> tuple[list[RemotePerson], signatures.PrivateKey]:
    """The database, with Anna following the senders; the senders and their (shared) key."""
    private_pem, public_pem = signatures.generate_key_pair()
    senders = people(actors)
    database, resident = await prepare(url)
    ids = await add_people(database, senders, public_pem)
    assert resident.id is not None
    await add_follows(database, [(resident.id, followed) for followed in ids])
    await database.dispose()
    return senders, signatures.load_private_key(private_pem)


async def run(arguments: argparse.Namespace, url: str) -> None:
    senders, key = await set_up(url, arguments.actors)
    base_url = f"http://127.0.0.1:{arguments.port}"
    settings = Settings(
        database_url=url,
        base_url=base_url,
        secret_key="benchmark-" + "k" * 40,
        data_dir=Path(tempfile.mkdtemp(prefix="buurtnet-bench-")),
        embedded_worker=True,
        inbox_limit=0,
    )
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(settings, arguments.port)
    )
    server.start()
    queue = Queue(url)
    database = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    try:
        wait_until_up(base_url)
        print(f"server process {server.pid} (for py-spy: py-spy record -p {server.pid})")
        expected = WARM_UP
        warm_up = signed_requests(senders, key, base_url, "warm-up", WARM_UP)
        await send_and_wait(warm_up, arguments.port, arguments.concurrency, queue, expected)
        rows = [TABLE_HEADER]
        for number in range(1, arguments.runs + 1):
            started = time.perf_counter()
            requests = signed_requests(senders, key, base_url, f"run{number}", arguments.activities)
            signing = time.perf_counter() - started
            print(f"run {number}: {len(requests):,} signed in {signing:.1f} s")
            check_machine_is_quiet()
            expected += len(requests)
            rows.append((await measure(requests, arguments, queue, expected)).row(database))
            print(rows[-1], flush=True)
        print("\n".join(rows))
    finally:
        await queue.database.dispose()
        server.terminate()
        server.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--activities", type=int, default=5000)
    parser.add_argument("--actors", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8766)
    arguments = parser.parse_args()
    url = arguments.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    asyncio.run(run(arguments, normalise_database_url(url)))


if __name__ == "__main__":
    main()
