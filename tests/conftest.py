"""The fixtures every test may ask for: a real database of its own (SQLite, or PostgreSQL when
BUURTNET_TEST_DATABASE_URL is set; see tests/kit/databases.py), the app with its lifespan, an
HTTP client, residents, and the fake network (tests/kit); and helpers that act as a person does.

Every test hashes passwords with argon2's cheapest parameters: at production's a hash or check
takes 0.1 s, which was most of the suite's time (test_passwords checks production's).
"""

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import event
from starlette.applications import Starlette

from buurtnet.app import create_app
from buurtnet.config import Settings
from buurtnet.core import accounts, neighbourhoods, passwords, posts
from buurtnet.db import Database
from buurtnet.models import Account, Duty, Follow, Neighbourhood, Post, Role
from tests.kit.databases import (
    TEST_DATABASE_URL,
    fresh_database_url,
    on_postgresql,
    postgresql_template,
    sqlite_template,
)
from tests.kit.federation import use_network
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB

pytest_plugins = ["tests.mail_kit"]  # the in-process SMTP server: `smtp_server`

PASSWORD = "een lange zin als wachtwoord"
BASE_URL = "http://testserver"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
CHEAP_HASHING = PasswordHasher.from_parameters(profiles.CHEAPEST)


@pytest.fixture(autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with passwords.hashing_with(CHEAP_HASHING):
        yield


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the newest migration: a URL (PostgreSQL) or a file to copy (SQLite)."""
    if on_postgresql():
        return postgresql_template(TEST_DATABASE_URL)
    return sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    return fresh_database_url(migrated_template, tmp_path)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    found = Database(database_url)
    yield found
    await found.dispose()


def make_settings(database_url: str, data_dir: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "base_url": BASE_URL,
        "secret_key": "test-secret-key-" + "x" * 32,
        "data_dir": data_dir,
        "embedded_worker": False,
    }
    return Settings(**(values | changes))  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
async def app(settings: Settings, database: Database) -> AsyncIterator[Starlette]:
    application = create_app(settings, database=database)
    async with application.router.lifespan_context(application):
        yield application


def browser_for(app: Starlette, **options: Any) -> httpx.AsyncClient:
    """An HTTP client with its own cookies, like one more browser talking to the app."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL, **options)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with browser_for(app) as http:
        yield http


@pytest.fixture
async def neighbourhood(database: Database) -> Neighbourhood:
    async with database.transaction() as session:
        return await neighbourhoods.create_neighbourhood(session, "vogelwijk", "Vogelwijk")


async def make_account(
    database: Database,
    username: str,
    *,
    role: Role = Role.RESIDENT,
    neighbourhood: Neighbourhood | None = None,
    password: str = PASSWORD,
    duty: Duty | None = None,
) -> Account:
    """An account; a `duty` (moderator, director) is held in its `neighbourhood`."""
    async with database.transaction() as session:
        return await accounts.create_account(
            session,
            accounts.NewAccount(
                username=username,
                email=f"{username}@example.org",
                password=password,
                role=role,
                neighbourhood_id=neighbourhood.id if neighbourhood else None,
                duty=duty,
            ),
        )


@pytest.fixture
async def resident(database: Database, neighbourhood: Neighbourhood) -> Account:
    return await make_account(database, "anna", neighbourhood=neighbourhood)


@pytest.fixture
async def neighbour(database: Database, neighbourhood: Neighbourhood) -> Account:
    """A second resident of the same neighbourhood."""
    return await make_account(database, "bram", neighbourhood=neighbourhood)


async def add_follow(database: Database, follower: Account, followed: Account) -> None:
    """A follow, stored as accepted, without anyone being told (as if from long ago)."""
    assert follower.id is not None and followed.id is not None
    async with database.transaction() as session:
        session.add(Follow(follower_id=follower.id, followed_id=followed.id))


async def write_post(database: Database, author: Account, source: str, **choices: Any) -> Post:
    """A post written through core, as the composer would; choices go to `posts.Draft`."""
    async with database.transaction() as session:
        return await posts.create_post(session, author, posts.Draft(source=source, **choices))


def csrf_token_in(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "no form with a CSRF token on the page"
    return found.group(1)


async def csrf_token(client: httpx.AsyncClient, path: str) -> str:
    """Open a page as a browser would and take the CSRF token from its form."""
    return csrf_token_in((await client.get(path)).text)


async def post_form(
    client: httpx.AsyncClient, form_page: str, action: str, data: dict[str, str]
) -> httpx.Response:
    token = await csrf_token(client, form_page)
    return await client.post(action, data={"csrf_token": token, **data})


async def log_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> None:
    response = await post_form(
        client, "/login", "/login", {"login_name": username, "password": password, "next": "/"}
    )
    assert response.status_code == 303, response.text


@contextmanager
def counting_statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs, on the reading and the writing engine."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engines = {database.engine.sync_engine, database.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


@dataclass
class LoopTicks:
    count: int = 0


@asynccontextmanager
async def event_loop_ticks(every: float = 0.001) -> AsyncIterator[LoopTicks]:
    """How often a small task got its turn while the block ran: work that holds up the event
    loop (and so every other request) lets it tick only a few times."""
    ticks = LoopTicks()

    async def tick() -> None:
        while True:
            await asyncio.sleep(every)
            ticks.count += 1

    ticker = asyncio.create_task(tick())
    try:
        yield ticks
    finally:
        ticker.cancel()


@pytest.fixture
def network(app: Starlette) -> FakeNetwork:
    """The app's federation talks to a fake network on which Bob lives; add others with
    `network.add(RemoteActor(…))`."""
    network = FakeNetwork()
    network.add(BOB)
    use_network(app, network)
    return network
