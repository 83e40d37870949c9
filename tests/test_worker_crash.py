"""`kill -9` of a `buurtnet worker` in the middle of a delivery loses nothing: the job stays, and
once its lease has run out, unrenewed, another worker delivers it. A real process, a real signal,
a real receiver on loopback, and real time: the successor's lease is a second, not a minute."""

import asyncio
import os
import signal
import subprocess
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from buurtnet.app import job_registry, media_storage
from buurtnet.db import Database
from buurtnet.federation import delivery, keys
from buurtnet.federation.context import make_federation
from buurtnet.job_queue import Worker
from buurtnet.models import Job, JobStatus
from tests.conftest import make_settings
from tests.kit.waiting import wait_until
from tests.test_cli import COMMAND, clean_env

ACTOR = "http://127.0.0.1:8000/users/anna"
ACTIVITY = {"id": ACTOR + "#likes/1-1", "type": "Like", "actor": ACTOR, "object": "x"}


class Receiver:
    """An inbox on loopback that hangs (the worker is killed meanwhile) until told to answer."""

    def __init__(self) -> None:
        self.arrived = asyncio.Event()
        self.answering = False
        self.delivered = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            self.arrived.set()
            if not self.answering:
                await reader.read()  # until the killed worker's socket is closed by its kernel
                return
            self.delivered += 1
            writer.write(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            await writer.drain()
        finally:
            writer.close()  # else the socket is left for a later test's garbage collection


async def test_a_killed_worker_loses_no_delivery(database_url: str, tmp_path: Path) -> None:
    receiver = Receiver()
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    database = Database(database_url)
    async with database.transaction() as session:
        delivery.deliver_later(
            session, keys.account_owner(1), ACTIVITY, [f"http://127.0.0.1:{port}/inbox"]
        )
    plain_url = database_url.replace("+aiosqlite", "").replace("+asyncpg", "")
    env = clean_env(
        tmp_path,
        BUURTNET_DATABASE_URL=plain_url,
        BUURTNET_ALLOW_PRIVATE_NETWORKS="true",
        BUURTNET_SECRET_KEY="k" * 48,
    )
    worker = await asyncio.create_subprocess_exec(
        *COMMAND, "worker", env=env, stderr=subprocess.DEVNULL
    )
    try:
        await asyncio.wait_for(receiver.arrived.wait(), timeout=30)
    finally:
        os.kill(worker.pid, signal.SIGKILL)  # kill -9: no chance to tidy up
        await worker.wait()
    async with database.reading() as session:
        [job] = (await session.exec(select(Job))).all()
    assert job.status == JobStatus.RUNNING and receiver.delivered == 0
    receiver.answering = True
    settings = make_settings(database_url, tmp_path, allow_private_networks=True)
    federation = make_federation(settings, database)
    registry = job_registry(media_storage(settings), federation)
    try:
        await Worker(database, registry).run_until_empty()
        assert receiver.delivered == 0  # a minute's lease: the dead worker's claim still holds
        successor = Worker(database, registry, lease=timedelta(seconds=1))

        async def delivered_once_the_claim_is_a_second_old() -> bool:
            await successor.run_until_empty()
            return receiver.delivered > 0

        await wait_until(delivered_once_the_claim_is_a_second_old, within=10, every=0.1)
        async with database.reading() as session:
            left = (await session.exec(select(Job))).all()
    finally:
        await federation.aclose()
        server.close()
        await database.dispose()
    assert receiver.delivered == 1
    assert left == []
