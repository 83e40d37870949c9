"""The shell around every page: errors, headers, health, and CSRF on every form."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from buurtnet.app import create_app
from buurtnet.config import Settings
from buurtnet.db import Database
from buurtnet.models import Account
from buurtnet.web import mail_unsubscribe
from tests.conftest import csrf_token_in, log_in


async def test_unknown_page_gives_a_404_that_fits_the_site(client: httpx.AsyncClient) -> None:
    for path in ("/does-not-exist", "/n/nowhere"):
        page = await client.get(path)
        assert page.status_code == 404
        assert "Deze pagina bestaat niet" in page.text
        assert 'href="/static/buurtnet.css"' in page.text


async def test_a_crash_gives_a_500_page_without_details(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database=database)

    async def broken(_request: object) -> None:
        raise RuntimeError("secret internal detail")

    app.router.routes.append(Route("/broken", broken))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            page = await http.get("/broken")
    assert page.status_code == 500
    assert "Er ging bij ons iets mis" in page.text
    assert "secret internal detail" not in page.text
    assert "script-src 'none'" in page.headers["content-security-policy"]


async def test_health_check_answers_when_the_database_does(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


async def test_health_check_reports_a_database_that_does_not_answer(settings: Settings) -> None:
    # A closed port: a failed SQLite open would leave aiosqlite's thread behind the test's loop.
    unreachable = Database("postgresql+asyncpg://postgres@127.0.0.1:1/nothing")
    app = create_app(settings, database=unreachable)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get("/healthz")
    await unreachable.dispose()
    assert response.status_code == 503


async def test_security_headers(client: httpx.AsyncClient) -> None:
    headers = (await client.get("/login")).headers
    assert "script-src 'none'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in headers  # only behind HTTPS


async def test_pages_load_nothing_from_other_sites(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    for path in ("/", "/login", "/register", "/n/vogelwijk", "/settings", "/nope"):
        html = (await client.get(path, follow_redirects=True)).text
        sources = re.findall(r'(?:src|href|action)="([^"]+)"', html)
        assert sources, path
        assert [source for source in sources if "://" in source or source.startswith("//")] == []


def form_routes(app: Starlette) -> list[str]:
    """Every POST route but the inboxes, which servers sign instead (tests/test_inbox*.py), and
    the one-click unsubscribe link of a mail, whose token is the authorisation
    (tests/test_mail_notifications.py)."""
    paths = []
    for route in app.routes:
        if not isinstance(route, Route) or "POST" not in (route.methods or set()):
            continue
        if not route.path.endswith("inbox") and route.path != mail_unsubscribe.PATH:
            paths.append(re.sub(r"\{[^}]+\}", "1", route.path))
    return paths


async def test_every_form_post_without_csrf_token_is_refused(
    app: Starlette, client: httpx.AsyncClient, resident: Account
) -> None:
    paths = form_routes(app)
    assert {"/login", "/logout", "/register", "/settings/password", "/admin/registration"} <= set(
        paths
    )
    await log_in(client, "anna")
    for path in paths:
        response = await client.post(path, data={"anything": "x"})
        assert response.status_code == 403, path


@pytest.mark.parametrize("body", [b"\xff\xfe\x00", b"a=" + b"x" * 200_000, b"%%%"])
async def test_malformed_form_bodies_get_a_4xx(client: httpx.AsyncClient, body: bytes) -> None:
    await client.get("/login")
    response = await client.post(
        "/login", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert 400 <= response.status_code < 500


async def test_a_huge_body_is_refused_with_413(client: httpx.AsyncClient) -> None:
    await client.get("/login")
    announced = await client.post("/login", content=b"a=" + b"x" * (2 * 1024 * 1024))
    assert announced.status_code == 413

    async def stream() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b"x" * 65536

    streamed = await client.post(
        "/login", content=stream(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert streamed.status_code == 413


async def test_pages_are_never_kept_in_a_cache(client: httpx.AsyncClient) -> None:
    for path in ("/login", "/nergens"):
        assert (await client.get(path)).headers["cache-control"] == "no-store"


async def test_extra_field_attributes_reach_the_browser(client: httpx.AsyncClient) -> None:
    page = (await client.get("/login")).text
    assert 'autocapitalize="none"' in page
    assert "&#34;" not in page


async def test_the_language_switch_returns_to_the_same_page_and_query(
    client: httpx.AsyncClient,
) -> None:
    form_page = await client.get("/register?code=ABC123")
    assert 'name="next" value="/register?code=ABC123"' in form_page.text
    switched = await client.post(
        "/language",
        data={
            "csrf_token": csrf_token_in(form_page.text),
            "locale": "en",
            "next": "/register?code=ABC123",
        },
    )
    assert (switched.status_code, switched.headers["location"]) == (303, "/register?code=ABC123")
    assert 'lang="en"' in (await client.get("/register?code=ABC123")).text
