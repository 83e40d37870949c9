"""Real buurtnet instances on loopback, for tests with real peers (Fedify, or a second buurtnet).

`start_instance()` serves the whole app with uvicorn on a free port of 127.0.0.1, in this event
loop, with `allow_private_networks` on so that it may talk to the other peers on loopback. Its
job worker is the one `create_app` embeds, with the same registry, but polling the queue every
50 ms rather than every second, so that a chain of deliveries takes a moment, not seconds.

Every instance needs a database of its own: the first is the test's (conftest's `database_url`),
a second one is made from `tests.kit.databases.second_template` (see test_two_instances).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.app import create_app, job_registry, media_storage
from buurtnet.core import neighbourhoods
from buurtnet.db import Database
from buurtnet.federation.context import Federation
from buurtnet.job_queue import Worker
from buurtnet.models import Account, Neighbourhood, Post
from tests.conftest import log_in, make_settings
from tests.federation.fedify import free_port
from tests.kit.waiting import wait_until

WORKER_IDLE_WAIT = 0.05


@dataclass
class Instance:
    """A running buurtnet: its app, database and address."""

    app: Starlette
    database: Database
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """What follows the `@` in its handles: `127.0.0.1:PORT`."""
        return f"127.0.0.1:{self.port}"

    @property
    def federation(self) -> Federation:
        found: Federation = self.app.state.federation
        return found

    def actor_url(self, username: str) -> str:
        return self.federation.uris.actor(username)

    def group_url(self, slug: str) -> str:
        return self.federation.uris.neighbourhood(slug)

    def post_url(self, username: str, post: Post) -> str:
        """A post's ActivityPub id, as other servers know it."""
        assert post.id is not None
        return self.federation.uris.post(username, post.id)

    def browser(self) -> httpx.AsyncClient:
        """An HTTP client over TCP, with its own cookies, like a browser."""
        return httpx.AsyncClient(base_url=self.base_url, timeout=15)


@asynccontextmanager
async def start_instance(
    database_url: str, data_dir: Path, *, worker_idle_wait: float | None = WORKER_IDLE_WAIT
) -> AsyncIterator[Instance]:
    """Serve buurtnet on a free loopback port until the block ends.

    The job worker polls every `worker_idle_wait` seconds; None runs the app's own embedded
    worker instead, exactly as in production (it polls every second).
    """
    port = free_port()
    settings = make_settings(
        database_url,
        data_dir,
        base_url=f"http://127.0.0.1:{port}",
        allow_private_networks=True,
        embedded_worker=worker_idle_wait is None,
    )
    database = Database(database_url)
    app = create_app(settings, database=database)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    stop = asyncio.Event()
    working: asyncio.Task[None] | None = None
    try:
        await wait_until(lambda: _started(server, serving), within=10)
        if worker_idle_wait is not None:
            registry = job_registry(media_storage(settings), app.state.federation)
            worker = Worker(database, registry, idle_wait=worker_idle_wait)
            working = asyncio.create_task(worker.run(stop))
        yield Instance(app, database, port)
        if working is not None and working.done():
            working.result()  # a worker that crashed fails the test
    finally:
        stop.set()
        if working is not None:
            await asyncio.wait([working])
        server.should_exit = True
        await serving
        await database.dispose()


async def _started(server: uvicorn.Server, serving: asyncio.Task[None]) -> bool:
    if serving.done():
        serving.result()
        raise RuntimeError("the buurtnet instance stopped before it started")
    return server.started


# --- what residents do and see ----------------------------------------------------------------


async def make_neighbourhood(instance: Instance, slug: str, name: str) -> Neighbourhood:
    async with instance.database.transaction() as session:
        return await neighbourhoods.create_neighbourhood(session, slug, name)


async def remote_account(instance: Instance, actor_uri: str) -> Account | None:
    """The account an instance keeps of an actor elsewhere, if it knows one."""
    async with instance.database.reading() as session:
        found = await session.exec(select(Account).where(col(Account.actor_uri) == actor_uri))
        return found.first()


async def post_by_uri(instance: Instance, uri: str) -> Post | None:
    """A post from elsewhere as an instance stored it, by its ActivityPub id."""
    async with instance.database.reading() as session:
        return (await session.exec(select(Post).where(col(Post.uri) == uri))).first()


async def posts_containing(instance: Instance, text: str) -> list[Post]:
    async with instance.database.reading() as session:
        found = await session.exec(select(Post).where(col(Post.source).contains(text)))
        return list(found.all())


@asynccontextmanager
async def logged_in(instance: Instance, username: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser logged in to the instance as the resident."""
    async with instance.browser() as browser:
        await log_in(browser, username)
        yield browser


async def page_text(browser: httpx.AsyncClient, path: str) -> str:
    response = await browser.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.text
