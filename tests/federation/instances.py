"""Real buurtnet instances on loopback, for tests with real peers (Fedify, or a second buurtnet).

`start_instance()` serves the whole app with uvicorn on a free port of 127.0.0.1, in this event
loop, with `allow_private_networks` on so that it may talk to the other peers on loopback. Its
job worker is the one `create_app` embeds, with the same registry, but polling the queue every
50 ms rather than every second, so that a chain of deliveries takes a moment, not seconds.

Every instance needs a database of its own: the first test database (conftest's `database_url`),
and for a second one `second_database_url()`: on SQLite another copy of the migrated template, on
PostgreSQL a database named after the test database with `_b`, migrated once per run.
"""

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import asyncpg
import httpx
import uvicorn
from sqlalchemy import URL, make_url
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.app import create_app, job_registry, media_storage
from buurtnet.core import neighbourhoods
from buurtnet.db import Database
from buurtnet.federation.context import Federation
from buurtnet.job_queue import Worker
from buurtnet.models import Account, Neighbourhood, Post
from tests.conftest import (
    empty_tables,
    log_in,
    make_settings,
    on_postgresql,
    reset_postgresql_schema,
)
from tests.federation.fedify import free_port

T = TypeVar("T")
WAIT_TIMEOUT = 15.0
POLL_EVERY = 0.05
WORKER_IDLE_WAIT = 0.05
SECOND_DATABASE_SUFFIX = "_b"


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


async def wait_until(
    predicate: Callable[[], Awaitable[T | None]], *, within: float = WAIT_TIMEOUT
) -> T:
    """Poll until the predicate gives something true, and return that; fail after `within` s."""
    try:
        async with asyncio.timeout(within):
            while True:
                if found := await predicate():
                    return found
                await asyncio.sleep(POLL_EVERY)
    except TimeoutError:
        name = getattr(predicate, "__name__", repr(predicate))
        raise AssertionError(f"{name}: still not so after {within:g} s") from None


# --- a second database ----------------------------------------------------------------------


def second_template(migrated_template: str) -> str:
    """Once per run: what `second_database_url` copies (SQLite) or empties (PostgreSQL)."""
    if not on_postgresql():
        return migrated_template  # a file: each instance copies it into a folder of its own
    url = make_url(migrated_template)
    assert url.database
    second = url.set(database=url.database + SECOND_DATABASE_SUFFIX)
    asyncio.run(_create_database(url.set(drivername="postgresql"), second.database or ""))
    rendered = second.render_as_string(hide_password=False)
    asyncio.run(reset_postgresql_schema(rendered))
    return rendered


def second_database_url(template: str, folder: Path) -> str:
    """A second database at the newest migration, empty of rows."""
    if on_postgresql():
        asyncio.run(empty_tables(template))
        return template
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "buurtnet.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


async def _create_database(admin_url: URL, name: str) -> None:
    connection = await asyncpg.connect(admin_url.render_as_string(hide_password=False))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


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
