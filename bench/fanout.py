"""One post to 10,000 followers on 1,000 servers: the time from its commit to the last arrival.

    .venv/bin/python -m bench.fanout [--database-url postgresql://…] [--servers 1000]
        [--followers-per-server 10] [--workers 1 2] [--runs 3]

Without a database URL it uses a fresh SQLite file; on PostgreSQL give an empty database. Every
server is an address of its own on the loopback network (127.0.1.1, 127.0.1.2, …: Linux answers on
all of 127.0.0.0/8), each with its followers and their shared inbox `http://127.0.x.y:PORT/inbox`,
so that the post makes one delivery per server. One receiver process listens on all those
addresses, answers 202 at once and notes when each Create arrives. Per run, Anna writes a public
post through `core.posts.create_post` in one transaction; once it is committed, the given number
of worker processes (`buurtnet.job_queue.Worker` with the app's job registry, as `buurtnet worker`
runs, already started and with Anna's key loaded) work until every server has the Create.
It prints, per run, the seconds from the commit to the first and to the last arrival, the CPU of
the workers, and the worker that sent each delivery job.
"""

import argparse
import asyncio
import dataclasses
import json
import multiprocessing
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path
from queue import Empty

from bench.home_feed import check_machine_is_quiet
from bench.remotes import RemotePerson, add_follows, add_people, prepare
from buurtnet.app import job_registry, media_storage
from buurtnet.config import Settings, normalise_database_url
from buurtnet.core import posts
from buurtnet.db import Database
from buurtnet.federation import keys
from buurtnet.federation.context import make_federation
from buurtnet.federation.fetch import HttpClient, user_agent
from buurtnet.federation.uris import Uris
from buurtnet.job_queue import Handler, Payload, Worker
from buurtnet.models import Account, Visibility

ARRIVAL_TIMEOUT = 120.0
HOSTS_PER_BLOCK = 250  # 127.0.1.1 … 127.0.1.250, then 127.0.2.1 …
Arrival = tuple[float, str, str]  # the time, the address it came to, the activity's id


def addresses(count: int) -> list[str]:
    return [
        f"127.0.{1 + number // HOSTS_PER_BLOCK}.{1 + number % HOSTS_PER_BLOCK}"
        for number in range(count)
    ]


# The receiver: one process, one event loop, listening on every address.


def receive(hosts: list[str], port: int, arrivals: "multiprocessing.Queue[Arrival]") -> None:
    asyncio.run(_receive(hosts, port, arrivals))


async def _receive(hosts: list[str], port: int, arrivals: "multiprocessing.Queue[Arrival]") -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                body = await reader.readexactly(content_length(head))
                activity_id = json.loads(body).get("id", "")
                arrivals.put((time.time(), address, activity_id))
                writer.write(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, hosts, port, reuse_address=True, backlog=1024)
    async with server:
        await server.serve_forever()


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


# The workers: each a process of its own, as `buurtnet worker` runs.


@dataclass(frozen=True)
class WorkerSignals:
    """How the benchmark and one worker process tell each other when to start and stop."""

    ready: Event
    go: Event
    stop: Event
    cpu_seconds: "Synchronized[float]"  # the worker's CPU from go to stop
    jobs: "Synchronized[int]"  # the jobs it ran


@dataclass(frozen=True)
class WorkerOptions:
    """What the benchmark may change from `buurtnet worker`, to try a proposal."""

    batch_size: int  # jobs claimed at once (the Worker's default is 20)
    keep_alive: int | None  # idle connections the HTTP client keeps (its default is 50)


def work(
    settings: Settings, key_owner: str, options: WorkerOptions, signals: WorkerSignals
) -> None:
    asyncio.run(_work(settings, key_owner, options, signals))


async def _work(
    settings: Settings, key_owner: str, options: WorkerOptions, signals: WorkerSignals
) -> None:
    database = Database(settings.database_url)
    federation = make_federation(settings, database)
    if options.keep_alive is not None:
        await federation.client.aclose()
        client = HttpClient(
            user_agent=user_agent(settings.base_url),
            allow_private_networks=True,
            max_keepalive_connections=options.keep_alive,
        )
        federation = dataclasses.replace(federation, client=client)
    registry = job_registry(media_storage(settings), federation)
    for name, handler in registry.handlers.items():
        registry.handlers[name] = counted(handler, signals.jobs)
    await federation.keys.private_key(key_owner)  # loaded, as in a worker that has run a while
    await database.ping()
    signals.ready.set()
    await asyncio.to_thread(signals.go.wait)
    started = time.process_time()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    threading.Thread(
        target=lambda: (signals.stop.wait(), loop.call_soon_threadsafe(stopping.set))
    ).start()
    await Worker(database, registry, batch_size=options.batch_size).run(stopping)
    signals.cpu_seconds.value = time.process_time() - started
    await federation.aclose()
    await database.dispose()


def counted(handler: Handler, jobs: "Synchronized[int]") -> Handler:
    async def run(payload: Payload) -> None:
        await handler(payload)
        jobs.value += 1

    return run


# The benchmark.


@dataclass(frozen=True)
class Result:
    workers: int
    first: float
    last: float
    arrived: int
    servers: int
    worker_cpu: float  # seconds, all workers, from the commit until they stopped
    jobs: list[int]  # per worker

    def row(self, database: str) -> str:
        jobs = " + ".join(str(count) for count in self.jobs)
        return (
            f"| {database} | {self.workers} | {self.arrived:,} / {self.servers:,} "
            f"| {self.first:.2f} | {self.last:.2f} | {self.worker_cpu:.2f} | {jobs} |"
        )


TABLE_HEADER = (
    "| database | workers | servers reached | first arrival s | last arrival s "
    "| worker CPU s | jobs per worker |\n|---|---:|---:|---:|---:|---:|---:|"
)


async def set_up(url: str, hosts: list[str], port: int, per_server: int) -> tuple[Account, str]:
    """10 followers (by default) of Anna on each server; Anna and her key's owner."""
    database, resident = await prepare(url)
    followers = [
        RemotePerson(f"http://{host}:{port}", f"f{number}")
        for host in hosts
        for number in range(per_server)
    ]
    ids = await add_people(database, followers)
    assert resident.id is not None
    await add_follows(database, [(follower, resident.id) for follower in ids])
    owner = keys.account_owner(resident.id)
    await keys.KeyRing(database).private_key(owner)  # made once, as for any resident
    await database.dispose()
    return resident, owner


async def write_post(url: str, author: Account, number: int) -> tuple[float, int]:
    """A public post by Anna; when its transaction committed (time.time()), and its id."""
    database = Database(url)
    draft = posts.Draft(
        f"Bericht {number} aan iedereen die mij volgt", visibility=Visibility.PUBLIC
    )
    async with database.transaction() as session:
        post = await posts.create_post(session, author, draft)
    committed = time.time()
    await database.dispose()
    assert post.id is not None
    return committed, post.id


def collect(
    arrivals: "multiprocessing.Queue[Arrival]", create_id: str, servers: int
) -> list[Arrival]:
    """The arrivals of the post's Create, one per server, until all are in or time is up."""
    seen: dict[str, Arrival] = {}
    deadline = time.monotonic() + ARRIVAL_TIMEOUT
    while len(seen) < servers and time.monotonic() < deadline:
        try:
            arrival = arrivals.get(timeout=1.0)
        except Empty:
            continue
        if arrival[2] == create_id:
            seen.setdefault(arrival[1], arrival)
    return list(seen.values())


def measure(
    settings: Settings,
    author: Account,
    owner: str,
    arguments: argparse.Namespace,
    arrivals: "multiprocessing.Queue[Arrival]",
    workers: int,
    number: int,
) -> Result:
    context = multiprocessing.get_context("spawn")
    go, stop = context.Event(), context.Event()
    signals = [
        WorkerSignals(context.Event(), go, stop, context.Value("d", 0.0), context.Value("i", 0))
        for _ in range(workers)
    ]
    options = WorkerOptions(arguments.batch_size, arguments.keep_alive)
    processes = [
        context.Process(target=work, args=(settings, owner, options, signal)) for signal in signals
    ]
    for process in processes:
        process.start()
    for signal in signals:
        signal.ready.wait(timeout=60)
    check_machine_is_quiet()
    committed, post_id = asyncio.run(write_post(settings.database_url, author, number))
    go.set()
    create_id = Uris.for_base(settings.base_url).post_activity(author.username, post_id)
    got = collect(arrivals, create_id, arguments.servers)
    stop.set()
    for process in processes:
        process.join(timeout=60)
    times = sorted(arrival[0] - committed for arrival in got)
    return Result(
        workers=workers,
        first=times[0] if times else float("nan"),
        last=times[-1] if times else float("nan"),
        arrived=len(got),
        servers=arguments.servers,
        worker_cpu=sum(signal.cpu_seconds.value for signal in signals),
        jobs=[signal.jobs.value for signal in signals],
    )


def run(arguments: argparse.Namespace, url: str) -> None:
    hosts = addresses(arguments.servers)
    author, owner = asyncio.run(set_up(url, hosts, arguments.port, arguments.followers_per_server))
    settings = Settings(
        database_url=url,
        base_url="http://127.0.0.1:8000",
        secret_key="benchmark-" + "k" * 40,
        data_dir=Path(tempfile.mkdtemp(prefix="buurtnet-bench-")),
        allow_private_networks=True,
        embedded_worker=False,
    )
    context = multiprocessing.get_context("spawn")
    arrivals: multiprocessing.Queue[Arrival] = context.Queue()
    receiver = context.Process(target=receive, args=(hosts, arguments.port, arrivals))
    receiver.start()
    database = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    rows = [TABLE_HEADER]
    try:
        time.sleep(2)  # the receiver opens its 1,000 listening sockets
        number = 0
        for workers in arguments.workers:
            lasts = []
            for _ in range(arguments.runs):
                number += 1
                result = measure(settings, author, owner, arguments, arrivals, workers, number)
                rows.append(result.row(database))
                lasts.append(result.last)
                print(rows[-1], flush=True)
            print(
                f"{workers} worker(s): median of the last arrivals {statistics.median(lasts):.2f} s"
            )
        print("\n".join(rows))
    finally:
        receiver.terminate()
        receiver.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--followers-per-server", type=int, default=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--batch-size", type=int, default=20, help="jobs a worker claims at once")
    parser.add_argument("--keep-alive", type=int, help="idle HTTP connections a worker keeps")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8790)
    arguments = parser.parse_args()
    url = arguments.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    run(arguments, normalise_database_url(url))


if __name__ == "__main__":
    main()
