"""The browser test kit: the app on a real port, and Debian's Chromium driven by Playwright.

Each test gets a server of its own (a fresh database, uvicorn in a thread) and pages in new browser
contexts. When a test ends, the kit fails it if a page asked anything of another origin than the
server (nothing may load from elsewhere: a privacy promise) or logged an error to the console.

Sync Playwright marks its event loop as running in the main thread for as long as it is started,
so `asyncio.run` refuses to work there: database work runs in a thread of its own, and the browser
lives only as long as the tests of this package (async tests elsewhere need the thread free).
"""

import asyncio
import contextvars
import re
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Request,
    Response,
    sync_playwright,
)

from buurtnet.app import create_app
from buurtnet.core import neighbourhoods
from buurtnet.core.errors import NotFound
from buurtnet.db import Database
from buurtnet.models import Account, Role
from tests.browser.chromium import launch
from tests.conftest import PASSWORD, make_account, make_settings
from tests.kit.databases import fresh_database_url
from tests.kit.waiting import wait_until_blocking

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 5_000
STARTUP_SECONDS = 10.0
NOT_FETCHED = ("data", "about", "blob")  # schemes that never leave the browser
REFUSED_RESOURCE = re.compile(
    r"Failed to load resource: the server responded with a status of (\d+) .*"
)

T = TypeVar("T")


@dataclass(frozen=True)
class LiveServer:
    """The app on a port, and its database for the test to fill."""

    url: str
    database_url: str

    def run(self, work: Callable[[Database], Awaitable[T]]) -> T:
        """Run `work` with a database engine of its own on an event loop of its own.

        The server's engine belongs to the server thread's loop and is never shared.
        """
        return in_own_thread(asyncio.run, _with_database(self.database_url, work))

    def make_resident(
        self,
        username: str,
        neighbourhood: str = "vogelwijk",
        *,
        role: Role = Role.RESIDENT,
        password: str = PASSWORD,
    ) -> Account:
        """An active account in the neighbourhood with this slug (made when it does not exist)."""

        async def work(database: Database) -> Account:
            async with database.transaction() as session:
                try:
                    home = await neighbourhoods.get_by_slug(session, neighbourhood)
                except NotFound:
                    home = await neighbourhoods.create_neighbourhood(
                        session, neighbourhood, neighbourhood.capitalize()
                    )
            return await make_account(
                database, username, role=role, neighbourhood=home, password=password
            )

        return self.run(work)


def in_own_thread(function: Callable[..., T], *args: Any) -> T:
    """Call `function` in a new thread: where no Playwright event loop is marked as running.
    It runs in a copy of this thread's context (so with the tests' password hashing)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(contextvars.copy_context().run, function, *args).result()


async def _with_database(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    database = Database(url)
    try:
        return await work(database)
    finally:
        await database.dispose()


def _listening_socket() -> socket.socket:
    """A socket on a free port, bound before the app exists so its base URL can name the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _wait_until_healthy(server: uvicorn.Server, thread: threading.Thread, url: str) -> None:
    with httpx.Client(timeout=1.0) as http:

        def healthy() -> bool:
            assert thread.is_alive(), f"the live server at {url} stopped while starting"
            if not server.started:
                return False
            try:
                return http.get(f"{url}/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_until_blocking(healthy, within=STARTUP_SECONDS)


@pytest.fixture
def live_server(migrated_template: str, tmp_path: Path) -> Iterator[LiveServer]:
    database_url = in_own_thread(fresh_database_url, migrated_template, tmp_path)
    sock = _listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(make_settings(database_url, tmp_path, base_url=url))
    config = uvicorn.Config(app, lifespan="on", log_level="warning", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    # The server runs in a copy of this thread's context, with the tests' password hashing.
    serve = contextvars.copy_context().run
    thread = threading.Thread(target=serve, args=(server.run, [sock]), daemon=True)
    thread.start()
    try:
        _wait_until_healthy(server, thread, url)
        yield LiveServer(url=url, database_url=database_url)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive(), "the live server did not stop"


@pytest.fixture(scope="package")
def browser(migrated_template: str) -> Iterator[Browser]:
    """One Chromium for the package. The template database is made first, with `asyncio.run`."""
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@dataclass
class BrowserLog:
    """What the pages of one test did that the kit checks: requests, errors, console errors."""

    origin: str
    requests: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    refused_documents: set[tuple[str, int]] = field(default_factory=set)
    console_errors: list[tuple[str, str]] = field(default_factory=list)  # text, source

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")
        elif response.status >= 400 and response.request.is_navigation_request():
            self.refused_documents.add((response.url, response.status))

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append((message.text, message.location.get("url", "")))

    def on_page_error(self, error: Error) -> None:
        self.console_errors.append((f"uncaught: {error.message}", ""))

    def console_problems(self) -> list[str]:
        return [
            f"{text} ({source})" if source else text
            for text, source in self.console_errors
            if not self._is_refused_document(text, source)
        ]

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not self._is_ours(url)]

    def _is_ours(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in NOT_FETCHED or f"{parts.scheme}://{parts.netloc}" == self.origin

    def _is_refused_document(self, text: str, source: str) -> bool:
        """Chromium logs every page that came with a 4xx; a form with errors is one. Tests check
        the status of the pages they open; a stylesheet or image that fails still counts."""
        found = REFUSED_RESOURCE.fullmatch(text)
        return found is not None and (source, int(found.group(1))) in self.refused_documents


@pytest.fixture
def browser_log(live_server: LiveServer) -> BrowserLog:
    return BrowserLog(origin=live_server.url)


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(browser: Browser, browser_log: BrowserLog) -> Iterator[OpenPage]:
    """Opens a page in a new context (Dutch, desktop size unless told); options go to the context.

    For example `open_page(locale="en-GB")`, `open_page(viewport=PHONE)` or
    `open_page(java_script_enabled=False)`.
    """
    contexts: list[BrowserContext] = []

    def open_one(**options: Any) -> Page:
        context = browser.new_context(**({"locale": "nl-NL", "viewport": DESKTOP} | options))
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", browser_log.on_request)
        context.on("response", browser_log.on_response)
        context.on("console", browser_log.on_console)
        context.on("weberror", lambda web_error: browser_log.on_page_error(web_error.error))
        contexts.append(context)
        return context.new_page()

    yield open_one
    for context in contexts:
        context.close()
    foreign = browser_log.foreign_requests()
    assert not foreign, f"requests to another origin than {browser_log.origin}: {foreign}"
    assert not browser_log.server_errors, f"server errors: {browser_log.server_errors}"
    problems = browser_log.console_problems()
    assert not problems, f"errors in the browser console: {problems}"


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    return open_page()


def log_in(page: Page, server: LiveServer, username: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a person would; the page ends where the login leads."""
    page.goto(f"{server.url}/login")
    page.locator("#login_name").fill(username)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def open_menu(page: Page) -> None:
    """On a phone the main menu is folded into "Menu": open it, as a person would."""
    summary = page.locator("details.site-menu > summary")
    if summary.is_visible() and not summary.evaluate("summary => summary.parentElement.open"):
        summary.click()


def open_composer(page: Page) -> None:
    """From the home page to the composer, by the line that asks what one would like to share."""
    with page.expect_navigation():
        page.locator("a.share-link").click()
