"""Images on the web: serving stored files safely, reading upload forms, and the body bound."""

import io
from collections.abc import AsyncIterator, Sequence

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from buurtnet.app import UPLOAD_BODY_BYTES
from buurtnet.config import Settings
from buurtnet.core import cbs_import, login_sessions
from buurtnet.core.errors import InvalidInput
from buurtnet.core.images import MAX_IMAGE_BYTES
from buurtnet.core.media import ImageUpload, store_images
from buurtnet.db import Database
from buurtnet.mail.letters import Letters
from buurtnet.storage import FolderStorage
from buurtnet.web import csrf, forms
from buurtnet.web.limits import BodySizeLimit
from buurtnet.web.services import Services
from tests.conftest import BASE_URL, log_in

BOUNDARY = "----buurtnet-test-boundary"
BROWSER = "a-browser-id-of-sufficient-length"


def jpeg(size: tuple[int, int] = (30, 20)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(output, "JPEG")
    return output.getvalue()


def multipart(parts: Sequence[tuple[str, str | None, bytes]]) -> bytes:
    """A body as a browser sends it; unlike httpx, a browser sends `filename=""` for an empty
    file input, which makes it a file (of 0 bytes) rather than a text field."""
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            body += b"Content-Type: application/octet-stream\r\n"
        body += b"\r\n" + content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


async def post_multipart(
    client: httpx.AsyncClient, path: str, parts: Sequence[tuple[str, str | None, bytes]]
) -> httpx.Response:
    return await client.post(
        path,
        content=multipart(parts),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


# Serving


async def stored_key(app: Starlette) -> str:
    services: Services = app.state.services
    stored = await store_images(services.storage, [ImageUpload(jpeg(), "")])
    return stored[0].storage_key


async def test_a_stored_image_is_served_as_an_image_only(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    key = await stored_key(app)

    response = await client.get(f"/media/{key}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert response.headers["content-disposition"] == "inline"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert Image.open(io.BytesIO(response.content)).size == (30, 20)


async def test_the_type_never_depends_on_what_the_browser_asks_for(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    key = await stored_key(app)
    for accept in ("text/html", "application/activity+json"):
        response = await client.get(f"/media/{key}", headers={"Accept": accept})
        assert response.headers["content-type"] == "image/jpeg"


async def test_head_gives_the_headers(app: Starlette, client: httpx.AsyncClient) -> None:
    key = await stored_key(app)
    response = await client.head(f"/media/{key}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"


async def test_images_need_no_login_and_look_up_no_session(
    app: Starlette, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await stored_key(app)

    async def no_lookup(*args: object) -> None:
        raise AssertionError("an image request looked up a login")

    monkeypatch.setattr(login_sessions, "find_login", no_lookup)
    client.cookies.set("buurtnet_session", "some-token")
    assert (await client.get(f"/media/{key}")).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/unknown_key.jpg",
        "/media/unknown_key.png",
        "/media/abc.html",
        "/media/abc.svg",
        "/media/abc",
        "/media/..%2Fbuurtnet.sqlite3",
        "/media/%2e%2e%2fsecret_key",
        "/media/.partial-abc.jpg",
    ],
)
async def test_unknown_and_malformed_keys_are_not_found(
    app: Starlette, client: httpx.AsyncClient, path: str
) -> None:
    await stored_key(app)
    response = await client.get(path)
    assert response.status_code == 404
    assert not response.headers["content-type"].startswith("image/")


async def test_a_logged_in_resident_sees_the_image_too(
    app: Starlette, client: httpx.AsyncClient, resident: object
) -> None:
    key = await stored_key(app)
    await log_in(client, "anna")
    assert (await client.get(f"/media/{key}")).status_code == 200


# Reading upload forms, in a tiny app of their own


async def echo_uploads(request: Request) -> Response:
    form = await forms.read_form_with_files(request, max_files=4)
    try:
        uploads = await forms.uploaded_images(form)
    except InvalidInput as error:
        return JSONResponse(error.errors, status_code=400)
    return JSONResponse({"uploads": [[len(upload.data), upload.alt_text] for upload in uploads]})


@pytest.fixture
async def upload_client(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    upload_app = Starlette(routes=[Route("/upload", echo_uploads, methods=["POST"])])
    storage = FolderStorage(settings.data_dir / "media")
    upload_app.state.services = Services(settings, database, {}, storage, Letters(settings, {}))
    transport = httpx.ASGITransport(app=upload_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        client.cookies.set(csrf.BROWSER_COOKIE, BROWSER)
        yield client


def token(settings: Settings) -> tuple[str, None, bytes]:
    return ("csrf_token", None, csrf.make_token(settings.secret_key, BROWSER, "").encode())


async def test_files_are_paired_with_their_descriptions_and_empty_inputs_skipped(
    upload_client: httpx.AsyncClient, settings: Settings
) -> None:
    first, third = jpeg((10, 10)), jpeg((40, 40))
    parts = [
        token(settings),
        ("images", "first.jpg", first),
        ("alt_text", None, b"De eerste"),
        ("images", "", b""),  # a file input left empty
        ("alt_text", None, b""),
        ("images", "third.jpg", third),
        ("alt_text", None, b"De derde"),
    ]

    response = await post_multipart(upload_client, "/upload", parts)

    assert response.status_code == 200, response.text
    assert response.json() == {"uploads": [[len(first), "De eerste"], [len(third), "De derde"]]}


async def test_a_file_without_a_description_gets_an_empty_one(
    upload_client: httpx.AsyncClient, settings: Settings
) -> None:
    parts = [token(settings), ("images", "a.jpg", b"abc"), ("images", "b.jpg", b"defg")]
    response = await post_multipart(upload_client, "/upload", parts)
    assert response.json() == {"uploads": [[3, ""], [4, ""]]}


async def test_nothing_chosen_gives_no_uploads(
    upload_client: httpx.AsyncClient, settings: Settings
) -> None:
    parts = [token(settings), ("images", "", b""), ("alt_text", None, b"")]
    response = await post_multipart(upload_client, "/upload", parts)
    assert response.json() == {"uploads": []}


async def test_a_file_over_10_mb_is_refused(
    upload_client: httpx.AsyncClient, settings: Settings
) -> None:
    parts = [token(settings), ("images", "huge.jpg", b"\xff" * (MAX_IMAGE_BYTES + 1))]
    response = await post_multipart(upload_client, "/upload", parts)
    assert response.status_code == 400
    assert response.json() == {"images": "image_too_large"}


async def test_exactly_10_mb_is_read(upload_client: httpx.AsyncClient, settings: Settings) -> None:
    parts = [token(settings), ("images", "big.jpg", b"\xff" * MAX_IMAGE_BYTES)]
    response = await post_multipart(upload_client, "/upload", parts)
    assert response.json() == {"uploads": [[MAX_IMAGE_BYTES, ""]]}


async def test_a_few_too_many_files_get_a_form_message(
    upload_client: httpx.AsyncClient, settings: Settings
) -> None:
    files = [("images", f"{n}.jpg", b"x") for n in range(5)]
    response = await post_multipart(upload_client, "/upload", [token(settings), *files])
    assert response.json() == {"images": "image_too_many"}


async def test_far_too_many_files_are_not_even_parsed(
    upload_client: httpx.AsyncClient, settings: Settings
) -> None:
    files = [("images", f"{n}.jpg", b"x") for n in range(9)]
    response = await post_multipart(upload_client, "/upload", [token(settings), *files])
    assert response.status_code == 400
    assert "Too many files" in response.text


@pytest.mark.parametrize("csrf_token", [None, b"wrong"])
async def test_an_upload_without_the_right_csrf_token_is_refused(
    upload_client: httpx.AsyncClient, csrf_token: bytes | None
) -> None:
    parts: list[tuple[str, str | None, bytes]] = [("images", "a.jpg", jpeg())]
    if csrf_token is not None:
        parts.append(("csrf_token", None, csrf_token))
    response = await post_multipart(upload_client, "/upload", parts)
    assert response.status_code == 403


# The body bound


async def read_body(scope: Scope, receive: Receive, send: Send) -> None:
    """A bare app, so that the bound's error reaches the bound (in the app, it is outermost)."""
    body = await Request(scope, receive).body()
    await PlainTextResponse(str(len(body)))(scope, receive, send)


def bounded_client() -> httpx.AsyncClient:
    bounded = BodySizeLimit(read_body, max_bytes=100, larger_on={"/big": 1000})
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=bounded), base_url=BASE_URL)


async def test_only_the_listed_paths_take_larger_bodies() -> None:
    async def stream(size: int) -> AsyncIterator[bytes]:
        for _ in range(size // 50):
            yield b"x" * 50

    async with bounded_client() as client:
        assert (await client.post("/big", content=b"x" * 1000)).text == "1000"
        assert (await client.post("/big", content=stream(1000))).text == "1000"
        assert (await client.post("/big", content=b"x" * 1001)).status_code == 413
        assert (await client.post("/big", content=stream(1050))).status_code == 413
        assert (await client.post("/small", content=b"x" * 100)).text == "100"
        assert (await client.post("/small", content=b"x" * 101)).status_code == 413
        assert (await client.post("/small", content=stream(150))).status_code == 413
        assert (await client.post("/big/more", content=b"x" * 101)).status_code == 413


def test_the_app_allows_four_photos_on_posts_and_one_on_the_avatar_and_activities() -> None:
    assert UPLOAD_BODY_BYTES["/posts"] > 4 * MAX_IMAGE_BYTES
    for one_photo in ("/settings/avatar", "/welcome", "/events", "/events/outcome"):
        assert MAX_IMAGE_BYTES < UPLOAD_BODY_BYTES[one_photo] < 2 * MAX_IMAGE_BYTES, one_photo
    # The admin's CBS file (core/cbs_import) is the one upload that is not a photo.
    assert cbs_import.MAX_BYTES < UPLOAD_BODY_BYTES["/admin/cbs-import"] < 2 * cbs_import.MAX_BYTES
    assert set(UPLOAD_BODY_BYTES) == {
        "/posts",
        "/settings/avatar",
        "/welcome",
        "/events",
        "/events/outcome",
        "/admin/cbs-import",
    }


async def test_the_app_takes_large_uploads_on_the_upload_paths_only(
    client: httpx.AsyncClient,
) -> None:
    three_mb = [("images", "a.jpg", b"x" * 3 * 1024 * 1024)]
    for path in ("/posts", "/settings/avatar", "/welcome", "/events", "/events/outcome"):
        assert (await post_multipart(client, path, three_mb)).status_code != 413, path
    for path in ("/login", "/settings", "/posts/1/like"):
        assert (await post_multipart(client, path, three_mb)).status_code == 413, path
